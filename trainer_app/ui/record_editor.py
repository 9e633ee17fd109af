"""Adding, editing and deleting records from any page: dialogs, confirmation, undo stack."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QMessageBox, QWidget

from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.dialogs.course import CourseDialog
from trainer_app.ui.dialogs.form import RecordDialog
from trainer_app.ui.dialogs.network import FacilityDialog, HubDialog
from trainer_app.ui.dialogs.people import CohortDialog, TraineeDialog
from trainer_app.ui.dialogs.trainer import TrainerDialog
from trainer_app.ui.records import RecordKind
from trainer_app.ui.undo import CreateRecord, DeleteRecord, EditRecord, RecordChanges

DIALOGS: dict[str, type[RecordDialog]] = {
    "hub": HubDialog,
    "facility": FacilityDialog,
    "trainer": TrainerDialog,
    "course": CourseDialog,
    "cohort": CohortDialog,
    "trainee": TraineeDialog,
}

UNDO_HINT = " · Undo Ctrl+Z"


class RecordEditor(QObject):
    """Runs the add/edit/delete use cases for the pages and records them on the undo stack."""

    status = Signal(str)

    def __init__(self, context: ServiceContext, window: QWidget) -> None:
        super().__init__(window)
        self.context = context
        self.window = window
        self.closing = False  # set as the window closes: results arriving then are not shown
        self.undo_stack = QUndoStack(self)
        self.changes = RecordChanges(self)
        self.changes.failed.connect(lambda text: self.inform("Could not undo or redo", text))
        self.dialog: RecordDialog | None = None

    # ----- use cases -------------------------------------------------------------------------
    def add(self, kind: RecordKind, preset: Mapping[str, int] | None = None) -> RecordDialog:
        dialog = DIALOGS[kind.entity_type](self.context, None, self.window, preset)
        dialog.accepted.connect(lambda: self._added(kind, dialog.saved))
        return self._open(dialog)

    def edit(self, kind: RecordKind, record_id: int) -> RecordDialog | None:
        record = self._get(kind, record_id)
        if record is None:
            return None
        dialog = DIALOGS[kind.entity_type](self.context, record, self.window)
        dialog.accepted.connect(lambda: self._edited(kind, dialog.record, dialog.saved))
        return self._open(dialog)

    def delete(self, kind: RecordKind, record_id: int) -> None:
        record = self._get(kind, record_id)
        if record is None:
            return
        if not self.confirm(f"Delete {kind.describe(record)}?"):
            return
        try:
            deleted = kind.service(self.context).delete(record.id, record.row_version)
        except DomainError as error:
            self.inform(f"Cannot delete {kind.noun}", str(error))
            return
        self.undo_stack.push(DeleteRecord(self.context, kind, deleted, self.changes))
        self._report(kind, deleted.id, f"{kind.heading(deleted)} deleted")

    # ----- asking and telling (separate so tests can answer for the user) --------------------
    def confirm(self, question: str) -> bool:
        answer = QMessageBox.question(
            self.window,
            "Confirm delete",
            question + "\n\nYou can undo this with Ctrl+Z.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def inform(self, title: str, text: str) -> None:
        self.status.emit(text)
        if self.closing:  # work that ends as the window closes: nobody is there to answer
            return
        QMessageBox.warning(self.window, title, text)

    # ----- mechanics -------------------------------------------------------------------------
    def _open(self, dialog: RecordDialog) -> RecordDialog:
        self.dialog = dialog
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()
        return dialog

    def _get(self, kind: RecordKind, record_id: int) -> Any:
        try:
            return kind.service(self.context).get(record_id)
        except DomainError as error:
            self.inform(f"Cannot open {kind.noun}", str(error))
            self.changes.changed.emit(kind.entity_type, record_id)
            return None

    def _added(self, kind: RecordKind, created: Any) -> None:
        self.undo_stack.push(CreateRecord(self.context, kind, created, self.changes))
        self._report(kind, created.id, f"{kind.heading(created)} added")

    def _edited(self, kind: RecordKind, before: Any, after: Any) -> None:
        if after.row_version == before.row_version:
            self.status.emit(f"No changes to {kind.describe(after)}")
            return
        self.undo_stack.push(EditRecord(self.context, kind, before, after, self.changes))
        self._report(kind, after.id, f"{kind.heading(after)} saved")

    def _report(self, kind: RecordKind, record_id: int, text: str) -> None:
        self.status.emit(text + UNDO_HINT)
        self.changes.changed.emit(kind.entity_type, record_id)
