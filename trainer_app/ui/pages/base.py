"""What every page shares: a title, its tables, a detail panel, and the add/edit/delete verbs
applied to whichever table the user is working in."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QByteArray, QSettings, Qt
from PySide6.QtWidgets import QDialog, QLabel, QSplitter, QVBoxLayout, QWidget

from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.detail_panel import DetailPanel
from trainer_app.ui.details import record_html
from trainer_app.ui.record_editor import RecordEditor
from trainer_app.ui.record_table import RecordTable


class Page(QWidget):
    """Subclasses set ``key``, ``title``, ``icon`` and build their tables in ``build``."""

    key: str
    title: str
    icon: str

    def __init__(self, context: ServiceContext, editor: RecordEditor) -> None:
        super().__init__()
        self.context = context
        self.editor = editor
        self.tables: list[RecordTable] = []
        self._active: RecordTable | None = None
        self.dialog: QDialog | None = None  # the dialog open over the page (tests answer it)
        self.setAccessibleName(f"{self.title} page")
        heading = QLabel(self.title)
        heading.setAccessibleName("Page title")
        font = heading.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        font.setWeight(font.Weight.DemiBold)
        heading.setFont(font)
        self.details = DetailPanel("Select a row to see its details here.")
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.setChildrenCollapsible(True)
        self.splitter.addWidget(self.build())
        self.splitter.addWidget(self.details)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([900, 340])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 8)
        layout.addWidget(heading)
        layout.addWidget(self.splitter, 1)

    def open_dialog(self, dialog: QDialog) -> None:
        """Show ``dialog`` over the window (window-modal, without blocking); ``dialog`` holds it
        until it closes, and it is deleted then."""
        self.dialog = dialog
        dialog.finished.connect(lambda _code: self._dialog_closed(dialog))
        dialog.open()

    def _dialog_closed(self, dialog: QDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None
        dialog.deleteLater()

    def build(self) -> QWidget:
        raise NotImplementedError

    def add_table(self, table: RecordTable) -> RecordTable:
        self.tables.append(table)
        table.focused.connect(lambda: self._activate(table))
        table.selection_changed.connect(lambda record_id: self._selected(table, record_id))
        table.activated.connect(lambda _id: self._edit_in(table))
        table.add_requested.connect(lambda: self._add_in(table))
        table.edit_requested.connect(lambda: self._edit_in(table))
        table.delete_requested.connect(lambda: self._delete_in(table))
        return table

    # ----- verbs -----------------------------------------------------------------------------
    @property
    def active_table(self) -> RecordTable:
        return self._active or self.tables[0]

    def add(self) -> None:
        self._add_in(self.active_table)

    def edit(self) -> None:
        self._edit_in(self.active_table)

    def delete(self) -> None:
        self._delete_in(self.active_table)

    def focus_filter(self) -> None:
        """Find in the table last worked in; at first in the page's longest list (the last:
        facilities, trainees), which is what people search."""
        table = self._active or self.tables[-1]
        table.filter_box.setFocus()
        table.filter_box.selectAll()

    def preset_for(self, table: RecordTable) -> dict[str, int]:
        """Ids a new record starts with, taken from what is selected on the page."""
        return {}

    def _activate(self, table: RecordTable) -> None:
        self._active = table

    def _add_in(self, table: RecordTable) -> None:
        self._active = table
        if table.kind is not None:
            self.editor.add(table.kind, self.preset_for(table))

    def _edit_in(self, table: RecordTable) -> None:
        self._active = table
        record_id = table.selected_id()
        if table.kind is not None and record_id is not None:
            self.editor.edit(table.kind, record_id)

    def _delete_in(self, table: RecordTable) -> None:
        self._active = table
        record_id = table.selected_id()
        if table.kind is not None and record_id is not None:
            self.editor.delete(table.kind, record_id)

    # ----- showing ---------------------------------------------------------------------------
    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        """Re-read every table; select ``record_id`` in the table of ``entity_type``."""
        for table in self.tables:
            mine = table.kind is not None and table.kind.entity_type == entity_type
            table.refresh(select=record_id if mine else None)
        current = self.active_table
        self._selected(current, current.selected_id())

    def _selected(self, table: RecordTable, record_id: int | None) -> None:
        if record_id is None:
            if table is self.active_table:
                self.details.show_placeholder()
            return
        self._active = table
        self.details.show_html(self.describe(table, record_id))

    def describe(self, table: RecordTable, record_id: int) -> str:
        assert table.kind is not None
        try:
            record = table.kind.service(self.context).get(record_id)
        except DomainError as error:
            return f"<p>{error}</p>"
        return record_html(self.context, table.kind.entity_type, table.kind.heading(record), record)

    # ----- remembering the layout ------------------------------------------------------------
    def save_state(self, settings: QSettings) -> None:
        settings.setValue(f"{self.key}/splitter", self.splitter.saveState())
        for table in self.tables:
            table.save_state(settings, self.key)
        for index, inner in enumerate(self.inner_splitters()):
            settings.setValue(f"{self.key}/inner{index}", inner.saveState())

    def restore_state(self, settings: QSettings) -> None:
        state: Any = settings.value(f"{self.key}/splitter")
        if isinstance(state, QByteArray):
            self.splitter.restoreState(state)
        for table in self.tables:
            table.restore_state(settings, self.key)
        for index, inner in enumerate(self.inner_splitters()):
            state = settings.value(f"{self.key}/inner{index}")
            if isinstance(state, QByteArray):
                inner.restoreState(state)

    def inner_splitters(self) -> list[QSplitter]:
        return []

    def set_details_visible(self, visible: bool) -> None:
        self.details.setVisible(visible)
