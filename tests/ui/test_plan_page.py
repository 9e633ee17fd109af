"""The Plan page on a hand-built scenario: drag checks, locks, candidates, background solving."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.helpers import builders
from tests.ui import test_plan_scenario as fx
from tests.ui.conftest import find
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRunFields, PlanStatus, PlanVersion
from trainer_app.scheduling import moves
from trainer_app.scheduling.scenario import Plan, scenario_from_dict
from trainer_app.services.planning import MadePlan
from trainer_app.services.planning_run import SolveOptions
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.plan.timeline import Drop
from trainer_app.ui.plan.worker import PlanWorker


@pytest.fixture
def page(qtbot, window, answers) -> PlanPage:
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage))
    window.show_page(index)
    plan_page = window.page
    assert isinstance(plan_page, PlanPage)
    return plan_page


@pytest.fixture
def shown(page) -> PlanPage:
    page.show_plan(page.context.planning.check_plan(fx.scenario(), fx.plan()))
    return page


def move(qtbot, page: PlanPage, drop: Drop) -> None:
    """Drop a session and wait for the checker's answer (from the background)."""
    page.move_session(drop)
    settled(qtbot, page)


def settled(qtbot, page: PlanPage) -> None:
    qtbot.waitUntil(lambda: not page.mover.running and not page.finder.running)


def placed(page: PlanPage, key: tuple[str, int]) -> tuple[int, int, str, str]:
    assert page.plan is not None
    a = next(a for a in page.plan.assignments if a.key == key)
    return (a.day, a.period, a.facility, a.trainer)


def test_empty_states_say_what_to_do_next(page) -> None:
    page.controls.set_dates(date(2027, 1, 11), date(2027, 4, 2))
    assert find(page, type(page.empty), "No plan").text() == (
        "No plan yet — choose dates and runs, then Plan"
    )
    assert page.controls.runs.empty.text() == "No runs in Spring 2027 yet — Add run…"
    page.controls.plan_button.click()
    assert "Check at least one run" in page.window().statusBar().currentMessage()


def test_a_drag_onto_a_busy_trainer_is_refused_and_nothing_changes(qtbot, shown) -> None:
    before = shown.plan
    move(qtbot, shown, Drop(("GOWN-2027-01", 1), 1, 0, "T01"))
    assert shown.plan is before
    message = shown.window().statusBar().currentMessage()
    assert message.startswith("Cannot move GOWN-2027-01 · 2/2 to Tue 12 Jan 2027 09:00:")


def test_a_drag_to_a_free_slot_moves_the_session_and_shows_the_cost_change(qtbot, shown) -> None:
    timeline = shown.timeline
    rect = timeline.rect_of(("GOWN-2027-01", 1))
    assert rect is not None
    target = timeline.slot_point("T01", 0, 3)
    with qtbot.waitSignal(shown.plan_changed):
        qtbot.mousePress(timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseMove(timeline.viewport(), target - QPoint(10, 0))
        qtbot.mouseMove(timeline.viewport(), target)
        qtbot.mouseRelease(timeline.viewport(), Qt.MouseButton.LeftButton, pos=target)
    assert placed(shown, ("GOWN-2027-01", 1)) == (0, 3, "LON-CR1", "T01")
    message = shown.window().statusBar().currentMessage()
    assert message.startswith("Moved GOWN-2027-01 · 2/2 to Mon 11 Jan 2027 15:30 · Cost +")
    assert "Avoid gaps for cohorts +" in message
    assert shown.edited and shown.save_button.isEnabled()

    window = shown.window()
    before = placed(shown, ("GOWN-2027-01", 1))
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert placed(shown, ("GOWN-2027-01", 1)) != before  # back where it was
    assert not shown.edited
    assert window.statusBar().currentMessage().startswith("Undone: Move GOWN-2027-01 · 2/2")
    again = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_Z, again)
    assert placed(shown, ("GOWN-2027-01", 1)) == before
    assert shown.edited


