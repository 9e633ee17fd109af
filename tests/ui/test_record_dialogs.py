from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QSpinBox

from tests.helpers import builders as b
from tests.ui.conftest import find
from trainer_app.ui.dialogs.course import CourseDialog
from trainer_app.ui.dialogs.network import FacilityDialog, HubDialog
from trainer_app.ui.records import COURSE, FACILITY, HUB, TRAINER


def message(dialog, label: str) -> str:
    widget = find(dialog, QLabel, f"{label} message")
    return widget.text() if widget.isVisible() else ""


def test_add_hub_by_typing_then_ok(qtbot, window, context) -> None:
    window.show_page(0)
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.editor.dialog
    assert isinstance(dialog, HubDialog)
    qtbot.keyClicks(find(dialog, QLineEdit, "Code"), "man")
    qtbot.keyClicks(find(dialog, QLineEdit, "Name"), "Manchester")
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)

    hubs = context.hubs.list()
    assert [(h.code, h.name) for h in hubs] == [("MAN", "Manchester")]
    table = window.page.tables[0]
    assert table.model.rowCount() == 1
    assert table.selected_id() == hubs[0].id
    assert "Hub Manchester added · Undo Ctrl+Z" in window.statusBar().currentMessage()
    trail = context.audit.entries(context.audit.query_ids())
    assert [(e.action.value, e.entity_label) for e in trail] == [("create", "Manchester")]


def test_inline_validation_shows_message_beside_field_and_disables_ok(qtbot, window) -> None:
    dialog = window.editor.add(HUB)
    code, name = find(dialog, QLineEdit, "Code"), find(dialog, QLineEdit, "Name")
    qtbot.keyClicks(code, "LON")
    assert not dialog.ok_button.isEnabled()  # name still empty
    assert message(dialog, "Name") == ""  # not touched yet: no scolding
    qtbot.keyClicks(name, "L")
    qtbot.keyClick(name, Qt.Key.Key_Backspace)
    assert message(dialog, "Name") == "Hub name must not be empty"
    assert not dialog.ok_button.isEnabled()
    qtbot.keyClicks(name, "London")
    assert message(dialog, "Name") == ""
    assert dialog.ok_button.isEnabled()
    dialog.reject()


def test_facility_capacity_zero_is_refused_beside_the_field(qtbot, window, context) -> None:
    hub = b.hub(context)
    dialog = window.editor.add(FACILITY, {"hub_id": hub.id})
    assert isinstance(dialog, FacilityDialog)
    qtbot.keyClicks(find(dialog, QLineEdit, "Code"), "LON-CR2")
    qtbot.keyClicks(find(dialog, QLineEdit, "Name"), "Cleanroom 2")
    find(dialog, QSpinBox, "Capacity").setValue(0)
    assert message(dialog, "Capacity") == "Capacity must be between 1 and 1000 people (got 0)"
    assert not dialog.ok_button.isEnabled()
    dialog.reject()
    assert context.facilities.list() == []


def test_duplicate_code_is_shown_beside_the_code(qtbot, window, context) -> None:
    b.hub(context, "LON", "London")
    dialog = window.editor.add(HUB)
    qtbot.keyClicks(find(dialog, QLineEdit, "Code"), "LON")
    qtbot.keyClicks(find(dialog, QLineEdit, "Name"), "London again")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.isVisible()
    assert "already used by hub London" in message(dialog, "Code")
    assert len(context.hubs.list()) == 1
    dialog.reject()


def test_trainer_dialog_edits_qualifications_and_limits(qtbot, window, context) -> None:
    hub = b.hub(context)
    gown = b.course(context, "GOWN", title="Gowning")
    trainer = b.trainer(context, hub.id, "Dr Amara Okafor")
    dialog = window.editor.edit(TRAINER, trainer.id)
    dialog.qualifications.set_value({gown.id})
    dialog.per_day.setValue(2)
    dialog.per_week.setValue(1)
    assert "below the daily limit" in message(dialog, "Max periods a week")
    dialog.per_week.setValue(6)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    saved = context.trainers.get(trainer.id)
    assert saved.qualifications == {gown.id}
    assert (saved.max_periods_per_day, saved.max_periods_per_week) == (2, 6)


def test_course_dialog_sets_the_completion_rule(qtbot, window, context) -> None:
    course = b.course(context, "ASEP", title="Aseptic processing")
    dialog = window.editor.edit(COURSE, course.id)
    assert isinstance(dialog, CourseDialog)
    attendance = find(dialog, QSpinBox, "Completion: attendance")
    assert attendance.value() == 90
    attendance.setValue(120)
    assert message(dialog, "Completion: attendance") == (
        "Minimum attendance must be between 0 and 100 %"
    )
    assert not dialog.ok_button.isEnabled()
    attendance.setValue(100)
    find(dialog, QSpinBox, "Completion: theory").setValue(80)
    find(dialog, QCheckBox, "Completion: practical").setChecked(True)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    saved = context.courses.get(course.id)
    assert (saved.min_attendance, saved.pass_mark, saved.practical_required) == (100, 80, True)
    assert saved.completion_rule.describe() == (
        "attendance ≥ 100 % and theory ≥ 80 % and practical passed"
    )


def test_a_trainees_details_list_training_completed(context) -> None:
    from datetime import date

    from trainer_app.domain.records import CompletionFields
    from trainer_app.ui.details import record_html

    hub = b.hub(context)
    gown = b.course(context, "GOWN", title="Gowning")
    trainee = b.trainee(context, hub.id)
    context.training.add_completion(
        CompletionFields(trainee_id=trainee.id, course_id=gown.id, completed_on=date(2026, 3, 2))
    )
    html = record_html(context, "trainee", trainee.name, context.trainees.get(trainee.id))
    assert "GOWN v1.0 · 2 Mar 2026 · Imported history" in html
    assert "Not enrolled on any run" in html


def test_training_held_elsewhere_needs_evidence_and_a_verifier(qtbot, context, tmp_path) -> None:
    from trainer_app.ui.dialogs.completion import CompletionDialog

    hub = b.hub(context)
    gown = b.course(context, "GOWN", title="Gowning")
    trainee = b.trainee(context, hub.id)
    dialog = CompletionDialog(context, trainee.id)
    qtbot.addWidget(dialog)
    dialog.course.setCurrentIndex(dialog.course.findData(gown.id))
    dialog.accept()
    assert dialog.messages["provider"].text() == "Say who delivered the external training"
    assert dialog.messages["evidence"].text() == "Attach the evidence (a certificate or letter)"
    assert context.training.completions_of(trainee.id) == []
    letter = tmp_path / "catapult-gowning.pdf"
    letter.write_bytes(b"%PDF-1.4 letter")
    dialog.ask_evidence_path = lambda: letter  # type: ignore[method-assign]
    dialog.attach()
    qtbot.keyClicks(dialog.provider, "Cell and Gene Therapy Catapult")
    qtbot.keyClicks(dialog.verified_by, "Dr Amara Okafor")
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    (done,) = context.training.completions_of(trainee.id)
    assert (done.provider, done.evidence_name) == (
        "Cell and Gene Therapy Catapult",
        "catapult-gowning.pdf",
    )
    assert context.training.evidence(done.id)[1] == b"%PDF-1.4 letter"
