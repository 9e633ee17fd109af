"""Spreadsheet cell values, made safe: text a spreadsheet would run as a formula is defused."""

from __future__ import annotations

import functools
from datetime import date, datetime
from decimal import Decimal

from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.worksheet import Worksheet

from trainer_app.domain import dates
from trainer_app.exports import wording

Value = str | int | float | Decimal | date | datetime | None

# Spreadsheets treat text starting with these as a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

# Real date cells (sortable, filterable), shown in the app's one date style.
DATE_FORMAT = "d mmm yyyy"
TIME_FORMAT = "d mmm yyyy hh:mm"
_BOLD = Font(bold=True)
_WRAPPED = Alignment(wrap_text=True, vertical="top")


def defused(text: str) -> str:
    """``text``, prefixed with ``'`` if a spreadsheet would take it for a formula."""
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_text(value: Value) -> str:
    """A CSV field: ISO dates, plain numbers, defused text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{dates.as_utc(value):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal | float | int):
        return wording.number(value)
    return defused(value)


def xlsx_cell(
    sheet: WriteOnlyWorksheet, value: Value, *, bold: bool = False, fill: str | None = None
) -> WriteOnlyCell | None:
    """A cell of a write-only sheet (None: leave it empty). Text is always stored as text,
    never as a formula or an error value such as ``#N/A``."""
    if (value is None or value == "") and not bold and fill is None:
        return None
    if isinstance(value, datetime):
        cell = WriteOnlyCell(sheet, value=dates.as_utc(value))
        cell.number_format = TIME_FORMAT
    elif isinstance(value, date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = DATE_FORMAT
    elif isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=None)
        cell.value = defused(ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"
        if "\n" in value:  # several lines (what changed): shown and printed as lines
            cell.alignment = _WRAPPED
    else:
        cell = WriteOnlyCell(sheet, value=value)
    if bold:
        cell.font = _BOLD
    if fill is not None:
        cell.fill = _fill(fill)
    return cell


@functools.cache
def _fill(colour: str) -> PatternFill:
    rgb = colour.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb)


def print_one_page_wide(sheet: Worksheet | WriteOnlyWorksheet, *, header_row: bool = True) -> None:
    """Printed (or opened in LibreOffice and exported to PDF) as an inspector reads it: A4
    landscape, every column on one page wide, as many pages down as needed, the header row
    repeated on each."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    if header_row:
        sheet.print_title_rows = "1:1"
