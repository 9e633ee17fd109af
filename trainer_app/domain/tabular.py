"""Rows typed into spreadsheets, checked before they become records.

The generic half of every import (trainees, enrolments, completions): a :class:`Table` of
cleaned strings as read from a CSV or XLSX file, headings matched to the importer's
:class:`ColumnSpec` list, cells that look like spreadsheet formulas refused, dates read, and
every problem kept as a :class:`Problem` naming the row and column the user sees. Reading
files belongs to the services; this module is pure.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

HEADER_ROW = 1
SHOWN_HEADINGS = 8  # unknown headings named in one problem; a long line says little more


@dataclass(frozen=True)
class Problem:
    """One reason a file cannot be imported.

    ``row`` is the spreadsheet row as the user sees it (the heading row is 1) and ``column``
    the importer's column name; either is ``None`` when the problem is not about one place.
    """

    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


@dataclass(frozen=True)
class Table:
    """A sheet's cells as cleaned strings: the heading row and the rows below it.

    ``row_numbers`` holds each row's spreadsheet row number (rows that are entirely blank are
    left out, so the numbers may skip); by default the rows follow the heading row directly.
    ``notes`` says anything the reader did that the user should know (e.g. a conversion).
    """

    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    row_numbers: tuple[int, ...] = ()
    header_row: int = HEADER_ROW
    notes: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.row_numbers:
            first = self.header_row + 1
            object.__setattr__(self, "row_numbers", tuple(range(first, first + len(self.rows))))
        if len(self.row_numbers) != len(self.rows):
            raise ValueError("Table needs one row number per row")


def clean_cell(value: str) -> str:
    """NFC-normalised and trimmed; line breaks inside the cell are kept."""
    return unicodedata.normalize("NFC", value).strip().lstrip("\ufeff").strip()


def table_from_cells(cells: Iterable[Sequence[str]], *, notes: tuple[str, ...] = ()) -> Table:
    """Build a :class:`Table` from raw rows in sheet order (the first row is spreadsheet row 1).

    Cells are cleaned; blank rows before the heading row and between rows are skipped but
    keep their place in the numbering. No rows at all gives a table without headings.
    """
    headers: tuple[str, ...] | None = None
    header_row = HEADER_ROW
    rows: list[tuple[str, ...]] = []
    numbers: list[int] = []
    for number, raw in enumerate(cells, start=1):
        row = tuple(clean_cell(cell) for cell in raw)
        if not any(row):
            continue
        if headers is None:
            headers, header_row = row, number
        else:
            rows.append(row)
            numbers.append(number)
    if headers is None:
        return Table((), (), notes=notes)
    return Table(headers, tuple(rows), tuple(numbers), header_row=header_row, notes=notes)


@dataclass(frozen=True)
class ColumnSpec:
    """A column an importer understands. ``aliases`` are other headings meaning the same."""

    name: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    description: str = ""  # what to write, for the template's notes and the user guide
    accepted: str = ""  # the accepted values in words


def header_key(text: str) -> str:
    """Headings match ignoring case, spaces and underscores: "E Mail", "e_mail", "EMAIL"."""
    return "".join(unicodedata.normalize("NFC", text).casefold().replace("_", " ").split())


def column_letter(index: int) -> str:
    """Spreadsheet letters for a 0-based column index: 0 → A, 27 → AB."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(ord("A") + remainder) + letters
    return letters


def _expected(columns: Sequence[ColumnSpec]) -> str:
    names = ", ".join(c.name for c in columns)
    required = [c.name for c in columns if c.required]
    return f"{names} (required: {', '.join(required)})" if required else names


@dataclass(frozen=True)
class HeaderMatch:
    """Which known column sits at which index, and what is wrong with the heading row.

    ``usable`` is false when a required column is missing or two headings mean the same
    column: then the rows cannot be read. Unknown headings alone leave it usable.
    """

    columns: Mapping[str, int]
    problems: tuple[Problem, ...]
    usable: bool


