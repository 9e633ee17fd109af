"""Evidence leaving the building: every export is recorded in the audit trail.

The files themselves are written by ``trainer_app.exports`` (pure writers); the CLI and the
window write through ``ExportService.write`` so the record of what left, where to and for
whom is made in one place, and only once the file is complete.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.persistence.db import Store
from trainer_app.persistence.uow import transaction
from trainer_app.services.base import Now, now_utc, write_audit

T = TypeVar("T")


class ExportService:
    def __init__(self, store: Store, actor: Actor, now: Now = now_utc) -> None:
        self.store = store
        self.actor = actor
        self.now = now

    def write(
        self,
        what: str,
        path: Path,
        writer: Callable[[], T],
        *,
        details: Iterable[tuple[str, str]] = (),
    ) -> T:
        """Run ``writer`` (which writes ``path`` whole or not at all), then audit the export:
        ``what`` in words ("Training record of Ana Silva (TR-000042)"), the file, and any
        ``details`` (filters, counts) as ``(field, value)`` pairs. A failed write is not
        audited, because nothing left."""
        result = writer()
        self.record(what, path, details=details)
        return result

    def record(self, what: str, path: Path, *, details: Iterable[tuple[str, str]] = ()) -> None:
        """Audit an export that has been written (a file made elsewhere, e.g. by a thread)."""
        changes = [("path", None, str(path)), *((f, None, v) for f, v in details)]
        with transaction(self.store) as session:
            write_audit(
                session,
                self.actor,
                AuditAction.CREATE,
                RecordType.EXPORT,
                0,
                what,
                changes,
                at=self.now(),
            )
