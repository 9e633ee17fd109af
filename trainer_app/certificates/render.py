"""The certificate as a print-ready A4 landscape PDF, one at a time or a whole batch.

Every certificate is laid out once (`_lay_out`: the text fitted to its boxes, the QR code
encoded) and drawn by one function (`_draw`), whether onto its own file or onto a page of the
combined file for printing. The signed payload is both in the QR code and embedded in the PDF
(see `trainer_app.certificates.embedded`).
"""

from __future__ import annotations

import functools
import io
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas

from trainer_app.certificates import embedded, qr
from trainer_app.certificates.branding import Branding, branding
from trainer_app.certificates.combined import CombinedPdf
from trainer_app.certificates.embedded import read_embedded_payload
from trainer_app.certificates.files import certificate_path, part_path, write_whole
from trainer_app.certificates.fitting import DoesNotFit, Fitted, Stage, fit
from trainer_app.domain import dates
from trainer_app.domain.certificates import CertificateContent
from trainer_app.domain.errors import DomainError
from trainer_app.typesetting.text import SHAPING, Weight, font_name

if TYPE_CHECKING:  # pyhanko loads on first signature, not with every preview
    from trainer_app.certificates.signing import DocumentSigner

__all__ = [
    "NAME_BOX",
    "PAGE_SIZE",
    "QR_BOX",
    "Box",
    "CombinedFile",
    "certificate_file",
    "certificate_pdf",
    "read_embedded_payload",
    "render_batch",
    "render_certificate",
]

PAGE_SIZE = landscape(A4)
PAGE_WIDTH, PAGE_HEIGHT = PAGE_SIZE
MAX_OUTCOMES = 6
PAGES_PER_PART = 100  # pages of the combined file drawn on one canvas before they are written
CAPTION = ("Scan to verify offline:", "trainer-app certificate verify")
INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#5B6675")
DRAFT_MARK = colors.HexColor("#B42318")


@dataclass(frozen=True)
class Box:
    """A rectangle of the page in points, from its lower left corner."""

    x: float
    y: float
    width: float
    height: float

    @property
    def top(self) -> float:
        return self.y + self.height

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def centre(self) -> float:
        return self.x + self.width / 2


def _box(x: float, y: float, width: float, height: float) -> Box:
    """A box given in millimetres."""
    return Box(x * mm, y * mm, width * mm, height * mm)


# The page, in millimetres from the lower left corner (A4 landscape is 297 × 210).
FRAME = _box(8, 8, 281, 194)
LOGO = _box(20, 168, 24, 24)
HUB = _box(49, 168, 138, 24)
REFERENCE = _box(192, 164, 85, 28)  # number, issue date, validity, what it replaces
TITLE_BASELINE = 149 * mm
CERTIFY = _box(32, 137, 233, 7)
NAME_BOX = _box(32, 116, 233, 20)
NAME_RULE = 113 * mm
WORDING = _box(32, 104, 233, 7)
COURSE = _box(32, 90, 233, 13)
COURSE_META = _box(32, 83, 233, 6)
FACTS = _box(20, 61, 204, 15)
OUTCOMES = _box(20, 17, 114, 39)
SIGNATURE_LINE = 36 * mm
SIGNATORY = _box(144, 29.5, 80, 6)
SIGNATORY_ROLE = _box(144, 18, 80, 11)
QR_BOX = _box(232, 31, 45, 45)  # with its quiet zone: 45 mm prints and scans reliably
QR_CAPTION = _box(226, 21, 57, 8)

_NAME = (Stage(30, 18, 1), Stage(18, 9, 2))
_COURSE = (Stage(18, 13, 1), Stage(14, 8, 2))
_HUB = (Stage(12, 9, 2), Stage(9, 6.5, 3))
_FACT = (Stage(10.5, 8.5, 1), Stage(9, 6.5, 2))
_LINE = (Stage(10.5, 7, 1), Stage(8, 6, 2))
_SIGNATORY = (Stage(10.5, 7.5, 1),)
_ROLE = (Stage(8.5, 7, 2), Stage(7, 6, 3))
_OUTCOME_SIZES = (8.5, 8, 7.5, 7)


