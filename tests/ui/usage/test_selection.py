"""A click on a row selects it: the details panel shows it, Edit and Delete come on, and the
list that depends on it follows. (The arrow keys always worked; the mouse did not.)"""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.helpers.user import click, click_row, key, row_of
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.pages.base import Page
from trainer_app.ui.record_table import RecordTable

PLACEHOLDER = "Select a row"


def page(window: MainWindow, title: str) -> Page:
    index = next(i for i, p in enumerate(window.pages) if p.title == title)
    click_row(window.navigation, index)
    assert window.page.title == title
    return window.page


def details(page: Page) -> str:
    return page.details.toPlainText()


def edit_and_delete(table: RecordTable) -> list[bool]:
    return [button.isEnabled() for button in table.buttons[1:]]


def test_a_click_on_a_hub_shows_it_and_narrows_the_facilities(qtbot, demo_window) -> None:
    network = page(demo_window, "Network")
    hubs, facilities = network.tables
    everything = facilities.model.rowCount()
    assert PLACEHOLDER in details(network)
    assert edit_and_delete(hubs) == [False, False]

    row = row_of(hubs.view, "SHF")
    click_row(hubs.view, row, 1)

    assert "Sheffield" in details(network)
    assert edit_and_delete(hubs) == [True, True]
    assert 0 < facilities.model.rowCount() < everything
    shown = {facilities.model.index(r, 0).data() for r in range(facilities.model.rowCount())}
    assert all(code.startswith("SHF") for code in shown)

    click_row(facilities.view, 0, 1)
    assert facilities.model.index(0, 0).data() in details(network)
    assert edit_and_delete(facilities) == [True, True]


def test_a_click_on_a_trainer_then_edit_opens_that_trainer(qtbot, demo_window) -> None:
    trainers = page(demo_window, "Trainers")
    table = trainers.tables[0]
    click_row(table.view, 3, 0)
    name = table.model.index(3, 0).data()
    assert name in details(trainers)
    click(table.buttons[1])
    dialog = demo_window.editor.dialog
    assert dialog is not None and dialog.isVisible()
    assert name in dialog.windowTitle()
    dialog.reject()


def test_a_click_on_a_course_and_on_a_cohort_selects_them(qtbot, demo_window) -> None:
    courses = page(demo_window, "Courses")
    table = courses.tables[0]
    click_row(table.view, 2, 1)
    assert table.model.index(2, 0).data() in details(courses)
    assert edit_and_delete(table) == [True, True]

    cohorts_page = page(demo_window, "Cohorts & trainees")
    cohorts, trainees = cohorts_page.tables
    everyone = trainees.model.rowCount()
    click_row(cohorts.view, 1, 0)
    assert cohorts.model.index(1, 0).data() in details(cohorts_page)
    assert 0 < trainees.model.rowCount() < everyone
    click_row(trainees.view, 0, 0)
    assert edit_and_delete(trainees) == [True, True]
    assert trainees.model.index(0, 0).data() in details(cohorts_page)


def test_a_click_on_an_audit_entry_shows_it(qtbot, demo_window) -> None:
    audit = page(demo_window, "Audit")
    table = audit.tables[0]
    click_row(table.view, 4, 2)
    assert PLACEHOLDER not in details(audit)
    assert "When (UTC)" in details(audit)


def test_a_click_on_a_run_shows_its_roster(qtbot, demo_window) -> None:
    runs = page(demo_window, "Runs & enrolment")
    view = runs.runs.view
    click_row(view, 0, 1)
    assert runs.run is not None
    assert runs.run.code == view.model().index(0, 0).data()


def test_the_arrow_keys_still_select(qtbot, demo_window) -> None:
    trainers = page(demo_window, "Trainers")
    table = trainers.tables[0]
    click_row(table.view, 0, 0)
    key(table.view, Qt.Key.Key_Down)
    assert table.model.index(1, 0).data() in details(trainers)
    assert table.selected_id() == table.model.id_at(1)
