"""The Plan page: choose what to plan, run the planner in the background, then look at and
adjust the plan on the timeline; drafts are saved as named versions, one is published."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date
from typing import Any

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError, StaleEdit
from trainer_app.domain.planning import (
    PlanStatus,
    PlanVersion,
    RunStatus,
    Unavailable,
    term_name,
)
from trainer_app.scheduling.scenario import Lock, Plan, Scenario
from trainer_app.services.context import ServiceContext
from trainer_app.services.planning import MadePlan, PlanScope
from trainer_app.services.planning_edits import MoveOutcome, Slots, free_slots, move_session
from trainer_app.services.planning_run import SolveOptions
from trainer_app.services.planning_scenario import trainer_key
from trainer_app.services.planning_verdict import CheckedPlan, cost_words
from trainer_app.ui import icons
from trainer_app.ui.pages.base import Page
from trainer_app.ui.palette import category_colour
from trainer_app.ui.plan.candidates import CandidatesPanel
from trainer_app.ui.plan.compare import CompareDialog
from trainer_app.ui.plan.controls import PlanControls, PlanRequest
from trainer_app.ui.plan.costs import delta_text, placed_text, plan_html
from trainer_app.ui.plan.layout import ROW_MODES, shown_days
from trainer_app.ui.plan.progress import ProgressArea
from trainer_app.ui.plan.run_dialog import AddRunDialog
from trainer_app.ui.plan.term import TermView
from trainer_app.ui.plan.timeline import Drop, SessionKey, TimelineView
from trainer_app.ui.plan.undo import MoveSession
from trainer_app.ui.plan.worker import PlanWorker, Work
from trainer_app.ui.record_editor import RecordEditor
from trainer_app.ui.tasks import Latest

NO_PLAN = "No plan yet — choose dates and runs, then Plan"


@dataclass(frozen=True)
class PendingMove:
    """A move being checked in the background, and the plan it was made on."""

    key: SessionKey
    name: str
    where: str
    before: CheckedPlan
    edited: bool


VIEWS = ("week", "term")


def version_text(version: PlanVersion) -> str:
    """How the plan selector lists a saved plan: ``Published: Spring 2027 · 6 Dec 14:05``."""
    return f"{version.status.label}: {version.name}"


class PlanPage(Page):
    key = "plan"
    title = "Plan"
    icon = "plan"

    plan_changed = Signal()  # the shown plan was replaced or edited
    status = Signal(str)

    # ----- building --------------------------------------------------------------------------
    _dates_fitted = False

    def __init__(self, context: ServiceContext, editor: RecordEditor) -> None:
        super().__init__(context, editor)
        self.splitter.setSizes([1000, 250])  # the timeline wants the width; costs fit in less

    def build(self) -> QWidget:
        # Read once per reload (page shown, store changed), not on every redraw of a plan.
        self._names: dict[str, str] = {}
        self._colour_of_course: dict[str, QColor] = {}
        self._settled_seen: set[int] = set()  # published/cancelled runs already unchecked
        self._unavailable: tuple[tuple[date, date], list[Unavailable]] | None = None
        self.scenario: Scenario | None = None
        self.plan: Plan | None = None
        self.plan_id: int | None = None
        # The saved plan as this page last read or wrote it: locking and publishing send its
        # row version, so that a change made by someone else since is refused, not overwritten.
        self.version: PlanVersion | None = None
        # The shown plan with the checker's verdict, as the planning service returned it: the
        # page never runs the checker itself (moves and opening a saved plan are checked on a
        # background thread, through the services).
        self.checked: CheckedPlan | None = None
        self.edited = False
        self.view = "week"
        self.worker = PlanWorker(parent=self)
        self.worker.signals.progress.connect(self._progress)
        self.worker.signals.finished.connect(self._solved)
        self.worker.signals.failed.connect(self._failed)
        self.mover = Latest(self, what="Checking the move")
        self.mover.finished.connect(self._moved)
        self.mover.failed.connect(lambda message: self.editor.inform("Cannot move", message))
        self.finder = Latest(self, what="Looking for free slots")
        self.finder.finished.connect(self._found)
        self.finder.failed.connect(lambda message: self.editor.inform("No free slots", message))
        self.opener = Latest(self, what="Opening the plan")
        self.opener.finished.connect(self._opened)
        self.opener.failed.connect(self._open_failed)
        # Publishing re-checks the plan against the store under a lock: off the GUI thread.
        self.publisher = Latest(self, what="Publishing the plan")
        self.publisher.finished.connect(self._published)
        self.publisher.failed.connect(self._publish_failed)

        self.controls = PlanControls()
        self.controls.plan_requested.connect(self.plan_runs)
        self.controls.dates_changed.connect(self._refresh_runs)
        self.controls.runs.add_requested.connect(self.add)
        self.controls.setMinimumWidth(230)

        self.timeline = TimelineView()
        self.timeline.move_requested.connect(self.move_session)
        self.timeline.lock_requested.connect(self.toggle_lock)
        self.timeline.where_requested.connect(self.where_could_it_go)
        self.timeline.selection_changed.connect(lambda _key: self._update_actions())
        self.timeline.refused.connect(self.say)
        self.term = TermView()
        self.term.open_requested.connect(self.open_in_week)
        self.term.selection_changed.connect(lambda _key: self._update_actions())
        self.views = QStackedWidget()
        self.views.addWidget(self.timeline)
        self.views.addWidget(self.term)
        self.empty = QLabel(NO_PLAN)
        self.empty.setAccessibleName("No plan")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setWordWrap(True)
        self.empty.setStyleSheet("color: palette(placeholder-text); font-size: 11pt;")
        self.view_stack = QStackedWidget()
        self.view_stack.addWidget(self.empty)
        self.view_stack.addWidget(self.views)
        self.progress = ProgressArea()
        self.progress.cancel_button.clicked.connect(self.cancel)
        self.progress.hide()
        self.candidates = CandidatesPanel()
        self.candidates.apply_requested.connect(self.apply_candidate)
        self.candidates.hide()  # until "Where could this go?" is asked

        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(self._view_bar())
        column.addWidget(self.view_stack, 1)
        column.addWidget(self.progress)
        self.centre = QSplitter(Qt.Orientation.Vertical)
        self.centre.addWidget(top)
        self.centre.addWidget(self.candidates)
        self.centre.setStretchFactor(0, 4)
        self.centre.setStretchFactor(1, 1)
        self.centre.setSizes([700, 170])  # the timeline first; alternatives below when asked
        self.body = QSplitter(Qt.Orientation.Horizontal)
        self.body.addWidget(self.controls)
        self.body.addWidget(self.centre)
        self.body.setStretchFactor(1, 1)
        self.body.setSizes([240, 900])
        # The saved plan and its verbs above both columns: the whole width for its name.
        whole = QWidget()
        rows = QVBoxLayout(whole)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.addLayout(self._plan_bar())
        rows.addWidget(self.body, 1)
        self.details.setHtml(f"<p style='color:gray'>{NO_PLAN}</p>")
        self.set_view("week")
        return whole

    def _button(self, icon: str, text: str, slot: Any, tip: str = "") -> QPushButton:
        button = QPushButton(icons.icon(icon), text)
        button.setAccessibleName(text.rstrip("…"))
        button.setToolTip(tip or text)
        button.clicked.connect(slot)
        return button

    def _plan_bar(self) -> QHBoxLayout:
        self.versions = QComboBox()
        self.versions.setAccessibleName("Plan version")
        # As wide as the longest name: a plan is told apart by its name and status.
        self.versions.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.versions.activated.connect(self._version_chosen)
        self.save_button = self._button("edit", "Save draft", self.save_draft, "Save the edits")
        self.publish_button = self._button(
            "publish", "Publish…", self.publish, "Make this the plan everyone works to"
        )
        self.compare_button = self._button(
            "compare", "Compare…", self.compare, "Costs and moved sessions of two versions"
        )
        self.replan_button = self._button(
            "replan", "Re-plan", self.replan, "Plan again keeping locked sessions, moving few"
        )
        bar = QHBoxLayout()
        bar.addWidget(QLabel("Plan"))
        bar.addWidget(self.versions)
        bar.addStretch()
        for button in (
            self.save_button,
            self.publish_button,
            self.compare_button,
            self.replan_button,
        ):
            bar.addWidget(button)
        return bar

    def _view_bar(self) -> QHBoxLayout:
        self.view_buttons = QButtonGroup(self)
        self.week_button = self._view_button("Week", "One week: drag, lock and move sessions")
        self.term_button = self._view_button("Term", "Every week of the plan at a glance")
        self.week_button.clicked.connect(lambda: self.set_view("week"))
        self.term_button.clicked.connect(lambda: self.set_view("term"))
        self.switch_action = self._tool_action("plan", "Week or term", "Ctrl+T", self.switch_view)
        self.row_mode = QComboBox()
        self.row_mode.setAccessibleName("Rows by")
        self.row_mode.setToolTip("Rows by")
        for mode, label in ROW_MODES.items():
            self.row_mode.addItem(label, mode)
        self.row_mode.currentIndexChanged.connect(lambda _i: self._set_mode())
        self.week_label = QLabel("")
        self.week_label.setAccessibleName("Week")
        self.week_label.setMinimumWidth(170)
        self.week_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.timeline.week_changed.connect(lambda _text: self._say_week())
        bar = QHBoxLayout()
        bar.setSpacing(2)
        bar.addWidget(self.week_button)
        bar.addWidget(self.term_button)
        bar.addSpacing(8)
        bar.addWidget(self.row_mode)
        bar.addStretch()
        self.lock_action = self._tool_action(
            "lock", "Lock or unlock", "Ctrl+L", lambda: self.toggle_lock(None)
        )
        self.where_action = self._tool_action(
            "where", "Where could this go?", "Ctrl+G", lambda: self.where_could_it_go(None)
        )
        self.week_actions = [
            self._tool_action(
                "previous", "Previous week", "Ctrl+PgUp", self.timeline.previous_week
            ),
            self._tool_action("today", "This week", "Ctrl+Home", self.timeline.this_week),
            self._tool_action("next", "Next week", "Ctrl+PgDown", self.timeline.next_week),
        ]
        bar.addWidget(self._tool(self.week_actions[0]))
        bar.addWidget(self.week_label)
        for action in self.week_actions[1:]:
            bar.addWidget(self._tool(action))
        bar.addStretch()
        for action in (
            self._tool_action("zoom_out", "Zoom out", "Ctrl+-", lambda: self.shown_view.zoom(0.8)),
            self._tool_action("zoom_in", "Zoom in", "Ctrl+=", lambda: self.shown_view.zoom(1.25)),
            self._tool_action("fit", "Fit to the width", "Ctrl+0", self.fit_view),
            self.lock_action,
            self.where_action,
        ):
            bar.addWidget(self._tool(action))
        return bar

    def _view_button(self, text: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setAccessibleName(f"{text} view")
        button.setToolTip(f"{tip} (Ctrl+T switches)")
        button.setCheckable(True)
        button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        self.view_buttons.addButton(button)
        return button

    def _tool_action(self, icon: str, text: str, shortcut: str, slot: Any) -> QAction:
        action = QAction(icons.icon(icon), text, self)
        action.setShortcut(QKeySequence(shortcut))
        action.setToolTip(f"{text} ({shortcut})")
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)
        return action

    def _tool(self, action: QAction) -> QToolButton:
        button = QToolButton()
        button.setDefaultAction(action)
        button.setAccessibleName(action.text())
        return button

    # ----- week and term views ---------------------------------------------------------------
    @property
    def shown_view(self) -> TimelineView | TermView:
        return self.timeline if self.view == "week" else self.term

    def set_view(self, view: str) -> None:
        """Show the week (``"week"``) or the whole term (``"term"``), keeping the selection."""
        if view not in VIEWS:
            return
        before = self.shown_view.selected
        if view == "week" and before is not None:
            # Back from the term: the session picked in the week, if it is in the chosen bar.
            stretch = self.term.stretch_of(before)
            sessions = {a.key for a in stretch.sessions} if stretch else set()
            before = self.timeline.selected if self.timeline.selected in sessions else before
        self.view = view
        self.views.setCurrentWidget(self.shown_view)
        (self.week_button if view == "week" else self.term_button).setChecked(True)
        if before is not None:
            self.shown_view.show_session(before)
        for action in self.week_actions:
            action.setEnabled(view == "week")
        if view == "term":
            self.candidates.hide()  # moving sessions is done in the week
        self._say_week()
        self._update_actions()
        if self.view_stack.currentIndex() == 1:
            self.shown_view.setFocus()

    def fit_view(self) -> None:
        """Size the shown view's days to its width again (after zooming)."""
        self.shown_view.fit()

    def switch_view(self) -> None:
        self.set_view("term" if self.view == "week" else "week")

    def open_in_week(self, key: SessionKey) -> None:
        """Show the week of session ``key`` with it selected (from the term view)."""
        self.set_view("week")
        self.timeline.show_session(key)
        self.timeline.setFocus()

    def _set_mode(self) -> None:
        mode = str(self.row_mode.currentData())
        self.timeline.set_mode(mode)
        self.term.set_mode(mode)

    def _say_week(self) -> None:
        if self.view == "week" or self.scenario is None:
            self.week_label.setText(self.timeline.label)
            self.week_label.setToolTip("")
            return
        days = self.term.days.dates
        self.week_label.setText(dates.span(days[0], days[-1]) if days else "")
        self.week_label.setToolTip(f"{len(self.term.days.weeks)} weeks")

    # ----- the page verbs --------------------------------------------------------------------
    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        self._names = {trainer_key(t.id): t.name for t in self.context.trainers.list()}
        self._colour_of_course = {
            c.code: category_colour(c.category) for c in self.context.courses.list()
        }
        self.controls.set_hubs(self.context.hubs.list())
        if not self._dates_fitted:
            self._fit_dates_to_runs()
        self._refresh_runs()
        self._unavailable = None  # leave or closures may have changed: read them again
        if self.scenario is not None:
            self._show_on_views()
        self._refresh_versions()

    def _fit_dates_to_runs(self) -> None:
        """Start on the term the runs waiting to be planned cover (once; the user's dates win)."""
        waiting = [
            r for r in self.context.runs.list() if r.status in (RunStatus.DRAFT, RunStatus.PLANNED)
        ]
        starts = [r.earliest for r in waiting if r.earliest is not None]
        ends = [r.latest for r in waiting if r.latest is not None]
        if starts and ends and min(starts) <= max(ends):
            self.controls.set_dates(min(starts), max(ends))
        self._dates_fitted = bool(waiting)

    def _refresh_runs(self) -> None:
        start, _end = self.controls.dates()
        self.controls.runs.period_name = term_name(start)
        # Published and cancelled runs are listed but start unchecked: what waits to be planned
        # is the draft and planned ones (a published run comes in as context anyway).
        settled = {
            r.id
            for r in self.context.runs.list()
            if r.status not in (RunStatus.DRAFT, RunStatus.PLANNED)
        }
        self.controls.runs.unchecked |= settled - self._settled_seen
        self._settled_seen |= settled
        self.controls.runs.set_source(self.context.runs)

    def add(self) -> None:
        dialog = AddRunDialog(self.context, self.controls.dates(), self)
        if dialog.exec() and dialog.saved is not None:
            self._refresh_runs()
            self.say(f"Run {dialog.saved.code} added")

    def edit(self) -> None:
        self.where_could_it_go(None)

    def delete(self) -> None:
        """Nothing to delete here; Delete unlocks nothing by accident."""

    def focus_filter(self) -> None:
        self.controls.runs.filter_box.setFocus()
        self.controls.runs.filter_box.selectAll()

    def inner_splitters(self) -> list[QSplitter]:
        return [self.body, self.centre]

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        settings.setValue(f"{self.key}/rows", self.row_mode.currentData())
        settings.setValue(f"{self.key}/view", self.view)
        self.worker.wait(10_000)  # the window is closing: let the planner stop first
        self.mover.wait(10_000)
        self.finder.wait(10_000)
        self.opener.wait(10_000)
        self.publisher.wait(10_000)

    def restore_state(self, settings: QSettings) -> None:
        super().restore_state(settings)
        index = self.row_mode.findData(str(settings.value(f"{self.key}/rows", "trainer")))
        self.row_mode.setCurrentIndex(max(0, index))
        self.set_view(str(settings.value(f"{self.key}/view", "week")))

    def say(self, text: str) -> None:
        self.status.emit(text)
        window = self.window()
        show = getattr(window, "show_status", None)
        if callable(show):
            show(text)

    # ----- planning --------------------------------------------------------------------------
    def plan_runs(self, request: PlanRequest) -> None:
        if not request.run_ids:
            self.say("Check at least one run to plan, or Add run…")
            return
        scope = PlanScope(
            start=request.start,
            end=request.end,
            hub_ids=request.hub_ids,
            run_ids=request.run_ids,
            weights=request.weights,
            name=f"{term_name(request.start)}, {len(request.run_ids)} run(s)",
        )
        options = SolveOptions(time_limit=request.time_limit)
        planning = self.context.planning
        self._start(
            lambda progress, stop: planning.make_plan(
                scope,
                options,
                name=self.context.planning.new_plan_name,
                on_progress=progress,
                should_stop=stop,
            )
        )

    def start_solve(self, scenario: Scenario, time_limit: float = 30) -> None:
        """Plan ``scenario`` as it is (already built) in the background, then save it."""
        options, planning = SolveOptions(time_limit=time_limit), self.context.planning
        self._start(
            lambda progress, stop: planning.plan_scenario(
                scenario,
                options,
                name=self.context.planning.new_plan_name,
                on_progress=progress,
                should_stop=stop,
            ),
            scenario.session_count(),
        )

    def replan(self) -> None:
        """Plan the shown saved plan again in the background (its locks kept, few moves)."""
        if self.plan_id is None:
            return
        plan_id, planning = self.plan_id, self.context.planning
        options = SolveOptions(time_limit=float(self.controls.time_limit.value()))
        self._start(
            lambda progress, stop: planning.replan(
                plan_id,
                options,
                name=self.context.planning.new_plan_name,
                on_progress=progress,
                should_stop=stop,
            )
        )

    def _start(self, work: Work, total_sessions: int | None = None) -> None:
        if self.worker.running:
            self.say("The planner is already working — Cancel it first")
            return
        self.progress.begin(total_sessions)
        self.worker.start(work)
        self._update_actions()

    def cancel(self) -> None:
        if self.worker.running:
            self.progress.stopping()
            self.worker.cancel()

    def _progress(self, progress: Any) -> None:
        self.progress.report(progress)

    def _solved(self, made: MadePlan) -> None:
        self.progress.hide()
        self._opening = None  # the new plan is shown, not one asked for before
        if made.version is None:
            self.editor.inform("The plan could not be saved", made.not_saved)
        self.version = made.version
        self.plan_id = made.version.id if made.version else None
        self._refresh_versions()  # first, so that the side panel names the new draft
        self.show_plan(made.checked, self.plan_id)
        saved = " saved as a draft" if made.version else " not saved"
        self.say(
            f"{made.name}{saved} · {placed_text(made.checked.scenario, made.checked.plan)} · "
            f"{cost_words(made.checked.plan)}"
        )

    def _failed(self, message: str) -> None:
        self.progress.hide()
        self._update_actions()
        self.editor.inform("The planner could not make a plan", message)

    # ----- showing a plan --------------------------------------------------------------------
    def show_plan(
        self, checked: CheckedPlan, plan_id: int | None = None, *, edited: bool = False
    ) -> None:
        """Show ``checked`` (a plan with the checker's verdict, from the planning service)."""
        self.checked, self.plan_id, self.edited = checked, plan_id, edited
        self.scenario, self.plan = checked.scenario, checked.plan
        if self.version is not None and self.version.id != plan_id:
            self.version = None
        self._show_on_views()
        self.view_stack.setCurrentIndex(1)
        self._show_details()
        self._update_actions()
        self.plan_changed.emit()

    def _show_on_views(self) -> None:
        assert self.scenario is not None and self.plan is not None and self.checked is not None
        violations = set(self.checked.broken_sessions)
        for view in (self.timeline, self.term):
            view.set_plan(
                self.scenario,
                self.plan,
                colours=self.course_colours(self.scenario),
                violations=violations,
                names=self.trainer_names(),
                unavailable=self.unavailable_time(self.scenario),
            )
        self._say_week()

    def unavailable_time(self, scenario: Scenario) -> list[Unavailable]:
        """Why time is unavailable over the weeks the plan's days fall in (read once for them)."""
        days = shown_days(scenario.calendar).dates
        if not days:
            return []
        span = (days[0], days[-1])
        if self._unavailable is None or self._unavailable[0] != span:
            self._unavailable = (span, self.context.planning.unavailable(*span))
        return self._unavailable[1]

    def _show_details(self) -> None:
        if self.checked is not None:
            self.details.setHtml(plan_html(self.checked, self._version_name()))

    def trainer_names(self) -> dict[str, str]:
        return self._names

    def course_colours(self, scenario: Scenario) -> dict[str, QColor]:
        colours = self._colour_of_course
        return {o.id: colours[o.course] for o in scenario.offerings if o.course in colours}

    def _version_name(self) -> str:
        if self.version is None:
            return ""
        name = version_text(self.version)
        return f"{name} (edited)" if self.edited else name

    def _update_actions(self) -> None:
        has_plan = self.plan is not None
        week = self.view == "week"
        selected = has_plan and week and self.timeline.selected is not None
        solving = self.worker.running
        self.lock_action.setEnabled(selected)
        self.where_action.setEnabled(selected)
        self.controls.plan_button.setEnabled(not solving)
        saved = self.version is not None and not self.edited
        draft = saved and self.version is not None and self.version.status is PlanStatus.DRAFT
        self.save_button.setEnabled(has_plan and self.edited and not solving)
        self.publish_button.setEnabled(draft and not solving and not self.publisher.running)
        self.replan_button.setEnabled(saved and not solving)
        self.compare_button.setEnabled(self.versions.count() > 1)

    # ----- editing ---------------------------------------------------------------------------
    def session_name(self, key: SessionKey) -> str:
        total = self.scenario.offering_by_id[key[0]].sessions if self.scenario else 0
        return f"{key[0]} · {key[1] + 1}/{total}"

    def move_session(self, drop: Drop) -> bool:
        """Move a dragged session if the rules allow; say why not otherwise."""
        if self.scenario is None or self.plan is None:
            return False
        facility = drop.row_key if self.timeline.mode == "facility" else None
        trainer = drop.row_key if self.timeline.mode == "trainer" else None
        return self._move(drop.key, drop.day, drop.period, facility, trainer)

    def _move(
        self, key: SessionKey, day: int, period: int, facility: str | None, trainer: str | None
    ) -> bool:
        """Check the move in the background (``_moved`` applies it); False when refused at
        once (off the plan's days, a locked or published session, a move still being checked)."""
        assert self.scenario is not None and self.plan is not None
        name = self.session_name(key)
        length = self.scenario.offering_by_id[key[0]].session_length
        edge = (
            "it is on the plan's first day"
            if day < 0
            else "it is on the plan's last day"
            if day >= len(self.scenario.calendar.days)
            else "it starts the day"
            if period < 0
            else "it would run past the end of the day"
            if period > self.scenario.calendar.periods_per_day - length
            else None
        )
        if edge is not None:
            self.say(f"Cannot move {name}: {edge}")
            return False
        where = self.scenario.calendar.label(day, period)
        if self._is_context(key):
            return False
        if key in self.scenario.lock_by_session:
            self.say(f"{name} is locked — unlock it first (Ctrl+L)")
            return False
        if self.mover.running:
            self.say(f"Still checking the last move — move {name} again in a moment")
            return False
        checked = self.checked
        assert checked is not None
        move = PendingMove(key, name, where, checked, self.edited)
        self.mover.request(
            lambda: (move, move_session(checked, key, day, period, facility, trainer))
        )
        return True

    def _moved(self, result: tuple[PendingMove, MoveOutcome]) -> None:
        """The checker's answer to a move, from the background: apply it or say why not."""
        move, outcome = result
        if self.checked is not move.before:
            self.say(f"The move of {move.name} was dropped: the plan shown has changed since")
            return
        if not outcome.ok:
            self.say(f"Cannot move {move.name} to {move.where}: {outcome.refusal}")
            return
        self.show_plan(outcome.checked, self.plan_id, edited=True)
        self.editor.undo_stack.push(
            MoveSession(
                self,
                f"Move {move.name} to {move.where}",
                move.before,
                outcome.checked,
                before_edited=move.edited,
            )
        )
        self.timeline.show_session(move.key)  # it may now be in another week
        self.say(
            f"Moved {move.name} to {move.where} · {delta_text(outcome.cost_delta)} · Undo Ctrl+Z"
        )

    def toggle_lock(self, key: SessionKey | None) -> None:
        key = key or self.timeline.selected
        if self.scenario is None or self.plan is None or key is None:
            return
        if self._is_context(key):
            return
        if self.version is not None and self.version.status is not PlanStatus.DRAFT:
            self.say(
                f"{self.version.name} is {self.version.status.value}: its sessions stay as they "
                "are. Re-plan it to get a draft you can change"
            )
            return
        locks = dict(self.scenario.lock_by_session)
        if key in locks:
            del locks[key]
            verb = "Unlocked"
        else:
            a = next(a for a in self.plan.assignments if a.key == key)
            locks[key] = Lock(a.offering, a.session, a.day, a.period, a.facility, a.trainer)
            verb = "Locked"
        scenario = dataclasses.replace(self.scenario, locked=tuple(locks.values()))
        # A lock where the session already is breaks no rule and mends none: the verdict holds.
        assert self.checked is not None
        checked = dataclasses.replace(self.checked, scenario=scenario)
        if self.version is not None and not self.edited:
            try:
                self.version = self.context.planning.set_locks(
                    self.version.id, self.version.row_version, list(locks.values())
                )
            except StaleEdit as error:
                self._changed_elsewhere("The lock was not saved", error)
                return
            except DomainError as error:
                self.editor.inform("The lock could not be saved", str(error))
                return
        self.show_plan(checked, self.plan_id, edited=self.edited)
        self.timeline.select(key)
        self.say(f"{verb} {self.session_name(key)}")

    def _is_context(self, key: SessionKey) -> bool:
        """A session of a run published with another plan: it cannot be moved or unlocked here
        (says so)."""
        if self.scenario is None or not self.scenario.offering_by_id[key[0]].published:
            return False
        self.say(
            f"{self.session_name(key)} is published with another plan and stays where it is; "
            "to move it, plan its run again"
        )
        return True

    def where_could_it_go(self, key: SessionKey | None) -> None:
        key = key or self.timeline.selected
        if self.checked is None or key is None or self._is_context(key):
            return
        checked, name, wanted = self.checked, self.session_name(key), key
        self.finder.request(lambda: (checked, name, free_slots(checked, wanted)))

    def _found(self, result: tuple[CheckedPlan, str, Slots]) -> None:
        checked, name, found = result
        if checked is not self.checked:  # another plan shown meanwhile
            return
        self.candidates.show_candidates(
            name, found.calendar, list(found.found), self.trainer_names()
        )
        self.candidates.show()
        self.candidates.setFocus()

    def apply_candidate(self, candidate: Any) -> None:
        key = self.timeline.selected
        if key is not None:
            self._move(key, candidate.day, candidate.period, candidate.facility, candidate.trainer)
            self.candidates.clear()
            self.candidates.hide()

    # ----- versions --------------------------------------------------------------------------
    def _refresh_versions(self) -> None:
        self.versions.blockSignals(True)
        self.versions.clear()
        versions = self.context.planning.list_plans()
        order = (PlanStatus.PUBLISHED, PlanStatus.DRAFT, PlanStatus.SUPERSEDED)
        look = {PlanStatus.PUBLISHED: "publish", PlanStatus.DRAFT: "edit"}
        for status in order:
            for version in (v for v in versions if v.status is status):
                self.versions.addItem(
                    icons.icon(look.get(status, "audit")), version_text(version), version.id
                )
                self.versions.setItemData(
                    self.versions.count() - 1,
                    self._version_tip(version),
                    Qt.ItemDataRole.ToolTipRole,
                )
        if not versions:
            self.versions.addItem("No saved plans yet", None)
        index = self.versions.findData(self.plan_id) if self.plan_id is not None else -1
        self.versions.setCurrentIndex(max(0, index))
        self.versions.blockSignals(False)
        if self.plan is None and versions:
            self._version_chosen(self.versions.currentIndex())
        self._update_actions()

    @staticmethod
    def _version_tip(version: PlanVersion) -> str:
        made = f"Made by {version.created_by} on {dates.moment(version.created_at)}"
        if version.published_at is not None:
            made += f"; published {dates.moment(version.published_at)}"
        return f"{made} · {dates.span(version.starts_on, version.ends_on)}"

    def _version_chosen(self, index: int) -> None:
        plan_id = self.versions.itemData(index)
        if plan_id is None or plan_id == self.plan_id:
            return
        self.open_version(int(plan_id))

    def open_version(self, plan_id: int) -> None:
        """Show saved plan ``plan_id`` as the store has it now (read and checked in the
        background; ``_opened`` shows it)."""
        self._opening = plan_id
        planning = self.context.planning
        self.opener.request(lambda: planning.get_checked_plan(plan_id))

    _opening: int | None = None
    _reloading = False

    def _opened(self, found: tuple[PlanVersion, CheckedPlan]) -> None:
        version, checked = found
        if self._opening != version.id:  # another plan was made or chosen meanwhile
            return
        self._opening = None
        self.version = version
        self.show_plan(checked, version.id)
        self._refresh_versions()
        if self._reloading:
            self._reloading = False
            self.say(f"Reloaded {version_text(version)}")

    def _open_failed(self, message: str) -> None:
        self._opening, self._reloading = None, False
        self.editor.inform("The plan could not be opened", message)
        self._refresh_versions()

    def save_draft(self) -> None:
        if self.scenario is None or self.plan is None:
            return
        if self.version is not None:
            name = f"{self.version.name} (edited)"
        else:
            name = self.context.planning.new_plan_name(self.scenario)
        assert self.checked is not None
        try:
            version = self.context.planning.save_checked(name, self.checked)
        except DomainError as error:
            self.editor.inform("The draft could not be saved", str(error))
            return
        self.version, self.plan_id, self.edited = version, version.id, False
        self._refresh_versions()
        self._show_details()
        self._update_actions()
        self.say(f"Saved draft {version.name}")

    def publish(self) -> None:
        """Ask, saying what becomes of the plans published before, then publish."""
        if self.version is None:
            return
        name = self.version.name
        try:
            replaced = self.context.planning.superseded_by(self.version.id)
        except DomainError as error:
            self.editor.inform("Cannot publish", str(error))
            return
        if replaced:
            names = ", ".join(v.name for v in replaced)
            after = f"{names}, published before, will be kept as superseded."
        else:
            after = "No published plan is replaced: other plans' runs keep their sessions."
        box = QMessageBox(
            QMessageBox.Icon.Question,
            "Publish plan",
            f"Publish {name}?\n\nIts sessions become the plan everyone works to. {after}",
            QMessageBox.StandardButton.Cancel,
            self,
        )
        box.addButton("Publish", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.accepted.connect(self._publish_now)
        self.open_dialog(box)

    def _publish_now(self) -> None:
        if self.version is None or self.publisher.running:
            return
        planning, version = self.context.planning, self.version

        def publish() -> PlanVersion | StaleEdit:
            try:
                return planning.publish(version.id, version.row_version)
            except StaleEdit as error:  # answered with a choice, not only a message
                return error

        self.say(f"Publishing {version.name}…")
        self.publisher.request(publish)
        self._update_actions()

    def _published(self, result: object) -> None:
        self._update_actions()
        if isinstance(result, StaleEdit):
            self._changed_elsewhere("The plan was not published", result)
            return
        assert isinstance(result, PlanVersion)
        self.version = result
        self._refresh_versions()
        self._show_details()
        self._update_actions()
        self.say(f"Published {result.name}")

    def _publish_failed(self, message: str) -> None:
        self._update_actions()
        self.say("Nothing was published")
        self.editor.inform("Cannot publish", message)

    def _changed_elsewhere(self, title: str, error: StaleEdit) -> None:
        """Someone else changed the plan since this page read it: nothing was written; offer
        to show the plan as it is now."""
        box = QMessageBox(
            QMessageBox.Icon.Warning, title, str(error), QMessageBox.StandardButton.Close, self
        )
        reload = box.addButton("Reload", QMessageBox.ButtonRole.AcceptRole)
        reload.setToolTip("Show the plan as it is now (your unsaved moves are dropped)")
        box.setDefaultButton(reload)
        box.accepted.connect(self.reload_plan)
        self.say(str(error))
        self.open_dialog(box)

    def reload_plan(self) -> None:
        """Read the shown plan again from the store (after someone else changed it)."""
        if self.plan_id is None:
            return
        plan_id, self.plan_id = self.plan_id, None
        self._reloading = True
        self.open_version(plan_id)

    def compare(self) -> None:
        """Ask which other version to compare the shown plan with, then show both."""
        others = [
            (self.versions.itemText(i), int(self.versions.itemData(i)))
            for i in range(self.versions.count())
            if self.versions.itemData(i) not in (None, self.plan_id)
        ]
        if self.plan_id is None or not others:
            return
        if len(others) == 1:
            self.compare_with(others[0][1])
            return
        names = [name for name, _ in others]
        chosen, ok = QInputDialog.getItem(
            self, "Compare plans", f"Compare {self.versions.currentText()} with:", names, 0, False
        )
        if ok:
            self.compare_with(dict(others)[chosen])

    def compare_with(self, other: int) -> None:
        """Cost of each thing that matters, side by side, and the sessions that moved."""
        if self.scenario is None or self.plan is None:
            return
        _version, other_scenario, other_plan = self.context.planning.get_plan(other)
        index = self.versions.findData(other)
        names = (self.versions.itemText(index), self.versions.currentText())
        plans = ((other_scenario, other_plan), (self.scenario, self.plan))
        self.compare_dialog = CompareDialog(names, plans, self)
        self.compare_dialog.open()
