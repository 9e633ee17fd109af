"""Audit: the read-only trail of every change, newest first."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from trainer_app.ui.details import audit_html
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable


class AuditPage(Page):
    key = "audit"
    title = "Audit"
    icon = "audit"

    def build(self) -> QWidget:
        table = RecordTable("audit", self.context.audit, None)
        table.empty_hint = "Nothing has changed yet — every change to master data appears here"
        table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        return self.add_table(table)

    def describe(self, table: RecordTable, record_id: int) -> str:
        entries = self.context.audit.entries([record_id])
        return audit_html(self.context, entries[0]) if entries else ""
