"""What every printed export shares: tables in the shipped fonts, and at the foot of each page a
line saying what it is, when and by whom it was generated, and "page X of Y"."""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageTemplate, Table, TableStyle

from trainer_app.exports import palette
from trainer_app.typesetting.text import SHAPING, Weight, font_name, paragraph

RULE_AT = 15 * mm  # the footer's rule, from the bottom of the page
TEXT_AT = 13 * mm  # the top of its text
FOOTER_ROOM = 22 * mm  # what the page's frame leaves free at the foot

Cell: TypeAlias = "Flowable | list[Flowable] | str"


def table(
    rows: Sequence[Sequence[Cell]],
    widths: Sequence[float],
    commands: Sequence[tuple[Any, ...]],
    *,
    repeat: int = 0,
    heights: Sequence[float | None] | None = None,
) -> Table:
    """A table whose cells without a flowable use the shipped font too."""
    made = Table(
        [list(row) for row in rows], colWidths=list(widths), rowHeights=heights, repeatRows=repeat
    )
    made.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), font_name(), 8), *commands]))
    return made


def grid(rows: Sequence[Sequence[Cell]], widths: Sequence[float], header: bool) -> Table:
    """A table with thin rules and light grey banding (the header row repeats on each page)."""
    first = 1 if header else 0
    commands: list[tuple[Any, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("ROWBACKGROUNDS", (0, first), (-1, -1), [colors.white, colors.HexColor(palette.SHADE)]),
        ("LINEBELOW", (0, -1), (-1, -1), 0.4, colors.HexColor(palette.RULE)),
    ]
    if header:
        commands.append(("LINEBELOW", (0, 0), (-1, 0), 0.6, colors.HexColor(palette.INK)))
    return table(rows, widths, commands, repeat=first)


class FooterCanvas(Canvas):  # type: ignore[misc]
    """Holds the pages back until the end so each footer can say "page X of Y"; the footer
    spans the page between ``margin`` and the right margin, in ``style``."""

    def __init__(
        self, *args: Any, footer: str, style: ParagraphStyle, margin: float, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._footer = footer
        self._style = style
        self._margin = margin
        self._pages: list[dict[str, Any]] = []

    def showPage(self) -> None:
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._pages)
        for number, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            self._draw_footer(number, total)
            super().showPage()
        super().save()

    def _draw_footer(self, number: int, total: int) -> None:
        page_width = self._pagesize[0]
        width = page_width - 2 * self._margin
        text = paragraph(f"{self._footer} · page {number} of {total}", self._style)
        _, height = text.wrapOn(self, width, RULE_AT)
        self.setStrokeColor(colors.HexColor(palette.RULE))
        self.setLineWidth(0.4)
        self.line(self._margin, RULE_AT, page_width - self._margin, RULE_AT)
        text.drawOn(self, self._margin, TEXT_AT - height)


@dataclass(frozen=True)
class Look:
    """The paragraph styles of the schedule prints (timetables, attendance sheets), in the
    same type as the training record."""

    title: ParagraphStyle
    name: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    body: ParagraphStyle
    bold: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    muted: ParagraphStyle
    footer: ParagraphStyle

    @classmethod
    def make(cls) -> Look:
        regular, bold = font_name(Weight.REGULAR), font_name(Weight.BOLD)
        ink, muted = colors.HexColor(palette.INK), colors.HexColor(palette.MUTED)
        accent = colors.HexColor(palette.ACCENT)
        body = ParagraphStyle(
            "body", fontName=regular, fontSize=9, leading=11.5, textColor=ink, shaping=SHAPING
        )

        def style(name: str, **changes: Any) -> ParagraphStyle:
            return ParagraphStyle(name, parent=body, **changes)

        return cls(
            title=style("title", fontName=bold, fontSize=20, leading=24, textColor=accent),
            name=style("name", fontName=bold, fontSize=15, leading=19, spaceBefore=4),
            subtitle=style("subtitle", fontSize=9.5, leading=13, textColor=muted),
            heading=style(
                "heading", fontName=bold, fontSize=11, leading=14, textColor=accent, spaceAfter=0
            ),
            body=body,
            bold=style("bold", fontName=bold),
            label=style("label", fontSize=7.5, leading=10, textColor=muted),
            small=style("small", fontSize=7.5, leading=9.5),
            muted=style("muted", fontSize=7.5, leading=9.5, textColor=muted),
            footer=style("footer", fontSize=7, leading=9, textColor=muted),
        )


def document(
    buffer: io.BytesIO,
    pagesize: tuple[float, float],
    margin: float,
    *,
    template: type[BaseDocTemplate] = BaseDocTemplate,
    **info: Any,
) -> BaseDocTemplate:
    """A document of one frame within ``margin`` (with room at the foot for the footer),
    in the shipped font; ``info`` is its title, subject and so on (and whatever else
    ``template`` takes)."""
    width, height = pagesize
    frame = Frame(
        margin,
        FOOTER_ROOM,
        width - 2 * margin,
        height - margin - FOOTER_ROOM,
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    return template(
        buffer,
        pagesize=pagesize,
        pageTemplates=[PageTemplate("page", [frame])],
        creator="trainer-app",
        initialFontName=font_name(Weight.REGULAR),  # else the canvas starts in Helvetica
        **info,
    )


class HasFooter(Protocol):
    @property
    def footer(self) -> ParagraphStyle: ...


def build(
    doc: BaseDocTemplate, story: list[Flowable], footer: str, look: HasFooter, margin: float
) -> None:
    """Lay ``story`` out with ``footer`` (and the page number) at the foot of every page."""
    doc.build(
        story,
        canvasmaker=functools.partial(
            FooterCanvas, footer=footer, style=look.footer, margin=margin
        ),
    )