@dataclass(frozen=True)
class _Look:
    """Colours and paragraph styles of one hub's certificates."""

    brand: Branding
    primary: colors.Color
    accent: colors.Color
    tint: colors.Color  # a light wash of the primary colour, still white enough to print
    name: ParagraphStyle
    course: ParagraphStyle
    hub: ParagraphStyle
    line: ParagraphStyle
    meta: ParagraphStyle
    fact: ParagraphStyle
    outcome: ParagraphStyle
    more: ParagraphStyle
    signatory: ParagraphStyle
    role: ParagraphStyle

    @classmethod
    @functools.cache
    def of(cls, hub_code: str) -> _Look:
        brand = branding(hub_code)
        primary, accent = colors.HexColor(brand.primary), colors.HexColor(brand.accent)
        regular, bold = font_name(Weight.REGULAR), font_name(Weight.BOLD)
        base = ParagraphStyle(
            f"certificate-{brand.hub_code}",
            fontName=regular,
            fontSize=10,
            leading=12,
            textColor=INK,
            alignment=TA_LEFT,
            shaping=SHAPING,
        )

        def style(name: str, **changes: Any) -> ParagraphStyle:
            return ParagraphStyle(f"{base.name}-{name}", parent=base, **changes)

        return cls(
            brand=brand,
            primary=primary,
            accent=accent,
            tint=colors.linearlyInterpolatedColor(colors.white, primary, 0, 1, 0.07),
            name=style("name", fontName=bold, textColor=primary, alignment=TA_CENTER),
            course=style("course", fontName=bold, alignment=TA_CENTER),
            hub=style("hub", fontName=bold, textColor=primary),
            line=style(
                "line", fontName=font_name(Weight.ITALIC), textColor=MUTED, alignment=TA_CENTER
            ),
            meta=style("meta", textColor=MUTED, alignment=TA_CENTER),
            fact=style("fact", fontName=bold),
            outcome=style("outcome"),
            more=style("more", fontName=font_name(Weight.ITALIC), textColor=MUTED),
            signatory=style("signatory", fontName=bold, alignment=TA_CENTER),
            role=style("role", textColor=MUTED, alignment=TA_CENTER),
        )


@dataclass(frozen=True)
class _Placed:
    """A fitted paragraph and where its lower left corner goes."""

    text: Fitted
    x: float
    y: float


@dataclass(frozen=True)
class _Page:
    """One certificate laid out: everything `_draw` needs, nothing left to decide."""

    content: CertificateContent
    look: _Look
    hub_name: str
    hub: _Placed
    statement: tuple[_Placed, ...]  # "This is to certify that" … name … wording … course
    name: _Placed
    facts: tuple[_Fact, ...]
    outcomes: tuple[_Placed, ...]  # bullets (the summary "and N more" has none)
    bullets: tuple[float, ...]  # the baseline of each bulleted outcome's first line
    signature: tuple[_Placed, ...]  # the signatory's name and role
    symbol: qr.QrSymbol


@dataclass(frozen=True)
class _Fact:
    """One cell of the strip of facts: its label, its place, its value."""

    label: str
    cell: Box
    value: _Placed


def render_certificate(
    content: CertificateContent, path: Path, *, signer: DocumentSigner | None = None
) -> None:
    """Write the certificate to ``path`` (signed by ``signer``), replacing any file there only
    once the new one is whole; `DomainError` if some text cannot be printed (and then nothing
    is written)."""
    data = certificate_file(content, signer)
    write_whole(path, data)


def certificate_file(content: CertificateContent, signer: DocumentSigner | None) -> bytes:
    """The certificate's PDF file as issued: with ``signer``, signed over the whole file (the
    same bytes every time: the signing time is the day of issue)."""
    return page_file(_lay_out(content), signer)


def page_file(page: _Page, signer: DocumentSigner | None) -> bytes:
    pdf = bytes(_single(page, None, draft=False).getpdfdata())
    if signer is None:
        return pdf
    content = page.content
    return signer.sign(
        pdf, signed_on=content.issued_on, reason=f"Certificate of completion {content.number}"
    )


def certificate_pdf(content: CertificateContent, *, draft: bool = False) -> bytes:
    """The certificate's PDF as bytes (for a preview); a ``draft``, not yet issued, is crossed
    by a mark saying so and carries no embedded payload."""
    canvas = _single(_lay_out(content), None, draft=draft)
    return bytes(canvas.getpdfdata())


