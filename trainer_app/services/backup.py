"""Backing the store up and restoring it: the use cases over ``persistence.backup``, audited.

- ``BackupService.backup``: an online copy of the live store (the user's, from the File menu or
  ``trainer-app backup``), audited with its checksum.
- ``BackupService.on_exit``: the automatic copy when the window closes, keeping the newest
  ``backups_to_keep`` (a setting of the store; 0 turns it off) in the data folder's backups/.
- ``inspect`` and ``restore``: check a backup file whole before anything is replaced, then put
  it in place of a closed store, the current one kept aside; the restored store's trail records
  the restore, and this installation takes its seals as the last ones seen.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from trainer_app.config import Settings
from trainer_app.domain import dates
from trainer_app.domain.access import Act
from trainer_app.domain.audit import LOCAL_ACTOR, Actor, AuditAction, RecordType
from trainer_app.domain.errors import StoreError, ValidationError
from trainer_app.persistence import backup as copies
from trainer_app.persistence import chain
from trainer_app.persistence.backup import BackupFacts, Progress, ShouldStop
from trainer_app.persistence.db import Store, sqlite_path
from trainer_app.persistence.models import AppMeta
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import Now, save_store_setting, write_audit

__all__ = ["BackupDone", "BackupFacts", "BackupService", "Restored", "inspect", "restore"]

KEEP_KEY = "backups_to_keep"
DEFAULT_KEEP = 7
MAX_KEEP = 365
BACKUPS_FOLDER = "backups"


@dataclass(frozen=True)
class BackupDone:
    path: Path
    sha256: str
    size: int

    def summary(self) -> str:
        return (
            f"Backed up to {self.path} ({self.size / 2**20:.1f} MiB, SHA-256 "
            f"{self.sha256[:12]}…; checksum in {copies.checksum_path(self.path).name})"
        )


@dataclass(frozen=True)
class Restored:
    facts: BackupFacts
    kept: Path | None  # where the store it replaced was copied

    def summary(self) -> str:
        kept = f"; the database it replaced is kept at {self.kept}" if self.kept else ""
        return (
            f"Restored {self.facts.path.name} ({self.facts.trainees} trainees, "
            f"{self.facts.audit_entries} audit entries){kept}"
        )


class BackupService:
    def __init__(self, store: Store, actor: Actor, settings: Settings, now: Now) -> None:
        self.store = store
        self.actor = actor
        self.settings = settings
        self.now = now

    @property
    def can_back_up(self) -> bool:
        return self.store.is_sqlite and sqlite_path(self.store.url) is not None

    def backup(
        self,
        target: Path,
        *,
        replace: bool = False,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        automatic: bool = False,
    ) -> BackupDone:
        """Copy the live store to ``target`` (whole or not at all), then audit the copy.
        The automatic backup on closing is the installation's own, made for any role."""
        if not automatic:
            self.actor.require(Act.BACK_UP)
        if not self.can_back_up:
            raise StoreError(
                "A store on a database server is backed up with the server's own tool: "
                "pg_dump -Fc (see docs/shared-server.md). Nothing was written"
            )
        raw = self.store.engine.raw_connection()
        try:
            connection = raw.driver_connection
            assert connection is not None
            digest, size = copies.backup(
                connection, target, replace=replace, progress=progress, should_stop=should_stop
            )
        finally:
            raw.close()
        with transaction(self.store) as session:
            write_audit(
                session,
                self.actor,
                AuditAction.CREATE,
                RecordType.BACKUP,
                0,
                target.name,
                [("path", None, str(target)), ("sha256", None, digest), ("size", None, str(size))],
                "automatic, on closing the window" if automatic else "",
                at=self.now(),
            )
        return BackupDone(target, digest, size)

    # ----- automatic backups ---------------------------------------------------------------
    def backups_to_keep(self) -> int:
        with reading(self.store) as session:
            row = session.get(AppMeta, KEEP_KEY)
            return int(row.value) if row is not None and row.value.isdigit() else DEFAULT_KEEP

    def set_backups_to_keep(self, count: int) -> None:
        self.actor.require(Act.CHANGE_SETTINGS, what="change how many backups are kept")
        if not 0 <= count <= MAX_KEEP:
            raise ValidationError.single(
                KEEP_KEY, f"Backups to keep must be 0 (none) to {MAX_KEEP} (got {count})"
            )
        old = str(self.backups_to_keep())
        with transaction(self.store) as session:
            save_store_setting(
                session,
                self.actor,
                KEEP_KEY,
                str(count),
                "Backups kept on closing",
                old=old,
                at=self.now(),
            )

    @property
    def folder(self) -> Path:
        return self.settings.data_dir / BACKUPS_FOLDER

    def on_exit(self) -> BackupDone | None:
        """The automatic backup when the window closes; the oldest beyond the setting go."""
        keep = self.backups_to_keep()
        path = sqlite_path(self.store.url)
        if keep == 0 or path is None:
            return None
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = self.now().astimezone(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        done = self.backup(self.folder / f"{path.stem}-{stamp}.db", automatic=True)
        for old in self.automatic_backups()[:-keep]:
            old.unlink(missing_ok=True)
            copies.checksum_path(old).unlink(missing_ok=True)
        return done

    def automatic_backups(self) -> list[Path]:
        """This store's automatic backups, oldest first."""
        path = sqlite_path(self.store.url)
        if path is None or not self.folder.is_dir():
            return []
        pattern = re.compile(re.escape(path.stem) + r"-\d{8}T\d{12}Z\.db")
        return sorted(p for p in self.folder.iterdir() if pattern.fullmatch(p.name))

    def inspect(self, path: Path) -> BackupFacts:
        return copies.inspect(path, self.store.chain)


def inspect(settings: Settings, path: Path) -> BackupFacts:
    """Check a backup file whole, read-only, with this installation's audit keys."""
    return copies.inspect(path, chain.AuditChain.load(settings.key_folder))


def restore(settings: Settings, source: Path, actor: Actor = LOCAL_ACTOR) -> Restored:
    """Put the backup ``source`` in place of the settings' store, which must not be open in
    this process. Refused, with nothing changed, unless the file checks whole."""
    from trainer_app.services.context import ServiceContext

    actor.require(Act.RESTORE)
    target = sqlite_path(settings.database_url)
    if target is None:
        raise StoreError(
            "A store on a database server is restored with the server's own tool: pg_restore "
            "into a new database (see docs/shared-server.md). Nothing was changed"
        )
    sealing = chain.AuditChain.load(settings.key_folder)
    facts = copies.inspect(source, sealing)
    current = copies.inspect_identity(target) if target.exists() else None
    kept = copies.restore(facts, settings.database_url, current)
    if facts.store_id is not None and facts.trail is not None and facts.trail.head is not None:
        sealing.saw(facts.store_id, facts.trail.head)  # the restore is the new last seen
    with (
        ServiceContext.open(settings, actor=actor, create=False) as context,
        transaction(context.store) as session,
    ):
        write_audit(
            session,
            context.actor,
            AuditAction.CREATE,
            RecordType.BACKUP,
            0,
            f"Restored from {source.name}",
            [
                ("restored_from", None, str(source)),
                ("sha256", None, facts.sha256),
                ("kept_aside", None, str(kept) if kept else None),
            ],
            f"restore of a backup last written {dates.utc_moment(facts.modified)}",
            at=datetime.now(UTC),
        )
    return Restored(facts, kept)
