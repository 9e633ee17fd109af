"""Text in any script for ReportLab: the shipped fonts, per-character fallback, RTL shaping.

ReportLab draws each run of text in one font, so:

- every character is drawn in the first shipped font (Latin first, CJK last) that has it;
  spaces and punctuation stay in the font of the text around them;
- Arabic is reshaped into its joined presentation forms and Arabic and Hebrew are put into
  visual (right-to-left) order line by line, after the line breaks are chosen;
- other complex scripts (Devanagari) are shaped by HarfBuzz through ReportLab (uharfbuzz),
  each font's part of a word with that font (ReportLab alone shapes a whole word with the font
  of its first letter, which garbles "शर्मा (TR-000042)" or "A李");
- a character that no shipped font has is refused with a `DomainError` rather than printed as
  an empty box.
"""

from __future__ import annotations

import enum
import functools
import itertools
import math
import threading
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import arabic_reshaper
from bidi.algorithm import get_display
from reportlab.lib.enums import TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapedFragWord, TTFont, makeShapedFragWord
from reportlab.platypus import Flowable, Paragraph
from reportlab.platypus import paragraph as reportlab_paragraph

from trainer_app import resources
from trainer_app.domain.errors import DomainError

_PREFIX = "TrainerApp-"
SHAPING = 1  # paragraph styles ask ReportLab to shape text with HarfBuzz (uharfbuzz)
_STYLES = ("Regular", "Bold", "Italic")
_lock = threading.Lock()


class Weight(enum.Enum):
    REGULAR = "Regular"
    BOLD = "Bold"
    ITALIC = "Italic"


_shape_in_one_font = reportlab_paragraph.shapeFragWord


def _shape_each_font(word: list[Any], *args: Any, **kwargs: Any) -> Any:
    """ReportLab's word shaping, but with each font's part of the word shaped in that font.

    A paragraph's word is a list ``[width, (style, text), …]``; ReportLab hands all of it to
    HarfBuzz with the font of its first piece, then reads the glyphs back through each piece's
    own font, so a word that changes font (a Devanagari name's closing bracket before a Latin
    reference, Latin letters touching Chinese ones) comes out as the wrong glyphs. Parts in a
    font that is not shaped (Arabic and Hebrew, already in visual order) stay as they are."""
    pieces = word[1:]
    if (
        isinstance(word, ShapedFragWord)
        or len({style.fontName for style, _ in pieces}) < 2
        or any(hasattr(style, "cbDefn") for style, _ in pieces)
    ):
        return _shape_in_one_font(word, *args, **kwargs)
    shaped = makeShapedFragWord(word)([0.0])
    for name, group in itertools.groupby(pieces, key=lambda piece: piece[0].fontName):
        part: list[Any] = list(group)
        width = math.fsum(pdfmetrics.stringWidth(t, s.fontName, s.fontSize) for s, t in part)
        part = [width, *part]
        if pdfmetrics.getFont(name).shapable:
            part = _shape_in_one_font(part, *args, **kwargs)
        shaped[0] += part[0]
        shaped.extend(part[1:])
    return shaped


reportlab_paragraph.shapeFragWord = _shape_each_font


@functools.cache
def _chain(weight: Weight) -> tuple[Path, ...]:
    """The font files to try for ``weight``, in fallback order; families without that style
    (Hebrew, CJK, …) use their regular face."""
    families: dict[str, dict[str, Path]] = {}
    for file in resources.fonts():
        family, _, style = file.stem.partition("-")
        families.setdefault(family, {})[style if style in _STYLES else "Regular"] = file
    return tuple(
        faces.get(weight.value) or faces.get("Regular") or next(iter(faces.values()))
        for faces in families.values()
    )


@functools.cache
def _font(file: Path) -> TTFont:
    """Register one font file with ReportLab (once) under a name of its own."""
    with _lock:
        # HarfBuzz shapes the complex scripts (Devanagari conjuncts and vowel signs); Arabic
        # and Hebrew are already shaped and ordered here, line by line, so it leaves them be.
        rtl = file.stem.startswith(("NotoSansArabic", "NotoSansHebrew"))
        font = TTFont(_PREFIX + file.stem, str(file), shapable=not rtl)
        pdfmetrics.registerFont(font)
        name: str = font.fontName
        pdfmetrics.registerFontFamily(name, normal=name, bold=name, italic=name, boldItalic=name)
        return font


def font_name(weight: Weight = Weight.REGULAR) -> str:
    """The registered name of the main (Latin) font of ``weight``, for paragraph styles."""
    name: str = _font(_chain(weight)[0]).fontName
    return name


@functools.cache
def _covering(codepoint: int, weight: Weight) -> str | None:
    """Name of the first font of the chain that has a glyph for ``codepoint``."""
    for file in _chain(weight):
        font = _font(file)
        if codepoint in font.face.charToGlyph:
            name: str = font.fontName
            return name
    return None


@functools.cache
def _covers(name: str, codepoint: int) -> bool:
    return codepoint in pdfmetrics.getFont(name).face.charToGlyph


def _invisible(char: str) -> bool:
    """Format controls and variation selectors: they steer shaping or emoji, draw nothing."""
    code = ord(char)
    return (
        unicodedata.category(char) in ("Cf", "Cc")
        or 0xFE00 <= code <= 0xFE0F
        or 0xE0100 <= code <= 0xE01EF
    )


