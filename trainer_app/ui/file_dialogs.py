"""Where the window's file dialogs open: the user's Documents folder the first time (the home
folder if there is none), then the folder last used for that kind of file, remembered in the
UI settings. Not the program's working directory, which means nothing to the person using it.

Every file dialog of the window goes through `save_file`, `open_file` or `choose_folder`.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QWidget

from trainer_app.config import Settings


class FileKind(enum.StrEnum):
    """Kinds of file that each keep their own last folder."""

    CERTIFICATES = "certificates"  # issued certificates and their copies
    VERIFY = "verify"  # certificates handed in to be checked
    RECORDS = "records"  # training record and group exports
    SCHEDULES = "schedules"  # timetables, calendar files and attendance sheets
    EVIDENCE = "evidence"  # evidence of training held elsewhere
    IMPORTS = "imports"  # spreadsheets to import, and their templates
    DATABASES = "databases"


def documents_folder() -> Path:
    """The user's Documents folder, or their home folder when there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def start_folder(settings: Settings, kind: FileKind) -> Path:
    """The last folder used for ``kind`` while it still exists; else Documents."""
    last = _store(settings).value(_key(kind))
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    return documents_folder()


def remember(settings: Settings, kind: FileKind, folder: Path) -> None:
    store = _store(settings)
    store.setValue(_key(kind), str(folder))
    store.sync()


def save_file(
    parent: QWidget | None,
    settings: Settings,
    kind: FileKind,
    caption: str,
    name: str,
    file_filter: str,
) -> Path | None:
    """Ask where to save a file suggested as ``name``; None if cancelled."""
    chosen, _ = QFileDialog.getSaveFileName(
        parent, caption, str(start_folder(settings, kind) / name), file_filter
    )
    return _chosen(settings, kind, chosen, folder=False)


def open_file(
    parent: QWidget | None, settings: Settings, kind: FileKind, caption: str, file_filter: str
) -> Path | None:
    """Ask for a file to open; None if cancelled."""
    chosen, _ = QFileDialog.getOpenFileName(
        parent, caption, str(start_folder(settings, kind)), file_filter
    )
    return _chosen(settings, kind, chosen, folder=False)


def choose_folder(
    parent: QWidget | None, settings: Settings, kind: FileKind, caption: str
) -> Path | None:
    """Ask for a folder; None if cancelled."""
    chosen = QFileDialog.getExistingDirectory(parent, caption, str(start_folder(settings, kind)))
    return _chosen(settings, kind, chosen, folder=True)


def _chosen(settings: Settings, kind: FileKind, chosen: str, *, folder: bool) -> Path | None:
    if not chosen:
        return None
    path = Path(chosen)
    remember(settings, kind, path if folder else path.parent)
    return path


def _store(settings: Settings) -> QSettings:
    return QSettings(str(settings.ui_settings_file), QSettings.Format.IniFormat)


def _key(kind: FileKind) -> str:
    return f"folders/{kind.value}"
