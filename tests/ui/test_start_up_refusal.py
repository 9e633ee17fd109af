"""Starting the window on a store that is refused: the reason is shown in a window (someone who
started the app from a desktop icon never reads the terminal) and the file is left as it was."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.helpers import damage
from trainer_app.cli import main


def test_an_empty_file_given_to_the_window_is_refused_in_a_message_box(
    qapp: QApplication, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "new.db"
    path.write_bytes(b"")
    before = damage.folder_state(tmp_path)
    shown: list[tuple[str, str]] = []

    def read_and_close() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, read_and_close)
            return
        shown.append((box.windowTitle(), box.text()))
        box.accept()

    QTimer.singleShot(0, read_and_close)
    assert main(["gui", "--database", str(path)]) == 1
    assert shown == [
        (
            "Trainer — cannot open the database",
            f"{path} is empty (0 bytes): it is not a trainer-app database. Nothing was changed. "
            f"To start a new database in this file: trainer-app db init --database {path}",
        )
    ]
    assert capsys.readouterr().err == f"trainer-app: {shown[0][1]}\n"
    assert damage.folder_state(tmp_path) == before
