"""Someone else saved the trainer while the dialog was open: the person saving sees who changed
what, and chooses, with the mouse, to go back, take their version or put theirs on top."""

from __future__ import annotations

import dataclasses

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPlainTextEdit, QPushButton

from tests.helpers import builders as b
from tests.ui.conftest import find
from trainer_app.services.context import ServiceContext
from trainer_app.ui.dialogs.conflict import ConflictDialog
from trainer_app.ui.dialogs.trainer import TrainerDialog
from trainer_app.ui.records import TRAINER


def _open_then_changed_elsewhere(qtbot, window, context: ServiceContext):
    """The trainer dialog open on Dr Kofi Mensah while a colleague renames him and adds a
    note in their own window; then this person types a new e-mail and a note, and saves."""
    hub = b.hub(context)
    trainer = b.trainer(context, hub.id, "Dr Kofi Mensah")
    dialog = window.editor.edit(TRAINER, trainer.id)
    assert isinstance(dialog, TrainerDialog)
    colleague = ServiceContext.open(context.settings)
    try:
        colleague.trainers.update(
            trainer.id,
            trainer.row_version,
            dataclasses.replace(
                TRAINER.fields_of(trainer), name="Dr Kofi A. Mensah", notes="Leads aseptic"
            ),
        )
    finally:
        colleague.close()
    qtbot.keyClicks(find(dialog, QLineEdit, "E-mail"), "k.mensah@nhsbt.nhs.uk")
    notes = find(dialog, QPlainTextEdit, "Notes")
    notes.setFocus()
    qtbot.keyClicks(notes, "On sabbatical in February")
    audit_before = context.audit.count()
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    conflict = dialog.conflict_dialog
    assert isinstance(conflict, ConflictDialog) and conflict.isVisible()
    assert context.audit.count() == audit_before  # nothing saved before the choice
    return trainer, dialog, conflict


def _rows(conflict: ConflictDialog) -> list[list[str]]:
    table = conflict.table
    return [
        [table.item(r, c).text() for c in range(table.columnCount())]
        for r in range(table.rowCount())
    ]


def _click(conflict: ConflictDialog, name: str, qtbot) -> None:
    qtbot.mouseClick(find(conflict, QPushButton, name), Qt.MouseButton.LeftButton)


def test_the_conflict_lists_who_changed_which_fields_and_back_keeps_the_typing(
    qtbot, window, context
) -> None:
    trainer, dialog, conflict = _open_then_changed_elsewhere(qtbot, window, context)
    heading = find(conflict, QLabel, "What happened").text()
    assert "Trainer Dr Kofi A. Mensah was changed by local at " in heading
    assert "after you opened it" in heading and "Nothing was saved yet" in dialog.banner.text()
    assert (
        "You both changed one field (highlighted)"
        in find(conflict, QLabel, "What each choice does").text()
    )
    headers = [conflict.table.horizontalHeaderItem(c).text() for c in range(4)]
    assert headers == ["Field", "When you opened it", "Saved since", "Yours"]
    assert _rows(conflict) == [
        ["Name", "Dr Kofi Mensah", "Dr Kofi A. Mensah", "(you did not change it)"],
        ["E-mail", "(empty)", "(empty)", "k.mensah@nhsbt.nhs.uk"],
        ["Notes (both changed)", "(empty)", "Leads aseptic", "On sabbatical in February"],
    ]
    _click(conflict, "Back to editing", qtbot)

    assert dialog.isVisible() and not conflict.isVisible()
    assert find(dialog, QLineEdit, "E-mail").text() == "k.mensah@nhsbt.nhs.uk"
    assert context.trainers.get(trainer.id).email == ""
    dialog.reject()


def test_apply_mine_on_top_keeps_their_name_and_saves_my_fields_and_undo_goes_back_to_theirs(
    qtbot, window, context
) -> None:
    trainer, dialog, conflict = _open_then_changed_elsewhere(qtbot, window, context)
    _click(conflict, "Apply mine on top", qtbot)

    qtbot.waitUntil(lambda: not dialog.isVisible())
    saved = context.trainers.get(trainer.id)
    assert (saved.name, saved.email, saved.notes) == (
        "Dr Kofi A. Mensah",
        "k.mensah@nhsbt.nhs.uk",
        "On sabbatical in February",
    )
    assert "saved" in window.statusBar().currentMessage()
    window.editor.undo_stack.undo()  # undo my save: back to what the colleague saved
    after_undo = context.trainers.get(trainer.id)
    assert (after_undo.name, after_undo.email, after_undo.notes) == (
        "Dr Kofi A. Mensah",
        "",
        "Leads aseptic",
    )


def test_use_their_version_shows_it_in_the_form_and_saves_nothing(qtbot, window, context) -> None:
    trainer, dialog, conflict = _open_then_changed_elsewhere(qtbot, window, context)
    _click(conflict, "Use their version", qtbot)

    assert dialog.isVisible()
    assert find(dialog, QLineEdit, "Name").text() == "Dr Kofi A. Mensah"
    assert find(dialog, QLineEdit, "E-mail").text() == ""
    assert "your changes were dropped" in dialog.banner.text()
    qtbot.keyClicks(find(dialog, QLineEdit, "E-mail"), "kofi@nhsbt.nhs.uk")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)  # now from their version
    assert not dialog.isVisible()
    saved = context.trainers.get(trainer.id)
    assert (saved.name, saved.email, saved.notes) == (
        "Dr Kofi A. Mensah",
        "kofi@nhsbt.nhs.uk",
        "Leads aseptic",
    )
    QApplication.processEvents()
