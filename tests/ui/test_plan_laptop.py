"""The Plan page on the demo database at a laptop's 1366×768 (and 1400×900): the Plan button
and the plan's name in sight, run codes whole, the term at a glance with every run's code,
and leave, closures and bank holidays shaded with their reason."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from itertools import pairwise

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QWidget

from tests.ui.test_plan_timeline import hover, tooltips
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.services.planning_scenario import trainer_key
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.plan.layout import short_codes
from trainer_app.ui.plan.page import PlanPage

PLANNED = ("GOWN-2027", "GMP-FUND-2027", "CELL-VIA-2027", "ASEP-2027", "DOC-DI-2027")


@pytest.fixture
def demo(context: ServiceContext) -> ServiceContext:
    build_demo(context, trainees=20)  # the autumn published, the spring term to plan
    return context


def open_plan_page(window: MainWindow, size: tuple[int, int]) -> PlanPage:
    window.resize(*size)
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage)))
    page = window.page
    assert isinstance(page, PlanPage)
    return page


def plan_some_runs(qtbot, page: PlanPage) -> None:
    """Tick a few runs of different code lengths and press Plan, as a coordinator would."""
    tree = page.controls.runs.tree
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        assert item is not None
        wanted = item.text(0).startswith(PLANNED)
        item.setCheckState(0, Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    page.controls.time_limit.setValue(4)
    before = page.plan_id  # the page may open on a published plan
    qtbot.mouseClick(page.controls.plan_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(
        lambda: not page.worker.running and page.plan_id not in (None, before), timeout=30_000
    )


def fully_visible(widget: QWidget) -> bool:
    """Not scrolled or clipped out of sight by any parent."""
    return widget.isVisible() and widget.visibleRegion().boundingRect() == widget.rect()


@pytest.mark.parametrize("size", [(1366, 768), (1400, 900)])
def test_the_plan_button_runs_and_plan_name_are_in_sight(qtbot, window, demo, size) -> None:
    page = open_plan_page(window, size)
    assert fully_visible(page.controls.plan_button)
    assert fully_visible(page.controls.time_limit)
    tree = page.controls.runs.tree
    assert tree.topLevelItemCount() > 10
    code_width = tree.columnWidth(0)
    assert code_width >= tree.sizeHintForColumn(0)  # the longest code with its check box
    right = tree.header().sectionViewportPosition(0) + code_width
    assert right <= tree.viewport().width()  # the code column is not cut by the panel
    metrics = tree.fontMetrics()
    for row in range(tree.topLevelItemCount()):
        item = tree.topLevelItem(row)
        assert item is not None
        shown = tree.visualItemRect(item)
        assert metrics.horizontalAdvance(item.text(0)) < min(shown.width(), code_width)

    plan_some_runs(qtbot, page)
    selector = page.versions
    assert selector.currentText().startswith("Draft: Spring 2027 · ")
    assert fully_visible(selector)
    assert selector.width() >= selector.sizeHint().width()  # the whole name, not elided
    assert fully_visible(page.publish_button) and fully_visible(page.replan_button)


def test_week_blocks_name_their_run_at_1366(qtbot, window, demo) -> None:
    page = open_plan_page(window, (1366, 768))
    plan_some_runs(qtbot, page)
    timeline = page.timeline
    assert page.view == "week" and timeline.layout_.blocks
    assert page.scenario is not None
    short = short_codes(o.id for o in page.scenario.offerings)
    for block in timeline.layout_.blocks:
        code = block.assignment.offering
        rect = timeline.block_rect(block)
        text = timeline.fitting_text(block, rect.width() - 5)
        assert text in (timeline.block_text(block), code, short[code]), (code, text)


@tooltips
def test_the_term_at_a_glance_at_1366(qtbot, window, demo) -> None:
    page = open_plan_page(window, (1366, 768))
    plan_some_runs(qtbot, page)
    qtbot.mouseClick(page.term_button, Qt.MouseButton.LeftButton)
    term = page.term
    assert page.views.currentWidget() is term and page.term_button.isChecked()
    assert page.week_label.text() == "11 Jan – 26 Mar 2027"
    assert len(term.days.weeks) == 11

    # Every bar's code is written whole, inside the bar or beside it, clear of the next bar.
    metrics = term.fontMetrics()
    lanes: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for stretch in term.layout_.stretches:
        days = stretch.last - stretch.first + 1
        reach = term.reach(stretch.offering, days)
        assert metrics.horizontalAdvance(stretch.offering) < reach * term.day_width
        lanes[(stretch.row, stretch.lane)].append((stretch.first, stretch.first + reach))
    for spans in lanes.values():
        spans.sort()
        assert all(a[1] <= b[0] for a, b in pairwise(spans))

    # Leave, closures and bank holidays are shaded with their reason.
    kavanagh = next(t for t in demo.trainers.list() if t.name == "Dr Siobhán Kavanagh")
    assert hover(term, point(term, trainer_key(kavanagh.id), date(2027, 2, 17))) == ("Annual leave")
    good_friday = term.days.dates.index(date(2027, 3, 26))
    term.horizontalScrollBar().setValue(term.horizontalScrollBar().maximum())
    x = term.to_view(QRect(term.day_x(good_friday) + 2, 0, 1, 1)).x()
    assert hover(term, QPoint(x, term.header_height - 4)) == "Bank holiday: Good Friday"
    page.row_mode.setCurrentIndex(page.row_mode.findData("facility"))
    assert hover(term, point(term, "LON-CR2", date(2027, 2, 3))) == (
        "Closed: Shutdown for requalification"
    )

    # A double-click on a run opens its week in the week view, the session selected.
    page.row_mode.setCurrentIndex(page.row_mode.findData("trainer"))
    stretch = max(term.layout_.stretches, key=lambda s: s.first)  # late in the term
    term.show_session(stretch.key)
    rect = term.rect_of(stretch.key)
    assert rect is not None
    qtbot.mouseDClick(term.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert page.view == "week" and page.timeline.selected == stretch.key
    first = term.days.dates[stretch.first]
    assert page.week_label.text().startswith(f"Week {first.isocalendar().week} · ")
    assert page.timeline.rect_of(stretch.key) is not None
    qtbot.keyClick(page.timeline, Qt.Key.Key_T, Qt.KeyboardModifier.ControlModifier)
    assert page.view == "term" and term.selected == stretch.key


def point(term, row_key: str, day: date) -> QPoint:
    """The middle of ``row_key``'s row on ``day``, scrolled into view."""
    row = [r.key for r in term.rows].index(row_key)
    column = term.days.dates.index(day)
    cell = QRect(term.day_x(column), term.row_tops[row], term.day_width, term.lane_height)
    term.scroll_to(cell)
    return term.to_view(cell).center()
