"""Audit: the read-only trail of every change, newest first, and whether it is still intact;
narrowed by dates, user and record type, and exported as it is narrowed (CSV, XLSX or PDF)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCore import QDate, QSettings, Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.audit import record_type_label
from trainer_app.domain.audit_chain import Verdict
from trainer_app.domain.reports import AuditHeading, AuditSelection, ExportCancelled
from trainer_app.services.audit import AuditService
from trainer_app.services.tables import Cell, ColumnInfo
from trainer_app.ui import icons
from trainer_app.ui.details import audit_html
from trainer_app.ui.file_dialogs import FileKind, save_file
from trainer_app.ui.matrix.progress import ExportProgress
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable
from trainer_app.ui.tasks import Latest, Report, ShouldStop, Task

INTACT_COLOUR = "#1B7F3B"
BROKEN_COLOUR = "#B3261E"
ANY_DAY = QDate(2000, 1, 1)  # a date box at this day shows "Any": no limit
EXPORT_FORMATS = {".csv": "csv", ".xlsx": "xlsx", ".pdf": "pdf"}
EXPORT_FILTER = "CSV, UTF-8 (*.csv);;Excel workbook (*.xlsx);;PDF document (*.pdf)"


class _Trail:
    """The table's source: the trail narrowed to the page's dates, user and record type."""

    def __init__(self, audit: AuditService) -> None:
        self.audit = audit
        self.shown = audit

    @property
    def columns(self) -> Sequence[ColumnInfo]:
        return self.audit.columns

    def query_ids(
        self,
        text: str = "",
        sort: str | None = None,
        descending: bool = False,
        filters: Mapping[str, int] | None = None,
    ) -> list[int]:
        return self.shown.query_ids(text, sort, descending, filters)

    def row_cells(self, ids: Sequence[int]) -> dict[int, tuple[Cell, ...]]:
        return self.shown.row_cells(ids)


@dataclass(frozen=True)
class Exported:
    path: Path
    heading: AuditHeading
    kind: str


class AuditPage(Page):
    key = "audit"
    title = "Audit"
    icon = "audit"

    exported = Signal(object)  # an Exported, or None when cancelled or failed

    def build(self) -> QWidget:
        self.trail = _Trail(self.context.audit)
        table = RecordTable("audit", self.trail, None)
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
        layout.addLayout(self._filter_bar())
        layout.addWidget(table, 1)
        self.progress = ExportProgress()
        self.progress.bar.setAccessibleName("Entries done")
        self.progress.cancel_button.clicked.connect(self.cancel_export)
        layout.addWidget(self.progress)
        self.export_task = Task(self, "Exporting the audit trail")
        self.export_task.progress.connect(self.progress.report)
        self.export_task.finished.connect(self._export_done)
        self.export_task.failed.connect(self._export_failed)
        self.checker = Latest(self, "Checking the audit trail")
        self.checker.finished.connect(self._checked)
        self.checker.failed.connect(self._not_checked)
        self.checked_once = False
        return holder

    def _date_box(self, name: str, tip: str) -> QDateEdit:
        box = QDateEdit()
        box.setAccessibleName(name)
        box.setToolTip(tip)
        box.setDisplayFormat(dates.QT_DAY)
        box.setCalendarPopup(True)
        box.setMinimumDate(ANY_DAY)
        box.setSpecialValueText("Any")
        box.setDate(ANY_DAY)
        box.setMinimumWidth(box.fontMetrics().horizontalAdvance("30 Sep 2026") + 36)
        box.dateChanged.connect(lambda _d: self.refilter())
        return box

    def _filter_bar(self) -> QHBoxLayout:
        self.from_box = self._date_box("From day", "The first day (UTC) of the entries shown")
        self.to_box = self._date_box("To day", "The last day (UTC) of the entries shown")
        self.user_box = QComboBox()
        self.user_box.setAccessibleName("User filter")
        self.user_box.setToolTip("Only the changes made by one user")
        self.record_box = QComboBox()
        self.record_box.setAccessibleName("Record type filter")
        self.record_box.setToolTip("Only the changes to one kind of record")
        for box in (self.user_box, self.record_box):
            box.setMinimumContentsLength(12)
            box.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
        self._fill_choices()
        self.user_box.currentIndexChanged.connect(lambda _i: self.refilter())
        self.record_box.currentIndexChanged.connect(lambda _i: self.refilter())
        self.export_button = icons.action_button(
            "export",
            "&Export…",
            "Save the entries these filters select (and the filter box's words) as CSV, XLSX "
            "or PDF, with the seals' verdict; the export is recorded in the trail",
        )
        self.export_button.clicked.connect(self.export)
        bar = QHBoxLayout()
        bar.setContentsMargins(0, 0, 0, 6)
        for text, widget in (
            ("From", self.from_box),
            ("To", self.to_box),
            ("Who", self.user_box),
            ("Record type", self.record_box),
        ):
            caption = QLabel(text)
            caption.setBuddy(widget)
            bar.addWidget(caption)
            bar.addWidget(widget)
        bar.addStretch()
        bar.addWidget(self.export_button)
        return bar

    def _fill_choices(self) -> None:
        for box, all_text, items in (
            (self.user_box, "All users", [(a, a) for a in self.context.audit.actors()]),
            (
                self.record_box,
                "All records",
                sorted(
                    ((record_type_label(t), t) for t in self.context.audit.record_types()),
                    key=lambda item: item[0],
                ),
            ),
        ):
            current = box.currentData()
            box.blockSignals(True)
            box.clear()
            box.addItem(all_text, None)
            for text, data in items:
                box.addItem(text, data)
            box.setCurrentIndex(max(0, box.findData(current)) if current is not None else 0)
            box.blockSignals(False)

    def _day(self, box: QDateEdit) -> date | None:
        chosen = box.date()
        return None if chosen == ANY_DAY else date(chosen.year(), chosen.month(), chosen.day())

    def selection(self) -> AuditSelection:
        """What the page shows: the dates, user and record type chosen, and the words in the
        filter box."""
        return AuditSelection(
            start=self._day(self.from_box),
            end=self._day(self.to_box),
            actor=self.user_box.currentData(),
            record_type=self.record_box.currentData(),
            text=self.tables[0].filter_box.text().strip(),
        )

    def refilter(self) -> None:
        """Show the entries the dates, user and record type select (the filter box's words are
        the table's own)."""
        selection = self.selection()
        if selection.start and selection.end and selection.end < selection.start:
            self.to_box.blockSignals(True)  # the last day follows the first, never before it
            self.to_box.setDate(self.from_box.date())
            self.to_box.blockSignals(False)
            selection = self.selection()
        narrowed = AuditSelection(
            start=selection.start,
            end=selection.end,
            actor=selection.actor,
            record_type=selection.record_type,
        )
        self.trail.shown = self.context.audit.selected(narrowed)
        self.tables[0].apply_filter()

    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        self._fill_choices()
        super().reload(entity_type, record_id)

    # ----- exporting -------------------------------------------------------------------------
    def choose_path(self, suggested: str) -> Path | None:
        """Ask where to save (tests answer instead); the file type chosen names the format."""
        return save_file(
            self,
            self.context.settings,
            FileKind.RECORDS,
            "Export the audit trail",
            suggested,
            EXPORT_FILTER,
        )

    def export(self) -> None:
        """The entries the page's filters select, written off the window's thread with
        progress and Cancel; the export is recorded in the trail once the file is whole."""
        if self.export_task.running:
            self.say("An export is already running — Cancel it first")
            return
        selection = self.selection()
        if not self.tables[0].model.rowCount():
            self.say("No entries match these filters — nothing to export")
            return
        path = self.choose_path(f"Audit trail {date.today().isoformat()}.csv")
        if path is None:
            return
        kind = EXPORT_FORMATS.get(path.suffix.lower())
        if kind is None:
            path, kind = path.with_name(path.name + ".csv"), "csv"
        audit, user = self.context.audit, self.context.actor.username

        def work(report: Report, should_stop: ShouldStop) -> Exported | None:
            from trainer_app.exports import audit as writers  # openpyxl, ReportLab: on use

            heading = audit.export_heading(selection, user)
            lines = audit.export_lines(heading, progress=report, should_stop=should_stop)
            try:
                if kind == "pdf":
                    writers.write_audit_pdf(heading, lines, path, should_stop=should_stop)
                elif kind == "xlsx":
                    writers.write_audit_xlsx(heading, lines, path)
                else:
                    writers.write_audit_csv(heading, lines, path)
            except ExportCancelled:
                return None
            return Exported(path, heading, kind)

        self.progress.begin(
            f"Exporting the audit trail ({selection.describe()}) to {path.name} — Cancel "
            "leaves no file"
        )
        self.export_button.setEnabled(False)
        self.export_task.start(work)

    def cancel_export(self) -> None:
        if self.export_task.running:
            self.progress.stopping()
            self.export_task.cancel()

    def _export_done(self, result: Exported | None) -> None:
        self.progress.hide()
        self.export_button.setEnabled(True)
        if result is None:
            self.say("Audit trail export cancelled — no file was written")
        else:
            heading = result.heading
            what = f"Audit trail, {heading.count} entries ({heading.selection.describe()})"
            self.context.exports.record(
                what,
                result.path,
                details=[
                    ("records", str(heading.count)),
                    ("format", result.kind),
                    ("filters", heading.selection.describe()),
                ],
            )
            self.say(f"{what} saved to {result.path}")
            self._fill_choices()  # the export is an entry of its own (perhaps the first)
            self.tables[0].refresh()
        self.exported.emit(result)

    def _export_failed(self, text: str) -> None:
        self.progress.hide()
        self.export_button.setEnabled(True)
        self.editor.inform("The audit trail was not exported", text)
        self.exported.emit(None)

    def say(self, text: str) -> None:
        show = getattr(self.window(), "show_status", None)
        if callable(show):
            show(text)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self.checked_once:  # first shown: check then (not for every window opened)
            self.checked_once = True
            self.check_trail()

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        self.checker.wait(30_000)  # the window is closing: let a check under way finish
        self.export_task.wait()  # an export is cancelled: the store must outlive it

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
