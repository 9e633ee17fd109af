"""The one look of every filter and find box in the window."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit

from trainer_app.ui import icons


def search_box(placeholder: str, accessible_name: str, icon: str = "filter") -> QLineEdit:
    """A line edit with a leading icon, a clear button, placeholder and accessible name."""
    box = QLineEdit()
    box.setPlaceholderText(placeholder)
    box.setAccessibleName(accessible_name)
    box.setClearButtonEnabled(True)
    box.addAction(icons.icon(icon), QLineEdit.ActionPosition.LeadingPosition)
    return box
