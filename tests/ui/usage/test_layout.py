"""The window at a hub coordinator's 1366×768 laptop (and a large monitor): every page's main
actions are on screen without scrolling, and the columns that say what a row is — codes,
names, titles, references — show their whole text while numbers stay narrow."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QRect, QSize
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QTableView

from tests.helpers.user import click_row, elided_cells, fully_visible
from tests.ui.usage.test_selection import page
from trainer_app.ui.columns import ColumnRole, share_width
from trainer_app.ui.main_window import MainWindow, first_geometry
from trainer_app.ui.record_table import RecordTable

RECORD_PAGES = ("Network", "Trainers", "Courses", "Cohorts & trainees", "Audit")


def key_columns(table: RecordTable) -> list[int]:
    return [c for c, role in enumerate(table.columns.roles) if role.key]


@pytest.mark.parametrize("title", RECORD_PAGES)
def test_key_columns_show_their_whole_text(qtbot, demo_window, title) -> None:
    shown = page(demo_window, title)
    for table in shown.tables:
        assert key_columns(table), f"{table.name} has no key column"
        for column in key_columns(table):
            assert elided_cells(table.view, column) == [], (table.name, column)


@pytest.mark.parametrize("title", RECORD_PAGES)
def test_the_page_actions_are_on_screen(qtbot, demo_window, title) -> None:
    shown = page(demo_window, title)
    for table in shown.tables:
        click_row(table.view, 0, 0)
        for button in table.buttons:
            assert fully_visible(button), button.text()
        assert fully_visible(table.filter_box)


def numbers_are_narrow(view: QTableView, numeric: list[int]) -> None:
    metrics = view.horizontalHeader().fontMetrics()
    for column in numeric:
        title = str(view.model().headerData(column, view.horizontalHeader().orientation()))
        assert view.columnWidth(column) <= metrics.horizontalAdvance(title) + 60, title


def test_numbers_stay_narrow_and_the_rest_goes_to_text(qtbot, demo_window) -> None:
    courses = page(demo_window, "Courses").tables[0]
    numeric = [c for c, role in enumerate(courses.columns.roles) if role.numeric]
    assert numeric
    numbers_are_narrow(courses.view, numeric)
    facilities = page(demo_window, "Network").tables[1]
    last = facilities.model.columnCount() - 1
    assert facilities.columns.roles[last].numeric  # capacity, at the far right
    numbers_are_narrow(facilities.view, [last])


def test_runs_list_shows_whole_run_codes_and_dates(qtbot, demo_window) -> None:
    runs = page(demo_window, "Runs & enrolment")
    view = runs.runs.view
    click_row(view, 0, 0)
    assert elided_cells(view, 0) == []  # GOWN-2026-01, not GOWN-202…
    assert elided_cells(view, 1) == []  # the dates
    results = runs.results_tab
    runs.tabs.setCurrentWidget(results)
    qtbot.waitUntil(lambda: results.view.viewport().width() > 300)  # laid out once shown
    completion = results.view.model().columnCount() - 1
    assert results.view.horizontalScrollBar().maximum() == 0  # all of it in view
    width = results.view.columnWidth(completion)
    assert width >= results.view.fontMetrics().horizontalAdvance("✓ 30 Sep 2026") + 12


def test_the_runs_pages_actions_are_on_screen_with_a_run_open(qtbot, laptop_window) -> None:
    runs = page(laptop_window, "Runs & enrolment")
    click_row(runs.runs.view, 0, 0)
    for button in (runs.roster_tab.enrol_button, runs.roster_tab.cohort_button):
        assert fully_visible(button)
    assert fully_visible(runs.runs.filter_box)


def test_certificates_and_records_actions_are_on_screen(qtbot, laptop_window) -> None:
    for title in ("Certificates", "Records & matrix"):
        shown = page(laptop_window, title)
        buttons = [b for b in shown.findChildren(QAbstractButton) if b.isVisible()]
        assert buttons
        for button in buttons:
            if button.objectName().startswith("qt_") or not button.text():
                continue  # scroll arrows and the like
            assert fully_visible(button), (title, button.text())
        for field in shown.findChildren(QLineEdit):
            if field.isVisible() and field.accessibleName():
                assert fully_visible(field), (title, field.accessibleName())


def test_a_column_share_never_cuts_a_key_column() -> None:
    roles = [ColumnRole(key=True), ColumnRole(), ColumnRole(numeric=True), ColumnRole()]
    assert share_width([200, 300, 60, 250], roles, 500) == [200, 120, 60, 120]
    # room to spare: to the text columns, none to the number
    assert share_width([100, 100, 60, 100], roles, 460)[2] == 60
    optional = [ColumnRole(key=True), ColumnRole(key=True), ColumnRole(optional=True)]
    assert share_width([300, 300, 200], optional, 610) == [305, 305, 0]


def test_the_first_window_fills_a_laptop_and_sits_centred_on_a_monitor() -> None:
    laptop = QRect(0, 0, 1366, 740)
    assert first_geometry(laptop) == laptop
    monitor = QRect(0, 0, 2560, 1400)
    shown = first_geometry(monitor)
    assert shown.size() == QSize(1400, 900)
    assert monitor.contains(shown) and shown.center() == monitor.center()


def test_the_window_opens_within_a_laptop_screen(tmp_path: Path) -> None:
    """A fresh start (no saved layout) on a real 1366×768 screen, in a process of its own."""
    screens = tmp_path / "screens.json"
    screens.write_text(
        json.dumps({"screens": [{"name": "laptop", "width": 1366, "height": 768}]}),
        encoding="utf-8",
    )
    script = (
        "import sys\n"
        "from PySide6.QtWidgets import QApplication\n"
        "app = QApplication(['trainer', '-platform', f'offscreen:configfile={sys.argv[1]}'])\n"
        "from trainer_app.config import Settings\n"
        "from trainer_app.services.context import ServiceContext\n"
        "from trainer_app.ui.app import create_main_window\n"
        "from pathlib import Path\n"
        "database, data = Path(sys.argv[2]), sys.argv[3]\n"
        "settings = Settings.resolve(database, environ={'TRAINER_APP_DATA_DIR': data})\n"
        "with ServiceContext.open(settings) as context:\n"
        "    window = create_main_window(context)\n"
        "    window.show()\n"
        "    app.processEvents()\n"
        "    g, m = window.frameGeometry(), window.minimumSizeHint()\n"
        "    print(g.width(), g.height(), m.width(), m.height(), window.isMaximized())\n"
        "    window.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(screens), str(tmp_path / "t.db"), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    width, height, min_width, min_height, maximised = result.stdout.split()
    assert int(width) <= 1366 and int(height) <= 768
    assert int(min_width) <= 1366 and int(min_height) <= 700
    assert maximised == "True"


def test_every_record_page_fits_without_sideways_scrolling_at_a_laptop(
    qtbot, laptop_window: MainWindow
) -> None:
    for title in RECORD_PAGES:
        for table in page(laptop_window, title).tables:
            bar = table.view.horizontalScrollBar()
            assert bar.maximum() == 0, f"{title}: {table.name} scrolls sideways"


def test_the_audit_trail_fits_a_laptop_without_scrolling_sideways(qtbot, laptop_window) -> None:
    shown = page(laptop_window, "Audit")
    audit = shown.tables[0]
    click_row(audit.view, 0, 0)
    assert audit.view.horizontalScrollBar().maximum() == 0
    reason = [c for c in range(audit.model.columnCount()) if audit.columns.roles[c].optional]
    assert reason and audit.view.isColumnHidden(reason[0])
    assert "Reason" in shown.details.toPlainText()  # the details panel shows it whole
