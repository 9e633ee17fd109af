"""Backups of an SQLite store while it is open, and restoring one in its place.

A backup is taken with SQLite's online backup API from the live connection (never a file copy,
which could catch a write half-done), into a hidden file beside the target; the copy is made a
single file (no write-ahead log), checked page by page, given a SHA-256 checksum in a
``FILE.sha256`` beside it (the format ``sha256sum -c`` reads), and only then given its name.

Restoring checks the file first as opening a store does (SQLite, trainer-app, a schema this
version knows, every page and table), its checksum when one is beside it and its audit trail's
seals; only then is the current store copied aside (``NAME.before-restore-STAMP.db``) and the
backup put in its place, whole, with one rename.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine

from trainer_app.domain.audit_chain import Verdict
from trainer_app.domain.errors import StoreError, StoreRefused
from trainer_app.files import replace_atomically, sync_folder
from trainer_app.persistence import chain
from trainer_app.persistence.db import (
    SQLITE_HEADER,
    examine_file,
    remove_database_files,
    sqlite_path,
)

Progress = Callable[[int, int], None]  # pages done, pages in all
ShouldStop = Callable[[], bool]
PAGES_PER_STEP = 2048  # pages copied between progress reports (8 MiB at SQLite's 4 KiB page)
CHECKSUM_SUFFIX = ".sha256"


class Cancelled(StoreError):
    """The user stopped the backup; nothing was written under the target's name."""


@dataclass(frozen=True)
class BackupFacts:
    """What a backup file holds, as read from it (nothing taken on trust)."""

    path: Path
    size: int
    sha256: str
    revision: str
    store_id: str | None
    audit_entries: int
    trainees: int
    modified: datetime
    checksum_file: bool  # a FILE.sha256 was beside it and matched
    trail: Verdict | None = None  # the seals, checked with this installation's keys


def backup(
    connection: sqlite3.Connection,
    target: Path,
    *,
    replace: bool = False,
    progress: Progress | None = None,
    should_stop: ShouldStop | None = None,
) -> tuple[str, int]:
    """Copy the open store behind ``connection`` to ``target``; returns (SHA-256, bytes)."""
    folder = target.parent
    try:
        _check_target(target, replace)
    except OSError as error:  # a name too long, a folder we may not look into
        raise StoreError(
            f"Cannot write the backup to {target} ({error.strerror or error}); nothing was written"
        ) from error
    try:
        handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=folder)
    except OSError as error:
        raise StoreError(f"Cannot write the backup to {folder}: {error.strerror}") from error
    os.close(handle)  # owner-only, as mkstemp makes it
    partial = Path(name)
    try:
        _copy(connection, partial, progress, should_stop)
        digest = _sha256(partial)
        size = partial.stat().st_size
        _write_checksum(target, digest)
        os.replace(partial, target)
        sync_folder(folder)
    except OSError as error:
        raise StoreError(
            f"The backup to {target} failed ({error.strerror or error}); nothing was written "
            "under that name"
        ) from error
    finally:
        remove_database_files(partial)
    return digest, size


def _check_target(target: Path, replace: bool) -> None:
    folder = target.parent
    if target.is_dir():
        raise StoreError(f"{target} is a folder; give a file name for the backup")
    if target.exists() and not replace:
        raise StoreError(f"{target} already exists; choose a new name for the backup")
    if not folder.is_dir():
        raise StoreError(f"The folder {folder} does not exist; nothing was written")
    if not os.access(folder, os.W_OK):
        raise StoreError(f"Cannot write the backup to {folder}: the folder is read-only")


def _copy(
    source: sqlite3.Connection,
    partial: Path,
    progress: Progress | None,
    should_stop: ShouldStop | None,
) -> None:
    def step(_status: int, remaining: int, total: int) -> None:
        if should_stop is not None and should_stop():
            raise Cancelled("The backup was stopped; nothing was written")
        if progress is not None:
            progress(total - remaining, total)

    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=PAGES_PER_STEP, progress=step)
        copy.execute("PRAGMA journal_mode = DELETE")  # one file, whatever the store uses
        verdict = [row[0] for row in copy.execute("PRAGMA integrity_check")]
        if verdict != ["ok"]:
            raise StoreError(
                f"The copy failed its integrity check ({verdict[0]}); nothing was written. "
                "Run 'trainer-app db check' on the database"
            )
        copy.commit()
    except sqlite3.Error as error:
        raise StoreError(f"The backup failed ({error}); nothing was written") from error
    finally:
        copy.close()
    with partial.open("rb+") as handle:
        os.fsync(handle.fileno())


def _sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def checksum_path(target: Path) -> Path:
    return target.with_name(target.name + CHECKSUM_SUFFIX)


def _write_checksum(target: Path, digest: str) -> None:
    line = f"{digest}  {target.name}\n"
    replace_atomically(checksum_path(target), lambda path: path.write_text(line, "utf-8"))


def _read_checksum(target: Path) -> str | None:
    """The digest recorded beside ``target``; None when there is no checksum file."""
    path = checksum_path(target)
    if not path.exists():
        return None
    try:
        text = path.read_text(encoding="utf-8").split()
    except (OSError, UnicodeDecodeError):
        text = []
    if not text or len(text[0]) != 64:
        raise StoreRefused(
            f"The checksum file {path.name} beside the backup cannot be read; nothing was changed",
            [f"The checksum file {path.name} is damaged"],
        )
    return text[0].lower()


def inspect(path: Path, sealing: chain.AuditChain | None) -> BackupFacts:
    """Check a backup file read-only, as opening a store would, and say what it holds."""
    try:
        return _inspect(path, sealing)
    except OSError as error:  # a name too long, a file we may not read
        raise StoreError(
            f"{path} cannot be read ({error.strerror or error}); nothing was changed"
        ) from error


