"""Records & matrix: for coordinators and QA, who is trained and who is due at a glance, and
a trainee's whole record for an auditor.

Every service call that works out standings runs off the GUI thread (`worker.Latest`): the
matrix of 5 000 trainees is computed while the window stays responsive, and a filter changed
meanwhile simply replaces the request.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

from PySide6.QtCore import QModelIndex, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.errors import DomainError
from trainer_app.domain.records import Due, MatrixStatus, Standing, TrainingRecord
from trainer_app.services.base import plural
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import Matrix
from trainer_app.ui import icons
from trainer_app.ui.certificates.dialogs import IssueDialog
from trainer_app.ui.dialogs.completion import CompletionDialog
from trainer_app.ui.dialogs.roles import RolesDialog
from trainer_app.ui.file_dialogs import FileKind, save_file
from trainer_app.ui.matrix import standing as look
from trainer_app.ui.matrix.due import COURSE, EXPIRES, DueModel
from trainer_app.ui.matrix.heatmap import HeatmapModel, HeatmapView, MatrixLegend
from trainer_app.ui.matrix.progress import ExportProgress
from trainer_app.ui.matrix.record_view import EVIDENCE_LINK, RecordPanel, TraineeFinder
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_editor import RecordEditor
from trainer_app.ui.search import search_box, when_typing_pauses
from trainer_app.ui.sign_dialog import SignDialog
from trainer_app.ui.tasks import Latest, Report, ShouldStop, Task

NO_ROLES = "No roles defined yet — the matrix shows required training once roles list their courses"
NOBODY = "Nobody matches these filters — clear the search or choose “All …” in a filter"
NO_TRAINEES = "No trainees yet — add them on Cohorts & trainees, then give them a role"
NO_COURSES = "None of these trainees' roles requires a course yet, and nobody holds any training"
SELECT_CELL = (
    "Select a cell to see the standing in words here; Enter or a double-click opens the "
    "trainee's record."
)
SELECT_DUE = "Select a row to see it in words here; Enter or a double-click opens the record."
RECORD_HINT = (
    "The record shows where the trainee stands today and every course they took. Export it "
    "for an auditor with the buttons above it; Export group… writes everyone in the hub and "
    "cohort chosen above into one workbook."
)
MATRIX, DUE, RECORD = range(3)
ComplianceWritten = tuple[Path, str, list[tuple[str, str]]]  # the file, what, audit details
FORMATS = {
    "pdf": ("PDF document (*.pdf)", ".pdf"),
    "csv": ("CSV, UTF-8 (*.csv)", ".csv"),
    "xlsx": ("Excel workbook (*.xlsx)", ".xlsx"),
}


@dataclass(frozen=True)
class Filters:
    hub_id: int | None = None
    role: str | None = None
    cohort_id: int | None = None
    organisation: str | None = None
    text: str = ""

    @property
    def narrows_people(self) -> bool:
        """Beyond the hub (which the refresher list filters itself)."""
        return bool(self.role or self.cohort_id or self.organisation or self.text)

    @property
    def active(self) -> bool:
        return self.hub_id is not None or self.narrows_people


def _fill_combo(combo: QComboBox, all_text: str, items: list[tuple[str, Any]]) -> None:
    """Replace the choices, keeping the one chosen if it still exists."""
    current = combo.currentData()
    combo.blockSignals(True)
    combo.clear()
    combo.addItem(all_text, None)
    for text, data in items:
        combo.addItem(text, data)
    index = combo.findData(current) if current is not None else 0
    combo.setCurrentIndex(max(0, index))
    combo.blockSignals(False)


class MatrixPage(Page):
    key = "records"
    title = "Records & matrix"
    icon = "records"

    status = Signal(str)
    matrix_shown = Signal()
    due_shown = Signal()
    record_shown = Signal()
    group_exported = Signal(object)  # the path written, or None when cancelled
    compliance_exported = Signal(object)  # the path written, or None when cancelled or failed

    # ----- building --------------------------------------------------------------------------
    def __init__(self, context: ServiceContext, editor: RecordEditor) -> None:
        super().__init__(context, editor)
        self.splitter.setSizes([1000, 280])  # the matrix wants the width

    def build(self) -> QWidget:
        self.record: TrainingRecord | None = None
        self.trainee_id: int | None = None
        self._shown_filters: Filters | None = None  # what the matrix on screen was made for
        self._due: list[Due] = []
        self._due_for_hub: int | None = None
        self._due_stale = True
        self._record_stale = False
        self._organisations: set[str] = set()
        self._roles_defined = True
        self._group_count = 0

        self.matrices = Latest(self)
        self.matrices.finished.connect(self._matrix_ready)
        self.matrices.failed.connect(
            lambda text: self._failed("The matrix could not be shown", text)
        )
        self.matrices.busy_changed.connect(self._busy)
        self.dues = Latest(self)
        self.dues.finished.connect(self._due_ready)
        self.dues.failed.connect(lambda text: self._failed("The refresher list failed", text))
        self.records = Latest(self)
        self.records.finished.connect(self._record_ready)
        self.records.failed.connect(lambda text: self._failed("The record could not be read", text))
        self.progress = ExportProgress()
        self.progress.cancel_button.clicked.connect(self.cancel_group_export)
        self.group = Task(self)
        self.group.progress.connect(self.progress.report)
        self.group.finished.connect(self._group_done)
        self.group.failed.connect(self._group_failed)
        self.compliance_task = Task(self, "Writing the compliance report")
        self.compliance_task.finished.connect(self._compliance_done)
        self.compliance_task.failed.connect(self._compliance_failed)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Records tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._matrix_tab(), icons.icon("records"), "Matrix")
        self.tabs.addTab(self._due_tab(), icons.icon("status_expiring"), "Due for refresher")
        self.tabs.addTab(self._record_tab(), icons.icon("trainee"), "Trainee record")
        self.tabs.currentChanged.connect(self._tab_changed)

        body = QWidget()
        column = QVBoxLayout(body)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._filter_bar())
        column.addWidget(self.tabs, 1)
        column.addWidget(self.progress)
        self.details.show_html(f"<p style='color:gray'>{escape(SELECT_CELL)}</p>")
        self._tab_order()
        return body

    def _combo(self, name: str, tip: str) -> QComboBox:
        combo = QComboBox()
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        combo.setMinimumContentsLength(12)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.currentIndexChanged.connect(lambda _i: self.refilter())
        return combo

    def _filter_bar(self) -> QGridLayout:
        self.hub_box = self._combo("Hub filter", "Show the trainees of one hub")
        self.role_box = self._combo("Role filter", "Show the trainees with one role")
        self.cohort_box = self._combo("Cohort filter", "Show the members of one cohort")
        self.organisation_box = self._combo(
            "Organisation filter", "Show the trainees of one organisation"
        )
        self.find_box = search_box("Name or reference", "Find in matrix")
        self._text_timer = when_typing_pauses(self.find_box, self.refilter, delay_ms=300)
        self.find_box.returnPressed.connect(self.refilter)
        self.expiring_box = QSpinBox()
        self.expiring_box.setAccessibleName("Expiring soon within days")
        self.expiring_box.setRange(1, 730)
        self.expiring_box.setSuffix(" days")
        self.expiring_box.setKeyboardTracking(False)
        self.expiring_box.setToolTip(
            "Valid training that expires within this many days counts as “Expiring soon” — "
            "for everyone using this database"
        )
        self._expiring_timer = QTimer(self)
        self._expiring_timer.setSingleShot(True)
        self._expiring_timer.setInterval(500)
        self._expiring_timer.timeout.connect(self.save_expiring_days)
        self.expiring_box.valueChanged.connect(lambda _v: self._expiring_timer.start())
        self.busy = QLabel("Working out standings…")
        self.busy.setAccessibleName("Working")
        self.busy.setStyleSheet("color: palette(placeholder-text);")
        self.busy.setVisible(False)

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 4)
        grid.setHorizontalSpacing(8)
        for column, (label, widget) in enumerate(
            (
                ("Hub", self.hub_box),
                ("Role", self.role_box),
                ("Cohort", self.cohort_box),
                ("Organisation", self.organisation_box),
            )
        ):
            caption = QLabel(label)
            caption.setBuddy(widget)
            grid.addWidget(caption, 0, 2 * column)
            grid.addWidget(widget, 0, 2 * column + 1)
            grid.setColumnStretch(2 * column + 1, 1)
        find = QLabel("Find")
        find.setBuddy(self.find_box)
        grid.addWidget(find, 1, 0)
        grid.addWidget(self.find_box, 1, 1, 1, 3)
        expiring = QLabel("Expiring soon within")
        expiring.setBuddy(self.expiring_box)
        self.roles_button = QPushButton(icons.icon("edit"), "Roles…")
        self.roles_button.setAccessibleName("Roles")
        self.roles_button.setToolTip("Which courses each role needs, at every hub or at one")
        self.roles_button.clicked.connect(self.edit_roles)
        row = QHBoxLayout()
        row.addWidget(expiring)
        row.addWidget(self.expiring_box)
        row.addStretch()
        row.addWidget(self.busy)
        row.addWidget(self.roles_button)
        self.compliance_button = QPushButton(icons.icon("export"), "Compliance report…")
        self.compliance_button.setAccessibleName("Compliance report")
        self.compliance_button.setToolTip(
            "The hub chosen above (and the role, if one is chosen): the matrix with a summary "
            "per role and course as XLSX, or the summary with who is due what by when as PDF"
        )
        self.compliance_button.clicked.connect(self.export_compliance)
        row.addWidget(self.compliance_button)
        grid.addLayout(row, 1, 4, 1, 4)
        return grid

    def edit_roles(self) -> RolesDialog:
        """The roles and their required courses; the matrix is worked out again after."""
        dialog = RolesDialog(self.context, self)
        dialog.finished.connect(lambda _r: self.reload() if dialog.changed else None)
        dialog.open()
        return dialog

    def _link_clicked(self, url: QUrl) -> None:
        text = url.toString()
        if text.startswith(EVIDENCE_LINK):
            self.save_evidence(int(text.removeprefix(EVIDENCE_LINK)))

    def save_evidence(self, completion_id: int) -> Path | None:
        """A copy of the evidence kept with a completion (a certificate held elsewhere)."""
        try:
            name, data = self.context.training.evidence(completion_id)
        except DomainError as error:
            self.editor.inform("No evidence", str(error))
            return None
        path = self.choose_evidence_path(name)
        if path is None:
            return None

        def write() -> None:
            path.write_bytes(data)

        if not self._write(write, path, "Evidence", f"Evidence {name}"):
            return None
        self.say(f"Evidence {name} saved to {path}")
        return path

    def choose_evidence_path(self, name: str) -> Path | None:
        return save_file(
            self,
            self.context.settings,
            FileKind.EVIDENCE,
            "Save the evidence",
            name,
            "All files (*)",
        )

    def record_training(self) -> CompletionDialog | None:
        """Training the shown trainee did elsewhere (or before this app), with evidence."""
        if self.trainee_id is None:
            return None
        dialog = CompletionDialog(self.context, self.trainee_id, self)

        def after(_result: int) -> None:
            if dialog.saved is not None:
                self.reload()  # the record and the matrix both change
                self.say(f"{dialog.saved.course_code} recorded · the Audit page has the entry")

        dialog.finished.connect(after)
        dialog.open()
        return dialog

    def issue_certificates(self) -> IssueDialog | None:
        """Preview and issue certificates for the shown trainee's completions without one."""
        record = self.record
        if self.trainee_id is None or record is None:
            return None
        name = record.name
        waiting = self.context.certificates.waiting(trainee_id=self.trainee_id)
        if not waiting:
            self.say(f"Every completion of {name} has its certificate")
            return None
        dialog = IssueDialog(
            self.context, waiting, f"{name}: completions without a certificate", self, ticked=True
        )
        dialog.issued.connect(self._certificates_issued)
        self.open_dialog(dialog)
        return dialog

    def sign_record(self) -> SignDialog | None:
        """Sign one of the shown trainee's records; the record then shows the signature."""
        record = self.record
        if self.trainee_id is None or record is None:
            return None
        signable = self.context.signatures.records_of(self.trainee_id)
        if not signable:
            self.say(f"{record.name} has no completion, assessment or certificate to sign")
            return None
        dialog = SignDialog(self.context, signable, self)

        def after(_result: int) -> None:
            if dialog.signed is not None:
                self._record_stale = True
                self._refresh_visible_tab()
                self.say(f"Signed: {dialog.signed.manifest()}")

        dialog.finished.connect(after)
        self.open_dialog(dialog)
        return dialog

    def _certificates_issued(self, count: int) -> None:
        self.reload()
        self._refresh_visible_tab()  # the record shown lists its certificates
        self.say(f"{plural(count, 'certificate')} issued")

    def _matrix_tab(self) -> QWidget:
        self.model = HeatmapModel(self)
        self.view = HeatmapView()
        self.view.setModel(self.model)
        self.view.open_requested.connect(self._open_row)
        self.view.selectionModel().currentChanged.connect(self._cell_changed)
        self.legend = MatrixLegend()
        self.notice = QLabel(NO_ROLES)
        self.notice.setAccessibleName("Matrix notice")
        self.notice.setWordWrap(True)
        self.notice.setVisible(False)
        self.empty = QLabel(NOBODY)
        self.empty.setAccessibleName("Matrix empty")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.matrix_stack = QStackedWidget()
        self.matrix_stack.addWidget(self.view)
        self.matrix_stack.addWidget(self.empty)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.legend)
        column.addWidget(self.notice)
        column.addWidget(self.matrix_stack, 1)
        return tab

    def _due_tab(self) -> QWidget:
        self.due_model = DueModel(self)
        self.due_view = QTableView()
        self.due_view.setAccessibleName("Due for refresher")
        self.due_view.setModel(self.due_model)
        self.due_view.setSortingEnabled(True)
        self.due_view.sortByColumn(EXPIRES, Qt.SortOrder.AscendingOrder)
        self.due_view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.due_view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.due_view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.due_view.setAlternatingRowColors(True)
        self.due_view.setTabKeyNavigation(False)
        self.due_view.verticalHeader().hide()
        self.due_view.verticalHeader().setDefaultSectionSize(24)
        header = self.due_view.horizontalHeader()
        for section, width in enumerate((190, 96, 50, 300, 190, 100, 64)):
            header.resizeSection(section, width)
        header.setSectionResizeMode(COURSE, QHeaderView.ResizeMode.Stretch)
        self.due_view.activated.connect(
            lambda index: self.open_trainee(self.due_model.due_at(index.row()).trainee_id)
        )
        self.due_view.selectionModel().currentRowChanged.connect(self._due_row_changed)
        self.due_summary = QLabel()
        self.due_summary.setAccessibleName("Due summary")
        self.due_summary.setWordWrap(True)
        self.due_csv = QPushButton(icons.icon("export"), "Export CSV…")
        self.due_csv.setAccessibleName("Export refresher list as CSV")
        self.due_csv.clicked.connect(lambda: self.export_due("csv"))
        self.due_xlsx = QPushButton(icons.icon("export"), "Export XLSX…")
        self.due_xlsx.setAccessibleName("Export refresher list as XLSX")
        self.due_xlsx.clicked.connect(lambda: self.export_due("xlsx"))
        bar = QHBoxLayout()
        bar.addWidget(self.due_summary, 1)
        bar.addWidget(self.due_csv)
        bar.addWidget(self.due_xlsx)
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 6, 0, 0)
        column.addLayout(bar)
        column.addWidget(self.due_view, 1)
        return tab

    def _record_tab(self) -> QWidget:
        self.finder = TraineeFinder(self.context)
        self.finder.chosen.connect(self._load_record)
        self.record_panel = RecordPanel()
        self.record_panel.pdf_button.clicked.connect(lambda: self.export_record("pdf"))
        self.record_panel.csv_button.clicked.connect(lambda: self.export_record("csv"))
        self.record_panel.xlsx_button.clicked.connect(lambda: self.export_record("xlsx"))
        self.record_panel.group_button.clicked.connect(self.export_group)
        self.record_panel.training_button.clicked.connect(self.record_training)
        self.record_panel.certificates_button.clicked.connect(self.issue_certificates)
        self.record_panel.sign_button.clicked.connect(self.sign_record)
        self.record_panel.browser.anchorClicked.connect(self._link_clicked)
        self.record_split = QSplitter(Qt.Orientation.Horizontal)
        self.record_split.setChildrenCollapsible(False)
        self.record_split.addWidget(self.finder)
        self.record_split.addWidget(self.record_panel)
        self.record_split.setStretchFactor(1, 1)
        self.record_split.setSizes([260, 640])
        tab = QWidget()
        column = QVBoxLayout(tab)
        column.setContentsMargins(0, 6, 0, 0)
        column.addWidget(self.record_split)
        return tab

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.hub_box,
            self.role_box,
            self.cohort_box,
            self.organisation_box,
            self.find_box,
            self.expiring_box,
            self.tabs,
            self.view,
            self.due_csv,
            self.due_xlsx,
            self.due_view,
            self.finder.search,
            self.finder.matches,
            self.record_panel.pdf_button,
            self.record_panel.csv_button,
            self.record_panel.xlsx_button,
            self.record_panel.group_button,
            self.record_panel.browser,
        ]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ----- the page verbs --------------------------------------------------------------------
    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        """Re-read the filter choices and the setting, then work out the matrix again."""
        roles = self.context.matrix.roles()
        self._roles_defined = bool(roles)
        hubs = self.context.hubs.list()
        _fill_combo(self.hub_box, "All hubs", [(f"{h.code} · {h.name}", h.id) for h in hubs])
        _fill_combo(self.role_box, "All roles", [(r.name, r.name) for r in roles])
        cohorts = self.context.cohorts.list()
        _fill_combo(self.cohort_box, "All cohorts", [(c.name, c.id) for c in cohorts])
        self._fill_organisations()
        self.expiring_box.blockSignals(True)
        self.expiring_box.setValue(self.context.matrix.expiring_days())
        self.expiring_box.blockSignals(False)
        self._due_stale = True
        self._record_stale = self.trainee_id is not None
        self.finder.refresh()
        self.refilter()

    def add(self) -> None:
        """Nothing is added here; records come from runs, imports and external training."""

    def edit(self) -> None:
        index = self.view.currentIndex()
        if self.tabs.currentIndex() == MATRIX and index.isValid():
            self._open_row(index.row())

    def delete(self) -> None:
        """Nothing is deleted here."""

    def focus_filter(self) -> None:
        box = self.finder.search if self.tabs.currentIndex() == RECORD else self.find_box
        box.setFocus()
        box.selectAll()

    def inner_splitters(self) -> list[QSplitter]:
        return [self.record_split]

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        settings.setValue(f"{self.key}/tab", self.tabs.currentIndex())
        self.wait()  # the window is closing: the store must outlive the work on it

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        self.tabs.setCurrentIndex(int(str(settings.value(f"{self.key}/tab", MATRIX))))

    def wait(self) -> None:
        """Let background work finish (an export is cancelled first)."""
        self.group.wait()
        self.compliance_task.wait()
        for worker in (self.matrices, self.dues, self.records):
            worker.wait()

    def say(self, text: str) -> None:
        self.status.emit(text)
        show = getattr(self.window(), "show_status", None)
        if callable(show):
            show(text)

    def _failed(self, title: str, text: str) -> None:
        self.editor.inform(title, text)

    # ----- filters ---------------------------------------------------------------------------
    def filters(self) -> Filters:
        return Filters(
            hub_id=self.hub_box.currentData(),
            role=self.role_box.currentData(),
            cohort_id=self.cohort_box.currentData(),
            organisation=self.organisation_box.currentData(),
            text=self.find_box.text().strip(),
        )

    def _fill_organisations(self) -> None:
        _fill_combo(
            self.organisation_box,
            "All organisations",
            [(name, name) for name in sorted(self._organisations, key=str.casefold)],
        )

    def refilter(self) -> None:
        """Work out the matrix for the filters (in the background; the newest request wins)."""
        self._text_timer.stop()
        filters = self.filters()
        matrix_service = self.context.matrix

        def compute() -> tuple[Filters, Matrix]:
            return filters, matrix_service.matrix(
                hub_id=filters.hub_id,
                role=filters.role,
                cohort_id=filters.cohort_id,
                organisation=filters.organisation,
                text=filters.text,
            )

        self.matrices.request(compute)
        if self._due_for_hub != filters.hub_id:
            self._due_stale = True
        self._refresh_visible_tab()

    def save_expiring_days(self) -> None:
        """Store the 'expiring soon' setting (for everyone) and work the standings out again."""
        self._expiring_timer.stop()
        days = self.expiring_box.value()
        if days == self.context.matrix.expiring_days():
            return
        try:
            self.context.matrix.set_expiring_days(days)
        except DomainError as error:
            self.editor.inform("The setting was not changed", str(error))
            return
        self.say(f"“Expiring soon” is now within {days} days, for everyone using this database")
        self._due_stale = True
        self._record_stale = self.trainee_id is not None
        self.refilter()

    def _busy(self, busy: bool) -> None:
        self.busy.setVisible(busy)

    # ----- the matrix ------------------------------------------------------------------------
    @property
    def matrix(self) -> Matrix:
        return self.model.matrix

    def _matrix_ready(self, result: tuple[Filters, Matrix]) -> None:
        filters, matrix = result
        current = self.view.currentIndex()
        keep = (
            (self.model.person_at(current.row()).id, self.model.course_at(current.column()).id)
            if current.isValid()
            else None
        )
        self._shown_filters = filters
        self.model.set_matrix(matrix)
        self.legend.show_counts(matrix)
        if not filters.active:
            found = {p.organisation for p in matrix.people if p.organisation}
            if found != self._organisations:
                self._organisations = found
                self._fill_organisations()
        self._show_empty_state(matrix, filters)
        self._show_due()
        if keep is None or not self._reselect(*keep):
            self._show_details()
        self.matrix_shown.emit()

    def _show_empty_state(self, matrix: Matrix, filters: Filters) -> None:
        self.notice.setVisible(not self._roles_defined and bool(matrix.courses))
        if not matrix.people:
            self.empty.setText(NOBODY if filters.active else NO_TRAINEES)
        elif not matrix.courses:
            self.empty.setText(NO_ROLES if not self._roles_defined else NO_COURSES)
        self.matrix_stack.setCurrentWidget(
            self.view if matrix.people and matrix.courses else self.empty
        )

    def _reselect(self, trainee_id: int, course_id: int) -> bool:
        row = self.model.row_of(trainee_id)
        column = next((c for c, k in enumerate(self.matrix.courses) if k.id == course_id), None)
        if row is None or column is None:
            return False
        self.view.setCurrentIndex(self.model.index(row, column))
        return True

    def cell_index(self, trainee_name: str, course_code: str) -> QModelIndex:
        """The model index of a trainee's cell for a course (tests and keyboard users' helpers)."""
        row = next(r for r, p in enumerate(self.matrix.people) if p.name == trainee_name)
        column = next(c for c, k in enumerate(self.matrix.courses) if k.code == course_code)
        return self.model.index(row, column)

    def _show_details(self) -> None:
        """Describe what is selected on the tab shown."""
        tab = self.tabs.currentIndex()
        if tab == MATRIX:
            self._cell_changed(self.view.currentIndex(), QModelIndex())
        elif tab == DUE:
            self._due_row_changed(self.due_view.currentIndex(), QModelIndex())
        else:
            self.details.show_html(f"<p style='color:gray'>{escape(RECORD_HINT)}</p>")

    def _cell_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self.view.verticalHeader().viewport().update()
        if not current.isValid():
            self.details.show_html(f"<p style='color:gray'>{escape(SELECT_CELL)}</p>")
            return
        row, column = current.row(), current.column()
        person, course = self.model.person_at(row), self.model.course_at(column)
        cell = self.model.cell(row, column)
        required = self.model.required(row, column)
        if cell is None:
            standing_html = "<p>Not required for their role; nothing on record.</p>"
        else:
            words = look.in_words(cell, self.matrix.today, course.version)
            need = "Required by their role" if required else "Not required for their role"
            standing_html = (
                f"<p>{look.chip_html(cell.status)}</p><p>{escape(words)}</p>"
                f"<p style='color:gray'>{need}</p>"
            )
        self.details.show_html(
            self._person_html(person.name, person.reference, person.hub, person.role)
            + f"<p style='color:gray'>{escape(person.organisation)}</p>"
            + f"<h4 style='margin-bottom:2px'>{escape(course.code)} · {escape(course.title)}</h4>"
            + f"<p style='color:gray; margin-top:0'>Current version v{escape(course.version)}</p>"
            + standing_html
            + "<p style='color:gray'>Enter or a double-click opens the training record.</p>"
        )

    @staticmethod
    def _person_html(name: str, reference: str, hub: str, role: str) -> str:
        return (
            f"<h3 style='margin-bottom:2px'>{escape(name)}</h3>"
            f"<p style='margin-top:0'>{escape(reference)} · {escape(hub)} · "
            f"{escape(role or 'no role')}</p>"
        )

    def _open_row(self, row: int) -> None:
        if 0 <= row < self.model.rowCount():
            self.open_trainee(self.model.person_at(row).id)

    # ----- the refresher list ----------------------------------------------------------------
    def _tab_changed(self, _index: int) -> None:
        self._refresh_visible_tab()
        self._show_details()

    def _refresh_visible_tab(self) -> None:
        tab = self.tabs.currentIndex()
        if tab == DUE and self._due_stale:
            self._request_due()
        if tab == RECORD and self._record_stale and self.trainee_id is not None:
            self._load_record(self.trainee_id)

    def _request_due(self) -> None:
        hub_id = self.filters().hub_id
        matrix_service = self.context.matrix
        self._due_stale = False
        self._due_for_hub = hub_id

        def compute() -> tuple[int | None, list[Due]]:
            return hub_id, matrix_service.due_for_refresher(hub_id=hub_id)

        self.dues.request(compute)

    def _due_ready(self, result: tuple[int | None, list[Due]]) -> None:
        hub_id, rows = result
        if hub_id != self.filters().hub_id:
            self._due_stale = True
            self._refresh_visible_tab()
            return
        self._due = rows
        self._show_due()
        self._show_details()
        self.due_shown.emit()

    def _show_due(self) -> None:
        """The hub's refresher list, narrowed to the trainees the other filters pick."""
        filters = self.filters()
        rows = self._due
        narrowed = filters.narrows_people and self._shown_filters == filters
        if narrowed:
            wanted = {p.id for p in self.matrix.people}
            rows = [d for d in rows if d.trainee_id in wanted]
        self.due_model.set_rows(rows, self.context.matrix.today())
        scope = " among the trainees these filters show" if narrowed else ""
        if filters.hub_id is not None and not narrowed:
            scope = f" at {self.hub_box.currentText()}"
        if not rows:
            self.due_summary.setText(f"Nobody is due for a refresher{scope}.")
        else:
            counts = Counter(d.status for d in rows)
            parts = ", ".join(
                f"{counts[s]} {s.label.lower()}"
                for s in (
                    MatrixStatus.DUE,
                    MatrixStatus.EXPIRING,
                    MatrixStatus.EXPIRED,
                    MatrixStatus.RETRAIN,
                )
                if counts[s]
            )
            self.due_summary.setText(
                f"{len(rows)} required course{'s' if len(rows) != 1 else ''} due{scope}: "
                f"{parts}. Soonest first; click a heading to sort, Enter opens the record."
            )
        for button in (self.due_csv, self.due_xlsx):
            button.setEnabled(bool(rows))

    def _due_row_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if not current.isValid():
            self.details.show_html(f"<p style='color:gray'>{escape(SELECT_DUE)}</p>")
            return
        due = self.due_model.due_at(current.row())
        words = look.in_words(Standing(due.status, due.expires_on, due.version), self._today())
        self.details.show_html(
            self._person_html(due.name, due.reference, due.hub, "")
            + f"<h4 style='margin-bottom:2px'>{escape(due.course_code)} · "
            f"{escape(due.course_title)}</h4>"
            + f"<p>{look.chip_html(due.status)}</p><p>{escape(words)}</p>"
            + "<p style='color:gray'>Enter or a double-click opens the training record.</p>"
        )

    def _today(self) -> date:
        return self.context.matrix.today()

    def export_due(self, kind: str) -> None:
        rows = self.due_model.rows
        if not rows:
            self.say("Nobody is due for a refresher — nothing to export")
            return
        stamp = self._today().isoformat()
        path = self.choose_path("Export the refresher list", f"Due for refresher {stamp}", kind)
        if path is None:
            return
        title = f"Due for refresher, {stamp}"
        from trainer_app.exports.due import write_due_csv, write_due_xlsx  # openpyxl: on use

        write: Callable[[], None] = (
            (lambda: write_due_csv(rows, path))
            if kind == "csv"
            else (lambda: write_due_xlsx(rows, path, title))
        )
        if self._write(
            write,
            path,
            "The refresher list was not exported",
            f"Refresher list ({len(rows)} rows)",
        ):
            self.say(f"Refresher list ({len(rows)} rows) saved to {path}")

    # ----- the trainee record ----------------------------------------------------------------
    def open_trainee(self, trainee_id: int) -> None:
        """Show the trainee's record on the Trainee record tab."""
        person = next((p for p in self.matrix.people if p.id == trainee_id), None)
        try:
            reference = (
                person.reference if person else self.context.trainees.get(trainee_id).reference
            )
        except DomainError as error:
            self.editor.inform("Cannot open the trainee", str(error))
            return
        self.finder.show_trainee(trainee_id, reference)
        self.trainee_id = trainee_id
        self._record_stale = True
        self.tabs.setCurrentIndex(RECORD)  # loads the record
        self._refresh_visible_tab()

    def _load_record(self, trainee_id: int) -> None:
        self.trainee_id = trainee_id
        self._record_stale = False
        matrix_service = self.context.matrix
        self.records.request(lambda: matrix_service.training_record(trainee_id))

    def _record_ready(self, record: TrainingRecord) -> None:
        self.record = record
        self.record_panel.show_record(record)
        self.record_shown.emit()

    def export_record(self, kind: str) -> None:
        record = self.record
        if record is None:
            return
        path = self.choose_path(
            f"Export the training record of {record.name}",
            f"Training record {record.reference}",
            kind,
        )
        if path is None:
            return
        from trainer_app.exports import record as exports  # ReportLab, openpyxl: on first use

        writer = {
            "pdf": exports.write_record_pdf,
            "csv": exports.write_record_csv,
            "xlsx": exports.write_record_xlsx,
        }
        if self._write(
            lambda: writer[kind](record, path),
            path,
            "The training record was not exported",
            f"Training record of {record.name} ({record.reference})",
        ):
            self.say(f"Training record of {record.name} saved to {path}")

    # ----- the group export ------------------------------------------------------------------
    def _group_scope(self) -> tuple[dict[str, int], str]:
        filters = self.filters()
        chosen: dict[str, int] = {}
        words = []
        if filters.hub_id is not None:
            chosen["hub_id"] = filters.hub_id
            words.append(self.hub_box.currentText())
        if filters.cohort_id is not None:
            chosen["cohort_id"] = filters.cohort_id
            words.append(self.cohort_box.currentText())
        return chosen, ", ".join(words) or "all hubs"

    def export_group(self) -> None:
        """Everyone in the chosen hub and cohort, one workbook, written in the background."""
        if self.group.running:
            self.say("A group export is already running — Cancel it first")
            return
        chosen, scope = self._group_scope()
        ids = self.context.trainees.query_ids(filters=chosen)
        if not ids:
            self.say(f"Nobody to export in {scope} — choose another hub or cohort")
            return
        title = f"Training records — {scope}"
        path = self.choose_path(f"Export the training records of {scope}", title, "xlsx")
        if path is None:
            return
        matrix_service = self.context.matrix
        count = len(ids)

        def work(report: Report, should_stop: ShouldStop) -> Path | None:
            records = matrix_service.training_records(ids, progress=report, should_stop=should_stop)
            if should_stop() or len(records) < count:
                return None
            from trainer_app.exports.record import write_group_xlsx

            write_group_xlsx(records, path, title)
            return path

        self._group_count = count
        self.progress.begin(
            f"Exporting the training records of {count} trainee{'s' if count != 1 else ''} "
            f"({scope}) — Cancel leaves no file"
        )
        self.record_panel.group_button.setEnabled(False)
        self.group.start(work)

    def cancel_group_export(self) -> None:
        if self.compliance_task.running:
            self.progress.stopping()
            self.compliance_task.cancel()
        if self.group.running:
            self.progress.stopping()
            self.group.cancel()

    def _group_done(self, path: Path | None) -> None:
        self.progress.hide()
        self.record_panel.group_button.setEnabled(True)
        if path is None:
            self.say("Group export cancelled — no file was written")
        else:
            self.context.exports.record(f"Training records of {self._group_count} trainees", path)
            self.say(f"Training records of {self._group_count} trainees saved to {path}")
        self.group_exported.emit(path)

    def _group_failed(self, text: str) -> None:
        self.progress.hide()
        self.record_panel.group_button.setEnabled(True)
        self.editor.inform("The group export failed", text)

    # ----- the compliance report -------------------------------------------------------------
    def export_compliance(self) -> None:
        """The compliance report of the hub (and role) chosen in the filters, XLSX or PDF as
        the file type chosen says, worked out and written in the background."""
        if self.compliance_task.running:
            self.say("A compliance report is already being written")
            return
        filters = self.filters()
        if filters.hub_id is None:
            self.say("Choose a hub in the Hub filter first — the compliance report is per hub")
            return
        hub = self.hub_box.currentText().partition(" · ")[0]
        role = filters.role
        scope = f"{hub} {role}" if role else hub
        path = self.choose_report_path(f"Compliance report {scope} {self._today().isoformat()}")
        if path is None:
            return
        kind = "pdf" if path.suffix.lower() == ".pdf" else "xlsx"
        if path.suffix.lower() not in (".pdf", ".xlsx"):
            path = path.with_name(path.name + ".xlsx")
        matrix_service = self.context.matrix

        filters_words = f"hub {hub}" + (f", role {role}" if role else "")

        def work(_report: Report, should_stop: ShouldStop) -> ComplianceWritten | None:
            from trainer_app.exports import compliance  # openpyxl, ReportLab: on first use

            report = matrix_service.compliance(hub, role)
            if should_stop():
                return None
            if kind == "pdf":
                compliance.write_compliance_pdf(report, path)
            else:
                compliance.write_compliance_xlsx(report, path)
            count = str(len(report.people))
            details = [("records", count), ("format", kind), ("filters", filters_words)]
            return path, f"{report.title} ({count} people)", details

        self.progress.begin(f"Writing the compliance report of {scope} to {path.name}")
        self.compliance_button.setEnabled(False)
        self.compliance_task.start(work)

    def choose_report_path(self, name: str) -> Path | None:
        """Ask where to save the report (tests answer instead); its type picks the format."""
        return save_file(
            self,
            self.context.settings,
            FileKind.RECORDS,
            "Save the compliance report",
            f"{name}.xlsx",
            "Excel workbook (*.xlsx);;PDF document (*.pdf)",
        )

    def _compliance_done(self, result: ComplianceWritten | None) -> None:
        self.progress.hide()
        self.compliance_button.setEnabled(True)
        if result is None:
            self.say("Compliance report cancelled — no file was written")
            self.compliance_exported.emit(None)
            return
        path, what, details = result
        self.context.exports.record(what, path, details=details)
        self.say(f"{what} saved to {path}")
        self.compliance_exported.emit(path)

    def _compliance_failed(self, text: str) -> None:
        self.progress.hide()
        self.compliance_button.setEnabled(True)
        self.editor.inform("The compliance report was not written", text)
        self.compliance_exported.emit(None)

    # ----- files -----------------------------------------------------------------------------
    def choose_path(self, caption: str, name: str, kind: str) -> Path | None:
        """Ask where to save (tests answer instead); the file gets the format's extension."""
        file_filter, suffix = FORMATS[kind]
        path = save_file(
            self, self.context.settings, FileKind.RECORDS, caption, f"{name}{suffix}", file_filter
        )
        if path is None:
            return None
        return path if path.suffix.lower() == suffix else path.with_name(path.name + suffix)

    def _write(self, write: Callable[[], None], path: Path, title: str, what: str) -> bool:
        """Write an export through the audited service; say why in a dialog if it fails."""
        try:
            self.context.exports.write(what, path, write)
        except DomainError as error:
            self.editor.inform(title, str(error))
            return False
        except OSError as error:
            self.editor.inform(
                title,
                f"{path} could not be written ({error.strerror or error}). Choose another "
                "folder or file name; nothing was written.",
            )
            return False
        return True
