"""File ▸ Back up database… and File ▸ Restore from backup…, used as a coordinator does: the
shortcut, typing a path, clicking the buttons; the files written and the window on the
restored database are what is checked."""

from __future__ import annotations

import hashlib
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QLineEdit, QPushButton, QSpinBox

from tests.helpers import builders as b
from tests.ui.conftest import find
from trainer_app.services.context import ServiceContext
from trainer_app.ui.backup_dialog import BackupDialog, RestoreDialog
from trainer_app.ui.file_dialogs import FileKind, remember
from trainer_app.ui.main_window import MainWindow


def type_into(qtbot, field: QLineEdit, text: str) -> None:
    field.selectAll()
    qtbot.keyClick(field, Qt.Key.Key_Delete)
    qtbot.keyClicks(field, text)


def click(qtbot, button: QPushButton) -> None:
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def open_backup_dialog(qtbot, window: MainWindow) -> BackupDialog:
    both = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(window, Qt.Key.Key_B, both)
    dialog = QApplication.activeModalWidget()
    assert isinstance(dialog, BackupDialog)
    return dialog


def test_backing_up_from_the_window(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path
) -> None:
    b.hub(context)
    dialog = open_backup_dialog(qtbot, window)
    target = tmp_path / "from-the-window.db"
    type_into(qtbot, find(dialog, QLineEdit, "Backup file"), str(target))
    click(qtbot, find(dialog, QPushButton, "Back up"))
    message = find(dialog, QLabel, "Backup message")
    qtbot.waitUntil(lambda: "Backed up to" in message.text(), timeout=10_000)
    digest = hashlib.sha256(target.read_bytes()).hexdigest()
    assert digest[:12] in message.text()
    click(qtbot, find(dialog, QPushButton, "Back up"))  # the same name again: refused in words
    qtbot.waitUntil(lambda: "already exists" in message.text(), timeout=10_000)
    keep = find(dialog, QSpinBox, "Backups to keep")
    keep.lineEdit().selectAll()
    qtbot.keyClicks(keep, "3")
    dialog.reject()  # Close (Esc)
    assert context.backups.backups_to_keep() == 3


def test_a_bare_file_name_is_backed_up_in_the_backups_folder_not_where_the_app_started(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path, monkeypatch
) -> None:
    started_in, folder = tmp_path / "started-here", tmp_path / "backups"
    started_in.mkdir()
    folder.mkdir()
    monkeypatch.chdir(started_in)
    remember(context.settings, FileKind.DATABASES, folder)  # the last folder backed up to
    dialog = open_backup_dialog(qtbot, window)
    field = find(dialog, QLineEdit, "Backup file")
    assert Path(field.text()).parent == folder  # suggested there
    type_into(qtbot, field, "before-term")
    click(qtbot, find(dialog, QPushButton, "Back up"))
    message = find(dialog, QLabel, "Backup message")
    qtbot.waitUntil(lambda: "Backed up to" in message.text(), timeout=10_000)
    assert (folder / "before-term").is_file()
    assert field.text() == str(folder / "before-term")  # the person sees where it went
    assert list(started_in.iterdir()) == []
    dialog.reject()


def test_restoring_from_the_window_reopens_it_on_the_backup(
    qtbot, window: MainWindow, context: ServiceContext, tmp_path: Path
) -> None:
    b.hub(context, "LON", "London")
    target = tmp_path / "london-only.db"
    context.backups.backup(target)
    b.hub(context, "NEW", "Newcastle")
    dialog = window.restore_backup()
    assert isinstance(dialog, RestoreDialog)
    path = find(dialog, QLineEdit, "Backup to restore")
    facts = find(dialog, QLabel, "What the backup holds")
    restore = find(dialog, QPushButton, "Restore")
    type_into(qtbot, path, str(tmp_path / "missing.db"))
    qtbot.keyClick(path, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "There is no file" in facts.text(), timeout=10_000)
    assert not restore.isEnabled()
    type_into(qtbot, path, str(target))
    qtbot.keyClick(path, Qt.Key.Key_Return)
    qtbot.waitUntil(restore.isEnabled, timeout=10_000)
    assert "passed every check" in facts.text() and "The audit trail is intact" in facts.text()
    click(qtbot, restore)
    successor = window.successor
    assert successor is not None
    qtbot.addWidget(successor)
    assert not window.isVisible()
    assert {h.code for h in successor.context.hubs.list()} == {"LON"}
    assert "Restored london-only.db" in successor.statusBar().currentMessage()
    successor.close()


def test_closing_the_window_backs_up_when_the_app_asks(qtbot, context: ServiceContext) -> None:
    from trainer_app.ui.app import create_main_window

    b.hub(context)
    window = create_main_window(context)
    qtbot.addWidget(window)
    window.backup_on_close = True
    window.show()
    window.close()
    made = context.backups.automatic_backups()
    assert len(made) == 1 and made[0].parent == context.settings.data_dir / "backups"
