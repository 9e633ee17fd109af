"""The timeline's week and term views: rows per mode, the shown week, drag-to-drop targets,
selection, zoom, a header and labels that stay put, and unavailable time with its reason."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from tests.ui import test_plan_scenario as fx
from trainer_app.domain.planning import Unavailability, Unavailable
from trainer_app.scheduling.scenario import Lock
from trainer_app.ui.plan.gantt import GanttView
from trainer_app.ui.plan.term import TermView
from trainer_app.ui.plan.timeline import Drop, TimelineView

LEAVE = Unavailable(
    Unavailability.TRAINER, "T02", date(2027, 1, 13), date(2027, 1, 14), "Annual leave"
)
CLOSED = Unavailable(
    Unavailability.FACILITY,
    "LON-SR1",
    date(2027, 1, 11),
    date(2027, 1, 22),
    "Closed: Grade B suite shutdown for requalification",
)


@pytest.fixture
def timeline(qtbot) -> TimelineView:
    view = TimelineView()
    qtbot.addWidget(view)
    view.set_plan(fx.scenario(), fx.plan(), unavailable=[LEAVE, CLOSED])
    view.resize(1200, 400)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture
def term(qtbot) -> TermView:
    view = TermView()
    qtbot.addWidget(view)
    view.set_plan(fx.scenario(), fx.plan(), unavailable=[LEAVE, CLOSED])
    view.resize(900, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def shown(view: TimelineView) -> dict[str, list[str]]:
    rows: dict[str, list[str]] = {row.key: [] for row in view.layout_.rows}
    for block in view.layout_.blocks:
        rows[view.layout_.rows[block.row].key].append(view.block_text(block))
    return {key: sorted(texts) for key, texts in rows.items()}


# Showing a tooltip raises its window, which the offscreen test platform cannot do (the
# marker replaces the one tests/ui/conftest.py adds, so it repeats its pattern).
tooltips = pytest.mark.qt_log_ignore(
    "This plugin does not support raise", "This plugin does not support propagateSizeHints"
)


def hover(view: GanttView, point: QPoint) -> str:
    """Rest the mouse at ``point`` of the view's viewport; the tooltip shown, if any (then
    closed, as moving the mouse away would)."""
    viewport = view.viewport()
    event = QHelpEvent(QEvent.Type.ToolTip, point, viewport.mapToGlobal(point))
    QApplication.sendEvent(viewport, event)
    text = QToolTip.text() if QToolTip.isVisible() else ""
    for label in QApplication.topLevelWidgets():
        if label.objectName() == "qtooltip_label":
            label.close()
    return text


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
        qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [("ASEP-2027-01", 0)]
    qtbot.keyClick(timeline, Qt.Key.Key_Right)
    assert timeline.selected == ("ASEP-2027-01", 1)
    empty = QPoint(timeline.viewport().width() - 5, timeline.viewport().height() - 2)
    qtbot.mouseClick(timeline.viewport(), Qt.MouseButton.LeftButton, pos=empty)
    assert timeline.selected is None


def drag(qtbot, view: TimelineView, start: QPoint, end: QPoint) -> None:
    viewport = view.viewport()
    qtbot.mousePress(viewport, Qt.MouseButton.LeftButton, pos=start)
    qtbot.mouseMove(viewport, (start + end) / 2)
    qtbot.mouseMove(viewport, end)
    qtbot.mouseRelease(viewport, Qt.MouseButton.LeftButton, pos=end)


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


def test_a_drag_works_the_same_when_the_week_is_scrolled(qtbot, timeline) -> None:
    timeline.resize(520, 120)  # narrower than the week, shorter than the rows
    qtbot.waitUntil(lambda: timeline.verticalScrollBar().maximum() > 0)
    timeline.horizontalScrollBar().setValue(timeline.day_width)  # Monday out of sight
    timeline.verticalScrollBar().setValue(timeline.verticalScrollBar().maximum())
    rect = timeline.rect_of(("GMP-2027-01", 0))  # T03's row, Tuesday
    assert rect is not None and timeline.viewport().rect().contains(rect.center())
    assert timeline.block_at(rect.center()) is not None
    target = timeline.slot_point("T03", 2, 3)
    assert timeline.viewport().rect().contains(target)
    with qtbot.waitSignal(timeline.move_requested) as moved:
        drag(qtbot, timeline, rect.center(), target)
    assert moved.args == [Drop(("GMP-2027-01", 0), 2, 3, "T03")]


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
    width = timeline.content_width
    timeline.zoom(2)
    assert timeline.content_width > width and not timeline.fitting
    for _ in range(20):
        timeline.zoom(0.5)
    assert timeline.period_width == 18
    timeline.fit()
    assert timeline.content_width <= timeline.body_width


def test_blocks_say_which_run_they_are_however_narrow(timeline) -> None:
    """The run's code, else a shorter form that still tells it apart (GOWN…01), else the
    start of the code: never only the course ("GO…")."""
    block = next(b for b in timeline.layout_.blocks if b.assignment.key == ("ASEP-2027-01", 0))
    metrics = timeline.block_metrics()
    for width, expected in (
        (400, "ASEP-2027-01 · 1/3"),
        (metrics.horizontalAdvance("ASEP-2027-01"), "ASEP-2027-01"),
        (metrics.horizontalAdvance("ASEP…01"), "ASEP…01"),
    ):
        assert timeline.fitting_text(block, width) == expected
    assert timeline.fitting_text(block, metrics.horizontalAdvance("ASEP…") + 2).startswith("ASEP")


def test_the_header_and_row_labels_stay_put_while_the_rows_scroll(qtbot, timeline) -> None:
    timeline.set_mode("facility")
    timeline.resize(600, 130)  # room for the header and one row
    qtbot.wait(10)
    header = QRect(0, 0, timeline.viewport().width(), timeline.header_height - 1)
    labels = QRect(0, 0, timeline.label_width - 1, timeline.viewport().height())
    before = timeline.viewport().grab()
    bar = timeline.verticalScrollBar()
    assert bar.maximum() > 0
    bar.setValue(bar.maximum())
    after = timeline.viewport().grab()
    assert after.copy(header).toImage() == before.copy(header).toImage()
    assert after.toImage() != before.toImage()  # the rows did move
    before = after
    timeline.horizontalScrollBar().setValue(timeline.horizontalScrollBar().maximum())
    after = timeline.viewport().grab()
    assert after.copy(labels).toImage() == before.copy(labels).toImage()
    assert after.copy(header).toImage() != before.copy(header).toImage()  # days moved along


@tooltips
def test_leave_and_closures_are_shaded_with_their_reason(qtbot, timeline) -> None:
    row = [r.key for r in timeline.layout_.rows].index("T02")
    assert timeline.shades[(row, 2)].reasons == ("Annual leave",)
    wednesday = timeline.slot_point("T02", 2, 1)
    assert hover(timeline, wednesday) == "Annual leave"
    assert hover(timeline, timeline.slot_point("T02", 0, 1)) == ""  # free on Monday
    timeline.set_mode("facility")
    closed = hover(timeline, timeline.slot_point("LON-SR1", 4, 3))
    assert closed == "Closed: Grade B suite shutdown for requalification"
    # A block says what it is, over any shading.
    rect = timeline.rect_of(("ASEP-2027-01", 0))
    assert rect is not None and "ASEP-2027-01" in hover(timeline, rect.center())


@tooltips
def test_a_bank_holiday_is_a_shaded_column_that_takes_no_session(qtbot) -> None:
    data = fx.scenario_dict()
    data["calendar"]["days"] = [d for d in fx.DAYS if d != "2027-01-13"]
    scenario = fx.scenario_from_dict(data)
    holiday = Unavailable(
        Unavailability.EVERYONE, "", date(2027, 1, 13), date(2027, 1, 13), "Bank holiday: Test"
    )
    view = TimelineView()
    qtbot.addWidget(view)
    view.set_plan(scenario, fx.plan(fx.ASSIGNMENTS[:2]), unavailable=[holiday])
    view.resize(1200, 300)
    view.show()
    qtbot.waitExposed(view)
    assert [d.day for d in view.layout_.dates] == [11, 12, 13, 14, 15]
    assert view.layout_.columns == (0, 1, None, 2, 3)
    column_x = view.to_view(QRect(view.day_x(2) + 5, 0, 1, 1)).x()
    assert hover(view, QPoint(column_x, view.header_height // 2)) == "Bank holiday: Test"
    assert hover(view, QPoint(column_x, view.header_height + 5)) == "Bank holiday: Test"
    rect = view.rect_of(("GOWN-2027-01", 0))
    assert rect is not None
    with (
        qtbot.assertNotEmitted(view.move_requested),
        qtbot.waitSignal(view.refused) as refused,
    ):
        drag(qtbot, view, rect.center(), QPoint(column_x, rect.center().y()))
    assert refused.args == ["Nothing can be planned on Wed 13 Jan 2027: Bank holiday: Test"]


# ----- the term ---------------------------------------------------------------------------------


def test_the_term_shows_every_week_with_each_runs_code_in_full(term) -> None:
    assert len(term.days.weeks) == 2
    bars = {(s.offering, s.first) for s in term.layout_.stretches}
    assert bars == {
        ("GOWN-2027-01", 0),
        ("ASEP-2027-01", 1),
        ("ASEP-2027-01", 5),
        ("GMP-2027-01", 1),
    }
    metrics = term.fontMetrics()
    for stretch in term.layout_.stretches:
        room = term.reach(stretch.offering, stretch.last - stretch.first + 1) * term.day_width
        assert metrics.horizontalAdvance(stretch.offering) < room
    asep = term.stretch_of(("ASEP-2027-01", 1))
    assert asep is not None
    tip = term.tooltip(asep)
    assert "<b>ASEP-2027-01</b>" in tip
    assert "Session 1/3: Tue 12 Jan 2027 09:00–13:30, LON-CR1, T01" in tip
    assert "Session 2/3: Wed 13 Jan 2027 09:00–13:30" in tip


def test_term_click_selects_and_double_click_or_enter_opens_the_week(qtbot, term) -> None:
    rect = term.rect_of(("ASEP-2027-01", 2))  # the bar of the second week
    assert rect is not None
    with qtbot.waitSignal(term.selection_changed) as selected:
        qtbot.mouseClick(term.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert selected.args == [("ASEP-2027-01", 2)]
    with qtbot.waitSignal(term.open_requested) as opened:
        qtbot.keyClick(term, Qt.Key.Key_Return)
    assert opened.args == [("ASEP-2027-01", 2)]
    rect = term.rect_of(("GOWN-2027-01", 0))
    assert rect is not None
    with qtbot.waitSignal(term.open_requested) as opened:
        qtbot.mouseDClick(term.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert opened.args == [("GOWN-2027-01", 0)]
    qtbot.keyClick(term, Qt.Key.Key_Right)
    assert term.selected == ("ASEP-2027-01", 0)


@tooltips
def test_the_term_shades_leave_and_holds_its_header(qtbot, term) -> None:
    row = [r.key for r in term.layout_.rows].index("T02")
    top = term.to_view(QRect(0, term.row_tops[row] + 4, 1, 1)).y()
    wednesday = term.to_view(QRect(term.day_x(2) + term.day_width // 2, 0, 1, 1)).x()
    assert hover(term, QPoint(wednesday, top)) == "Annual leave"
    assert hover(term, QPoint(wednesday, term.header_height // 2)) == ""
    term.zoom(4)
    bar = term.horizontalScrollBar()
    assert bar.maximum() > 0
    labels = QRect(0, 0, term.label_width - 1, term.viewport().height())
    before = term.viewport().grab()
    bar.setValue(bar.maximum())
    after = term.viewport().grab()
    assert after.copy(labels).toImage() == before.copy(labels).toImage()