def lay_out_checked(content: CertificateContent) -> _Page:
    """The certificate laid out; a text that cannot be printed names the certificate."""
    try:
        return _lay_out(content)
    except DomainError as error:
        raise DomainError(f"Certificate {content.number}: {error}") from error


def render_batch(
    contents: Sequence[CertificateContent],
    folder: Path,
    combined: Path | None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    signer: DocumentSigner | None = None,
) -> list[Path]:
    """One PDF per certificate in ``folder`` (``<number>.pdf``, or ``<number> (2).pdf`` beside
    an earlier file: `trainer_app.certificates.files`), and if ``combined`` is given one PDF of
    every page for printing; returns the certificates' paths written. In this process: a
    batch on every core is `trainer_app.certificates.batch`.

    ``should_stop`` is asked before each certificate: the files written so far stay, and the
    combined file is written only when every certificate is in it. A certificate that cannot be
    printed stops the batch with its `DomainError` in the same way. Each certificate is laid
    out once and drawn on its own file and on a page of the combined one, which is written as
    the batch goes (`trainer_app.certificates.combined`), so memory stays flat. An empty batch
    writes nothing.
    """
    total = len(contents)
    if not total:
        return []
    written: list[Path] = []
    book = CombinedFile(combined, contents) if combined is not None else None
    try:
        for content in contents:
            if should_stop is not None and should_stop():
                break
            page = lay_out_checked(content)
            written.append(write_certificate_file(folder, content.number, page_file(page, signer)))
            if book is not None:
                book.add(page)
            if progress is not None:
                progress(len(written), total)
        if book is not None and len(written) == total:
            book.save(signer)
    finally:
        if book is not None:
            book.close()
    return written


def write_certificate_file(folder: Path, number: str, data: bytes) -> Path:
    """Write one certificate's file in ``folder``: ``<number>.pdf``, or beside an earlier
    file; a file already there with these very bytes (written before a batch was interrupted)
    is kept as it is."""
    exact = folder / f"{number}.pdf"
    try:
        if exact.exists() and exact.stat().st_size == len(data) and exact.read_bytes() == data:
            return exact
    except OSError:
        pass  # unreadable: a new file is written beside it
    path = certificate_path(folder, number)
    write_whole(path, data)
    return path


class CombinedFile:
    """All the pages of a batch in one PDF, drawn one by one as the batch goes, in parts of
    `PAGES_PER_PART` pages appended to a temporary file that is renamed into place when the
    batch is complete (signed over the whole file, when a signer is given)."""

    def __init__(self, path: Path, contents: Sequence[CertificateContent]) -> None:
        self._path = path
        self._temporary = part_path(path)
        self._file = self._temporary.open("wb")
        self._pdf = CombinedPdf(self._file)
        self._part: Canvas | None = None
        self._in_part = 0
        self._saved = False
        names = {branding(c.hub_code).display_name or c.hub_name for c in contents}
        numbers = [c.number for c in contents]
        self._signed_on = contents[0].issued_on if contents else None
        self._info = {
            "Title": f"Certificates {numbers[0]} to {numbers[-1]}" if numbers else "Certificates",
            "Author": names.pop() if len(names) == 1 else "trainer-app",
            "Subject": f"{len(numbers)} certificates, one a page, for printing",
            "Creator": "trainer-app",
            "Producer": "trainer-app with ReportLab",
        }

    def add(self, page: _Page) -> None:
        if self._part is None:
            self._part = _new_canvas(None)
            self._in_part = 0
        _draw(self._part, page)
        self._part.showPage()
        self._in_part += 1
        if self._in_part == PAGES_PER_PART:
            self._append_part()

    def append_pages(self, pdf: bytes) -> None:
        """Append a part drawn elsewhere (by `pages_pdf`, in a helper process)."""
        self._pdf.append(pdf)

    def save(self, signer: DocumentSigner | None = None) -> None:
        """Finish the file (signed by ``signer``) and rename it into place."""
        if self._part is not None:
            self._append_part()
        self._pdf.finish(self._info)
        self._file.close()
        if signer is not None and self._signed_on is not None:
            data = signer.sign(
                self._temporary.read_bytes(),
                signed_on=self._signed_on,
                reason=str(self._info["Title"]),
            )
            self._temporary.write_bytes(data)
        os.replace(self._temporary, self._path)
        self._saved = True

    def close(self) -> None:
        """Remove the unfinished file of a batch that stopped or failed."""
        if not self._saved:
            self._file.close()
            self._temporary.unlink(missing_ok=True)

    def _append_part(self) -> None:
        assert self._part is not None
        self._pdf.append(self._part.getpdfdata())
        self._part = None