def match_headers(
    headers: Sequence[str], columns: Sequence[ColumnSpec], *, header_row: int = HEADER_ROW
) -> HeaderMatch:
    """Map each known column name to its index in ``headers``; list what does not fit.

    Problems: headings no column answers to (named, with the expected columns listed), two
    headings meaning the same column, and required columns missing (one problem each).
    Blank headings are left to :func:`read_records`, which knows whether the column is used.
    """
    lookup: dict[str, str] = {}
    for column in columns:
        for alias in (column.name, *column.aliases):
            lookup[header_key(alias)] = column.name
    found: dict[str, int] = {}
    unknown: list[str] = []
    problems: list[Problem] = []
    usable = True
    for index, heading in enumerate(headers):
        if not heading:
            continue
        name = lookup.get(header_key(heading))
        if name is None:
            unknown.append(heading)
        elif name in found:
            usable = False
            first = headers[found[name]]
            problems.append(
                Problem(
                    header_row,
                    name,
                    f"headings '{first}' (column {column_letter(found[name])}) and "
                    f"'{heading}' (column {column_letter(index)}) mean the same; keep one",
                )
            )
        else:
            found[name] = index
    if unknown:
        listed = ", ".join(f"'{_short(h)}'" for h in unknown[:SHOWN_HEADINGS])
        if len(unknown) > SHOWN_HEADINGS:
            listed += f" and {len(unknown) - SHOWN_HEADINGS} more"
        noun = "column" if len(unknown) == 1 else "columns"
        problems.append(
            Problem(
                header_row,
                None,
                f"unknown {noun} {listed}; the expected columns are {_expected(columns)}",
            )
        )
    for column in columns:
        if column.required and column.name not in found:
            usable = False
            problems.append(
                Problem(
                    header_row,
                    column.name,
                    f"this required column is missing; the expected columns are "
                    f"{_expected(columns)}",
                )
            )
    return HeaderMatch(found, tuple(problems), usable)


_SPREADSHEET_ERRORS = frozenset(
    {
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#GETTING_DATA",
    }
)
# A leading + or - is a formula to Excel unless the rest is a plain number; "+44 20 7946 0000"
# (digits and spaces, a telephone number) and "-3" or "-3.5" are values, "-A1+1" is not.
_SIGNED_VALUE = re.compile(r"^[+-]\d[\d ]*(?:\.\d+)?$")


def cell_problem(text: str) -> str | None:
    """Why a cleaned cell cannot be taken as typed, or ``None`` when it can.

    Formulas (``=…``, ``@…``, ``+…``, ``-…`` other than a plain number or a "+44 …" telephone
    number) are refused, never evaluated or stored: they are not the value the user sees, and
    stored they could run when the data is exported to a spreadsheet again. A lone "-" is a
    value. Spreadsheet error values such as ``#N/A`` are refused too.
    """
    if not text:
        return None
    first = text[0]
    if first in "=@" or (first in "+-" and len(text) > 1 and not _SIGNED_VALUE.match(text)):
        return f"'{_short(text)}' looks like a spreadsheet formula; type the value itself"
    if text.upper() in _SPREADSHEET_ERRORS:
        return f"the cell shows a spreadsheet error ({text}); type the value itself"
    return None


def _short(text: str, limit: int = 40) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"


_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00)?)?$")
_UK_DAY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


def parse_date(text: str) -> date:
    """A day written as ISO ``2027-01-11`` or UK ``11/01/2027`` (day first).

    Raises ``ValueError`` whose message says what is wrong in the user's words.
    """
    iso = _ISO_DAY.match(text)
    uk = _UK_DAY.match(text)
    if iso:
        year, month, day = (int(part) for part in iso.groups())
    elif uk:
        day, month, year = (int(part) for part in uk.groups())
    else:
        raise ValueError(f"'{_short(text)}' is not a date; write it as 2027-01-11 or 11/01/2027")
    try:
        return date(year, month, day)
    except ValueError:
        hint = " (dates are day/month/year)" if uk else ""
        raise ValueError(f"'{text}' is not a real date{hint}") from None


@dataclass(frozen=True)
class Record:
    """One data row: the spreadsheet row number and each known column's cleaned text."""

    row: int
    values: Mapping[str, str]

    def __getitem__(self, column: str) -> str:
        return self.values.get(column, "")

    def problem(self, column: str | None, message: str) -> Problem:
        return Problem(self.row, column, message)

    def day(self, column: str, problems: list[Problem], *, required: bool = False) -> date | None:
        """The column's day, or ``None`` when blank; a bad or missing date adds a problem."""
        text = self[column]
        if not text:
            if required:
                problems.append(self.problem(column, "a date is required (e.g. 2027-01-11)"))
            return None
        try:
            return parse_date(text)
        except ValueError as error:
            problems.append(self.problem(column, str(error)))
            return None