def test_ctrl_l_locks_and_unlocks_the_selected_session(qtbot, shown) -> None:
    key = ("ASEP-2027-01", 0)
    shown.timeline.select(key)
    shown.timeline.setFocus()
    qtbot.keyClick(shown.timeline, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert shown.scenario is not None and key in shown.scenario.lock_by_session
    assert not shown.move_session(Drop(key, 3, 0, "T01"))
    assert "is locked — unlock it first" in shown.window().statusBar().currentMessage()
    qtbot.keyClick(shown.timeline, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert key not in shown.scenario.lock_by_session


def test_alt_arrows_move_the_selected_session_with_the_same_checks(qtbot, shown) -> None:
    key = ("GOWN-2027-01", 1)  # Mon 11:00; ASEP, which must follow it, starts Tue 09:00
    shown.timeline.select(key)
    shown.timeline.setFocus()
    alt = Qt.KeyboardModifier.AltModifier
    status = shown.window().statusBar()
    qtbot.keyClick(shown.timeline, Qt.Key.Key_Down, alt)
    settled(qtbot, shown)
    assert placed(shown, key) == (0, 2, "LON-CR1", "T01")
    assert status.currentMessage().startswith("Moved GOWN-2027-01 · 2/2 to Mon 11 Jan 2027 13:30")
    qtbot.keyClick(shown.timeline, Qt.Key.Key_Right, alt)  # Tue: after ASEP has begun
    settled(qtbot, shown)
    assert placed(shown, key) == (0, 2, "LON-CR1", "T01")
    assert status.currentMessage().startswith("Cannot move GOWN-2027-01 · 2/2 to Tue 12 Jan")
    qtbot.keyClick(shown.timeline, Qt.Key.Key_Left, alt)
    assert (
        status.currentMessage() == "Cannot move GOWN-2027-01 · 2/2: it is on the plan's first day"
    )
    qtbot.keyClick(shown.timeline, Qt.Key.Key_Down, alt)
    settled(qtbot, shown)
    qtbot.keyClick(shown.timeline, Qt.Key.Key_Down, alt)
    settled(qtbot, shown)
    assert placed(shown, key) == (0, 3, "LON-CR1", "T01")
    assert status.currentMessage().endswith("it would run past the end of the day")
    qtbot.keyClick(shown.window(), Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert placed(shown, key) == (0, 2, "LON-CR1", "T01")


def test_a_run_published_with_another_plan_is_shown_but_cannot_be_moved(qtbot, page) -> None:
    data = fx.scenario_dict()
    data["offerings"].append(
        {
            "id": "GMP-2026-09",
            "course": "GMP",
            "sessions": 1,
            "attendees": 12,
            "trainer": "T03",
            "published": True,
        }
    )
    data["locked"] = [
        {
            "offering": "GMP-2026-09",
            "session": 0,
            "day": 2,
            "period": 0,
            "facility": "LDS-CR1",
            "trainer": "T03",
        }
    ]
    scenario = scenario_from_dict(data)
    plan = fx.plan([*fx.ASSIGNMENTS, ("GMP-2026-09", 0, 2, 0, "LDS-CR1", "T03")])
    page.show_plan(page.context.planning.check_plan(scenario, plan))
    key = ("GMP-2026-09", 0)
    block = next(b for b in page.timeline.layout_.blocks if b.assignment.key == key)
    assert "Published with another plan" in page.timeline.tooltip(block)
    assert "6 of 6 sessions placed, around 1 published" in page.details.toPlainText()
    status = page.window().statusBar()
    assert not page.move_session(Drop(key, 3, 0, None))
    assert status.currentMessage() == (
        "GMP-2026-09 · 1/1 is published with another plan and stays where it is; "
        "to move it, plan its run again"
    )
    page.timeline.select(key)
    page.timeline.setFocus()
    qtbot.keyClick(page.timeline, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier)
    assert page.scenario is not None and key in page.scenario.lock_by_session
    assert placed(page, key) == (2, 0, "LDS-CR1", "T03")


def test_where_could_this_go_lists_free_slots_and_applies_one(qtbot, shown) -> None:
    key = ("GMP-2027-01", 0)
    shown.timeline.select(key)
    qtbot.keyClick(shown.timeline, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    settled(qtbot, shown)
    tree = shown.candidates.tree
    assert tree.topLevelItemCount() > 0
    assert "Where could GMP-2027-01 · 1/1 go?" in shown.candidates.heading.text()
    first = tree.topLevelItem(0)
    assert first is not None
    chosen = first.data(0, Qt.ItemDataRole.UserRole + 1)
    with qtbot.waitSignal(shown.plan_changed):
        tree.itemActivated.emit(first, 0)
    assert placed(shown, key) == (chosen.day, chosen.period, chosen.facility, chosen.trainer)
    assert tree.topLevelItemCount() == 0


def test_a_move_to_another_week_brings_that_week_into_view(qtbot, shown) -> None:
    key = ("GMP-2027-01", 0)
    assert shown.timeline.label.startswith("Week 2")
    shown.timeline.select(key)
    found = moves.candidates(shown.scenario, shown.plan, *key, limit=500)
    later = next(c for c in found if c.day >= 5)  # the second week of the fixture
    with qtbot.waitSignal(shown.plan_changed):
        shown.apply_candidate(later)
    assert shown.timeline.label.startswith("Week 3 · 18–22 Jan")
    assert shown.timeline.rect_of(key) is not None
    assert shown.timeline.selected == key


def stub_solve(scenario, *, time_limit, workers, seed, on_progress, should_stop) -> Plan:
    """Reports progress until told to stop, then returns its best plan: the fixture's."""
    from trainer_app.scheduling.solver import Progress

    start = time.monotonic()
    cost = 20.0
    while not should_stop() and time.monotonic() - start < time_limit:
        cost = max(2.0, cost - 1)
        on_progress(Progress(time.monotonic() - start, cost, 0.0, 6, 6, "Improving"))
        time.sleep(0.02)
    return fx.plan()


def test_planning_runs_off_the_gui_thread_and_cancel_keeps_the_best_plan(
    qtbot, page, answers, monkeypatch
) -> None:
    saved: list[PlanVersion] = []

    def save_checked(name: str, checked) -> PlanVersion:
        scenario, plan = checked.scenario, checked.plan
        saved.append(
            PlanVersion(
                id=len(saved) + 1,
                row_version=1,
                name=name,
                status=PlanStatus.DRAFT,
                created_at=datetime.now(UTC),
                created_by="local",
                starts_on=scenario.calendar.days[0],
                ends_on=scenario.calendar.days[-1],
                hub_codes=(),
                cost_total=plan.cost.get("total"),
                solver_summary=plan.status,
            )
        )
        return saved[-1]

    # The fixture's runs are not in the store: the draft is "saved" here instead.
    monkeypatch.setattr(page.context.planning, "save_checked", save_checked)
    monkeypatch.setattr(page.context.planning, "list_plans", lambda: list(saved))
    monkeypatch.setattr(page.context.planning, "get_checked_plan", lambda _id: None)
    monkeypatch.setattr(page.context.planning, "solve", stub_solve)
    with qtbot.waitSignal(page.worker.signals.progress, timeout=3000):
        page.start_solve(fx.scenario(), time_limit=60)
        assert page.progress.isVisible() and not page.controls.plan_button.isEnabled()
    qtbot.waitUntil(lambda: len(page.progress.chart.costs) >= 3, timeout=3000)
    page.timeline.next_week()  # the GUI answers while the planner works
    with qtbot.waitSignal(page.plan_changed, timeout=5000):
        qtbot.mouseClick(page.progress.cancel_button, Qt.MouseButton.LeftButton)
    assert not page.progress.isVisible()
    assert page.plan is not None and len(page.plan.assignments) == 6
    assert page.plan_id is not None  # saved as a named draft
    assert page.versions.currentText().startswith("Draft: Spring 2027 · ")
    assert "saved as a draft" in page.window().statusBar().currentMessage()
    assert not answers  # nothing went wrong


def test_a_plan_that_cannot_be_saved_is_shown_with_the_reason(
    qtbot, page, answers, monkeypatch
) -> None:
    monkeypatch.setattr(page.context.planning, "solve", stub_solve)
    with qtbot.waitSignal(page.worker.signals.finished, timeout=5000):
        page.start_solve(fx.scenario(), time_limit=0.1)  # its runs are not in the store
    assert page.plan is not None and page.plan_id is None
    assert answers[-1][0] == "The plan could not be saved"
    assert "no longer exist" in answers[-1][1]
    assert "not saved" in page.window().statusBar().currentMessage()


def test_a_failing_planner_is_reported_in_words(qtbot, page, answers, monkeypatch) -> None:
    def broken(scenario, **options):
        raise RuntimeError("boom")

    monkeypatch.setattr(page.context.planning, "solve", broken)
    # Listen before starting: the failure can arrive at once from the worker thread.
    with qtbot.waitSignal(page.worker.signals.failed, timeout=3000):
        page.start_solve(fx.scenario(), time_limit=5)
    assert answers[-1][0] == "The planner could not make a plan"
    assert not page.worker.running


def test_worker_alone_reports_and_stops(qtbot) -> None:
    from trainer_app.services.planning_run import solve_and_check

    worker = PlanWorker()
    options = SolveOptions(time_limit=30)
    with qtbot.waitSignal(worker.signals.progress, timeout=3000):
        worker.start(
            lambda progress, stop: solve_and_check(
                fx.scenario(), options, on_progress=progress, should_stop=stop, solve=stub_solve
            )
        )
    with qtbot.waitSignal(worker.signals.finished, timeout=3000) as done:
        worker.cancel()
    assert isinstance(done.args[0].plan, Plan)
    assert worker.wait(1000)


def test_replanning_from_a_complete_plan_in_the_background_does_not_crash(qtbot, context) -> None:
    """CP-SAT reports a complete, feasible hint (a re-plan's previous plan) from the thread
    that called it; on a Qt pool thread that used to end the process with a segmentation
    fault."""
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    course = builders.course(context, "GMP-FUND")
    builders.trainer(context, hub.id, "Dr Amara Okafor", course)
    for code in ("GMP-FUND-2027-01", "GMP-FUND-2027-02"):
        context.runs.create(CourseRunFields(code=code, course_id=course.id, attendees=10))
    week = (date(2027, 1, 11), date(2027, 1, 15))
    scenario = context.planning.build_scenario(*week)
    worker = PlanWorker()
    options = SolveOptions(time_limit=2)
    with qtbot.waitSignal(worker.signals.finished, timeout=20_000) as done:
        worker.start(
            lambda progress, stop: context.planning.plan_scenario(
                scenario, options, on_progress=progress, should_stop=stop
            )
        )
    first = done.args[0]
    assert isinstance(first, MadePlan) and first.version is not None
    with qtbot.waitSignal(worker.signals.finished, timeout=20_000) as done:
        worker.start(
            lambda progress, stop: context.planning.replan(
                first.version.id, options, on_progress=progress, should_stop=stop
            )
        )
    again = done.args[0]
    assert isinstance(again, MadePlan) and len(again.checked.plan.assignments) == 2
    assert worker.wait(1000)