def pages_pdf(pages: Sequence[_Page]) -> bytes:
    """``pages`` drawn one a page on one canvas: a part of the combined file."""
    canvas = _new_canvas(None)
    for page in pages:
        _draw(canvas, page)
        canvas.showPage()
    return bytes(canvas.getpdfdata())


def _new_canvas(target: Path | None, *, issued_on: date | None = None) -> Canvas:
    """A canvas that saves to ``target``, or (with None) only gives its PDF as bytes.

    With ``issued_on`` the file is the same, byte for byte, every time the same certificate is
    drawn (a reprint is an identical copy): ReportLab's invariant mode leaves out the clock, the
    creation date written is the day of issue, and the document id is a digest of what the file
    says (its title names the certificate number) rather than of the moment it was made."""
    # Without an initial font the canvas starts in Helvetica, which is not embedded.
    canvas = Canvas(
        str(target) if target is not None else io.BytesIO(),
        pagesize=PAGE_SIZE,
        pageCompression=1,
        initialFontName=font_name(),
        invariant=issued_on is not None,
    )
    canvas.setCreator("trainer-app")
    if issued_on is not None:
        stamp = f"D:{issued_on:%Y%m%d}000000+00'00'"  # PDF date syntax, not a date shown
        canvas.setDateFormatter(lambda *_: stamp)
    return canvas


def _single(page: _Page, target: Path | None, *, draft: bool) -> Canvas:
    """A one-page canvas of the certificate, drawn and ready to save."""
    content = page.content
    canvas = _new_canvas(target, issued_on=content.issued_on)
    canvas.setTitle(f"Certificate {content.number}")
    canvas.setAuthor(page.hub_name)
    canvas.setSubject(content.course_title)
    if not draft:
        embedded.embed(canvas, content.payload)
    _draw(canvas, page)
    if draft:
        _draw_draft_mark(canvas)
    canvas.showPage()
    return canvas


# ----- layout ------------------------------------------------------------------------------


def _lay_out(content: CertificateContent) -> _Page:
    look = _Look.of(content.hub_code)
    brand = look.brand
    hub_name = brand.display_name or content.hub_name
    name = _place(content.trainee_name, look.name, NAME_BOX, _NAME)
    statement = (
        _place("This is to certify that", look.line, CERTIFY, _LINE),
        name,
        _place(brand.wording, look.line, WORDING, _LINE),
        _place(content.course_title, look.course, COURSE, _COURSE),
        _place(
            f"{content.course_code} · Version {content.course_version}",
            look.meta,
            COURSE_META,
            _LINE,
        ),
    )
    signatory = content.signatory or brand.signatory
    role = content.signatory_role or brand.signatory_role
    signature = [
        _place(text, style, box, stages, top=True)
        for text, style, box, stages in (
            (signatory, look.signatory, SIGNATORY, _SIGNATORY),
            (role, look.role, SIGNATORY_ROLE, _ROLE),
        )
        if text
    ]
    facts = _facts(content)
    cells = _cells([share for _, _, share in facts])
    outcomes, bullets = _outcomes(content.learning_outcomes, look)
    return _Page(
        content=content,
        look=look,
        hub_name=hub_name,
        hub=_place(hub_name, look.hub, HUB, _HUB),
        statement=statement,
        name=name,
        facts=tuple(
            _Fact(label, cell, _place(value, look.fact, _value_box(cell), _FACT))
            for (label, value, _), cell in zip(facts, cells, strict=True)
        ),
        outcomes=outcomes,
        bullets=bullets,
        signature=tuple(signature),
        symbol=qr.encode(content.payload),
    )


def _place(
    text: str, style: ParagraphStyle, box: Box, stages: Sequence[Stage], *, top: bool = False
) -> _Placed:
    """``text`` fitted to ``box`` and centred in it vertically (or hung from its top);
    horizontally it spans the box and its style aligns it."""
    fitted = fit(text, style, box.width, box.height, stages)
    if top:
        return _Placed(fitted, box.x, box.top - fitted.height)
    return _Placed(fitted, box.x, box.y + (box.height - fitted.height) / 2)


