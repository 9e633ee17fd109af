"""The refresher list as CSV or XLSX, in the order shown. Cells go through the exports' own
defusing (text a spreadsheet would run as a formula is kept as text); the file is written
beside its target and renamed into place, so a failure never leaves half a file."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from trainer_app.domain.records import Due
from trainer_app.exports import palette
from trainer_app.exports.cells import Value, csv_text, print_one_page_wide, xlsx_cell
from trainer_app.files import replace_atomically

COLUMNS = (
    ("Name", 28),
    ("Reference", 12),
    ("Hub", 8),
    ("Course code", 12),
    ("Course title", 40),
    ("Status", 22),
    ("Expires on", 12),
    ("Version last completed", 12),
)
STATUS_COLUMN = 5
HEADER_FILL = "#E6ECF3"


def due_row(due: Due) -> tuple[Value, ...]:
    return (
        due.name,
        due.reference,
        due.hub,
        due.course_code,
        due.course_title,
        due.status.label,
        due.expires_on,
        due.version,
    )


def write_due_csv(rows: Sequence[Due], path: Path) -> None:
    """UTF-8 with a byte order mark, so Excel reads names in any script."""

    def write(target: Path) -> None:
        with target.open("w", encoding="utf-8-sig", newline="") as stream:
            writer = csv.writer(stream, dialect="excel")
            writer.writerow([header for header, _ in COLUMNS])
            for due in rows:
                writer.writerow([csv_text(value) for value in due_row(due)])

    replace_atomically(path, write)


def write_due_xlsx(rows: Sequence[Due], path: Path, title: str) -> None:
    """One sheet with a bold frozen header and a filter; the status on its colour."""
    book = Workbook(write_only=True)
    book.properties.title = title
    sheet = book.create_sheet("Due for refresher")
    for index, (_, width) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "B2"
    print_one_page_wide(sheet)
    sheet.append([xlsx_cell(sheet, header, bold=True, fill=HEADER_FILL) for header, _ in COLUMNS])
    for due in rows:
        fills = {STATUS_COLUMN: palette.STATUS[due.status][0]}
        sheet.append(
            [
                xlsx_cell(sheet, value, fill=fills.get(column))
                for column, value in enumerate(due_row(due))
            ]
        )
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(COLUMNS))}{len(rows) + 1}"
    replace_atomically(path, lambda target: book.save(str(target)))
