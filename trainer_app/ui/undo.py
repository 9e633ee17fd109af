"""Undoable changes to master data. Each command calls the services; the first call happens
before the command is pushed, so the first ``redo`` (run by ``QUndoStack.push``) does nothing."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand

from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.records import RecordKind


class RecordChanges(QObject):
    """Tells the window what changed (to refresh views) and what went wrong (to say so)."""

    changed = Signal(str, int)  # entity type, record id
    failed = Signal(str)


class RecordCommand(QUndoCommand):
    def __init__(
        self,
        text: str,
        context: ServiceContext,
        kind: RecordKind,
        record: Any,
        changes: RecordChanges,
    ) -> None:
        super().__init__(text)
        self.kind = kind
        self.record_id: int = record.id
        self.version: int = record.row_version
        self._service = kind.service(context)
        self._changes = changes
        self._pushed = False
        self._reason = ""

    def redo(self) -> None:
        if not self._pushed:
            self._pushed = True
            return
        self._run(self._forward, "Redo")

    def undo(self) -> None:
        self._run(self._backward, "Undo")

    def _run(self, action: Any, verb: str) -> None:
        self._reason = f"{verb} of “{self.text()}”"  # the audit trail says why it happened
        try:
            action()
        except DomainError as error:
            self.setObsolete(True)
            self._changes.failed.emit(f"Could not {self.text().lower()}: {error}")
        self._changes.changed.emit(self.kind.entity_type, self.record_id)

    def _forward(self) -> None:
        raise NotImplementedError

    def _backward(self) -> None:
        raise NotImplementedError

    def _restore(self, fields: Any) -> None:
        restored = self._service.create(fields, reason=self._reason, restore_id=self.record_id)
        self.version = restored.row_version

    def _delete(self) -> None:
        self._service.delete(self.record_id, self.version, reason=self._reason)

    def _update(self, fields: Any) -> None:
        saved = self._service.update(self.record_id, self.version, fields, reason=self._reason)
        self.version = saved.row_version


class CreateRecord(RecordCommand):
    def __init__(
        self, context: ServiceContext, kind: RecordKind, created: Any, changes: RecordChanges
    ) -> None:
        super().__init__(f"Add {kind.describe(created)}", context, kind, created, changes)
        self._fields = kind.fields_of(created)

    def _forward(self) -> None:
        self._restore(self._fields)

    def _backward(self) -> None:
        self._delete()


class EditRecord(RecordCommand):
    def __init__(
        self,
        context: ServiceContext,
        kind: RecordKind,
        before: Any,
        after: Any,
        changes: RecordChanges,
    ) -> None:
        super().__init__(f"Edit {kind.describe(after)}", context, kind, after, changes)
        self._before = kind.fields_of(before)
        self._after = kind.fields_of(after)

    def _forward(self) -> None:
        self._update(self._after)

    def _backward(self) -> None:
        self._update(self._before)


class DeleteRecord(RecordCommand):
    def __init__(
        self, context: ServiceContext, kind: RecordKind, deleted: Any, changes: RecordChanges
    ) -> None:
        super().__init__(f"Delete {kind.describe(deleted)}", context, kind, deleted, changes)
        self._fields = kind.fields_of(deleted)

    def _forward(self) -> None:
        self._delete()

    def _backward(self) -> None:
        self._restore(self._fields)