def _facts(content: CertificateContent) -> list[tuple[str, str, float]]:
    """Label, value and share of the strip's width of each fact."""
    facts = [
        ("Completed", dates.day(content.completed_on), 1.0),
        ("CPD hours", _hours(content.cpd_hours), 0.75),
        ("Assessment", content.assessment_outcome or "—", 1.6),
    ]
    if content.trainer:
        facts.append(("Trained by", content.trainer, 1.35))
    return facts


def _cells(shares: Sequence[float]) -> list[Box]:
    gap = 1.5 * mm
    unit = (FACTS.width - gap * (len(shares) - 1)) / sum(shares)
    cells = []
    x = FACTS.x
    for share in shares:
        cells.append(Box(x, FACTS.y, share * unit, FACTS.height))
        x += share * unit + gap
    return cells


def _value_box(cell: Box) -> Box:
    """Where a fact's value goes in its cell: under the label, inside the padding."""
    return Box(cell.x + 3 * mm, cell.y + 1.5 * mm, cell.width - 6 * mm, cell.height - 6.5 * mm)


def _outcomes(
    outcomes: Sequence[str], look: _Look
) -> tuple[tuple[_Placed, ...], tuple[float, ...]]:
    """The learning outcomes as bullets under their heading, as large as fits, and as many as
    fit (at most `MAX_OUTCOMES`); the rest are counted in a last line "and N more"."""
    items = [o.strip() for o in outcomes if o.strip()]
    shown = len(items) if len(items) <= MAX_OUTCOMES else MAX_OUTCOMES - 1
    while shown >= 0:
        for size in _OUTCOME_SIZES:
            found = _bullet_list(items, shown, size, look)
            if found is not None:
                return found
        shown -= 1
    return (), ()


def _bullet_list(
    items: Sequence[str], shown: int, size: float, look: _Look
) -> tuple[tuple[_Placed, ...], tuple[float, ...]] | None:
    """The first ``shown`` outcomes in ``size`` points, each in at most two lines, and the
    summary of the rest; None if they do not fit."""
    indent = 3.5 * mm
    width = OUTCOMES.width - indent
    top = OUTCOMES.top - 6 * mm  # under the heading
    try:
        laid = [
            fit(item, look.outcome, width, top, (Stage(size, size, 2),)) for item in items[:shown]
        ]
    except DoesNotFit:
        return None
    rest = len(items) - shown
    if rest:
        summary = f"and {rest} more learning outcome{'' if rest == 1 else 's'}"
        laid.append(fit(summary, look.more, width, top, (Stage(size, size - 1, 1),)))
    spacing = size * 0.45
    if sum(t.height for t in laid) + spacing * (len(laid) - 1) > top - OUTCOMES.y:
        return None
    placed: list[_Placed] = []
    bullets: list[float] = []
    y = top
    for index, text in enumerate(laid):
        y -= text.height
        placed.append(_Placed(text, OUTCOMES.x + indent, y))
        if index < shown:
            bullets.append(y + text.height - size)  # the first line's baseline
        y -= spacing
    return tuple(placed), tuple(bullets)