@dataclass(frozen=True)
class Records:
    """What :func:`read_records` made of a table.

    ``complete`` is false when the headings are unusable (a required column missing, a column
    twice, an empty file); then ``items`` is empty and only the heading problems are listed.
    """

    items: tuple[Record, ...]
    problems: tuple[Problem, ...]
    columns: frozenset[str] = field(default_factory=frozenset)
    complete: bool = True


def read_records(table: Table, columns: Sequence[ColumnSpec], *, noun: str = "record") -> Records:
    """Match headings, then turn each row into a :class:`Record` of the known columns.

    Problems found here: an empty file or a heading row alone, heading problems (see
    :func:`match_headers`), values under a blank heading, more values than headings, and
    formula or error cells. Unknown columns alone do not stop the rows being read, so that
    one pass lists every problem.
    """
    expected = _expected(columns)
    if not table.headers:
        return Records(
            (),
            (
                Problem(
                    None,
                    None,
                    f"the file is empty; put the headings in row 1 ({expected}) and one "
                    f"{noun} a row below them",
                ),
            ),
            complete=False,
        )
    match = match_headers(table.headers, columns, header_row=table.header_row)
    found = match.columns
    problems = list(match.problems)
    if not table.rows:
        problems.append(
            Problem(None, None, f"the file has a heading row but no rows; add one {noun} a row")
        )
    problems.extend(_unheaded_values(table))
    if not match.usable or not table.rows:
        return Records((), tuple(problems), frozenset(found), complete=False)
    width = len(table.headers)
    items = []
    for number, cells in zip(table.row_numbers, table.rows, strict=True):
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append(
                Problem(
                    number,
                    None,
                    f"the row has {len(extra)} more value(s) than there are headings "
                    f"('{_short(extra[0])}' …); put each value under its heading",
                )
            )
        values = {name: cells[index] if index < len(cells) else "" for name, index in found.items()}
        for name, text in values.items():
            reason = cell_problem(text)
            if reason:
                problems.append(Problem(number, name, reason))
                values[name] = ""
        items.append(Record(number, values))
    return Records(tuple(items), tuple(problems), frozenset(found))


def _unheaded_values(table: Table) -> Iterator[Problem]:
    blank = [i for i, heading in enumerate(table.headers) if not heading]
    for index in blank:
        used = next(
            (n for n, row in zip(table.row_numbers, table.rows, strict=True) if _at(row, index)),
            None,
        )
        if used is not None:
            yield Problem(
                table.header_row,
                None,
                f"column {column_letter(index)} has values (e.g. in row {used}) but no heading",
            )


def _at(row: Sequence[str], index: int) -> str:
    return row[index] if index < len(row) else ""


def split_values(text: str, separators: str = ";\n") -> tuple[str, ...]:
    """A cell holding several values ("A; B" or one per line), cleaned, blanks and repeats
    dropped, in the order written."""
    parts = re.split("|".join(re.escape(s) for s in separators), text) if text else []
    seen: dict[str, None] = {}
    for part in parts:
        cleaned = " ".join(part.split())
        if cleaned:
            seen.setdefault(cleaned, None)
    return tuple(seen)


def repeats(values: Iterable[tuple[int, str]]) -> Iterator[tuple[int, int, str]]:
    """For ``(row, key)`` pairs, each later row whose key an earlier row had, as
    ``(row, first_row, key)``. Blank keys never repeat."""
    first: dict[str, int] = {}
    for row, key in values:
        if not key:
            continue
        earlier = first.setdefault(key, row)
        if earlier != row:
            yield row, earlier, key


def closest(text: str, choices: Iterable[str]) -> str | None:
    """The choice most like ``text`` (ignoring case), for a "did you mean" hint, if any is close."""
    by_key = {choice.casefold(): choice for choice in choices}
    match = difflib.get_close_matches(text.casefold(), list(by_key), n=1, cutoff=0.6)
    return by_key[match[0]] if match else None
