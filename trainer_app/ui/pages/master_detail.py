"""Pages with two tables, the second narrowed to the row chosen in the first
(facilities of a hub, trainees of a cohort); with nothing chosen it shows everything."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter, QWidget

from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable


class MasterDetailPage(Page):
    filter_key: str  # the filter the second table takes, e.g. "hub_id"

    def make_tables(self) -> tuple[RecordTable, RecordTable]:
        raise NotImplementedError

    def build(self) -> QWidget:
        self.master, self.detail = self.make_tables()
        self.add_table(self.master)
        self.add_table(self.detail)
        self.master.selection_changed.connect(self._master_changed)
        self.detail.all_button.clicked.connect(self.master.clear_selection)
        self.inner = QSplitter(Qt.Orientation.Vertical)
        self.inner.addWidget(self.master)
        self.inner.addWidget(self.detail)
        self.inner.setSizes([300, 500])
        return self.inner

    def inner_splitters(self) -> list[QSplitter]:
        return [self.inner]

    def _master_changed(self, record_id: int | None) -> None:
        self.detail.all_button.setChecked(record_id is None)
        self.detail.set_filters({self.filter_key: record_id} if record_id is not None else {})

    def preset_for(self, table: RecordTable) -> dict[str, int]:
        chosen = self.master.selected_id()
        if table is self.detail and chosen is not None:
            return {self.filter_key: chosen}
        return {}
