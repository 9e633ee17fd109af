"""The Audit page reads as the users speak: record types in one style, values in words, dates
in the app's style, references by name; the stored trail stays as it was written."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QPushButton

from tests.integration.test_enrolment import World, publish_run, world
from tests.ui.conftest import find
from trainer_app.domain.audit import RECORD_TYPE_LABELS, RecordType
from trainer_app.services.context import ServiceContext
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.pages.audit import AuditPage
from trainer_app.ui.record_table import RecordTable

__all__ = ["world"]


@pytest.fixture
def context(world: World) -> ServiceContext:
    return world.ctx


def audit_table(window: MainWindow) -> RecordTable:
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, AuditPage)))
    return window.page.tables[0]


def column(table: RecordTable, title: str) -> list[str]:
    model = table.model
    index = next(
        c
        for c in range(model.columnCount())
        if model.headerData(c, Qt.Orientation.Horizontal) == title
    )
    return [str(model.data(model.index(row, index))) for row in range(model.rowCount())]


def details_of_each_row(qtbot, window: MainWindow, table: RecordTable) -> list[str]:
    """Click each row in turn and read the details panel, newest first (a table's cells one
    a line: "Status", "Planned", "→", "Published")."""
    shown = []
    for row in range(table.model.rowCount()):
        where = table.view.visualRect(table.model.index(row, 0)).center()
        qtbot.mouseClick(table.view.viewport(), Qt.MouseButton.LeftButton, pos=where)
        shown.append(window.page.details.toPlainText())
    return shown


def change(field: str, old: str, new: str) -> str:
    return f"{field}\n{old}\n→\n{new}\n"


def test_record_types_read_in_one_style_and_filter_by_those_words(
    qtbot, window: MainWindow, world: World
) -> None:
    publish_run(world, "GOWN-2027-01", world.gown, [(1, 1)])
    table = audit_table(window)
    shown = set(column(table, "Record type"))
    assert {"Hub", "Facility", "Course", "Trainer", "Trainee", "Course run", "Plan"} <= shown
    assert "Planned session" in shown
    assert shown <= set(RECORD_TYPE_LABELS.values())  # never "course_run" or "planned_session"
    qtbot.keyClicks(table.filter_box, "planned session")
    qtbot.waitUntil(lambda: set(column(table, "Record type")) == {"Planned session"}, timeout=2000)


def test_values_are_shown_in_words_and_the_trail_keeps_what_was_stored(
    qtbot, window: MainWindow, world: World, context: ServiceContext
) -> None:
    publish_run(world, "GOWN-2027-01", world.gown, [(1, 1)])
    table = audit_table(window)
    about_the_run = context.audit.query_ids("GOWN-2027-01")
    qtbot.keyClicks(table.filter_box, "GOWN-2027-01")
    qtbot.waitUntil(lambda: table.model.rowCount() == len(about_the_run), timeout=2000)
    texts = details_of_each_row(qtbot, window, table)
    assert len(set(texts)) == len(texts) and all(t.startswith("GOWN-2027-01") for t in texts)

    plan = [t for t in texts if "Record type\nPlan\n" in t]
    assert change("Status", "Draft", "Published") in plan[0]
    run = [t for t in texts if "Record type\nCourse run\n" in t]
    assert change("Status", "Draft", "Planned") in run[1]  # newest first
    assert change("Status", "Planned", "Published") in run[0]
    session = next(t for t in texts if "Record type\nPlanned session\n" in t)
    assert change("Date", "—", "12 Jan 2027") in session  # not 2027-01-12
    assert change("Trainer", "—", "Dr Amara Okafor") in session  # not the planner's "T1"
    assert change("Facility", "—", "LON-CL1 Suite LON-CL1") in session
    created = run[2]
    assert change("Course", "—", "GOWN Gowning") in created  # the code, with its title
    assert change("On consecutive days", "—", "No") in created  # not False
    assert change("Status", "—", "Draft") in created

    # the stored entries are untouched: identifiers and ISO dates, as written
    trail = context.audit.entries(context.audit.query_ids("GOWN-2027-01"))
    stored = {(e.entity_type, c.field, c.old, c.new) for e in trail for c in e.changes}
    assert ("course_run", "status", "planned", "published") in stored
    assert ("planned_session", "held_on", None, "2027-01-12") in stored
    assert ("planned_session", "trainer_id", None, "T1") in stored
    assert {e.entity_type for e in trail} <= set(RecordType)


def test_the_page_says_whether_the_trail_is_intact_and_finds_an_edit_made_outside(
    qtbot, window: MainWindow, world: World
) -> None:
    audit_table(window)
    page = window.page
    assert isinstance(page, AuditPage)
    verdict = find(page, QLabel, "Audit trail check")
    qtbot.waitUntil(lambda: "intact" in verdict.text(), timeout=10_000)
    assert f"{world.ctx.audit.count()} entries, every link holds" in verdict.text()
    with sqlite3.connect(world.ctx.store.display_name) as connection:
        connection.executescript(
            "DROP TRIGGER audit_entries_no_update;"
            "UPDATE audit_entries SET actor = 'mallory' WHERE id = 2;"
        )
    connection.close()
    button = find(page, QPushButton, "Check again")
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "broken" in verdict.text(), timeout=10_000)
    assert "audit entry 2 (number 2) was changed" in verdict.text()
    assert "#B3261E" in verdict.styleSheet()
