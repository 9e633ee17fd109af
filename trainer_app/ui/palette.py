"""Colours: the application palette (system light/dark, one accent) and course categories."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QGuiApplication, QPalette

from trainer_app.domain.courses import CourseCategory

ACCENT = QColor("#0072B2")  # Okabe–Ito blue: readable on light and dark backgrounds

# Okabe–Ito: distinguishable with the common colour-vision deficiencies.
_CATEGORY_COLOURS = {
    CourseCategory.CLEANROOM: QColor("#56B4E9"),
    CourseCategory.VIRAL_VECTORS: QColor("#CC79A7"),
    CourseCategory.CELL_THERAPY: QColor("#009E73"),
    CourseCategory.QUALITY_CONTROL: QColor("#E69F00"),
    CourseCategory.QUALITY_SYSTEMS: QColor("#D55E00"),
}
_BY_LABEL = {category.label: category for category in CourseCategory}


def category_colour(category: CourseCategory) -> QColor:
    return QColor(_CATEGORY_COLOURS[category])


def category_colour_for_label(label: object) -> QColor | None:
    """The colour of a category shown by its label (as list tables show it), if it is one."""
    category = _BY_LABEL.get(str(label))
    return category_colour(category) if category else None


def is_dark() -> bool:
    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def application_palette(base: QPalette, *, dark: bool) -> QPalette:
    """Fusion's palette, darkened when the system is dark, with the accent as highlight."""
    palette = QPalette(base)
    if dark:
        roles = {
            QPalette.ColorRole.Window: "#202124",
            QPalette.ColorRole.WindowText: "#E8EAED",
            QPalette.ColorRole.Base: "#17181A",
            QPalette.ColorRole.AlternateBase: "#26272B",
            QPalette.ColorRole.Text: "#E8EAED",
            QPalette.ColorRole.Button: "#2B2C30",
            QPalette.ColorRole.ButtonText: "#E8EAED",
            QPalette.ColorRole.ToolTipBase: "#2B2C30",
            QPalette.ColorRole.ToolTipText: "#E8EAED",
            QPalette.ColorRole.PlaceholderText: "#9AA0A6",
        }
        for role, colour in roles.items():
            palette.setColor(role, QColor(colour))
        palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor("#7F8389"))
        palette.setColor(
            QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor("#7F8389")
        )
    palette.setColor(QPalette.ColorRole.Highlight, ACCENT)
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#FFFFFF"))
    palette.setColor(QPalette.ColorRole.Link, QColor("#56B4E9") if dark else ACCENT)
    palette.setColor(QPalette.ColorRole.Accent, ACCENT)
    return palette


def error_colour() -> QColor:
    """Validation messages: Okabe–Ito vermillion, lighter on dark backgrounds."""
    return QColor("#FF8A65") if is_dark() else QColor("#B03A00")
