"""Register the shipped fonts so names in any script render on a machine without CJK fonts."""

from __future__ import annotations

from PySide6.QtCore import QLoggingCategory
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from trainer_app import resources

# For text in a script that must be shaped (Devanagari), Qt tries the application font's
# families in order and, for each one without that script's OpenType tables, logs "OpenType
# support missing for "Noto Sans", script 11" before it reaches the family that has them. The
# shipped fonts are one family per script, so every start printed such lines about fonts that
# were never meant for the script, and no order of the families avoids it (Latin must come
# first). Only the info level of Qt's font-database category is silenced: its warnings still
# show, and QT_LOGGING_RULES overrides the rule when debugging fonts.
QUIET_FONT_FALLBACK = "qt.text.font.db.info=false"


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
    QLoggingCategory.setFilterRules(QUIET_FONT_FALLBACK)
    font = QFont(app.font())
    font.setFamilies(families)
    app.setFont(font)
