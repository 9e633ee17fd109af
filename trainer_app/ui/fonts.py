"""Register the shipped fonts so names in any script render on a machine without CJK fonts."""

from __future__ import annotations

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from trainer_app import resources


def register_fonts() -> list[str]:
    """Add every shipped font to Qt; return the families in fallback order (no duplicates)."""
    families: list[str] = []
    for font_file in resources.fonts():
        font_id = QFontDatabase.addApplicationFont(str(font_file))
        if font_id < 0:
            continue
        for family in QFontDatabase.applicationFontFamilies(font_id):
            if family not in families:
                families.append(family)
    return families


def apply_application_font(app: QApplication, families: list[str]) -> None:
    """Use the shipped families first, keeping the system's point size so text scales with it."""
    font = QFont(app.font())
    font.setFamilies(families)
    app.setFont(font)
