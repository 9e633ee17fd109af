"""The Plan page end to end on the demo store: plan, lock, re-plan, compare, publish."""

from __future__ import annotations

from datetime import date

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from trainer_app.config import Settings
from trainer_app.domain.access import Actor, Role
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.app import create_main_window
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.table_model import ID_ROLE


def click_button(qtbot, page: PlanPage, text: str) -> None:
    """Click ``text`` in the message box open over the page."""
    box = page.dialog
    assert isinstance(box, QMessageBox) and box.isVisible()
    button = next(b for b in box.buttons() if b.text() == text)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not box.isVisible())


def plan_page(window) -> PlanPage:
    """Go to the Plan page as the navigation does; the page shown."""
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage))
    window.show_page(index)
    page = window.page
    assert isinstance(page, PlanPage)
    return page


@pytest.fixture
def demo(context: ServiceContext) -> ServiceContext:
    build_demo(context, trainees=20, history=False)
    return context


def test_plan_lock_replan_compare_and_publish(qtbot, window, demo, answers) -> None:
    page = plan_page(window)
    page.controls.set_dates(date(2027, 1, 4), date(2027, 3, 31))
    page.reload()
    runs = page.controls.runs
    wanted = {r.id for r in demo.runs.list() if r.code.startswith(("GOWN", "GMP-FUND"))}
    for row in range(runs.tree.topLevelItemCount()):
        item = runs.tree.topLevelItem(row)
        keep = int(item.data(0, ID_ROLE)) in wanted
        item.setCheckState(0, Qt.CheckState.Checked if keep else Qt.CheckState.Unchecked)
    page.controls.time_limit.setValue(3)
    assert set(runs.checked_ids()) == wanted

    before = page.plan_id
    page.controls.plan_button.click()
    qtbot.waitUntil(
        lambda: not page.worker.running and page.plan_id not in (None, before), timeout=30_000
    )
    assert page.checked is not None and page.checked.valid
    first_id = page.plan_id
    assert first_id is not None
    assert len(demo.planning.list_plans()) == 1

    key = page.plan.assignments[0].key
    page.timeline.select(key)
    page.toggle_lock(key)
    _version, stored, _plan = demo.planning.get_plan(first_id)
    assert [(lock.offering, lock.session) for lock in stored.locked] == [key]
    locked_at = next(a for a in page.plan.assignments if a.key == key)

    page.replan()
    qtbot.waitUntil(lambda: not page.worker.running and page.plan_id != first_id, timeout=30_000)
    again = next(a for a in page.plan.assignments if a.key == key)
    assert (again.day, again.period, again.facility) == (
        locked_at.day,
        locked_at.period,
        locked_at.facility,
    )
    assert len(demo.planning.list_plans()) == 2

    page.compare()
    assert page.compare_dialog.isVisible()
    page.compare_dialog.close()

    qtbot.mouseClick(page.publish_button, Qt.MouseButton.LeftButton)
    click_button(qtbot, page, "Publish")
    assert not page.publish_button.isEnabled()  # while it publishes, off the GUI thread
    qtbot.waitUntil(lambda: not page.publisher.running)
    published = [v for v in demo.planning.list_plans() if v.status == "published"]
    assert [v.id for v in published] == [page.plan_id]
    assert not answers  # nothing went wrong
    sessions = demo.planning.published_sessions(date(2027, 1, 1), date(2027, 12, 31))
    assert len(sessions) == len(page.plan.assignments)
    assert "Published" in window.statusBar().currentMessage()


def test_dates_start_on_the_term_the_runs_cover(qtbot, window, demo) -> None:
    """A new user's first Plan should place every demo run, so the dates fit the runs."""
    runs = demo.runs.list()
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage))
    window.show_page(index)
    assert window.page.controls.dates() == (
        min(r.earliest for r in runs if r.earliest),
        max(r.latest for r in runs if r.latest),
    )
    window.page.controls.set_dates(date(2027, 2, 1), date(2027, 2, 26))
    window.show_page(0)
    window.show_page(index)  # the user's own dates are kept
    assert window.page.controls.dates() == (date(2027, 2, 1), date(2027, 2, 26))


def test_published_runs_are_listed_but_not_checked_to_plan(qtbot, window, context) -> None:
    build_demo(context, trainees=20)  # with the autumn term published
    page = plan_page(window)
    checked = set(page.controls.runs.checked_ids())
    runs = context.runs.list()
    assert checked == {r.id for r in runs if r.status.value == "draft"}
    assert page.controls.runs.tree.topLevelItemCount() == len(runs)
    assert page.controls.dates()[0] == date(2027, 1, 11)  # the term still to plan


def test_closing_the_window_while_planning_leaves_no_message_behind(
    qtbot, demo: ServiceContext, settings: Settings, monkeypatch
) -> None:
    """A London coordinator plans every hub's runs and closes the window at once: the planner
    stops, and the store's refusal to save a plan of other hubs' runs reaches nobody, so it
    must not open a message box over a window that is gone (the app would wait on it for
    ever: a random-use run hung there)."""
    boxes: list[tuple[str, str]] = []
    monkeypatch.setattr(
        QMessageBox,
        "warning",
        staticmethod(lambda _parent, title, text, *_: boxes.append((title, text)) or 0),
    )
    london = next(h for h in demo.hubs.list() if h.code == "LON")
    actor = Actor(
        "rhiannon", "Rhiannon Pryce", Role.COORDINATOR, frozenset({london.id}), hub_codes=("LON",)
    )
    with ServiceContext.open(settings, actor=actor) as context:
        window = create_main_window(context)
        qtbot.addWidget(window)
        window.show()
        page = plan_page(window)
        page.controls.set_dates(date(2027, 1, 4), date(2027, 3, 31))
        page.reload()
        page.controls.time_limit.setValue(30)
        qtbot.mouseClick(page.controls.plan_button, Qt.MouseButton.LeftButton)
        assert page.worker.running
        window.close()
        qtbot.wait(500)  # the planner's answer, queued as it stopped, is delivered now
        assert not page.worker.running
        assert boxes == []
        assert "not saved" in window.statusBar().currentMessage()  # said, not shown in a box
