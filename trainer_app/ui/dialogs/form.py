"""The shared shape of every add/edit dialog: fields with their messages beneath, a banner for
problems that are not about one field, and OK enabled only while the input is valid."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any, TypeVar

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.conflicts import EditConflict, apply_mine
from trainer_app.domain.errors import DomainError, Duplicate, StaleEdit, ValidationError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.dialogs.conflict import Choice, ConflictDialog
from trainer_app.ui.dialogs.editors import change_signal
from trainer_app.ui.palette import error_colour
from trainer_app.ui.records import RecordKind

W = TypeVar("W", bound=QWidget)


class RecordDialog(QDialog):
    """Subclasses set ``kind`` and implement ``build``, ``load`` and ``current_fields``."""

    kind: RecordKind

    def __init__(
        self,
        context: ServiceContext,
        record: Any = None,
        parent: QWidget | None = None,
        preset: Mapping[str, int] | None = None,
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.record = record
        self.preset = dict(preset or {})  # ids chosen in the page, e.g. the selected hub
        self.saved: Any = None
        self.conflict_dialog: ConflictDialog | None = None
        self._messages: dict[str, QLabel] = {}
        self._touched: set[str] = set()
        self._loading = True
        adding = record is None
        self.setWindowTitle(
            f"Add {self.kind.noun}" if adding else f"Edit {self.kind.describe(record)}"
        )
        self.setAccessibleName(self.windowTitle())
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Problem")
        self.banner.setStyleSheet(
            "QLabel { background: #FFF4E5; color: #5C3200; border: 1px solid #E69F00;"
            " border-radius: 4px; padding: 8px; }"
        )
        self.banner.hide()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        body = QWidget()
        column = QVBoxLayout(body)
        column.addLayout(self.form)
        column.addStretch(1)  # spare height goes below the fields, not between them
        scroll = QScrollArea()
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Add" if adding else "Save")
        self.ok_button.setAccessibleName("OK")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.buttons)
        self.build()
        if record is not None:
            self.load(record)
        self._loading = False
        self.revalidate()
        self._fit_to_fields()

    def _fit_to_fields(self) -> None:
        """Open large enough to show every field, but never taller than the screen."""
        fields = self.form.sizeHint()  # the body's own hint is stale until the layout runs
        available = self.screen().availableGeometry()
        self.resize(
            max(600, fields.width() + 60),
            min(int(available.height() * 0.9), fields.height() + 140),
        )

    # ----- for subclasses --------------------------------------------------------------------
    def build(self) -> None:
        raise NotImplementedError

    def load(self, record: Any) -> None:
        raise NotImplementedError

    def current_fields(self) -> Any:
        raise NotImplementedError

    def add_field(self, name: str, label: str, widget: W) -> W:
        """Add ``widget`` for the dataclass field ``name``; its message shows beneath it."""
        self._messages[name] = add_form_field(self.form, label, widget)
        change_signal(widget).connect(lambda *_: self._edited(name))
        return widget

    # ----- validation ------------------------------------------------------------------------
    def _edited(self, name: str) -> None:
        if self._loading:
            return
        self._touched.add(name)
        self.revalidate()

    def revalidate(self) -> bool:
        """Check the fields as typed (no database); show messages for fields already touched."""
        try:
            self.current_fields().validated()
        except ValidationError as error:
            self._show(error, only_touched=True)
            self.ok_button.setEnabled(False)
            return False
        self._show(None, only_touched=True)
        self.ok_button.setEnabled(True)
        return True

    def _show(self, error: ValidationError | None, *, only_touched: bool) -> None:
        for name, label in self._messages.items():
            words = error.for_field(name) if error else []
            if only_touched and name not in self._touched:
                words = []
            label.setText("\n".join(words))
            label.setVisible(bool(words))
        stray = [e.message for e in error.errors if e.field not in self._messages] if error else []
        self._banner("\n".join(stray))

    def _banner(self, text: str) -> None:
        self.banner.setText(text)
        self.banner.setVisible(bool(text))

    # ----- saving ----------------------------------------------------------------------------
    def accept(self) -> None:
        service = self.kind.service(self.context)
        fields = self.current_fields()
        try:
            self.saved = self.write(service, fields)
        except ValidationError as error:
            self._touched.update(e.field for e in error.errors)
            self._show(error, only_touched=False)
            return
        except Duplicate as error:
            self._show_beside(error.field, str(error))
            return
        except StaleEdit as error:
            if error.conflict is None or self.record is None:
                self._banner(str(error))
            else:
                self._resolve(error.conflict, fields)
            return
        except DomainError as error:
            self._banner(str(error))
            return
        super().accept()

    # ----- someone else saved meanwhile --------------------------------------------------------
    def changed_elsewhere(self, who: str) -> None:
        """Told while editing that someone else saved this record (``StoreWatcher``)."""
        self._banner(
            f"{who} has just saved changes to this {self.kind.noun}. Go on editing: when you "
            "save, you will see what they changed and choose what to keep."
        )

    def _resolve(self, conflict: EditConflict, mine: Any) -> None:
        """Show who changed what since the record was opened and let the person choose."""
        self._banner(f"{conflict.sentence()}. Nothing was saved yet.")
        dialog = self.conflict_dialog = ConflictDialog(conflict, self)
        dialog.finished.connect(lambda _: self._resolved(dialog.choice, conflict, mine))
        dialog.finished.connect(dialog.deleteLater)
        dialog.open()

    def _resolved(self, choice: Choice, conflict: EditConflict, mine: Any) -> None:
        self.conflict_dialog = None
        if choice is Choice.BACK:
            return
        opened, current = self.record, conflict.current
        self.record = current  # from now on the edit is made from the version saved since
        who = ", ".join(conflict.by) or "someone else"
        if choice is Choice.THEIRS:
            self._show_record(current)
            self._banner(f"Showing the version saved by {who}; your changes were dropped.")
            return
        merged = apply_mine(self.kind.fields_of(opened), mine, self.kind.fields_of(current))
        self._show_record(dataclasses.replace(current, **_values(merged)))
        self._banner(f"Your changes are on top of those saved by {who}; saving…")
        self.accept()

    def _show_record(self, record: Any) -> None:
        self._loading = True
        try:
            self.load(record)
        finally:
            self._loading = False
        self._touched.clear()
        self.revalidate()

    def write(self, service: Any, fields: Any) -> Any:
        """Add or update the record through its service; returns what was saved."""
        if self.record is None:
            return service.create(fields)
        return service.update(self.record.id, self.record.row_version, fields)

    def _show_beside(self, name: str, text: str) -> None:
        label = self._messages.get(name)
        if label is None:
            self._banner(text)
            return
        label.setText(text)
        label.show()
        self.ok_button.setEnabled(False)
        self._touched.add(name)


def _values(fields: Any) -> dict[str, Any]:
    return {f.name: getattr(fields, f.name) for f in dataclasses.fields(fields)}


def add_form_field(form: QFormLayout, label: str, widget: QWidget) -> QLabel:
    """A labelled row of ``form``: ``widget`` with a (hidden) message label beneath it, which
    is returned. Accessible names: ``label`` and "``label`` message" (tests find them so)."""
    plain = label.replace("&", "")
    widget.setAccessibleName(plain)
    message = QLabel()
    message.setWordWrap(True)
    message.setAccessibleName(f"{plain} message")
    message.setStyleSheet(f"color: {error_colour().name()};")
    message.hide()
    cell = QWidget()
    cell.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
    column = QVBoxLayout(cell)
    column.setContentsMargins(0, 0, 0, 0)
    column.setSpacing(2)
    column.addWidget(widget)
    column.addWidget(message)
    caption = QLabel(f"{label}:")
    caption.setBuddy(widget)
    form.addRow(caption, cell)
    return message