def _inspect(path: Path, sealing: chain.AuditChain | None) -> BackupFacts:
    if not path.exists():
        raise StoreError(f"There is no file {path}")
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a backup file")
    if not path.is_file():  # a pipe or a device would block or never end
        raise StoreError(f"{path} is not a regular file (a pipe or a device), not a backup")
    with path.open("rb") as handle:
        if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            raise StoreRefused(
                f"{path} is not a trainer-app backup (it is not an SQLite database); nothing "
                "was changed",
                ["The file is not an SQLite database"],
            )
    recorded = _read_checksum(path)
    digest = _sha256(path)
    if recorded is not None and recorded != digest:
        raise StoreRefused(
            f"{path} is not the file that was backed up: its SHA-256 differs from the one in "
            f"{checksum_path(path).name} (damaged, truncated or changed since). Nothing was "
            "changed",
            ["The file's checksum does not match the one recorded when it was backed up"],
        )
    try:
        revision = examine_file(path, what="backup")
    except StoreRefused as refusal:
        detail = refusal.problems[0]
        if detail == str(refusal):
            raise  # already one sentence about this file (foreign, newer)
        detail = detail[0].lower() + detail[1:] if not detail.startswith("SQLite") else detail
        more = f" (and {len(refusal.problems) - 1} more)" if len(refusal.problems) > 1 else ""
        raise StoreRefused(
            f"{path} cannot be restored: {detail}{more}. Nothing was changed", refusal.problems
        ) from None
    engine = create_engine(
        "sqlite://",
        creator=lambda: sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True),
    )
    try:
        with engine.connect() as connection:
            count = connection.exec_driver_sql
            entries = count("SELECT count(*) FROM audit_entries").scalar() or 0
            trainees = count("SELECT count(*) FROM trainees").scalar() or 0
            sealed = connection.exec_driver_sql(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_seals'"
            ).scalar()
            identity = chain.store_id(connection) if sealed else None
            trail = None
            if sealing is not None and sealed:
                trail = chain.verify(connection, sealing, remember=False)
    finally:
        engine.dispose()
    if trail is not None and trail.problem is not None:
        raise StoreRefused(
            f"{path} cannot be restored: {trail.summary()} Nothing was changed",
            [trail.summary()],
        )
    return BackupFacts(
        path=path,
        size=path.stat().st_size,
        sha256=digest,
        revision=revision,
        store_id=identity,
        audit_entries=entries,
        trainees=trainees,
        modified=datetime.fromtimestamp(path.stat().st_mtime, UTC),
        checksum_file=recorded is not None,
        trail=trail,
    )


def inspect_identity(path: Path) -> str | None:
    """The identifier of the store in the file at ``path`` (None when it has none or cannot be
    read: restoring over it is then not refused for being another store's backup)."""
    try:
        connection = sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True)
        try:
            row = connection.execute(
                "SELECT value FROM app_meta WHERE key = ?", (chain.STORE_ID,)
            ).fetchone()
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None


def restore(facts: BackupFacts, url: str, current_id: str | None) -> Path | None:
    """Put the backup ``facts`` describes in place of the store at ``url`` (which must be
    closed), after copying the current store aside; returns where it was kept (None when
    there was none). ``current_id`` is the current store's identifier: a backup of another
    store is refused."""
    target = sqlite_path(url)
    if target is None:
        raise StoreError(
            "Restoring puts a file in place of an SQLite store; a database server is restored "
            "with its own tools (docs/compliance.md)"
        )
    if current_id is not None and facts.store_id is not None and facts.store_id != current_id:
        raise StoreRefused(
            f"{facts.path} is a backup of another database, not of {target.name}; nothing was "
            f"changed. To look at it, restore it to a new file: trainer-app restore "
            f"{facts.path} --database NEW.db",
            ["The backup is of another database"],
        )
    folder = target.parent
    if not os.access(folder, os.W_OK):
        raise StoreError(f"Cannot restore into {folder}: the folder is read-only")
    if _sha256(facts.path) != facts.sha256:
        raise StoreError(f"{facts.path} changed while it was being restored; nothing was changed")
    kept = None
    if target.exists():
        kept = _set_aside(target)
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".restoring", dir=folder)
    os.close(handle)
    incoming = Path(name)
    try:
        with facts.path.open("rb") as source, incoming.open("wb") as copy:
            while chunk := source.read(1 << 20):
                copy.write(chunk)
            copy.flush()
            os.fsync(copy.fileno())
        if _sha256(incoming) != facts.sha256:
            raise StoreError("The copied backup does not match the file checked; nothing changed")
        for suffix in ("-wal", "-shm", "-journal"):  # the old store's log must not meet the new
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        os.replace(incoming, target)
        sync_folder(folder)
    except OSError as error:
        raise StoreError(
            f"Restoring into {target} failed ({error.strerror or error}); the store there is "
            f"unchanged{f' (and a copy is kept at {kept})' if kept else ''}"
        ) from error
    finally:
        incoming.unlink(missing_ok=True)
    return kept


def _set_aside(target: Path) -> Path:
    """A whole copy of the current store beside it (its log folded in), before it is replaced."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = target.with_name(f"{target.name}.before-restore-{stamp}.db")
    source = sqlite3.connect(target, timeout=5)
    try:
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        backup(source, aside)
    except sqlite3.Error as error:
        raise StoreError(
            f"The current database could not be copied aside before restoring ({error}); "
            "nothing was changed. Close other windows on it and try again"
        ) from error
    finally:
        source.close()
    return aside
