"""The Runs & enrolment page on a real store: enrol through the dialogs, withdraw, keep the
register from the keyboard, record results; refusals in the services' own words.

"Today" is Tuesday 12 January 2027 unless a test moves the clock. GOWN-2027-01 is held that
day; ASEP-2027-01 (4 places, Gowning required) the next Tuesday and Wednesday.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date, timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton, QTableView

from tests.helpers import builders
from tests.helpers.clock import Clock
from tests.ui.conftest import find
from trainer_app.config import Settings
from trainer_app.domain.courses import Course
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.planning import CourseRun, CourseRunFields
from trainer_app.domain.records import CompletionFields, EnrolmentStatus, Mark
from trainer_app.scheduling.scenario import Assignment, Plan
from trainer_app.services.context import ServiceContext
from trainer_app.services.planning_scenario import trainer_key
from trainer_app.ui.certificates.dialogs import IssueDialog
from trainer_app.ui.runs.dialogs import ResultDialog, WithdrawDialog
from trainer_app.ui.runs.enrol import EnrolCohortDialog, EnrolTraineesDialog
from trainer_app.ui.runs.page import RunsPage
from trainer_app.ui.runs.register import RegisterModel

MONDAY = date(2027, 1, 11)
TUESDAY = MONDAY + timedelta(days=1)
NAMES = (
    "Siobhán Ní Bhriain",
    "李伟",
    "Łukasz Nowak",
    "Zoë Adams",
    "Priya Raman",
    "Aoife Byrne",
    "Tom Reed",
)
NO_GOWN = "{} has not completed Gowning (GOWN) — required before ASEP"


@dataclasses.dataclass
class World:
    ctx: ServiceContext
    clock: Clock
    gown: Course
    asep: Course
    cohort_id: int
    people: dict[str, int]  # trainee ids by name
    gown_run: CourseRun
    asep_run: CourseRun


def build_world(ctx: ServiceContext, clock: Clock) -> World:
    """A hub, Gowning and Aseptic processing, a cohort of seven (five hold Gowning; Siobhán
    and Tom do not) and two published runs. Also used by the screenshot script."""
    hub = builders.hub(ctx)
    builders.facility(ctx, hub.id, "LON-CR1", FacilityKind.CLEANROOM_GRADE_B, 6)
    builders.facility(ctx, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    gown, asep = builders.gowning_and_aseptic(ctx)
    builders.trainer(ctx, hub.id, "Dr Amara Okafor", gown, asep)
    cohort = builders.cohort(ctx)
    people = {
        name: builders.trainee(ctx, hub.id, f"TR-{n:06d}", name, cohort).id
        for n, name in enumerate(NAMES, start=1)
    }
    for name in NAMES[1:6]:
        ctx.training.add_completion(
            CompletionFields(
                trainee_id=people[name], course_id=gown.id, completed_on=date(2026, 6, 1)
            )
        )
    world = World(ctx, clock, gown, asep, cohort.id, people, None, None)  # type: ignore[arg-type]
    world.gown_run = publish_run(world, "GOWN-2027-01", gown, [(1, 0)], "LON-CL1")
    world.asep_run = publish_run(world, "ASEP-2027-01", asep, [(8, 0), (9, 0)], "LON-CR1")
    return world


def publish_run(
    w: World, code: str, course: Course, sessions: list[tuple[int, int]], room: str
) -> CourseRun:
    """A run published with sessions at (days after Monday 11 Jan, period)."""
    ctx = w.ctx
    run = ctx.runs.create(CourseRunFields(code=code, course_id=course.id, attendees=4))
    days = [MONDAY + timedelta(days=d) for d, _ in sessions]
    scenario = ctx.planning.build_scenario(min(days), max(days), run_ids=[run.id])
    trainer = trainer_key(ctx.trainers.list()[0].id)
    index = {day: i for i, day in enumerate(scenario.calendar.days)}
    ours = [
        Assignment(code, s, index[MONDAY + timedelta(days=d)], p, room, trainer)
        for s, (d, p) in enumerate(sessions)
    ]
    published = [
        Assignment(k.offering, k.session, k.day, k.period, k.facility or "", k.trainer or "")
        for k in scenario.locked
        if scenario.offering_by_id[k.offering].published
    ]
    saved = ctx.planning.save_plan(code, scenario, Plan((*ours, *published), status="feasible"))
    ctx.planning.publish(saved.id, saved.row_version)
    return next(r for r in ctx.runs.list() if r.code == code)


@pytest.fixture
def clock() -> Clock:
    return Clock(TUESDAY)


@pytest.fixture
def context(settings: Settings, clock: Clock) -> Iterator[ServiceContext]:
    """The store every fixture here shares (the main window's too), on the test's calendar."""
    ctx = ServiceContext.open(settings, today=clock)
    yield ctx
    ctx.close()


@pytest.fixture
def world(context: ServiceContext, clock: Clock) -> World:
    return build_world(context, clock)


@pytest.fixture
def page(qtbot, window, answers, world: World) -> Iterator[RunsPage]:
    runs = RunsPage(world.ctx, window.editor)
    qtbot.addWidget(runs)
    runs.resize(1300, 800)
    runs.show()
    qtbot.waitExposed(runs)
    yield runs
    runs.close()


def status(page: RunsPage) -> str:
    window = page.editor.window
    return window.statusBar().currentMessage()  # type: ignore[attr-defined]


def column(view: QTableView, index: int) -> list[str]:
    model = view.model()
    return [model.index(row, index).data() for row in range(model.rowCount())]


def runs_row(page: RunsPage, code: str) -> list[str]:
    model = page.runs.view.model()
    for row in range(model.rowCount()):
        if model.index(row, 0).data() == code:
            return [model.index(row, c).data() for c in range(model.columnCount())]
    raise AssertionError(f"{code} is not listed")


def enrol(w: World, run: CourseRun, *names: str) -> None:
    w.ctx.enrolment.enrol_many(run.id, [w.people[n] for n in names])


# ----- the list of runs and the empty states ----------------------------------------------------


def test_no_published_runs_says_where_to_plan_them(qtbot, window, context) -> None:
    page = RunsPage(context, window.editor)
    qtbot.addWidget(page)
    page.show()
    assert find(page, QLabel, "No runs").text() == (
        "No published runs yet — plan and publish a term on the Plan page (Ctrl+5)"
    )
    assert page.runs.stack.currentWidget() is page.runs.empty
    page.close()


def test_runs_show_dates_places_and_the_completion_rule(qtbot, page, world) -> None:
    assert runs_row(page, "ASEP-2027-01") == [
        "ASEP-2027-01",
        "19–20 Jan 2027",
        "LON",
        "0/4",
        "Published",
    ]
    draft = world.ctx.runs.create(
        CourseRunFields(code="ASEP-2027-02", course_id=world.asep.id, attendees=4)
    )
    page.reload()
    assert page.runs.view.model().rowCount() == 2  # drafts only when asked for
    find(page, type(page.runs.unpublished), "Show unpublished runs").click()
    assert runs_row(page, "ASEP-2027-02")[-1] == "Draft · not published"
    assert page.runs.select_id(draft.id)
    assert not page.roster_tab.enrol_button.isEnabled()

    qtbot.keyClicks(page.runs.filter_box, "gown")
    page.runs.apply_filter()
    assert column(page.runs.view, 0) == ["GOWN-2027-01"]
    assert page.runs.select_code("GOWN-2027-01")
    assert page.run_title.text() == "GOWN-2027-01 · Gowning"
    facts = page.run_facts.text()
    assert "12 Jan 2027 · 1 session · LON · Dr Amara Okafor" in facts
    assert "Completed with attendance ≥ 90 % and practical passed; valid for 12 months" in facts
    assert find(page, QLabel, "Nobody enrolled").text() == (
        "Nobody enrolled yet — Enrol trainees… or Enrol cohort…"
    )


def test_runs_sort_by_any_column(qtbot, page, world) -> None:
    enrol(world, world.asep_run, "Priya Raman", "Zoë Adams")
    page.reload()
    view = page.runs.view
    assert column(view, 0) == ["GOWN-2027-01", "ASEP-2027-01"]  # by first day
    view.horizontalHeader().setSortIndicator(3, Qt.SortOrder.DescendingOrder)
    assert column(view, 0) == ["ASEP-2027-01", "GOWN-2027-01"]  # 2/4 before 0/12
    assert column(view, 3) == ["2/4", "0/12"]


# ----- enrolling ------------------------------------------------------------------------------


def test_enrol_a_cohort_after_seeing_who_can_go(qtbot, page, world) -> None:
    page.runs.select_code("ASEP-2027-01")
    find(page, QPushButton, "Enrol cohort").click()
    dialog = page.dialog
    assert isinstance(dialog, EnrolCohortDialog) and dialog.isVisible()
    dialog.select_cohort(world.cohort_id)
    assert dialog.outcome.summary.text() == (
        "5 trainees can be enrolled (1 on the waitlist); 2 cannot:"
    )
    lines = dialog.outcome.lines()
    assert lines[:2] == [NO_GOWN.format("Siobhán Ní Bhriain"), NO_GOWN.format("Tom Reed")]
    assert "李伟 — goes on the waitlist (the run is full)" in lines
    assert dialog.ok_button.text() == "Enrol 5 (1 on the waitlist)"
    dialog.ok_button.click()
    assert not dialog.isVisible()

    assert status(page) == "Enrolled 4 trainees on ASEP-2027-01 · 1 on the waitlist"
    roster = page.roster_tab.view
    assert column(roster, 0) == ["Aoife Byrne", "Priya Raman", "Zoë Adams", "Łukasz Nowak", "李伟"]
    assert column(roster, 3) == ["Enrolled"] * 4 + ["Waitlist 1"]
    assert find(page, QLabel, "Roster counts").text() == "4 enrolled · 1 on the waitlist"
    assert runs_row(page, "ASEP-2027-01")[3] == "4/4 +1"  # and one waiting
    assert "4 places · 4 enrolled · 1 on the waitlist" in page.run_facts.text()


def test_withdrawing_needs_a_reason_and_promotes_from_the_waitlist(qtbot, page, world) -> None:
    enrol(world, world.asep_run, "Aoife Byrne", "Priya Raman", "Zoë Adams", "Łukasz Nowak", "李伟")
    page.runs.select_code("ASEP-2027-01")
    page.roster_tab.view.selectRow(0)
    assert page.roster_tab.selected().trainee_name == "Aoife Byrne"
    assert "Aoife Byrne" in page.details.toPlainText()
    find(page, QPushButton, "Withdraw").click()
    dialog = page.dialog
    assert isinstance(dialog, WithdrawDialog)
    dialog.ok_button.click()  # no reason: the service says what is missing, beside the field
    assert dialog.isVisible()
    assert dialog.message("reason") == "Say why the trainee is withdrawn"
    qtbot.keyClicks(find(dialog, type(dialog.reason), "Reason"), "Moved to night shift")
    dialog.ok_button.click()
    assert not dialog.isVisible()

    assert status(page) == (
        "Aoife Byrne withdrawn from ASEP-2027-01 · 李伟 moved up from the waitlist"
    )
    roster = page.roster_tab.view
    assert column(roster, 0)[-1] == "Aoife Byrne"
    assert column(roster, 3) == ["Enrolled"] * 4 + ["Withdrawn: Moved to night shift"]
    assert roster.model().index(4, 0).data(Qt.ItemDataRole.ForegroundRole) is not None  # greyed
    roster.selectRow(4)
    assert not page.roster_tab.withdraw_button.isEnabled()


def test_a_refusal_is_shown_in_the_services_words_and_nobody_is_enrolled(
    qtbot, page, world
) -> None:
    page.runs.select_code("ASEP-2027-01")
    page.add()  # Ctrl+N on the page: Enrol trainees…
    dialog = page.dialog
    assert isinstance(dialog, EnrolTraineesDialog)
    qtbot.keyClicks(dialog.filter_box, "siobhan")  # accents need not be typed
    dialog.apply_filter()
    assert dialog.model.rowCount() == 1
    dialog.view.setFocus()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Space)
    dialog.check_now()
    assert dialog.outcome.lines() == [NO_GOWN.format("Siobhán Ní Bhriain")]
    assert not dialog.ok_button.isEnabled()

    dialog.filter_box.clear()
    qtbot.keyClicks(dialog.filter_box, "priya")
    dialog.apply_filter()
    qtbot.keyClick(dialog.view, Qt.Key.Key_Return)  # Enter ticks too
    dialog.check_now()
    assert dialog.outcome.summary.text() == "1 trainee can be enrolled; 1 cannot:"
    assert dialog.outcome.lines() == [
        NO_GOWN.format("Siobhán Ní Bhriain"),
        "Priya Raman — can be enrolled",
    ]
    assert find(dialog, QLabel, "Chosen").text().startswith("2 trainees ticked · 1 shown")
    dialog.accept()
    assert status(page) == "Enrolled 1 trainee on ASEP-2027-01"
    assert column(page.roster_tab.view, 0) == ["Priya Raman"]


def test_the_trainee_picker_stays_lazy_with_thousands(qtbot, page, world) -> None:
    hub_id = world.ctx.hubs.list()[0].id
    world.ctx.trainees.bulk_create(
        [
            TraineeFields(reference=f"TR-{n:06d}", name=f"Trainee {n:05d}", hub_id=hub_id)
            for n in range(100, 5_100)
        ]
    )
    page.runs.select_code("GOWN-2027-01")
    page.enrol_trainees()
    dialog = page.dialog
    assert isinstance(dialog, EnrolTraineesDialog)
    assert dialog.model.rowCount() == 5_007
    assert len(dialog.model._cache) <= 400  # only the rows in view were read
    qtbot.keyClicks(dialog.filter_box, "trainee 04207")
    dialog.apply_filter()
    assert column(dialog.view, 0) == ["Trainee 04207"]
    dialog.reject()


# ----- the register -------------------------------------------------------------------------


def test_fill_the_register_from_the_keyboard_and_save_it(qtbot, page, world) -> None:
    enrol(world, world.gown_run, "Siobhán Ní Bhriain", "Tom Reed")
    page.runs.select_code("GOWN-2027-01")
    page.tabs.setCurrentWidget(page.register_tab)
    grid = find(page, QTableView, "Attendance register")
    model = page.register_tab.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Tue 12 Jan\n09:00"
    assert model.headerData(0, Qt.Orientation.Vertical) == "Siobhán Ní Bhriain"
    grid.setFocus()
    assert (grid.currentIndex().row(), grid.currentIndex().column()) == (0, 0)

    qtbot.keyClick(grid, Qt.Key.Key_P)  # present, and down to Tom
    assert model.index(0, 0).data() == "✓ Present"
    assert model.is_pending(0, 0)
    assert grid.currentIndex().row() == 1
    qtbot.keyClick(grid, Qt.Key.Key_L)
    qtbot.keyClicks(grid, "25")
    assert model.index(1, 0).data() == "Late 25′"
    qtbot.keyClick(grid, Qt.Key.Key_Delete)  # back to nothing: it was never saved
    assert model.index(1, 0).data() == ""
    for shown in ("✓ Present", "Late 10′", "✗ Absent", ""):
        qtbot.keyClick(grid, Qt.Key.Key_Space)
        assert model.index(1, 0).data() == shown
    qtbot.keyClick(grid, Qt.Key.Key_A)
    assert find(page, QLabel, "Unsaved marks").text() == "2 marks not saved yet"
    assert world.ctx.training.register(world.gown_run.id).marks == {}

    qtbot.keyClick(grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert status(page) == "Saved 2 attendance marks on GOWN-2027-01"
    saved = world.ctx.training.register(world.gown_run.id).marks
    assert sorted(saved.values()) == [(Mark.ABSENT, 0), (Mark.PRESENT, 0)]
    assert not model.pending and not page.register_tab.save_button.isEnabled()
    assert model.index(0, 1).data() == "no practical assessment yet"


def test_a_result_then_the_register_complete_the_course(qtbot, page, world) -> None:
    enrol(world, world.gown_run, "Siobhán Ní Bhriain", "Tom Reed")
    page.runs.select_code("GOWN-2027-01")
    page.tabs.setCurrentWidget(page.results_tab)
    results = find(page, QTableView, "Results")
    results.selectRow(0)
    find(page, QPushButton, "Record result").click()
    dialog = page.dialog
    assert isinstance(dialog, ResultDialog)
    assert dialog.windowTitle() == "Record result for Siobhán Ní Bhriain on GOWN-2027-01"
    assert dialog.assessor.text() == "Dr Amara Okafor"
    assert dialog.assessed_on.date().toPython() == TUESDAY
    assert not dialog.ok_button.isEnabled()
    assert dialog.message("theory_score") == "Give a theory score, a practical result, or both"
    dialog.theory.setValue(130)  # the box stops at 100; the domain's rule stands behind it
    assert dialog.theory.value() == 100
    dialog.theory.setValue(dialog.theory.minimum())  # back to "Not assessed"
    dialog.practical.setCurrentIndex(dialog.practical.findText("Passed"))
    dialog.assessor.clear()
    assert dialog.message("assessor") == "Assessor must not be empty"
    qtbot.keyClicks(dialog.assessor, "Dr Amara Okafor")
    assert dialog.ok_button.isEnabled()
    dialog.ok_button.click()
    assert not dialog.isVisible()
    assert status(page) == "Result recorded for Siobhán Ní Bhriain on GOWN-2027-01"
    assert column(results, 3)[0] == "Passed"
    assert column(results, 4)[0] == "Missing: attendance not yet recorded for 1 of 1 (+1 more)"
    assert results.model().index(0, 4).data(Qt.ItemDataRole.ToolTipRole) == (
        "Still missing:\n• attendance not yet recorded for 1 of 1\n"
        "• attended 0 of 1 sessions (0 %); 90 % needed"
    )

    page.tabs.setCurrentWidget(page.register_tab)
    grid = page.register_tab.view
    grid.setFocus()
    grid.setCurrentIndex(page.register_tab.model.index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_P)
    page.register_tab.save_button.click()
    assert status(page) == (
        "Saved 1 attendance mark on GOWN-2027-01 · Siobhán Ní Bhriain completed"
    )
    assert page.register_tab.model.index(0, 1).data() == "✓ 12 Jan 2027"
    assert column(results, 4)[0] == "✓ 12 Jan 2027"
    tip = results.model().index(0, 4).data(Qt.ItemDataRole.ToolTipRole)
    assert tip == "Completed 12 Jan 2027 · valid until 12 Jan 2028"
    assert find(page, QLabel, "Completed count").text() == "1 of 2 completed"

    # the run's completion waits for its certificate: previewed, then issued from here
    page.tabs.setCurrentWidget(page.results_tab)
    find(page, QPushButton, "Issue certificates").click()
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    assert dialog.heading.text() == "GOWN-2027-01 Gowning: completions without a certificate"
    assert dialog.count.text() == "1 of 1 ticked"
    assert dialog.list.topLevelItem(0).text(0) == "Siobhán Ní Bhriain"
    dialog.close_button.click()
    assert page.dialog is None


def test_a_session_not_held_yet_takes_no_marks(qtbot, page, world, answers) -> None:
    enrol(world, world.asep_run, "Priya Raman", "Zoë Adams")
    page.runs.select_code("ASEP-2027-01")
    page.tabs.setCurrentWidget(page.register_tab)
    grid, model = page.register_tab.view, page.register_tab.model
    assert model.index(0, 0).data(Qt.ItemDataRole.BackgroundRole) is not None  # greyed
    assert model.index(0, 0).data(Qt.ItemDataRole.ToolTipRole) == (
        "Priya Raman · 19 Jan 2027 09:00: not held yet — attendance can be recorded from "
        "19 Jan 2027"
    )
    grid.setFocus()
    grid.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_P)
    assert status(page) == (
        "Session 1 of ASEP-2027-01 is on 19 Jan 2027: attendance can be recorded from that day"
    )
    assert not model.pending

    # The service, not the grid, is the rule: marks typed on the day, saved when its calendar
    # says the session is still ahead, are refused — all of them — and stay on screen.
    world.clock.day = date(2027, 1, 19)
    page.reload()
    grid.setCurrentIndex(model.index(0, 0))
    qtbot.keyClick(grid, Qt.Key.Key_P)
    qtbot.keyClick(grid, Qt.Key.Key_A)
    world.clock.day = date(2027, 1, 18)
    qtbot.keyClick(grid, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert answers[-1] == (
        "Attendance not saved",
        "Session 1 of ASEP-2027-01 is on 19 Jan 2027: attendance can be recorded from that "
        "day. Nothing was saved",
    )
    assert world.ctx.training.register(world.asep_run.id).marks == {}
    assert len(model.pending) == 2 and model.index(1, 0).data() == "✗ Absent"


def test_unsaved_marks_wait_while_another_run_is_looked_at(qtbot, page, world) -> None:
    enrol(world, world.gown_run, "Siobhán Ní Bhriain")
    page.runs.select_code("GOWN-2027-01")
    page.tabs.setCurrentWidget(page.register_tab)
    page.register_tab.view.setFocus()
    qtbot.keyClick(page.register_tab.view, Qt.Key.Key_P)
    page.runs.select_code("ASEP-2027-01")
    assert status(page) == (
        "GOWN-2027-01 has 1 mark not saved yet; they wait for you there — Save register (Ctrl+S)"
    )
    page.runs.select_code("GOWN-2027-01")
    assert page.register_tab.model.index(0, 0).data() == "✓ Present"
    assert page.register_tab.model.is_pending(0, 0)


# ----- the models ---------------------------------------------------------------------------


def test_the_models_pass_qt_model_tests(qtbot, qtmodeltester, page, world) -> None:
    enrol(world, world.gown_run, "Siobhán Ní Bhriain", "Tom Reed")
    world.ctx.enrolment.enrol_many(world.asep_run.id, [world.people[n] for n in NAMES[1:6]])
    page.runs.select_code("GOWN-2027-01")
    model = page.register_tab.model
    assert isinstance(model, RegisterModel)
    model.set_mark(0, 0, (Mark.LATE, 5))
    qtmodeltester.check(model)
    qtmodeltester.check(page.runs.model)
    qtmodeltester.check(page.runs.proxy)
    page.runs.select_code("ASEP-2027-01")
    qtmodeltester.check(page.roster_tab.model)
    qtmodeltester.check(page.results_tab.model)
    assert [e.status for e in page.roster] == [EnrolmentStatus.ENROLLED] * 4 + [
        EnrolmentStatus.WAITLISTED
    ]
    page.enrol_trainees()
    assert isinstance(page.dialog, EnrolTraineesDialog)
    page.dialog.model.toggle(0)
    qtmodeltester.check(page.dialog.model)
    page.dialog.reject()


def test_in_the_main_window_its_keys_reach_the_page(qtbot, monkeypatch, answers, world) -> None:
    """Registered like the other pages: Ctrl+N enrols, and Delete in the register clears a
    mark instead of triggering the window's Delete."""
    from trainer_app.ui import main_window

    monkeypatch.setattr(main_window, "PAGES", (*main_window.PAGES, RunsPage))
    main = main_window.MainWindow(world.ctx)
    qtbot.addWidget(main)
    main.show()
    main.activateWindow()
    qtbot.waitUntil(main.isActiveWindow)  # window shortcuts (Ctrl+N, Delete) need it
    main.show_page(len(main.pages) - 1)
    page = main.page
    assert isinstance(page, RunsPage)
    enrol(world, world.gown_run, "Siobhán Ní Bhriain")
    page.reload()
    page.runs.select_code("GOWN-2027-01")
    page.tabs.setCurrentWidget(page.register_tab)
    grid = page.register_tab.view
    grid.setFocus()
    qtbot.keyClick(grid, Qt.Key.Key_L)
    assert main.statusBar().currentMessage().startswith("Late 10′ — type the minutes")
    qtbot.keyClick(grid, Qt.Key.Key_Delete)
    assert page.register_tab.model.index(0, 0).data() == ""
    assert page.dialog is None
    qtbot.keyClick(grid, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    assert isinstance(page.dialog, EnrolTraineesDialog)
    page.dialog.reject()
    main.close()