def _runs(text: str, weight: Weight, original: str) -> Iterator[tuple[str, str]]:
    """Split ``text`` (one line) into (font name, characters) runs. Marks, spaces and
    punctuation keep the font before them, except punctuation that opens a word, which takes
    its own (the bracket of "शर्मा (TR-000042)" goes with the reference)."""
    current: str | None = None
    chars: list[str] = []
    for index, char in enumerate(text):
        code = ord(char)
        kind = unicodedata.category(char)[0]
        opens_word = kind == "P" and (index == 0 or text[index - 1].isspace())
        sticky = kind in "MZP" and not opens_word
        if current is not None and sticky and _covers(current, code):
            chars.append(char)
            continue
        name = _covering(code, weight)
        if name is None:
            if _invisible(char):
                continue
            raise DomainError(_refusal(char, original))
        if name != current:
            if chars and current is not None:
                yield current, "".join(chars)
            current, chars = name, []
        chars.append(char)
    if chars and current is not None:
        yield current, "".join(chars)


_STAND_INS = {"≥": ">=", "≤": "<=", "≠": "!=", "−": "-", "→": "->", "✓": "v"}


def printable(text: str, weight: Weight = Weight.REGULAR) -> str:
    """``text`` with each character that no shipped font has replaced by a stand-in (``≥`` by
    ``>=``, others by their code point, ``[U+2603]``): for text that must be printed as it
    was recorded (the audit trail), where a refusal would hide the rest."""
    out = []
    for char in text:
        if char in "\n\r\t" or _invisible(char) or _covering(ord(char), weight) is not None:
            out.append(char)
        else:
            out.append(_STAND_INS.get(char, f"[U+{ord(char):04X}]"))
    return "".join(out)


def _refusal(char: str, text: str) -> str:
    what = unicodedata.name(char, "")
    named = f"U+{ord(char):04X}" + (f" ({what})" if what else "")
    return (
        f"Cannot print “{text}”: the character {named} is in none of the fonts that "
        "trainer-app ships. Correct the text (or ask for a font that has it) and try again."
    )


def _rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(c) in ("R", "AL") for c in text)


def _shaped(text: str) -> str:
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\t", " ")
    return arabic_reshaper.reshape(text) if _rtl(text) else text


def _line_markup(visual: str, weight: Weight, original: str) -> str:
    return "".join(
        f'<font name="{name}">{escape(chars)}</font>'
        for name, chars in _runs(visual, weight, original)
    )


def markup(text: str, weight: Weight = Weight.REGULAR) -> str:
    """Paragraph markup for a short piece of text, to be combined with other pieces.

    Right-to-left text is put into visual order as one line; use `paragraph` for text that
    may wrap.
    """
    lines = _shaped(text).split("\n")
    if _rtl(text):
        lines = [get_display(line) for line in lines]
    return "<br/>".join(_line_markup(line, weight, text) for line in lines)


def paragraph(text: str, style: ParagraphStyle, weight: Weight | None = None) -> Flowable:
    """A paragraph of one style whose text may be in any script and may wrap; ``weight``
    defaults to that of the style's font."""
    if weight is None:
        weight = next((w for w in Weight if font_name(w) == style.fontName), Weight.REGULAR)
    if _rtl(text):
        return _BidiParagraph(text, style, weight)
    return Paragraph(markup(text, weight), style)


class _BidiParagraph(Flowable):  # type: ignore[misc]
    """A paragraph with right-to-left text: lines are chosen on the logical text, then each is
    put into visual order, so a wrapped Arabic comment reads from its first line down."""

    def __init__(self, text: str, style: ParagraphStyle, weight: Weight) -> None:
        super().__init__()
        self._text = text
        self._style = style
        self._weight = weight
        self._base = "R" if _base_is_rtl(text) else "L"
        self._inner: Paragraph | None = None
        self._for_width: float | None = None

    def _layout(self, width: float) -> Paragraph:
        if self._inner is None or self._for_width != width:
            lines = [
                line
                for hard in _shaped(self._text).split("\n")
                for line in self._break(hard, width - 0.5)
            ]
            visual = [get_display(line, base_dir=self._base) for line in lines]
            # Already shaped and in visual order: HarfBuzz must not shape it again.
            style = ParagraphStyle(f"{self._style.name}-visual", parent=self._style, shaping=0)
            if self._base == "R" and len(lines) > 1 and self._style.alignment == TA_LEFT:
                # right-to-left text starts on the right; centred text stays centred
                style = ParagraphStyle(f"{style.name}-rtl", parent=style, alignment=TA_RIGHT)
            body = "<br/>".join(_line_markup(v, self._weight, self._text) for v in visual)
            self._inner = Paragraph(body, style)
            self._for_width = width
        return self._inner

    def _width(self, text: str) -> float:
        size = self._style.fontSize
        return math.fsum(
            pdfmetrics.stringWidth(chars, name, size)
            for name, chars in _runs(text, self._weight, self._text)
        )

    def _break(self, text: str, width: float) -> list[str]:
        """Greedy line breaking at spaces; a word wider than a line is cut between letters."""
        lines: list[str] = []
        line = ""
        for word in text.split():
            candidate = f"{line} {word}" if line else word
            if self._width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
            line = ""
            for char in word:
                if line and self._width(line + char) > width:
                    lines.append(line)
                    line = ""
                line += char
        if line or not lines:
            lines.append(line)
        return lines

    def getSpaceBefore(self) -> float:
        return float(self._style.spaceBefore)

    def getSpaceAfter(self) -> float:
        return float(self._style.spaceAfter)

    # ReportLab's names for the arguments, as its layout engine passes them by keyword.
    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        self.width, self.height = self._layout(availWidth).wrap(availWidth, availHeight)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        parts: list[Flowable] = self._layout(availWidth).split(availWidth, availHeight)
        return parts

    def draw(self) -> None:
        if self._inner is not None:
            self._inner.drawOn(self.canv, 0, 0)


def _base_is_rtl(text: str) -> bool:
    """The paragraph direction: that of the first letter with a strong direction."""
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ("R", "AL"):
            return True
        if kind == "L":
            return False
    return False
