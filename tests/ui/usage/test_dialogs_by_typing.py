"""Every field of the record dialogs typed into as a person does, then read back as saved."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDateEdit, QLabel, QLineEdit, QPushButton, QToolButton

from tests.helpers.user import click, click_row, key, row_of, type_into
from tests.ui.conftest import find
from tests.ui.usage.test_selection import page
from trainer_app.domain.calendar import Absence
from trainer_app.ui.dialogs.form import RecordDialog


def edit_dialog(window, title: str, table_index: int, text: str, column: int = 0) -> RecordDialog:
    shown = page(window, title)
    table = shown.tables[table_index]
    click_row(table.view, row_of(table.view, text, column), column)
    click(table.buttons[1])
    dialog = window.editor.dialog
    assert isinstance(dialog, RecordDialog) and dialog.isVisible()
    return dialog


def message(dialog: RecordDialog, label: str) -> str:
    widget = find(dialog, QLabel, f"{label} message")
    return widget.text() if widget.isVisible() else ""


def last_row_fields(qtbot, dialog: RecordDialog) -> tuple[QDateEdit, QDateEdit, QLineEdit]:
    reasons = [w for w in dialog.findChildren(QLineEdit) if w.accessibleName() == "Reason"]
    qtbot.waitUntil(reasons[-1].isVisible)  # a row added to a shown form appears next event
    starts = [w for w in dialog.findChildren(QDateEdit) if w.accessibleName() == "From"]
    ends = [w for w in dialog.findChildren(QDateEdit) if w.accessibleName() == "To"]
    reasons = [w for w in dialog.findChildren(QLineEdit) if w.accessibleName() == "Reason"]
    return starts[-1], ends[-1], reasons[-1]


def step_days(edit: QDateEdit, steps: int) -> None:
    """Arrow keys on the day part of a date editor, as a person moves a date."""
    click(edit)
    key(edit, Qt.Key.Key_Home)  # the day is the first part of "4 Jan 2027"
    for _ in range(abs(steps)):
        key(edit, Qt.Key.Key_Up if steps > 0 else Qt.Key.Key_Down)


def test_leave_typed_into_a_trainer_is_saved_as_typed(qtbot, laptop_window) -> None:
    context = laptop_window.context
    trainer = context.trainers.list()[0]
    dialog = edit_dialog(laptop_window, "Trainers", 0, trainer.name)
    before = len(trainer.leave)
    click(find(dialog, QPushButton, "Add leave"))
    start, end, reason = last_row_fields(qtbot, dialog)
    first = start.date().toPython()

    type_into(reason, "Alfie's wedding — Łódź")
    step_days(end, 3)
    assert message(dialog, "Leave") == ""
    step_days(end, -5)  # now two days before the start
    assert "before it starts" in message(dialog, "Leave")
    assert not dialog.ok_button.isEnabled()
    step_days(end, 4)  # the day after the start: the message goes
    assert message(dialog, "Leave") == ""
    assert dialog.ok_button.isEnabled()
    click(dialog.ok_button)

    saved = context.trainers.get(trainer.id)
    assert len(saved.leave) == before + 1
    added = next(a for a in saved.leave if a.reason == "Alfie's wedding — Łódź")
    assert added == Absence(first, first + timedelta(days=2), "Alfie's wedding — Łódź")


def test_a_hub_closure_is_typed_and_saved(qtbot, laptop_window) -> None:
    context = laptop_window.context
    dialog = edit_dialog(laptop_window, "Network", 0, "BRI")
    click(find(dialog, QPushButton, "Add closure"))
    start, end, reason = last_row_fields(qtbot, dialog)
    first = start.date().toPython()
    type_into(reason, "Shutdown for HVAC requalification")
    step_days(end, 1)
    click(dialog.ok_button)
    hub = next(h for h in context.hubs.list() if h.code == "BRI")
    assert Absence(first, first + timedelta(days=1), "Shutdown for HVAC requalification") in (
        hub.closures
    )
    assert first >= date(2000, 1, 1)


def test_removed_leave_goes_at_once_and_a_second_click_changes_nothing(
    qtbot, laptop_window
) -> None:
    context = laptop_window.context
    trainer = context.trainers.list()[1]
    dialog = edit_dialog(laptop_window, "Trainers", 0, trainer.name)
    click(find(dialog, QPushButton, "Add leave"))
    click(find(dialog, QPushButton, "Add leave"))
    _start, _end, reason = last_row_fields(qtbot, dialog)
    type_into(reason, "Conference")
    removes = [b for b in dialog.findChildren(QToolButton) if b.accessibleName() == "Remove dates"]
    last = removes[-1]
    click(last)
    assert not last.isVisible()  # gone from the form straight away
    QTest.mouseClick(last, Qt.MouseButton.LeftButton)  # a quick second click on the same spot
    click(dialog.ok_button)
    saved = context.trainers.get(trainer.id)
    assert len(saved.leave) == len(trainer.leave) + 1
    assert "Conference" not in {a.reason for a in saved.leave}
