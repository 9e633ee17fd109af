"""Runs & enrolment: pick a published run, then enrol people, keep its register and record
results; every rule is the services' and every refusal is shown in their words."""

from __future__ import annotations

from html import escape
from itertools import pairwise
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QLabel,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.courses import Course
from trainer_app.domain.errors import DomainError
from trainer_app.domain.records import Enrolment, EnrolmentStatus
from trainer_app.services.base import join_words, plural
from trainer_app.services.context import ServiceContext
from trainer_app.services.training import Progress, Register
from trainer_app.ui import icons
from trainer_app.ui.certificates.dialogs import IssueDialog
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_editor import RecordEditor
from trainer_app.ui.runs.dialogs import ResultDialog, WithdrawDialog
from trainer_app.ui.runs.enrol import EnrolCohortDialog, EnrolDialog, EnrolTraineesDialog
from trainer_app.ui.runs.person import enrolment_html
from trainer_app.ui.runs.register import Cell, Key, RegisterTab
from trainer_app.ui.runs.results import Result, ResultsTab
from trainer_app.ui.runs.roster import RosterTab
from trainer_app.ui.runs.rows import empty_label
from trainer_app.ui.runs.runs_list import RunList, RunSummary, run_summaries
from trainer_app.ui.runs.sheet import save_attendance_sheet

NO_RUN = "Select a run on the left to see its roster, register and results"
NO_PERSON = "Select a person to see their place, attendance and results here."
ROSTER, REGISTER, RESULTS = range(3)


