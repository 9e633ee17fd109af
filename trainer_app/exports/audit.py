"""The audit trail as CSV, XLSX or PDF: a heading block (where from, which entries, whether the
seals hold, how many, when made), then one row per entry in the Audit page's words.

Entries arrive as an iterable and are written as they come (the XLSX through openpyxl's
write-only mode), so a million entries never sit in memory. Each file is written beside its
target and renamed into place: a failure or a Cancel (``ExportCancelled`` raised by the
iterable) leaves no file.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Flowable, Paragraph, Spacer

from trainer_app.domain import dates
from trainer_app.domain.audit import ChangeInWords
from trainer_app.domain.errors import DomainError
from trainer_app.domain.records import MatrixStatus
from trainer_app.domain.reports import AUDIT_COLUMNS, AuditHeading, AuditLine, ExportCancelled
from trainer_app.exports import palette
from trainer_app.exports.cells import FORMULA_STARTS, defused, print_one_page_wide, xlsx_cell
from trainer_app.exports.printing import build, document, grid, table
from trainer_app.exports.record_pdf import (
    MARGIN,
    WIDTH,
    _Look,
    _rule,
)
from trainer_app.files import replace_atomically
from trainer_app.typesetting.text import Weight, markup, paragraph, printable

TITLE = "Audit trail export"
PDF_MAX_ENTRIES = 5_000  # about 300 pages; a longer extract is for CSV or XLSX
WIDTHS = (8, 20, 12, 10, 16, 32, 70, 36)  # spreadsheet columns, in characters
WHEN_FORMAT = "d mmm yyyy hh:mm:ss"  # as the Audit page shows it


def write_audit_csv(heading: AuditHeading, lines: Iterable[AuditLine], path: Path) -> int:
    """UTF-8 with a byte order mark (Excel reads any script); returns the entries written."""

    def write(target: Path) -> int:
        written = 0
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            rows = csv.writer(stream, dialect="excel")
            rows.writerow([TITLE])
            rows.writerows([label, defused(value)] for label, value in heading.lines())
            rows.writerow([])
            rows.writerow(AUDIT_COLUMNS)
            for line in lines:
                rows.writerow([defused(cell) for cell in line.cells()])
                written += 1
        return written

    return _atomically(path, write)


def write_audit_xlsx(heading: AuditHeading, lines: Iterable[AuditLine], path: Path) -> int:
    """Two sheets: *About this export* (the heading block, what an auditor reads first) and
    *Audit trail* (the entries under a frozen, filterable header row)."""

    def write(target: Path) -> int:
        book = Workbook(write_only=True)
        book.properties.title = f"{TITLE} — {heading.database}"
        book.properties.creator = heading.generated_by
        about = book.create_sheet("About this export")
        about.column_dimensions["A"].width = 20
        about.column_dimensions["B"].width = 100
        print_one_page_wide(about, header_row=False)
        about.append([xlsx_cell(about, TITLE, bold=True)])
        for label, value in heading.lines():
            about.append([xlsx_cell(about, label, bold=True), _text(about, value)])
        sheet = book.create_sheet("Audit trail")
        for index, width in enumerate(WIDTHS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = width
        sheet.freeze_panes = "C2"
        columns = get_column_letter(len(AUDIT_COLUMNS))
        sheet.auto_filter.ref = f"A1:{columns}{heading.count + 1}"
        print_one_page_wide(sheet)
        sheet.append(
            [xlsx_cell(sheet, title, bold=True, fill=palette.BAND) for title in AUDIT_COLUMNS]
        )
        written = 0
        try:
            for line in lines:
                sheet.append(_xlsx_row(sheet, line))
                written += 1
        except BaseException:
            _abandon(about)
            _abandon(sheet)
            raise
        book.save(str(target))
        return written

    return _atomically(path, write)


def _abandon(sheet: WriteOnlyWorksheet) -> None:
    """Close a sheet given up half-way (cancelled, or the entries failed), and remove the rows
    openpyxl kept in a temporary file; left open, its writer fails later in the collector."""
    sheet.close()
    writer = sheet._writer  # openpyxl has no public way to drop a sheet
    if writer is not None:
        writer.cleanup()


def _xlsx_row(sheet: WriteOnlyWorksheet, line: AuditLine) -> list[Any]:
    when = WriteOnlyCell(sheet, value=dates.as_utc(line.occurred_at))
    when.number_format = WHEN_FORMAT
    changes = WriteOnlyCell(sheet, value=_safe(line.what_changed))
    changes.data_type = "s"
    changes.alignment = _WRAP
    return [
        line.number,
        when,
        _text(sheet, line.who),
        line.action,
        line.record_type,
        _text(sheet, line.record),
        changes,
        _text(sheet, line.reason),
    ]


_WRAP = Alignment(wrap_text=True, vertical="top")


def _safe(text: str) -> str:
    return defused(ILLEGAL_CHARACTERS_RE.sub("", text))


def _text(sheet: WriteOnlyWorksheet, value: str) -> Any:
    """Text as text: a plain string where openpyxl would store it so (fast), a cell forced to
    text where it would not (a formula, an error value such as ``#N/A``)."""
    if not value:
        return None
    if (
        value.startswith(FORMULA_STARTS)
        or value in ERROR_CODES
        or ILLEGAL_CHARACTERS_RE.search(value)
    ):
        return xlsx_cell(sheet, value)
    return value


# ----- PDF ---------------------------------------------------------------------------------


def write_audit_pdf(
    heading: AuditHeading,
    lines: Iterable[AuditLine],
    path: Path,
    *,
    should_stop: Callable[[], bool] | None = None,
) -> int:
    """A4, print-ready, in the app's fonts; up to ``PDF_MAX_ENTRIES`` entries. ``should_stop``
    is asked as the pages are laid out (``ExportCancelled``: no file)."""
    if heading.count > PDF_MAX_ENTRIES:
        raise DomainError(
            f"{heading.count} entries are too many for a PDF (at most {PDF_MAX_ENTRIES}, about "
            "300 pages): export them as CSV or XLSX, or narrow the dates; nothing was written"
        )
    data = render_audit_pdf(heading, lines, should_stop=should_stop)
    return _atomically(path, lambda target: (target.write_bytes(data), heading.count)[1])


class _Stoppable(BaseDocTemplate):  # type: ignore[misc]
    """Asks ``should_stop`` after each table is laid out (150 entries): a Cancel while the
    pages are made stops within a second or so."""

    def __init__(self, *args: Any, should_stop: Callable[[], bool] | None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.should_stop = should_stop

    def afterFlowable(self, flowable: Flowable) -> None:
        if self.should_stop is not None and self.should_stop():
            raise ExportCancelled


def render_audit_pdf(
    heading: AuditHeading,
    lines: Iterable[AuditLine],
    *,
    should_stop: Callable[[], bool] | None = None,
) -> bytes:
    look = _Look.make()
    story: list[Flowable] = [*_pdf_heading(heading, look), *_pdf_entries(lines, look)]
    buffer = io.BytesIO()
    doc = document(
        buffer,
        A4,
        MARGIN,
        template=_Stoppable,
        should_stop=should_stop,
        title=f"{TITLE} — {heading.database}",
        author=heading.generated_by,
        subject=f"Audit trail · {heading.selection.describe()}",
    )
    footer = (
        f"Audit trail of {heading.database} · {heading.selection.describe()} · generated "
        f"{dates.utc_moment(heading.generated_at)} by {heading.generated_by}"
    )
    build(doc, story, footer, look, MARGIN)
    return buffer.getvalue()


def _pdf_heading(heading: AuditHeading, look: _Look) -> list[Flowable]:
    verdict_colour = palette.STATUS[MatrixStatus.VALID][1] if heading.intact else palette.ABSENT
    rows = []
    for label, value in heading.lines():
        style = look.body
        if label == "Audit trail check":
            style = look.coloured(look.bold, verdict_colour)
        rows.append([paragraph(label, look.label), _paragraph(value, style)])
    facts = table(
        rows,
        [32 * mm, WIDTH - 32 * mm],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
    )
    return [paragraph("Audit trail", look.title), _rule(4, 6), facts, Spacer(0, 10)]


CHUNK = 150  # entries per table: ReportLab lays a long table out much faster in pieces


def _pdf_entries(lines: Iterable[AuditLine], look: _Look) -> list[Flowable]:
    header = [
        paragraph(text, look.label)
        for text in (
            "Entry",
            "When (UTC)",
            "Who",
            "Action",
            "Record",
            "What changed (old to new)",
            "Reason",
        )
    ]
    widths = [10 * mm, 21 * mm, 14 * mm, 14 * mm, 34 * mm, 55 * mm]
    widths.append(WIDTH - sum(widths))
    out: list[Flowable] = []
    rows: list[list[Any]] = [header]
    for line in lines:
        rows.append(_pdf_row(line, look))
        if len(rows) > CHUNK:
            out.append(grid(rows, widths, header=True))
            rows = [header]
    if len(rows) > 1:
        out.append(grid(rows, widths, header=True))
    return out


def _pdf_row(line: AuditLine, look: _Look) -> list[Any]:
    changes: list[Flowable] = [Paragraph(_change(c), look.small) for c in line.changes]
    record = Paragraph(
        f"{_markup(line.record_type)}<br/>{_markup(line.record, Weight.BOLD)}", look.small
    )
    return [
        paragraph(str(line.number), look.small),
        paragraph(line.when, look.small),
        _paragraph(line.who, look.small),
        paragraph(line.action, look.small),
        record,
        changes or paragraph(dates.NONE, look.small),
        _paragraph(line.reason, look.small),
    ]


def _change(change: ChangeInWords) -> str:
    """``Name Siobhan to Siobhán``; a value set from nothing shows the new value alone (the
    shipped fonts have no arrow, and "— → LON" on every created record is noise)."""
    field = _markup(change.field, Weight.BOLD)
    if change.old == dates.NONE:
        return f"{field} {_markup(change.new)}"
    return f"{field} {_markup(change.old)} {_TO} {_markup(change.new)}"


_TO = f'<font color="{palette.MUTED}">{markup("to", Weight.ITALIC)}</font>'


# The trail is printed as recorded: a character no shipped font has gets a stand-in, never a
# refusal that would leave the whole export unwritten.
def _markup(text: str, weight: Weight = Weight.REGULAR) -> str:
    return markup(printable(text, weight), weight)


def _paragraph(text: str, style: Any) -> Flowable:
    return paragraph(printable(text), style)


def _atomically(path: Path, write: Any) -> int:
    written: list[int] = []
    replace_atomically(path, lambda target: written.append(write(target)))
    return written[0]
