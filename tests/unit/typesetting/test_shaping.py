"""Devanagari is shaped, not just drawn letter by letter: conjuncts such as क्ष and त्र take
their joined forms, so a name is as wide as HarfBuzz lays it out, far narrower than its
letters' nominal glyphs side by side (which also leave the virama visible)."""

from __future__ import annotations

import io

import pytest
import uharfbuzz as hb
from PIL import Image
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfgen.canvas import Canvas

from trainer_app import resources
from trainer_app.certificates.preview import picture_of_pdf
from trainer_app.typesetting.text import SHAPING, font_name, paragraph

NAME = "क्षत्रिय श्रद्धा"  # two conjunct-rich words
SIZE = 40  # points
PAGE = (800, 100)  # points; drawn 2 pixels a point


def ink_width(shaping: int) -> float:
    """The drawn width of NAME, in points, as PDFium rasterises the PDF."""
    stream = io.BytesIO()
    canvas = Canvas(stream, pagesize=PAGE, initialFontName=font_name())
    style = ParagraphStyle(
        "name", fontName=font_name(), fontSize=SIZE, leading=SIZE * 1.3, shaping=shaping
    )
    text = paragraph(NAME, style)
    text.wrap(PAGE[0] - 20, PAGE[1])
    text.drawOn(canvas, 10, 20)
    canvas.showPage()
    picture = picture_of_pdf(canvas.getpdfdata(), PAGE[0] * 2)
    page = Image.frombuffer(
        "RGB", (picture.width, picture.height), picture.rgb, "raw", "RGB", picture.stride, 1
    ).convert("L")
    ink = page.point(lambda v: 255 if v < 128 else 0).getbbox()  # the dark pixels' box
    assert ink is not None
    left, _, right, _ = ink
    return (right - left) / 2


def widths() -> tuple[float, float]:
    """NAME's width shaped by HarfBuzz, and its letters' nominal glyphs side by side."""
    font_file = next(f for f in resources.fonts() if f.name.startswith("NotoSansDevanagari"))
    face = hb.Face(hb.Blob.from_file_path(str(font_file)))
    font = hb.Font(face)
    buffer = hb.Buffer()
    buffer.add_str(NAME)
    buffer.guess_segment_properties()
    hb.shape(font, buffer)
    shaped = sum(p.x_advance for p in buffer.glyph_positions)
    nominal = sum(font.get_glyph_h_advance(font.get_nominal_glyph(ord(c)) or 0) for c in NAME)
    return shaped / face.upem * SIZE, nominal / face.upem * SIZE


def test_devanagari_is_drawn_shaped() -> None:
    shaped, nominal = widths()
    assert nominal > shaped * 1.3  # the name is one whose shaping shows
    assert ink_width(SHAPING) == pytest.approx(shaped, rel=0.04)


def test_the_check_would_catch_letters_drawn_unshaped() -> None:
    _, nominal = widths()
    assert ink_width(0) == pytest.approx(nominal, rel=0.04)


@pytest.mark.parametrize(
    "text",
    [
        "कमल (TR-000042)",  # a bracket after Devanagari, then Latin
        "(कमल) Kamal",  # a Latin bracket before Devanagari
        "कमलKamal",  # two scripts touching in one word
        "A李伟 and 김민준(TR-1)",  # Latin touching Chinese; Korean touching a bracket
    ],
)
def test_a_word_that_changes_script_is_drawn_in_each_fonts_own_glyphs(text: str) -> None:
    """ReportLab shapes a whole word in the font of its first letter; each font's part of a
    word must be shaped in its own font, or the glyphs drawn are another font's (read back as
    nonsense)."""
    from pypdf import PdfReader

    stream = io.BytesIO()
    canvas = Canvas(stream, pagesize=PAGE, initialFontName=font_name())
    style = ParagraphStyle("line", fontName=font_name(), fontSize=12, leading=16, shaping=SHAPING)
    line = paragraph(text, style)
    line.wrap(PAGE[0] - 20, PAGE[1])
    line.drawOn(canvas, 10, 20)
    canvas.showPage()
    canvas.save()
    stream.seek(0)
    assert PdfReader(stream).pages[0].extract_text().strip() == text
