"""File dialogs open in the user's Documents folder the first time, not in the program's
working directory, then in the folder last used for that kind of file, remembered for the
next time the window opens."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QFileDialog, QPushButton

from tests.ui.conftest import find
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window
from trainer_app.ui.import_dialog import ImportDialog
from trainer_app.ui.main_window import MainWindow


class Asked:
    """Stands in for the system's file dialogs: notes the folder each opened in and answers
    with the next path given (empty: Cancel)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.opened_in: list[Path] = []
        self.answers: list[str] = []
        for name in ("getOpenFileName", "getSaveFileName"):
            monkeypatch.setattr(QFileDialog, name, staticmethod(self._file))
        monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(self._folder))

    def _file(self, parent: object, caption: str, start: str, filter: str = "") -> tuple[str, str]:
        self.opened_in.append(Path(start))
        return self.answers.pop(0), filter

    def _folder(self, parent: object, caption: str, start: str) -> str:
        self.opened_in.append(Path(start))
        return self.answers.pop(0)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A home folder with Documents, and the program started from somewhere else entirely."""
    folder = tmp_path / "home"
    (folder / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(folder))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    elsewhere = tmp_path / "installed" / "bin"
    elsewhere.mkdir(parents=True)
    monkeypatch.chdir(elsewhere)
    return folder


@pytest.fixture
def asked(monkeypatch: pytest.MonkeyPatch) -> Asked:
    return Asked(monkeypatch)


def open_import(qtbot, window: MainWindow) -> Iterator[ImportDialog]:
    qtbot.keySequence(window, QKeySequence("Ctrl+Shift+I"))
    dialog = window.findChild(ImportDialog)
    assert isinstance(dialog, ImportDialog) and dialog.isVisible()
    yield dialog
    dialog.reject()


def test_first_in_documents_then_where_the_last_file_went(
    qtbot, window: MainWindow, context: ServiceContext, home: Path, asked: Asked, tmp_path: Path
) -> None:
    documents = home / "Documents"
    for dialog in open_import(qtbot, window):
        template = find(dialog, QPushButton, "Save template")
        asked.answers.append("")  # Cancel: nothing remembered
        qtbot.mouseClick(template, Qt.MouseButton.LeftButton)
        assert asked.opened_in[-1] == documents / "trainees-template.xlsx"

        kept = tmp_path / "hub files"
        kept.mkdir()
        asked.answers.append(str(kept / "trainees-template.xlsx"))
        qtbot.mouseClick(template, Qt.MouseButton.LeftButton)
        assert asked.opened_in[-1] == documents / "trainees-template.xlsx"
        assert (kept / "trainees-template.xlsx").exists()

        asked.answers.append("")
        qtbot.mouseClick(find(dialog, QPushButton, "Choose file"), Qt.MouseButton.LeftButton)
        assert asked.opened_in[-1] == kept  # the template is filled in and imported from there

    # Ctrl+O opens databases from Documents: each kind of file keeps its own folder
    asked.answers.append("")
    qtbot.keySequence(window, QKeySequence.StandardKey.Open)
    assert asked.opened_in[-1] == documents
    assert Path.cwd() not in asked.opened_in

    # remembered for the next time the window opens
    window.close()
    again = create_main_window(context)
    qtbot.addWidget(again)
    again.show()
    qtbot.waitExposed(again)
    again.activateWindow()
    qtbot.waitUntil(again.isActiveWindow)
    for dialog in open_import(qtbot, again):
        asked.answers.append("")
        qtbot.mouseClick(find(dialog, QPushButton, "Choose file"), Qt.MouseButton.LeftButton)
        assert asked.opened_in[-1] == kept

        kept.rename(tmp_path / "moved")  # a folder that is gone: back to Documents
        asked.answers.append("")
        qtbot.mouseClick(find(dialog, QPushButton, "Choose file"), Qt.MouseButton.LeftButton)
        assert asked.opened_in[-1] == documents
    again.close()


def test_without_a_documents_folder_dialogs_open_at_home(
    qtbot, window: MainWindow, home: Path, asked: Asked
) -> None:
    (home / "Documents").rmdir()
    asked.answers.append("")
    qtbot.keySequence(window, QKeySequence.StandardKey.Open)
    assert asked.opened_in == [home]
