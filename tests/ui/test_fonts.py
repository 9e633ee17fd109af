from __future__ import annotations

from PySide6.QtGui import QFont, QRawFont

from trainer_app.ui.app import prepare_application
from trainer_app.ui.fonts import register_fonts

NAMES = ["Zoë", "Siobhán", "Łukasz", "Ελένη", "Дмитрий", "李伟", "山田花子", "김민준", "محمد"]


def missing_glyphs(text: str) -> list[str]:
    """Characters of ``text`` that no shipped (registered) family can draw."""
    families = register_fonts()
    raw_fonts = [QRawFont.fromFont(QFont(family)) for family in families]
    assert all(raw.familyName() in families for raw in raw_fonts)  # no silent system fallback
    return [c for c in text if not any(raw.supportsCharacter(ord(c)) for raw in raw_fonts)]


def test_every_character_of_international_names_has_a_shipped_glyph(qapp) -> None:
    assert missing_glyphs("".join(NAMES)) == []


def test_application_font_lists_shipped_families_in_fallback_order(qapp) -> None:
    app = prepare_application([])
    families = app.font().families()
    assert families == register_fonts()
    assert families[:2] == ["Noto Sans", "Noto Sans Arabic"]
    assert "Droid Sans Fallback" in families
