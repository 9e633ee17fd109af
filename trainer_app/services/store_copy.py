"""Copying a whole store into a new database (``trainer-app db copy``): SQLite to PostgreSQL
when a hub moves to a shared server, and back, or between two files or two servers.

An administrator's act. The copy is the same store, moved (``persistence.copy``): it keeps the
store id, every row and id, the audit trail and its seals; its trail gains one entry saying who
copied it from where (the source is left exactly as it was). Once the copy is in use, the source
should be retired: it is the same store, and this installation's audit check then reports it as
an older copy. (Signing in to copy is recorded in the source, as every sign-in is.)
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import ArgumentError
from sqlalchemy.orm import Session

from trainer_app.config import Settings, sqlite_url
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.persistence import copy as copies
from trainer_app.persistence.chain import AuditChain
from trainer_app.persistence.copy import Progress, TableCopied
from trainer_app.services.base import Now, now_utc, write_audit

__all__ = [
    "Progress",
    "StoreCopied",
    "TableCopied",
    "copy_store",
    "database_url",
    "prepare",
    "shown",
]


@dataclass(frozen=True)
class StoreCopied:
    source: str  # as shown: a path, or a URL without its password
    target: str
    tables: tuple[TableCopied, ...]
    trail: str  # the copy's audit trail, verified: one sentence
    seconds: float

    @property
    def rows(self) -> int:
        return sum(t.rows for t in self.tables)

    def lines(self) -> list[str]:
        """What was copied, table by table, then the verdict."""
        width = max(len(t.name) for t in self.tables)
        return [
            f"Copied {self.source} to {self.target}: {len(self.tables)} tables, "
            f"{_count(self.rows)} rows in {self.seconds:.1f} s; each table checked against the "
            "source (rows and content):",
            *(
                f"  {t.name:<{width}} {_count(t.rows):>10} {'row' if t.rows == 1 else 'rows'} ✓"
                for t in self.tables
            ),
            f"The copy's trail: {self.trail} Its last entry records this copy.",
        ]


def _count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def shown(given: str) -> str:
    """A database as the user may see it: a file's path, a URL without its password."""
    try:
        return copies.shown(database_url(given))
    except (ArgumentError, ValueError):
        return "the target"


def database_url(given: str) -> str:
    """A database as the user names it: a URL (``postgresql+psycopg://…``, ``sqlite:///…``),
    else a path to an SQLite file."""
    if "://" in given:
        return given
    return sqlite_url(Path(given).expanduser().absolute())


def prepare(settings: Settings, source: str, target: str) -> Settings:
    """Refuse now, before anyone is asked for a password, what the copy would refuse at its
    start (a bad URL, a target that is not new, a source that is no store at the current
    schema); return the settings on the source, where the person copying signs in."""
    source_url = database_url(source)
    copies.check_ends(source_url, database_url(target))
    return dataclasses.replace(settings, database_url=source_url)


def copy_store(
    settings: Settings,
    source: str,
    target: str,
    actor: Actor,
    *,
    progress: Progress | None = None,
    now: Now = now_utc,
) -> StoreCopied:
    """Copy the store ``source`` whole into the new database ``target`` (paths or URLs), the
    copy checked table by table and its trail verified before it is committed; refused with
    nothing written otherwise."""
    actor.require(Act.COPY_STORE)
    source_url, target_url = database_url(source), database_url(target)
    started = now()

    def record(session: Session) -> None:
        shown_source, shown_target = copies.shown(source_url), copies.shown(target_url)
        write_audit(
            session,
            actor,
            AuditAction.CREATE,
            RecordType.BACKUP,
            0,
            f"Copied from {shown_source}",
            [("copied_from", None, shown_source), ("copied_to", None, shown_target)],
            "the whole store copied into a new database (trainer-app db copy)",
            at=now(),
        )

    sealing = AuditChain.load(settings.key_folder)
    copied = copies.copy_store(source_url, target_url, sealing, progress=progress, finish=record)
    return StoreCopied(
        copied.source,
        copied.target,
        copied.tables,
        copied.trail.summary(),
        (now() - started).total_seconds(),
    )