class RunsPage(Page):
    key = "runs"
    title = "Runs & enrolment"
    icon = "runs"

    status = Signal(str)

    def __init__(self, context: ServiceContext, editor: RecordEditor) -> None:
        super().__init__(context, editor)
        # The runs and the run's tabs need the width; the person's details less of it.
        self.splitter.setSizes([1110, 260])

    # ----- building --------------------------------------------------------------------------
    def build(self) -> QWidget:
        self.run: RunSummary | None = None
        self.course: Course | None = None
        self.roster: list[Enrolment] = []
        self.register: Register | None = None
        self.progress: list[Progress] = []
        self._stash: dict[int, dict[Key, Cell]] = {}  # unsaved marks of runs not shown
        self._loaded = False

        self.runs = RunList()
        self.runs.run_selected.connect(self.show_run)
        self.runs.view.activated.connect(lambda _index: self._focus_tab())

        self.run_title = QLabel()
        self.run_title.setAccessibleName("Run title")
        font = self.run_title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setWeight(font.Weight.DemiBold)
        self.run_title.setFont(font)
        self.run_title.setWordWrap(True)  # a long title wraps rather than push the runs aside
        self.run_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.run_facts = QLabel()
        self.run_facts.setAccessibleName("Run facts")
        self.run_facts.setWordWrap(True)
        self.run_facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.roster_tab = RosterTab()
        self.roster_tab.enrol_button.clicked.connect(self.enrol_trainees)
        self.roster_tab.cohort_button.clicked.connect(self.enrol_cohort)
        self.roster_tab.withdraw_button.clicked.connect(self.withdraw)
        self.roster_tab.selection_changed.connect(self._show_person)
        self.register_tab = RegisterTab()
        self.register_tab.save_requested.connect(self.save_register)
        self.register_tab.sheet_requested.connect(self.attendance_sheet)
        self.register_tab.view.message.connect(self.say)
        self.register_tab.view.selectionModel().currentChanged.connect(
            lambda *_: self._show_person()
        )
        self.results_tab = ResultsTab()
        self.results_tab.record_button.clicked.connect(self.record_result)
        self.results_tab.view.activated.connect(lambda _index: self.record_result())
        self.results_tab.certificates_button.clicked.connect(self.issue_certificates)
        self.results_tab.selection_changed.connect(self._show_person)

        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Run tabs")
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self.roster_tab, icons.icon("cohort"), "Roster")
        self.tabs.addTab(self.register_tab, icons.icon("runs"), "Register")
        self.tabs.addTab(self.results_tab, icons.icon("result"), "Results")
        self.tabs.currentChanged.connect(lambda _i: self._show_person())

        self.detail = detail = QWidget()
        column = QVBoxLayout(detail)
        column.setContentsMargins(8, 0, 0, 0)
        column.addWidget(self.run_title)
        column.addWidget(self.run_facts)
        column.addWidget(self.tabs, 1)
        self.no_run = empty_label(NO_RUN, "No run selected")
        self.right = QStackedWidget()
        self.right.addWidget(self.no_run)
        self.right.addWidget(detail)

        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(self.runs)
        self.body.addWidget(self.right)
        self.body.setStretchFactor(0, 2)
        self.body.setStretchFactor(1, 3)
        self.body.setSizes([380, 620])  # the run's tabs are where the work is
        self.details.show_html(f"<p style='color:gray'>{NO_PERSON}</p>")
        self._tab_order()
        return self.body

    def _tab_order(self) -> None:
        chain: list[QWidget] = [
            self.runs.filter_box,
            self.runs.unpublished,
            self.runs.view,
            self.tabs.tabBar(),
            self.roster_tab.enrol_button,
            self.roster_tab.cohort_button,
            self.roster_tab.withdraw_button,
            self.roster_tab.view,
            self.register_tab.save_button,
            self.register_tab.sheet_button,
            self.register_tab.view,
            self.results_tab.record_button,
            self.results_tab.certificates_button,
            self.results_tab.view,
        ]
        for first, second in pairwise(chain):
            QWidget.setTabOrder(first, second)

    # ----- the page verbs --------------------------------------------------------------------
    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        """Re-read the runs (places taken may have changed) and the run shown."""
        self._loaded = True
        self.runs.set_runs(run_summaries(self.context))

    def showEvent(self, event: QShowEvent) -> None:
        if not self._loaded:  # shown on its own (the main window reloads pages it shows)
            self.reload()
        super().showEvent(event)

    def add(self) -> None:
        self.enrol_trainees()

    def edit(self) -> None:
        if self.tabs.currentIndex() == RESULTS:
            self.record_result()

    def delete(self) -> None:
        if self.tabs.currentIndex() == ROSTER:
            self.withdraw()

    def focus_filter(self) -> None:
        self.runs.filter_box.setFocus()
        self.runs.filter_box.selectAll()

    def inner_splitters(self) -> list[QSplitter]:
        return [self.body]

    def say(self, text: str) -> None:
        """The status bar of whichever window shows the page (through the editor's signal)."""
        self.status.emit(text)
        self.editor.status.emit(text)

    def _focus_tab(self) -> None:
        tab = self.tabs.currentWidget()
        view = getattr(tab, "view", None)
        if isinstance(view, QWidget):
            view.setFocus()

    # ----- showing a run ---------------------------------------------------------------------
    def show_run(self, run: RunSummary | None) -> None:
        previous = self.run
        if previous is not None and (run is None or run.id != previous.id):
            self._stash_marks(previous)
        self.run = run
        if run is None:
            # With no runs at all the list says what to do; one hint on the page is enough.
            self.no_run.setText(NO_RUN if self.runs.proxy.rowCount() else "")
            self.right.setCurrentWidget(self.no_run)
            self._show_person()
            return
        same = previous is not None and previous.id == run.id
        pending = self.register_tab.model.pending if same else self._stash.pop(run.id, {})
        try:
            self.course = self.context.courses.get(run.course_id)
            self.roster = self.context.enrolment.roster(run.id)
            self.register = self.context.training.register(run.id) if run.published else None
            self.progress = self.context.training.progress(run.id) if run.published else []
        except DomainError as error:  # deleted meanwhile: say so, show what is left
            self.say(str(error))
            self.run = None
            self.right.setCurrentWidget(self.no_run)
            return
        self.right.setCurrentWidget(self.detail)
        self._show_header(run)
        self.roster_tab.show_roster(self.roster, run.published)
        if self.register is not None:
            self.register_tab.show_register(
                self.register, self.progress, self.context.training.today(), dict(pending)
            )
        else:
            self.register_tab.show_unpublished()
        by_enrolment = {e.id: e for e in self.roster}
        results = [
            Result(by_enrolment[p.enrolment_id], p)
            for p in self.progress
            if p.enrolment_id in by_enrolment
        ]
        results.sort(key=lambda r: r.name.casefold())
        self.results_tab.show_results(results, run.published)
        self._show_person()

    def _stash_marks(self, run: RunSummary) -> None:
        pending = dict(self.register_tab.model.pending)
        if pending:
            self._stash[run.id] = pending
            self.say(
                f"{run.code} has {plural(len(pending), 'mark')} not saved yet; they wait "
                "for you there — Save register (Ctrl+S)"
            )

    def _show_header(self, run: RunSummary) -> None:
        course = self.course
        title = f"{run.code} · {run.course_title}" if run.course_title else run.code
        self.run_title.setText(title)
        lines = []
        if course is not None:
            lines.append(f"{escape(course.code)} version {escape(course.version)}")
        if run.published:
            when = f"{run.dates} · {plural(run.sessions, 'session')}"
            where = " · ".join(p for p in (run.hub, ", ".join(run.trainers)) if p)
            lines.append(escape(f"{when} · {where}" if where else when))
            places = f"{run.capacity} places · {run.enrolled} enrolled"
            if run.waiting:
                places += f" · {run.waiting} on the waitlist"
            lines.append(escape(places))
        else:
            lines.append(
                f"{escape(run.status.label)} — not published yet: plan and publish it on the "
                "Plan page (Ctrl+5) before enrolling"
            )
        if course is not None:
            rule = course.completion_rule.describe()
            validity = (
                f"; valid for {plural(course.validity_months, 'month')}"
                if course.validity_months
                else ""
            )
            lines.append(f"Completed with {escape(rule)}{escape(validity)}")
        self.run_facts.setText("<br>".join(lines))

    def _show_person(self) -> None:
        enrolment = self._current_person()
        if enrolment is None:
            self.details.show_html(f"<p style='color:gray'>{NO_PERSON}</p>")
            return
        progress = next((p for p in self.progress if p.enrolment_id == enrolment.id), None)
        assessments = (
            self.context.training.assessments(enrolment.id)
            if enrolment.status is EnrolmentStatus.ENROLLED
            else []
        )
        self.details.show_html(enrolment_html(enrolment, progress, self.register, assessments))

    def _current_person(self) -> Enrolment | None:
        if self.run is None:
            return None
        index = self.tabs.currentIndex()
        if index == ROSTER:
            return self.roster_tab.selected()
        if index == RESULTS:
            result = self.results_tab.selected()
            return result.enrolment if result else None
        current = self.register_tab.view.currentIndex()
        if self.register is None or not current.isValid():
            return None
        trainee = self.register.people[current.row()].trainee_id
        return next((e for e in self.roster if e.trainee_id == trainee), None)

    def _refresh(self) -> None:
        """After a change to the run shown: its row on the left and its tabs, read again."""
        if self.run is None:
            self.reload()
            return
        try:
            (run,) = run_summaries(self.context, [self.run.id])
        except DomainError:  # gone meanwhile
            self.reload()
            return
        self.runs.update_run(run)
        self.show_run(run)

    # ----- enrolling and withdrawing ---------------------------------------------------------
    def enrol_trainees(self) -> None:
        self._open_enrol(EnrolTraineesDialog)

    def enrol_cohort(self) -> None:
        self._open_enrol(EnrolCohortDialog)

    def _open_enrol(self, dialog_class: type[EnrolDialog]) -> None:
        run = self.run
        if run is None:
            self.say("Select a run first")
            return
        if not run.published:
            self.say(f"{run.code} is not published yet — plan and publish it first (Ctrl+5)")
            return
        dialog = dialog_class(self.context, run, self)
        dialog.accepted.connect(lambda: self._enrolled(run, dialog.enrolled))
        self.open_dialog(dialog)

    def _enrolled(self, run: RunSummary, enrolled: list[Enrolment]) -> None:
        self._refresh()
        waiting = sum(e.status is EnrolmentStatus.WAITLISTED for e in enrolled)
        placed = len(enrolled) - waiting
        text = f"Enrolled {plural(placed, 'trainee')} on {run.code}"
        if waiting:
            text += f" · {waiting} on the waitlist"
        self.say(text)

    def withdraw(self) -> None:
        enrolment = self.roster_tab.selected()
        if enrolment is None or enrolment.status is EnrolmentStatus.WITHDRAWN:
            self.say("Select someone enrolled or on the waitlist to withdraw")
            return
        dialog = WithdrawDialog(self.context, enrolment, self)
        dialog.accepted.connect(lambda: self._withdrawn(dialog.changed))
        self.open_dialog(dialog)

    def _withdrawn(self, changed: list[Enrolment]) -> None:
        self._refresh()
        if not changed:
            return
        gone, promoted = changed[0], changed[1:]
        text = f"{gone.trainee_name} withdrawn from {gone.run_code}"
        if promoted:
            names = join_words([e.trainee_name for e in promoted])
            text += f" · {names} moved up from the waitlist"
        self.say(text)

    # ----- the register ----------------------------------------------------------------------
    def save_register(self) -> None:
        run, register = self.run, self.register
        fields = self.register_tab.model.pending_fields()
        if run is None or register is None or not fields:
            self.say("Nothing to save — type P, A or L in the register first")
            return
        try:
            self.context.training.record_attendance(fields)
        except DomainError as error:  # nothing was saved: the edits stay for a correction
            self.editor.inform("Attendance not saved", str(error))
            return
        before = self._completed_names()
        self.register_tab.model.pending.clear()
        self._refresh()
        text = f"Saved {plural(len(fields), 'attendance mark')} on {run.code}"
        self.say(text + self._completion_news(before))

    def _completed_names(self) -> dict[int, str]:
        by_enrolment = {e.id: e.trainee_name for e in self.roster}
        return {
            p.enrolment_id: by_enrolment.get(p.enrolment_id, "")
            for p in self.progress
            if p.completion is not None
        }

    def _completion_news(self, before: dict[int, str]) -> str:
        after = self._completed_names()
        gained = [name for key, name in after.items() if key not in before]
        lost = [name for key, name in before.items() if key not in after]
        text = f" · {join_words(gained)} completed" if gained else ""
        if lost:
            text += f" · completion revoked for {join_words(lost)} (rule no longer met)"
        return text

    def attendance_sheet(self) -> Path | None:
        """Save the attendance sheet of the session selected in the register (else the next
        one) as a PDF, through the audited exports."""
        run = self.run
        if run is None or self.register is None:
            self.say("Select a published run first")
            return None
        session = self.register_tab.selected_session()
        saved = save_attendance_sheet(
            self,
            self.context,
            self.editor,
            run.code,
            None if session is None else session.index + 1,
        )
        if saved is not None:
            self.say(saved.news)
            return saved.path
        return None

    # ----- results ---------------------------------------------------------------------------
    def record_result(self) -> None:
        run, result = self.run, self.results_tab.selected()
        if run is None or result is None:
            self.say("Select a person on the Results tab first")
            return
        assessor = run.trainers[-1] if run.trainers else ""
        rule = self.course.completion_rule.describe() if self.course else ""
        dialog = ResultDialog(
            self.context, run, (result.enrolment.id, result.name), (assessor, rule), self
        )
        dialog.accepted.connect(lambda: self._recorded(run, result))
        self.open_dialog(dialog)

    def _recorded(self, run: RunSummary, result: Result) -> None:
        before = self._completed_names()
        self._refresh()
        self.say(f"Result recorded for {result.name} on {run.code}" + self._completion_news(before))

    def issue_certificates(self) -> None:
        """Preview and issue the certificates of the run's completions that have none."""
        run = self.run
        if run is None:
            return
        waiting = self.context.certificates.waiting(run_id=run.id)
        if not waiting:
            self.say(f"Every completion of {run.code} has its certificate")
            return
        dialog = IssueDialog(
            self.context,
            waiting,
            f"{run.code} {run.course_title}: completions without a certificate",
            self,
            ticked=True,
        )
        dialog.issued.connect(
            lambda count: self.say(f"{plural(count, 'certificate')} issued for {run.code}")
        )
        self.open_dialog(dialog)
