"""Every field of the record dialogs typed into as a person does, then read back as saved."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractSpinBox,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QWidget,
)

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


def field(dialog: RecordDialog, kind: type, label: str):
    return find(dialog, kind, label)


def choose_by_keyboard(combo: QComboBox, text: str) -> None:
    """Click the box, then type to find the entry and press Enter, as on a keyboard."""
    click(combo)
    QTest.keyClicks(combo.view(), text)
    QTest.keyClick(combo.view(), Qt.Key.Key_Return)


def tick(checklist_view: QListWidget, text: str) -> None:
    item = checklist_view.findItems(text, Qt.MatchFlag.MatchStartsWith)[0]
    checklist_view.scrollToItem(item)
    rect = checklist_view.visualItemRect(item)
    # the tick box sits at the start of the row
    click(checklist_view.viewport(), QPoint(rect.left() + 10, rect.center().y()))


def test_a_trainee_added_by_typing_into_every_field(qtbot, laptop_window) -> None:
    context = laptop_window.context
    people = page(laptop_window, "Cohorts & trainees")
    trainees = people.tables[1]
    click(trainees.buttons[0])
    dialog = laptop_window.editor.dialog
    assert isinstance(dialog, RecordDialog)
    reference = field(dialog, QLineEdit, "Reference").text()
    assert reference.startswith("TR-")
    type_into(field(dialog, QLineEdit, "Name"), "Ngozi Ọ̀kọ́nkwọ́")
    choose_by_keyboard(field(dialog, QComboBox, "Hub"), "SHF")
    choose_by_keyboard(field(dialog, QComboBox, "Type"), "App")
    type_into(field(dialog, QLineEdit, "Organisation"), "Orrery Biomanufacturing Ltd")
    type_into(field(dialog, QLineEdit, "Role"), "QC analyst")
    email = field(dialog, QLineEdit, "E-mail")
    type_into(email, "ngozi@@example")
    assert "e-mail" in message(dialog, "E-mail").lower()
    assert not dialog.ok_button.isEnabled()
    type_into(email, "ngozi.okonkwo@orrery.example")
    assert message(dialog, "E-mail") == ""
    cohorts = field(dialog, QWidget, "Cohorts")
    type_into(find(dialog, QLineEdit, "Find a cohort"), "CAR-T")
    tick(cohorts.items, "CAR-T manufacturing fellows 2027")
    click(dialog.ok_button)

    saved = next(t for t in context.trainees.list() if t.reference == reference)
    assert saved.name == "Ngozi Ọ̀kọ́nkwọ́"
    assert saved.organisation == "Orrery Biomanufacturing Ltd"
    assert saved.role == "QC analyst"
    assert saved.email == "ngozi.okonkwo@orrery.example"
    assert saved.trainee_type.label.startswith("App")
    hub = next(h for h in context.hubs.list() if h.id == saved.hub_id)
    assert hub.code == "SHF"
    names = {c.id: c.name for c in context.cohorts.list()}
    assert [names[c] for c in saved.cohort_ids] == ["CAR-T manufacturing fellows 2027"]
    assert trainees.selected_id() == saved.id  # the new trainee is selected and shown
    assert "Ngozi" in people.details.toPlainText()


def test_a_course_added_by_typing_with_a_prerequisite(qtbot, laptop_window) -> None:
    context = laptop_window.context
    courses = page(laptop_window, "Courses").tables[0]
    click(courses.buttons[0])
    dialog = laptop_window.editor.dialog
    assert isinstance(dialog, RecordDialog)
    type_into(field(dialog, QLineEdit, "Code"), "HPLC")
    type_into(field(dialog, QLineEdit, "Title"), "HPLC for vector titre")
    type_into(field(dialog, QLineEdit, "Version"), "1.2")
    choose_by_keyboard(field(dialog, QComboBox, "Needs"), "QC")
    sessions = field(dialog, QAbstractSpinBox, "Sessions")
    type_into(sessions, "0")
    assert not dialog.ok_button.isEnabled()
    assert message(dialog, "Sessions") != ""
    type_into(sessions, "2")
    type_into(find(dialog, QLineEdit, "Find a course"), "QC-TITRE")
    tick(field(dialog, QWidget, "Prerequisites").items, "QC-TITRE")
    type_into(field(dialog, QPlainTextEdit, "Description"), "Reverse-phase HPLC of capsids")
    assert dialog.ok_button.isEnabled()
    click(dialog.ok_button)

    saved = next(c for c in context.courses.list() if c.code == "HPLC")
    assert (saved.title, saved.version, saved.sessions) == ("HPLC for vector titre", "1.2", 2)
    assert saved.facility_kind.label.startswith("QC")
    codes = {c.id: c.code for c in context.courses.list()}
    assert [codes[p] for p in saved.prerequisites] == ["QC-TITRE"]
    assert saved.description == "Reverse-phase HPLC of capsids"


def test_a_facility_and_a_cohort_added_by_typing(qtbot, laptop_window) -> None:
    context = laptop_window.context
    network = page(laptop_window, "Network")
    hubs, facilities = network.tables
    click_row(hubs.view, row_of(hubs.view, "STE"), 1)
    click(facilities.buttons[0])
    dialog = laptop_window.editor.dialog
    assert isinstance(dialog, RecordDialog)
    assert field(dialog, QComboBox, "Hub").currentText().startswith("STE")  # the hub chosen
    type_into(field(dialog, QLineEdit, "Code"), "STE-CR9")
    type_into(field(dialog, QLineEdit, "Name"), "Cell and Gene Integration Lab, suite 2")
    choose_by_keyboard(field(dialog, QComboBox, "Kind"), "Grade A")
    capacity = field(dialog, QAbstractSpinBox, "Capacity")
    type_into(capacity, "1001")
    assert "1000" in message(dialog, "Capacity")
    type_into(capacity, "5")
    click(find(dialog, QCheckBox, "Sat"))
    type_into(field(dialog, QPlainTextEdit, "Notes"), "Gowning room shared with suite 1")
    click(dialog.ok_button)
    room = next(f for f in context.facilities.list() if f.code == "STE-CR9")
    assert (room.capacity, room.notes) == (5, "Gowning room shared with suite 1")
    assert room.weekdays == frozenset({0, 1, 2, 3, 4, 5})
    assert facilities.selected_id() == room.id

    people = page(laptop_window, "Cohorts & trainees")
    click(people.tables[0].buttons[0])
    dialog = laptop_window.editor.dialog
    assert isinstance(dialog, RecordDialog)
    type_into(field(dialog, QLineEdit, "Name"), "Biologics conversion course 2027 — Ελλάδα")
    type_into(field(dialog, QLineEdit, "Programme"), "Industry upskilling")
    choose_by_keyboard(field(dialog, QComboBox, "Hub"), "BRI")
    click(dialog.ok_button)
    cohort = next(c for c in context.cohorts.list() if c.name.startswith("Biologics conversion"))
    assert cohort.name == "Biologics conversion course 2027 — Ελλάδα"
    assert cohort.programme == "Industry upskilling"
    assert people.tables[0].selected_id() == cohort.id
