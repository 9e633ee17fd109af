"""Audit: the read-only trail of every change, newest first, and whether it is still intact."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from trainer_app.domain.audit_chain import Verdict
from trainer_app.ui import icons
from trainer_app.ui.details import audit_html
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.tasks import Latest

INTACT_COLOUR = "#1B7F3B"
BROKEN_COLOUR = "#B3261E"


class AuditPage(Page):
    key = "audit"
    title = "Audit"
    icon = "audit"

    def build(self) -> QWidget:
        table = RecordTable("audit", self.context.audit, None)
        table.empty_hint = "Nothing has changed yet — every change to master data appears here"
        table.view.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.add_table(table)
        self.seal_icon = QLabel()
        self.verdict = QLabel("Checking the audit trail's seals…")
        self.verdict.setAccessibleName("Audit trail check")
        self.verdict.setWordWrap(True)
        self.verdict.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.check_again = icons.action_button(
            "verify",
            "Check &again",
            "Recompute every entry's seal: finds any entry changed, removed, added or "
            "reordered outside the app",
        )
        self.check_again.clicked.connect(self.check_trail)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 6)
        bar.addWidget(self.seal_icon)
        bar.addWidget(self.verdict, 1)
        bar.addWidget(self.check_again)
        holder = QWidget()
        layout = QVBoxLayout(holder)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(table, 1)
        self.checker = Latest(self, "Checking the audit trail")
        self.checker.finished.connect(self._checked)
        self.checker.failed.connect(self._not_checked)
        self.checked_once = False
        return holder

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.checked_once:  # first shown: check then (not for every window opened)
            self.checked_once = True
            self.check_trail()

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        self.checker.wait(30_000)  # the window is closing: let a check under way finish

    def check_trail(self) -> None:
        """Recompute the seals off the GUI thread (a million entries take seconds)."""
        self.check_again.setEnabled(False)
        self.verdict.setText("Checking the audit trail's seals…")
        self.checker.request(self.context.audit.verify)

    def _checked(self, result: object) -> None:
        assert isinstance(result, Verdict)
        at = datetime.now().strftime("%H:%M")
        self._show(result.summary() + f" (checked at {at})", intact=result.intact)

    def _not_checked(self, message: str) -> None:
        self._show(f"The audit trail could not be checked: {message}", intact=False)

    def _show(self, text: str, *, intact: bool) -> None:
        colour = INTACT_COLOUR if intact else BROKEN_COLOUR
        name = "verify" if intact else "warning"
        self.seal_icon.setPixmap(icons.icon(name).pixmap(20, 20))
        self.verdict.setText(text)
        self.verdict.setStyleSheet(f"color: {colour}; font-weight: 600;")
        self.check_again.setEnabled(True)

    def describe(self, table: RecordTable, record_id: int) -> str:
        entries = self.context.audit.entries([record_id])
        return audit_html(self.context, entries[0]) if entries else ""
