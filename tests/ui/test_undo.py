from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt

from tests.helpers import builders as b
from trainer_app.ui.records import HUB, TRAINER


def save_edit(qtbot, window, kind, record, **changes) -> None:
    dialog = window.editor.edit(kind, record.id)
    for attribute, value in changes.items():
        getattr(dialog, attribute).setText(value)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_edit_then_undo_and_redo_through_the_store(qtbot, window, context) -> None:
    hub = b.hub(context)
    trainer = b.trainer(context, hub.id, "Dr Amara Okafor")
    window.show_page(1)
    save_edit(qtbot, window, TRAINER, trainer, name="Dr Amara Okafor-Bello")
    assert context.trainers.get(trainer.id).name == "Dr Amara Okafor-Bello"

    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert context.trainers.get(trainer.id).name == "Dr Amara Okafor"
    shift_ctrl = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_Z, shift_ctrl)
    assert context.trainers.get(trainer.id).name == "Dr Amara Okafor-Bello"
    assert window.page.tables[0].model.data(window.page.tables[0].model.index(0, 0)) == (
        "Dr Amara Okafor-Bello"
    )
    reasons = [e.reason for e in context.audit.history("trainer", trainer.id)]
    assert reasons[-2:] == [
        "Undo of “Edit trainer Dr Amara Okafor-Bello”",
        "Redo of “Edit trainer Dr Amara Okafor-Bello”",
    ]


def test_delete_then_undo_restores_the_record_under_its_old_id(
    qtbot, window, context, answers
) -> None:
    hub = b.hub(context)
    trainer = b.trainer(context, hub.id, "Dr Amara Okafor")
    window.show_page(1)
    table = window.page.tables[0]
    table.select_id(trainer.id)
    table.view.setFocus()
    qtbot.keyClick(table.view, Qt.Key.Key_Delete)
    assert answers == [("confirm", "Delete trainer Dr Amara Okafor?")]
    assert context.trainers.list() == []
    assert table.empty.isVisibleTo(window)
    assert "No trainers yet — Add trainer (Ctrl+N)" in table.empty.text()

    window.undo_stack.undo()
    restored = context.trainers.get(trainer.id)
    assert restored.name == "Dr Amara Okafor"
    assert table.selected_id() == trainer.id
    window.undo_stack.redo()
    assert context.trainers.list() == []


def test_refused_delete_shows_the_service_words(qtbot, window, context, answers) -> None:
    hub = b.hub(context)
    b.facility(context, hub.id)
    window.show_page(0)
    hubs = window.page.tables[0]
    hubs.select_id(hub.id)
    window.delete_record()
    assert answers[-1] == (
        "Cannot delete hub",
        "Hub London still has 1 facility; move or delete them first",
    )
    assert context.hubs.get(hub.id).name == "London"
    assert window.undo_stack.count() == 0


def test_undo_after_someone_else_changed_the_row_says_so(qtbot, window, context, answers) -> None:
    hub = b.hub(context)
    save_edit(qtbot, window, HUB, hub, name="Greater London")
    current = context.hubs.get(hub.id)
    context.hubs.update(
        hub.id, current.row_version, dataclasses.replace(HUB.fields_of(current), site="Elsewhere")
    )
    window.undo_stack.undo()
    title, text = answers[-1]
    assert title == "Could not undo or redo"
    assert "was changed" in text
    assert context.hubs.get(hub.id).name == "Greater London"
    assert window.undo_stack.count() == 0  # the obsolete command is dropped
