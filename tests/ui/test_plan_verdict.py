"""What the Plan page says of a plan's quality: its cost with how far it can be from the best
possible, an honest status for every run it leaves out, and that the window never checks a plan
on its GUI thread (the planning services do, in the background)."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.helpers import builders
from tests.ui import test_plan_scenario as fx
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRunFields
from trainer_app.scheduling import checker, synthetic
from trainer_app.scheduling.scenario import Plan, Scenario, UnplacedRun, Verdict
from trainer_app.services.context import ServiceContext
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.table_model import ID_ROLE

WEEK = (date(2027, 1, 11), date(2027, 1, 15))


@pytest.fixture
def store(context: ServiceContext) -> ServiceContext:
    """One hub, one classroom, a trainer for GMP-FUND (two runs) and nobody for QRM."""
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    gmp = builders.course(context, "GMP-FUND", title="GMP fundamentals")
    qrm = builders.course(context, "QRM", title="Quality risk management")
    builders.trainer(context, hub.id, "Dr Amara Okafor", gmp)
    for code, course in (
        ("GMP-FUND-2027-01", gmp),
        ("GMP-FUND-2027-02", gmp),
        ("QRM-2027-01", qrm),
    ):
        context.runs.create(
            CourseRunFields(code=code, course_id=course.id, attendees=10, hub_id=hub.id)
        )
    return context


@pytest.fixture
def page(qtbot, window, store: ServiceContext, answers) -> PlanPage:
    window.resize(1366, 768)
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage)))
    plan_page = window.page
    assert isinstance(plan_page, PlanPage)
    plan_page.controls.set_dates(*WEEK)
    plan_page.controls.time_limit.setValue(2)
    return plan_page


def with_verdicts(scenario: Scenario, **options: Any) -> Plan:
    """The real planner, giving its verdict on the run it leaves out as it is to (another part
    of the planner's work fills ``unplaced``)."""
    from trainer_app.scheduling.solver import solve

    plan = solve(scenario, **options)
    return replace(
        plan,
        unplaced=(
            UnplacedRun(
                "QRM-2027-01",
                Verdict.CANNOT_BE_PLACED,
                "no trainer is qualified for QRM (Quality risk management)",
                suggestions=("qualify a trainer for QRM",),
            ),
        ),
    )


def plan_now(qtbot, page: PlanPage) -> int:
    """Click Plan as a person does and wait for the new draft to be shown."""
    before = page.plan_id
    qtbot.mouseClick(page.controls.plan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not page.worker.running and page.plan_id not in (None, before), timeout=30_000
    )
    assert page.plan_id is not None
    return page.plan_id


def shown_text(page: PlanPage) -> str:
    return " ".join(page.details.toPlainText().split())


def test_a_run_that_cannot_be_placed_says_so_with_its_proof(
    qtbot, page: PlanPage, store: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.planning, "solve", with_verdicts)
    plan_id = plan_now(qtbot, page)
    text = shown_text(page)
    assert "Partial plan: some runs are left out · 2 of 3 sessions placed" in text
    assert "no bound while runs are left out" in text
    assert "Left out: 1 run(s)" in text
    assert (
        "QRM-2027-01: Cannot be placed: no trainer is qualified for QRM (Quality risk "
        "management) Try: qualify a trainer for QRM" in text
    )
    assert "not placed within the time given" not in text.lower()
    message = page.window().statusBar().currentMessage()
    assert "saved as a draft · 2 of 3 sessions placed · cost " in message
    saved = store.planning.get_plan(plan_id)[2]
    assert [u.offering for u in saved.unplaced] == ["QRM-2027-01"]


def test_a_run_not_placed_in_time_says_what_competes_and_what_to_try(qtbot, page) -> None:
    scenario = fx.scenario()
    plan = fx.plan([a for a in fx.ASSIGNMENTS if a[0] != "GMP-2027-01"])
    plan = replace(
        plan,
        unplaced=(
            UnplacedRun(
                "GMP-2027-01",
                Verdict.NOT_PLACED_IN_TIME,
                "every GMP slot in its window was taken when time ran out",
                competing=("ASEP-2027-01", "GOWN-2027-01"),
                suggestions=("more time", "a wider window", "another trainer"),
            ),
        ),
    )
    page.show_plan(page.context.planning.check_plan(scenario, plan))
    text = shown_text(page)
    assert (
        "GMP-2027-01: Not placed within the time given: every GMP slot in its window was "
        "taken when time ran out" in text
    )
    assert "Competes with ASEP-2027-01 and GOWN-2027-01 for trainers, rooms" in text
    assert "Try: more time; a wider window; another trainer" in text
    assert "Cannot be placed" not in text


def test_a_partial_plan_from_before_verdicts_shows_its_explanation(qtbot, page) -> None:
    scenario = fx.scenario()
    plan = fx.plan([a for a in fx.ASSIGNMENTS if a[0] != "GMP-2027-01"])
    plan = replace(plan, explanation=("GMP-2027-01: no slot satisfies all the hard rules",))
    page.show_plan(page.context.planning.check_plan(scenario, plan))
    text = shown_text(page)
    assert "Left out: 1 run(s) GMP-2027-01: 1 session(s) not placed" in text
    assert "Why GMP-2027-01: no slot satisfies all the hard rules" in text


def test_the_cost_says_how_far_it_can_be_from_the_best_possible(
    qtbot, page: PlanPage, store: ServiceContext
) -> None:
    qrm = next(r.id for r in store.runs.list() if r.code == "QRM-2027-01")
    tree = page.controls.runs.tree
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        if int(item.data(0, ID_ROLE)) == qrm:
            item.setCheckState(0, Qt.CheckState.Unchecked)
    plan_now(qtbot, page)
    text = shown_text(page)
    assert "Best possible plan · 2 of 2 sessions placed · total cost" in text
    assert ", proven best" in text

    checked = page.context.planning.check_plan(fx.scenario(), fx.plan())
    total = checked.plan.cost["total"]
    bounded = replace(checked.plan, solver={"lower_bound": total * 0.8})
    page.show_plan(page.context.planning.check_plan(fx.scenario(), bounded))
    assert "at most 25 % above the best possible" in shown_text(page)
    page.show_plan(checked)
    assert f"total cost {total:g}, no bound yet" in shown_text(page)


def test_the_gui_thread_never_runs_the_checker(
    qtbot, page: PlanPage, store: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every check (whole plans, moves, free slots) builds a checker Placement: none of them
    on the GUI thread, whether planning, opening a saved plan, dragging a session, asking where
    it could go, or showing a 1 500-session term."""
    large = synthetic.generate_with_plan(1500, 1)
    large_checked = page.context.planning.check_plan(*large)  # the test's own, beforehand
    threads: list[bool] = []
    real = checker.Placement.__init__

    def watched(self: Any, *args: Any, **kwargs: Any) -> None:
        threads.append(threading.current_thread() is threading.main_thread())
        real(self, *args, **kwargs)

    monkeypatch.setattr(checker.Placement, "__init__", watched)
    first = plan_now(qtbot, page)
    plan_now(qtbot, page)
    page.versions.setCurrentIndex(page.versions.findData(first))
    page.versions.activated.emit(page.versions.currentIndex())  # the first draft, chosen
    qtbot.waitUntil(lambda: page.plan_id == first and not page.opener.running)

    timeline = page.timeline
    qtbot.keyClick(timeline, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)  # whole week
    assert page.plan is not None
    moved = page.plan.assignments[0]
    taken = {(a.day, a.period) for a in page.plan.assignments}
    day = next(d for d in range(1, 5) if (d, 0) not in taken)  # a free morning that week
    rect = timeline.rect_of(moved.key)
    assert rect is not None
    target = timeline.slot_point(moved.trainer, day, 0)
    with qtbot.waitSignal(page.plan_changed):
        qtbot.mousePress(timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseMove(timeline.viewport(), target - QPoint(10, 0))
        qtbot.mouseMove(timeline.viewport(), target)
        qtbot.mouseRelease(timeline.viewport(), Qt.MouseButton.LeftButton, pos=target)
    assert page.window().statusBar().currentMessage().startswith("Moved GMP-FUND-2027-0")
    now = next(a for a in page.plan.assignments if a.key == moved.key)
    assert (now.day, now.period) == (day, 0)
    timeline.select(moved.key)
    qtbot.keyClick(timeline, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: page.candidates.tree.topLevelItemCount() > 0)

    checks = len(threads)
    page.show_plan(large_checked)
    assert len(page.timeline.layout_.blocks) > 0
    assert len(threads) == checks  # showing a plan checks nothing
    assert threads and not any(threads)  # checked often, never on the GUI thread
