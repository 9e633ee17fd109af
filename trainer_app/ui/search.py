"""The one look of every filter and find box in the window."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLineEdit

from trainer_app.ui import icons

TYPING_PAUSE_MS = 200  # a search runs once the typing stops, not at every key


def when_typing_pauses(
    box: QLineEdit, search: Callable[[], object], delay_ms: int = TYPING_PAUSE_MS
) -> QTimer:
    """Run ``search`` when ``box``'s text has not changed for ``delay_ms``:
    typing a word runs one search, not one per letter, so a slow search never piles up behind
    the keyboard. The timer returned (owned by the box) can be started to search again."""
    timer = QTimer(box)
    timer.setSingleShot(True)
    timer.setInterval(delay_ms)
    timer.timeout.connect(search)
    box.textChanged.connect(lambda _text: timer.start())
    return timer


def search_box(placeholder: str, accessible_name: str, icon: str = "filter") -> QLineEdit:
    """A line edit with a leading icon, a clear button, placeholder and accessible name."""
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setAccessibleName(accessible_name)
    box.setClearButtonEnabled(True)
    box.addAction(icons.icon(icon), QLineEdit.ActionPosition.LeadingPosition)
    return box
