"""The timeline: rows per mode, the shown week, drag-to-drop targets, selection and zoom."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from PySide6.QtCore import QPoint, Qt

from tests.ui import test_plan_scenario as fx
from trainer_app.scheduling.scenario import Lock
from trainer_app.ui.plan.timeline import Drop, TimelineView


@pytest.fixture
def timeline(qtbot) -> TimelineView:
    view = TimelineView()
    qtbot.addWidget(view)
    view.set_plan(fx.scenario(), fx.plan())
    view.resize(view.sizeHint())
    view.show()
    qtbot.waitExposed(view)
    return view


def shown(view: TimelineView) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {row.key: [] for row in view.layout_.rows}
    for block in view.layout_.blocks:
        rows[view.layout_.rows[block.row].key].append(view.block_text(block))
    return {key: sorted(texts) for key, texts in rows.items()}


def test_rows_by_trainer_show_the_first_busy_week(timeline) -> None:
    assert timeline.label == "Week 2 · 11–15 Jan 2027"
    assert shown(timeline) == {
        "T01": [
            "ASEP-2027-01 · 1/3",
            "ASEP-2027-01 · 2/3",
            "GOWN-2027-01 · 1/2",
            "GOWN-2027-01 · 2/2",
        ],
        "T02": [],
        "T03": ["GMP-2027-01 · 1/1"],
    }


def test_rows_by_facility_hub_and_cohort(timeline) -> None:
    timeline.set_mode("facility")
    assert shown(timeline)["LON-CR1"][0] == "ASEP-2027-01 · 1/3"
    assert shown(timeline)["LON-SR1"] == []
    timeline.set_mode("hub")
    assert [len(texts) for texts in shown(timeline).values()] == [4, 1]  # London, Leeds
    timeline.set_mode("cohort")
    assert shown(timeline) == {
        "MSC-2027": [
            "ASEP-2027-01 · 1/3",
            "ASEP-2027-01 · 2/3",
            "GOWN-2027-01 · 1/2",
            "GOWN-2027-01 · 2/2",
        ],
        "": ["GMP-2027-01 · 1/1"],
    }
    assert timeline.layout_.rows[-1].label == "Without a cohort"


def test_overlapping_sessions_in_a_hub_take_separate_lanes(timeline) -> None:
    timeline.set_mode("hub")
    london = timeline.layout_.rows[0]
    assert london.lanes == 1
    clash = fx.plan([*fx.ASSIGNMENTS, ("GMP-2027-01", 0, 1, 1, "LON-SR1", "T02")])
    timeline.set_plan(fx.scenario(), clash)
    assert timeline.layout_.rows[0].lanes == 2


def test_week_navigation(qtbot, timeline) -> None:
    with qtbot.waitSignal(timeline.week_changed) as changed:
        timeline.next_week()
    assert changed.args == ["Week 3 · 18–22 Jan 2027"]
    assert shown(timeline)["T01"] == ["ASEP-2027-01 · 3/3"]
    timeline.next_week()  # there is no later week
    assert timeline.week == 1
    qtbot.keyClick(timeline, Qt.Key.Key_PageUp)
    assert timeline.week == 0
    timeline.this_week(date(2027, 1, 19))
    assert timeline.week == 1
    timeline.this_week(date(2026, 6, 1))  # before the horizon: its first week
    assert timeline.week == 0


def test_click_selects_and_arrows_step_through_sessions(qtbot, timeline) -> None:
    rect = timeline.rect_of(("ASEP-2027-01", 0))
    assert rect is not None
    with qtbot.waitSignal(timeline.selection_changed) as selected:
        qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [("ASEP-2027-01", 0)]
    qtbot.keyClick(timeline, Qt.Key.Key_Right)
    assert timeline.selected == ("ASEP-2027-01", 1)
    qtbot.mouseClick(timeline, Qt.MouseButton.LeftButton, pos=QPoint(5, timeline.height() - 2))
    assert timeline.selected is None


def drag(qtbot, view: TimelineView, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(view, (start + end) / 2)
    qtbot.mouseMove(view, end)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=end)


def test_drag_requests_a_move_to_the_slot_and_row_under_the_mouse(qtbot, timeline) -> None:
    rect = timeline.rect_of(("GOWN-2027-01", 1))
    assert rect is not None
    target = timeline.slot_point("T02", 3, 2)
    with qtbot.waitSignal(timeline.move_requested) as moved:
        drag(qtbot, timeline, rect.center(), target)
    assert moved.args == [Drop(("GOWN-2027-01", 1), 3, 2, "T02")]
    assert timeline.drop is None  # nothing moves until the page accepts


def test_drag_in_hub_mode_keeps_the_row_and_a_long_session_inside_its_day(qtbot, timeline) -> None:
    timeline.set_mode("hub")
    rect = timeline.rect_of(("ASEP-2027-01", 0))
    assert rect is not None
    target = timeline.slot_point("LDS", 4, 3)  # last period: a 2-period session starts at 2
    with qtbot.waitSignal(timeline.move_requested) as moved:
        drag(qtbot, timeline, rect.topLeft() + QPoint(4, 4), target)
    assert moved.args == [Drop(("ASEP-2027-01", 0), 4, 2, None)]


def test_locked_and_conflicting_sessions_are_marked(timeline) -> None:
    locked = fx.scenario()
    locked = dataclasses.replace(locked, locked=(Lock("GOWN-2027-01", 0, 0, 0),))
    timeline.set_plan(locked, fx.plan(), violations={("ASEP-2027-01", 0)})
    block = next(b for b in timeline.layout_.blocks if b.assignment.key == ("GOWN-2027-01", 0))
    assert "Locked" in timeline.tooltip(block)
    block = next(b for b in timeline.layout_.blocks if b.assignment.key == ("ASEP-2027-01", 0))
    tip = timeline.tooltip(block)
    assert (
        "Breaks a hard rule" in tip
        and "Session 1 of 3" in tip
        and "Tue 12 Jan 2027 09:00–13:30" in tip
    )
    assert timeline.grab().width() > 0  # paints without warnings


def test_zoom_widens_periods_within_limits(timeline) -> None:
    width = timeline.minimumWidth()
    timeline.zoom(2)
    assert timeline.minimumWidth() > width
    for _ in range(20):
        timeline.zoom(0.5)
    assert timeline.period_width == 18