def _hours(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


# ----- drawing -----------------------------------------------------------------------------


def _draw(canvas: Canvas, page: _Page) -> None:
    """Draw one certificate on the current page of ``canvas``: the only drawing code, used for
    single files and for the combined file alike. It draws in reading order, so that text
    copied or read aloud from the PDF comes in that order too."""
    look, content = page.look, page.content
    _draw_frame(canvas, look)
    canvas.drawImage(
        str(look.brand.logo),
        LOGO.x,
        LOGO.y,
        LOGO.width,
        LOGO.height,
        mask="auto",
        preserveAspectRatio=True,
    )
    _show(canvas, page.hub)
    _draw_reference(canvas, content)
    canvas.setFillColor(look.primary)
    canvas.setFont(font_name(Weight.BOLD), 21)
    canvas.drawCentredString(
        PAGE_WIDTH / 2, TITLE_BASELINE, "CERTIFICATE OF COMPLETION", charSpace=3
    )
    for placed in page.statement:
        _show(canvas, placed)
    canvas.setStrokeColor(look.accent)
    canvas.setLineWidth(1.2)
    canvas.line(PAGE_WIDTH / 2 - 35 * mm, NAME_RULE, PAGE_WIDTH / 2 + 35 * mm, NAME_RULE)
    for fact in page.facts:
        canvas.setFillColor(look.tint)
        canvas.rect(fact.cell.x, fact.cell.y, fact.cell.width, fact.cell.height, stroke=0, fill=1)
        _label(canvas, fact.cell.x + 3 * mm, fact.cell.top - 4.5 * mm, fact.label)
        _show(canvas, fact.value)
    if page.outcomes:
        _label(canvas, OUTCOMES.x, OUTCOMES.top - 2.5 * mm, "Learning outcomes")
        canvas.setFillColor(look.accent)
        for baseline in page.bullets:
            canvas.rect(
                OUTCOMES.x + 0.4 * mm, baseline + 0.3 * mm, 1.3 * mm, 1.3 * mm, stroke=0, fill=1
            )
        for placed in page.outcomes:
            _show(canvas, placed)
    canvas.setStrokeColor(INK)
    canvas.setLineWidth(0.6)
    canvas.line(SIGNATORY.x + 4 * mm, SIGNATURE_LINE, SIGNATORY.right - 4 * mm, SIGNATURE_LINE)
    for placed in page.signature:
        _show(canvas, placed)
    qr.draw(canvas, page.symbol, QR_BOX.x, QR_BOX.y, QR_BOX.width)
    canvas.setFillColor(MUTED)
    canvas.setFont(font_name(), 7)
    for offset, line in enumerate(CAPTION):
        canvas.drawCentredString(QR_BOX.centre, QR_CAPTION.top - (offset + 1) * 8.5, line)


def _show(canvas: Canvas, placed: _Placed) -> None:
    placed.text.flowable.drawOn(canvas, placed.x, placed.y)


def _draw_frame(canvas: Canvas, look: _Look) -> None:
    canvas.setStrokeColor(look.primary)
    canvas.setLineWidth(2.4)
    canvas.rect(FRAME.x, FRAME.y, FRAME.width, FRAME.height, stroke=1, fill=0)
    inset = 2.2 * mm
    canvas.setStrokeColor(look.accent)
    canvas.setLineWidth(0.7)
    canvas.rect(
        FRAME.x + inset,
        FRAME.y + inset,
        FRAME.width - 2 * inset,
        FRAME.height - 2 * inset,
        stroke=1,
        fill=0,
    )


def _draw_reference(canvas: Canvas, content: CertificateContent) -> None:
    """Top right: what an inspector looks for first, the number and the dates."""
    right = REFERENCE.right
    _label(canvas, right, REFERENCE.top - 2.5 * mm, "Certificate number", align_right=True)
    canvas.setFillColor(INK)
    canvas.setFont(font_name(Weight.BOLD), 13)
    canvas.drawRightString(right, REFERENCE.top - 8.5 * mm, content.number)
    lines = [
        (f"Issued {dates.day(content.issued_on)}", Weight.REGULAR),
        (
            f"Valid until {dates.day(content.expires_on)}"
            if content.expires_on
            else "Does not expire",
            Weight.BOLD,
        ),
    ]
    if content.reissue_of:
        lines.append((f"Replaces certificate {content.reissue_of}", Weight.REGULAR))
    for index, (text, weight) in enumerate(lines):
        canvas.setFont(font_name(weight), 9)
        canvas.drawRightString(right, REFERENCE.top - (13.5 + 4.3 * index) * mm, text)


def _draw_draft_mark(canvas: Canvas) -> None:
    """Across the page, see-through: this picture is not a certificate."""
    canvas.saveState()
    canvas.setFillColor(DRAFT_MARK, alpha=0.2)
    canvas.setFont(font_name(Weight.BOLD), 54)
    canvas.translate(PAGE_WIDTH / 2, PAGE_HEIGHT / 2)
    canvas.rotate(24)
    canvas.drawCentredString(0, 8, "PREVIEW", charSpace=6)
    canvas.setFont(font_name(Weight.BOLD), 26)
    canvas.drawCentredString(0, -30, "NOT ISSUED · NOT VALID", charSpace=3)
    canvas.restoreState()


def _label(canvas: Canvas, x: float, y: float, text: str, *, align_right: bool = False) -> None:
    canvas.setFillColor(MUTED)
    canvas.setFont(font_name(Weight.BOLD), 6.5)
    if align_right:
        canvas.drawRightString(x, y, text.upper(), charSpace=0.8)
    else:
        canvas.drawString(x, y, text.upper(), charSpace=0.8)
