"""All-or-nothing imports from CSV and XLSX files, with a preview that lists every problem.

``read_table`` turns a file into a :class:`~trainer_app.domain.tabular.Table`; an importer
(:class:`TableImport` subclass, one per kind of data) checks every row against the store and
the domain rules, then writes all rows in one transaction or none. The kinds are listed in
:mod:`trainer_app.services.importers`, with ``write_template`` for a file to fill in.
"""

from __future__ import annotations

import csv
import io
import os
import stat
import warnings
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from trainer_app import resources
from trainer_app.domain.errors import DomainError, StoreError, ValidationError
from trainer_app.domain.people import TraineeFields, TraineeType
from trainer_app.domain.tabular import (
    ColumnSpec,
    Problem,
    Record,
    Table,
    closest,
    column_letter,
    header_key,
    match_headers,
    read_records,
    repeats,
    split_values,
    table_from_cells,
)
from trainer_app.domain.text import clean_text
from trainer_app.files import replace_atomically
from trainer_app.persistence.models import CohortRow, HubRow, TraineeRow
from trainer_app.persistence.uow import reading
from trainer_app.services.context import ServiceContext
from trainer_app.services.encodings import decode

T = TypeVar("T")

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 50_000  # rows below the heading row, blank ones included
MAX_COLUMNS = 200
MAX_CELL_CHARS = 32_767  # Excel's own limit for one cell
MAX_XML_BYTES = 200 * 1024 * 1024  # any one part of an .xlsx, uncompressed
FILE_TYPES = (".csv", ".xlsx")
SHOWN_PROBLEMS = 10  # in an error message; the preview and the CLI list them all
CHECK_STEP = 250  # rows between progress reports and stop checks

Progress = Callable[[int, int], None]  # (rows done, rows in all)
ShouldStop = Callable[[], bool]


class ImportCancelled(DomainError):
    """The user stopped the import; nothing was written."""

    def __init__(self) -> None:
        super().__init__("The import was stopped; nothing was imported")


class ImportRefused(DomainError):
    """The file has problems; nothing was written. ``problems`` holds every one."""

    def __init__(self, source: Path | None, problems: Sequence[Problem]) -> None:
        self.problems = tuple(problems)
        name = source.name if source else "The file"
        lines = [f"  {p}" for p in self.problems[:SHOWN_PROBLEMS]]
        hidden = len(self.problems) - SHOWN_PROBLEMS
        if hidden > 0:
            lines.append(f"  … and {number(hidden)} more")
        super().__init__(
            f"{name} cannot be imported ({plural(len(self.problems), 'problem')}); "
            "nothing was imported:\n" + "\n".join(lines)
        )


def number(count: int) -> str:
    """10000 → "10 000", as the figures are written in messages."""
    return f"{count:,}".replace(",", " ")


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    return f"{number(count)} {noun if count == 1 else (plural_form or noun + 's')}"


# ----- reading files ---------------------------------------------------------------------------


def read_table(path: Path, *, should_stop: ShouldStop | None = None) -> Table:
    """The first sheet of a ``.csv`` or ``.xlsx`` file as a table of cleaned strings.

    CSV is read as UTF-8 (with or without a byte-order mark) or, when charset-normalizer and
    the mojibake check agree on one legacy code page, in that one (the table's notes say
    which); the delimiter is a comma or a semicolon. In XLSX files, formula cells come through
    as their formula text (the import refuses them), dates as ISO text and whole numbers
    without ".0". Raises ``DomainError`` for a file that cannot be read at all: a wrong type,
    not a regular file, over 20 MB, not text, damaged; and ``ImportRefused`` naming the place
    where the sheet passes a limit (rows, columns, characters in a cell), found while reading.
    """
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        shown = f"'{path.suffix}' files" if path.suffix else "files without an extension"
        raise DomainError(
            f"{path.name}: {shown} cannot be imported; save the sheet as Excel workbook "
            "(.xlsx) or CSV UTF-8 (.csv)"
        )
    data = _read_bytes(path)
    if suffix == ".xlsx":
        return _read_xlsx(path, data, should_stop)
    return _read_csv(path, data)


def _read_bytes(path: Path) -> bytes:
    """At most the size limit (plus one byte, to know it was passed) from a regular file.

    Devices (/dev/zero claims 0 bytes and never ends), pipes (which block until someone
    writes) and folders are refused before they are opened; the file is opened without
    blocking and checked again, in case it was swapped in between.
    """
    try:
        status = path.stat()
        if not stat.S_ISREG(status.st_mode):
            raise DomainError(_not_a_file(path, status.st_mode))
        if status.st_size > MAX_FILE_BYTES:
            raise DomainError(_too_big(path, status.st_size))
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        descriptor = os.open(path, flags)
        with os.fdopen(descriptor, "rb") as stream:
            mode = os.fstat(stream.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise DomainError(_not_a_file(path, mode))
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise DomainError(f"Cannot read {path}: {error.strerror}") from error
    if len(data) > MAX_FILE_BYTES:
        raise DomainError(_too_big(path, None))
    return data


def _not_a_file(path: Path, mode: int) -> str:
    what = (
        "a folder"
        if stat.S_ISDIR(mode)
        else "a pipe"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "not a regular file"
    )
    return f"{path.name} is {what}, not a saved spreadsheet; choose a .csv or .xlsx file"


def _too_big(path: Path, size: int | None) -> str:
    shown = f"is {size / 2**20:.1f} MB" if size is not None else "is larger than it said"
    return (
        f"{path.name} {shown}; the limit is {MAX_FILE_BYTES // 2**20} MB "
        "— split it into smaller files"
    )


def _read_csv(path: Path, data: bytes) -> Table:
    text, notes = _decode(path.name, data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        rows = list(_within_limits(path, reader, None))
    except csv.Error as error:
        raise DomainError(
            f"{path.name} is not a well-formed CSV file (line {reader.line_num}: {error})"
        ) from error
    return table_from_cells(rows, notes=notes)


def _within_limits(
    path: Path, rows: Iterable[Sequence[str]], should_stop: ShouldStop | None
) -> Iterator[Sequence[str]]:
    """``rows`` as they come, refused at the first one past a limit (so a sheet of millions of
    rows is refused after the 50 001st, not read whole)."""
    for row_number, row in enumerate(rows, start=1):
        if should_stop and row_number % 1000 == 0 and should_stop():
            raise ImportCancelled
        if row_number > MAX_ROWS + 1:  # the heading row and MAX_ROWS rows below it
            raise ImportRefused(
                path,
                [
                    Problem(
                        row_number,
                        None,
                        f"the sheet goes on past {number(MAX_ROWS)} rows (the limit for one "
                        "import; blank rows that hold formatting count too) — split it into "
                        "smaller files",
                    )
                ],
            )
        if len(row) > MAX_COLUMNS:
            raise ImportRefused(
                path,
                [
                    Problem(
                        row_number,
                        None,
                        f"the row has {len(row)} columns; the limit is {MAX_COLUMNS} (delete "
                        "the unused columns on the right)",
                    )
                ],
            )
        if row and max(map(len, row)) > MAX_CELL_CHARS:
            index = next(i for i, cell in enumerate(row) if len(cell) > MAX_CELL_CHARS)
            cell = row[index]
            raise ImportRefused(
                path,
                [
                    Problem(
                        row_number,
                        None,
                        f"cell {column_letter(index)}{row_number} holds {number(len(cell))} "
                        f"characters; the limit is {number(MAX_CELL_CHARS)} (Excel's "
                        "own)",
                    )
                ],
            )
        yield row


def _decode(name: str, data: bytes) -> tuple[str, tuple[str, ...]]:
    decoded = decode(name, data)
    return decoded.text, (decoded.note,) if decoded.note else ()


def _delimiter(text: str) -> str:
    """Comma, unless the heading line has more semicolons (Excel in many European locales)."""
    commas = semicolons = 0
    quoted = False
    for character in text:
        if character == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif character in "\r\n":
            break
        elif character == ",":
            commas += 1
        elif character == ";":
            semicolons += 1
    return ";" if semicolons > commas else ","


def _read_xlsx(path: Path, data: bytes, should_stop: ShouldStop | None) -> Table:
    import openpyxl

    damaged = DomainError(
        f"{path.name} cannot be read as an Excel workbook (.xlsx); it may be damaged or "
        "another kind of file. Open it in Excel and save it again"
    )
    stream = io.BytesIO(data)
    _refuse_zip_bombs(path, stream, damaged)
    # openpyxl warns about workbook features it drops (data validation, conditional
    # formatting); the import reads values only, so those warnings say nothing to the user.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=UserWarning, module="openpyxl")
        try:
            workbook = openpyxl.load_workbook(stream, read_only=True, data_only=False)
        except Exception as error:  # any parser failure on a foreign file means "damaged"
            raise damaged from error
        try:
            if not workbook.worksheets:
                return Table((), ())
            sheet = workbook.worksheets[0]
            # The sheet's own claim of its size ("A1:XFD1048576") would pad every row to
            # 16 384 cells; read the rows as they are instead.
            sheet.reset_dimensions()
            texts = ([_cell_text(cell) for cell in row] for row in sheet.iter_rows(min_row=1))
            rows = list(_within_limits(path, texts, should_stop))
            width = max(map(len, rows), default=0)
            rows = [[*row, *[""] * (width - len(row))] for row in rows]
        except DomainError:
            raise
        except Exception as error:
            raise damaged from error
        finally:
            workbook.close()
    return table_from_cells(rows)


def _refuse_zip_bombs(path: Path, stream: io.BytesIO, damaged: DomainError) -> None:
    """An .xlsx is a zip of XML parts; refuse one whose parts would unpack to more than the
    limit (a few megabytes can hold gigabytes of repeated XML). The sizes are those the zip
    declares; Python's zip reader never unpacks more than that."""
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise damaged from error
    finally:
        stream.seek(0)
    for part in parts:
        if part.file_size > MAX_XML_BYTES:
            raise DomainError(
                f"{path.name} holds a part ({part.filename}) that unpacks to "
                f"{part.file_size / 2**20:,.0f} MB; the limit is {MAX_XML_BYTES // 2**20} MB. "
                "Copy the rows you need into a new workbook and import that"
            )


def _cell_text(cell: Any) -> str:
    value = cell.value
    if value is None:
        return ""
    if cell.data_type == "f":
        text = value if isinstance(value, str) else str(getattr(value, "text", value))
        return text if text.startswith("=") else f"={text}"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        if value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ", timespec="minutes" if not value.second else "seconds")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


# ----- previews and results --------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPreview(Generic[T]):
    """What an import would do: every problem found, and the items ready to be written.

    ``items`` holds the rows without problems (``item_rows`` their row numbers); the import
    goes ahead only when ``problems`` is empty.
    """

    kind: str
    source: Path | None
    rows: int
    items: tuple[T, ...]
    item_rows: tuple[int, ...]
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    # Rows whose key the import made up (blank references): made again when written, inside
    # the write transaction, so that an import running at the same time cannot take them.
    filled_rows: frozenset[int] = frozenset()

    @property
    def ready(self) -> bool:
        return not self.problems and bool(self.items)

    @property
    def problem_rows(self) -> int:
        return len({p.row for p in self.problems if p.row is not None})

    def summary(self) -> str:
        """One line: "10 000 rows checked: ready to import", or how many problems there are."""
        checked = f"{plural(self.rows, 'row')} checked"
        if self.ready:
            return f"{checked}: ready to import"
        on_rows = f" on {plural(self.problem_rows, 'row')}" if self.problem_rows else ""
        return (
            f"{checked}: {plural(len(self.problems), 'problem')}{on_rows}; nothing can be "
            "imported until every one is fixed"
        )


@dataclass(frozen=True)
class ImportResult:
    kind: str
    source: Path | None
    ids: tuple[int, ...]
    noun: str = "record"

    @property
    def count(self) -> int:
        return len(self.ids)

    def summary(self) -> str:
        return f"Imported {plural(self.count, self.noun)}"


class _Ticker:
    """Reports progress every few rows and raises ``ImportCancelled`` when asked to stop."""

    def __init__(self, total: int, progress: Progress | None, should_stop: ShouldStop | None):
        self.total, self.progress, self.should_stop = total, progress, should_stop

    def __call__(self, done: int) -> None:
        if done % CHECK_STEP:
            return
        if self.should_stop and self.should_stop():
            raise ImportCancelled
        if self.progress:
            self.progress(done, self.total)

    def finish(self) -> None:
        if self.progress:
            self.progress(self.total, self.total)


# ----- importers -------------------------------------------------------------------------------


class TableImport(Generic[T]):
    """One kind of import. Subclasses name their columns and check and write their rows.

    ``preview`` reads and checks without writing; ``apply`` writes every row in one
    transaction, or refuses with ``ImportRefused`` and writes nothing. Both take
    ``progress(done, total)`` (rows checked) and ``should_stop()``; stopping raises
    ``ImportCancelled`` before anything is written. The write itself is one transaction and
    is not interrupted.
    """

    kind: ClassVar[str]  # the command and template name, e.g. "trainees"
    noun: ClassVar[str]  # one row is one …, e.g. "trainee"
    description: ClassVar[str]  # one line for the command's help
    columns: ClassVar[tuple[ColumnSpec, ...]]

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def preview(
        self,
        path: Path,
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> ImportPreview[T]:
        """Read ``path`` and check every row; nothing is written."""
        table = read_table(path, should_stop=should_stop)
        return self.check(table, source=path, progress=progress, should_stop=should_stop)

    def check(
        self,
        table: Table,
        *,
        source: Path | None = None,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> ImportPreview[T]:
        """Check a table already read (a file, or cells pasted in the window)."""
        records = read_records(table, self.columns, noun=self.noun)
        ticker = _Ticker(len(records.items), progress, should_stop)
        entries, found, notes = self._check_records(records.items, ticker)
        ticker.finish()
        problems = sorted(
            (*records.problems, *found), key=lambda p: (p.row or 0, self._column_order(p))
        )
        bad = {p.row for p in problems}
        ready = [(row, item) for row, item in entries if row not in bad]
        return ImportPreview(
            kind=self.kind,
            source=source,
            rows=len(table.rows),
            items=tuple(item for _, item in ready),
            item_rows=tuple(row for row, _ in ready),
            problems=tuple(problems),
            notes=(*table.notes, *notes),
        )

    def apply(
        self,
        source: Path | ImportPreview[T],
        *,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
        reason: str = "",
    ) -> ImportResult:
        """Write every row of the file (or of a preview, re-checked against the store).

        All or nothing: problems raise ``ImportRefused`` listing the first ten; a failure
        while writing rolls everything back. The audit trail records ``reason`` (by default
        the file's name) on each new record.
        """
        if isinstance(source, ImportPreview):
            preview = source
            if preview.kind != self.kind:
                raise ValueError(f"a {preview.kind} preview given to the {self.kind} import")
            problems = preview.problems or tuple(self._recheck(preview))
        else:
            preview = self.preview(source, progress=progress, should_stop=should_stop)
            problems = preview.problems
        if not problems and not preview.items:
            problems = (Problem(None, None, f"there is no {self.noun} to import"),)
        if problems:
            raise ImportRefused(preview.source, problems)
        if should_stop and should_stop():
            raise ImportCancelled
        name = preview.source.name if preview.source else "a table"
        try:
            ids = self._write(preview, reason=reason or f"Imported from {name}")
        except StoreError as error:
            raise StoreError(
                f"{name}: the store is busy with another change (another import or a "
                "colleague saving); nothing was imported — try again in a moment"
            ) from error
        except DomainError as error:
            if not isinstance(error.__cause__, IntegrityError):
                raise
            # Someone else wrote at the same time and took a value this import needs.
            clashes = tuple(self._recheck(preview))
            if clashes:
                raise ImportRefused(preview.source, clashes) from error
            raise DomainError(
                f"{name}: the store changed while importing (someone else saved at the same "
                "time); nothing was imported — check the file again and import it"
            ) from error
        return ImportResult(self.kind, preview.source, tuple(ids), self.noun)

    # ----- hooks -------------------------------------------------------------------------------
    def _check_records(
        self, records: Sequence[Record], tick: Callable[[int], None]
    ) -> tuple[list[tuple[int, T]], list[Problem], list[str]]:
        """Each row's item (when it could be built), every problem, and notes for the user.

        Call ``tick(i)`` for each row. Look things up with one query per table, not per row.
        """
        raise NotImplementedError

    def _recheck(self, preview: ImportPreview[T]) -> Iterable[Problem]:
        """Problems that arose in the store since ``preview`` was made (taken values, deleted
        references), so a preview applied later cannot break a rule."""
        raise NotImplementedError

    def _write(self, preview: ImportPreview[T], *, reason: str) -> list[int]:
        """Write all of ``preview``'s items in one transaction; return their new ids."""
        raise NotImplementedError

    def _column_order(self, problem: Problem) -> int:
        names = [c.name for c in self.columns]
        return names.index(problem.column) if problem.column in names else -1


# ----- trainees --------------------------------------------------------------------------------

TYPE_NAMES = ", ".join(t.label for t in TraineeType)

TRAINEE_COLUMNS = (
    ColumnSpec(
        "reference",
        aliases=("ref", "trainee reference", "trainee ref", "reference number", "trainee id"),
        description="The trainee's reference. Leave it blank and one is made (TR-000301 …)",
        accepted="2–24 letters, digits or hyphens; not used by another trainee",
    ),
    ColumnSpec(
        "name",
        required=True,
        aliases=("trainee name", "full name", "trainee"),
        description="Full name as the person writes it, in any script",
        accepted="up to 120 characters",
    ),
    ColumnSpec(
        "hub",
        required=True,
        aliases=("hub code", "home hub"),
        description="The code of the trainee's home hub",
        accepted="a hub code from the Network page, e.g. LON",
    ),
    ColumnSpec(
        "type",
        aliases=("trainee type",),
        description="What kind of trainee; blank means Industry",
        accepted=TYPE_NAMES,
    ),
    ColumnSpec(
        "organisation",
        aliases=("organization", "employer", "org"),
        description="Employer, NHS trust or university",
        accepted="up to 160 characters; may be blank",
    ),
    ColumnSpec(
        "role",
        aliases=("job title", "job role", "position"),
        description="Job title",
        accepted="up to 120 characters; may be blank",
    ),
    ColumnSpec(
        "email",
        aliases=("e-mail", "email address", "e-mail address", "mail"),
        description="Work e-mail address",
        accepted="an e-mail address not used by another trainee; may be blank",
    ),
    ColumnSpec(
        "cohorts",
        aliases=("cohort", "cohort names"),
        description="The cohorts the trainee belongs to",
        accepted="names of existing cohorts, separated by ; (semicolon); may be blank",
    ),
)

# TraineeFields.validated() names fields; the user sees columns.
_COLUMN_OF_FIELD = {
    "reference": "reference",
    "name": "name",
    "hub_id": "hub",
    "trainee_type": "type",
    "organisation": "organisation",
    "role": "role",
    "email": "email",
    "cohort_ids": "cohorts",
}
_TYPES = {header_key(k): t for t in TraineeType for k in (t.value, t.label)}
REFERENCE_PREFIX = "TR"


@dataclass
class _Known:
    """The store's hubs, cohorts and trainees, read with one query each."""

    hubs: dict[str, tuple[int, str]]  # code → (id, name)
    cohorts: dict[str, int]  # casefolded name → id
    cohort_names: list[str]
    references: dict[str, str]  # reference → trainee name
    emails: dict[str, str]  # e-mail → "name (reference)"
    highest_id: int
    suggestions: dict[str, str | None] = field(default_factory=dict)

    @classmethod
    def read(cls, context: ServiceContext) -> _Known:
        with reading(context.store) as session:
            hubs = {
                code: (id_, name)
                for id_, code, name in session.execute(select(HubRow.id, HubRow.code, HubRow.name))
            }
            cohorts = session.execute(select(CohortRow.id, CohortRow.name)).all()
            trainees = session.execute(
                select(TraineeRow.id, TraineeRow.reference, TraineeRow.email, TraineeRow.name)
            ).all()
        return cls(
            hubs=hubs,
            cohorts={name.casefold(): id_ for id_, name in cohorts},
            cohort_names=sorted(name for _, name in cohorts),
            references={ref: name for _, ref, _, name in trainees},
            emails={email.lower(): f"{name} ({ref})" for _, ref, email, name in trainees if email},
            highest_id=max((id_ for id_, *_ in trainees), default=0),
        )

    def hub_codes(self) -> str:
        return ", ".join(sorted(self.hubs)) or "none yet: add hubs on the Network page first"


class TraineeImport(TableImport[TraineeFields]):
    """Trainees from a sheet: one row each; hubs and cohorts must already exist."""

    kind = "trainees"
    noun = "trainee"
    description = "add trainees from a CSV or XLSX file (all or nothing)"
    columns = TRAINEE_COLUMNS

    def _check_records(
        self, records: Sequence[Record], tick: Callable[[int], None]
    ) -> tuple[list[tuple[int, TraineeFields]], list[Problem], list[str]]:
        known = _Known.read(self.context)
        problems: list[Problem] = []
        given = {clean_text(r["reference"]).upper() for r in records if r["reference"]}
        fresh = _fresh_references(known.references.keys() | given, known.highest_id)
        made: list[str] = []
        entries: list[tuple[int, TraineeFields]] = []
        for index, record in enumerate(records):
            tick(index)
            reference = record["reference"]
            if not reference:
                reference = next(fresh)
                made.append(reference)
            fields = TraineeFields(
                reference=reference,
                name=record["name"],
                hub_id=self._hub(record, known, problems),
                trainee_type=self._type(record, problems),
                organisation=record["organisation"],
                role=record["role"],
                email=record["email"],
                cohort_ids=self._cohorts(record, known, problems),
            )
            try:
                entries.append((record.row, fields.validated()))
            except ValidationError as error:
                problems.extend(
                    record.problem(_COLUMN_OF_FIELD.get(e.field), e.message) for e in error.errors
                )
        problems.extend(self._repeated(records))
        problems.extend(_taken(entries, known, since=""))
        notes = []
        if made:
            span = made[0] if len(made) == 1 else f"{made[0]} … {made[-1]}"
            notes.append(f"blank references filled in: {span} ({number(len(made))})")
        return entries, problems, notes

    @staticmethod
    def _hub(record: Record, known: _Known, problems: list[Problem]) -> int:
        code = record["hub"].upper()
        if code in known.hubs:
            return known.hubs[code][0]
        if not code:
            message = f"the hub code is required ({known.hub_codes()})"
        else:
            by_name = {name.casefold(): c for c, (_, name) in known.hubs.items()}
            guess = by_name.get(record["hub"].casefold()) or closest(code, known.hubs)
            hint = f"did you mean {guess}? " if guess else ""
            message = f"there is no hub '{record['hub']}'; {hint}the hubs are {known.hub_codes()}"
        problems.append(record.problem("hub", message))
        return 0

    @staticmethod
    def _type(record: Record, problems: list[Problem]) -> TraineeType:
        text = record["type"]
        if not text:
            return TraineeType.INDUSTRY
        found = _TYPES.get(header_key(text))
        if found is None:
            problems.append(
                record.problem("type", f"'{text}' is not a trainee type; use one of {TYPE_NAMES}")
            )
            return TraineeType.INDUSTRY
        return found

    @staticmethod
    def _cohorts(record: Record, known: _Known, problems: list[Problem]) -> frozenset[int]:
        ids = set()
        for name in split_values(record["cohorts"]):
            cohort_id = known.cohorts.get(name.casefold())
            if cohort_id is not None:
                ids.add(cohort_id)
                continue
            if name not in known.suggestions:
                known.suggestions[name] = closest(name, known.cohort_names)
            guess = known.suggestions[name]
            hint = f"did you mean '{guess}'?" if guess else "add it on the Cohorts page first"
            problems.append(record.problem("cohorts", f"there is no cohort '{name}'; {hint}"))
        return frozenset(ids)

    @staticmethod
    def _repeated(records: Sequence[Record]) -> Iterator[Problem]:
        references = ((r.row, clean_text(r["reference"]).upper()) for r in records)
        for row, first, reference in repeats(references):
            yield Problem(
                row,
                "reference",
                f"reference {reference} is also on row {first}; each trainee needs their own",
            )
        emails = ((r.row, clean_text(r["email"]).lower()) for r in records)
        for row, first, email in repeats(emails):
            yield Problem(
                row, "email", f"e-mail {email} is also on row {first}; each trainee needs their own"
            )

    def _recheck(self, preview: ImportPreview[TraineeFields]) -> Iterable[Problem]:
        known = _Known.read(self.context)
        hub_ids = {id_ for id_, _ in known.hubs.values()}
        cohort_ids = set(known.cohorts.values())
        entries = list(zip(preview.item_rows, preview.items, strict=True))
        since = " since the file was checked; check it again"
        for row, item in entries:
            if item.hub_id not in hub_ids:
                yield Problem(row, "hub", f"the hub was deleted{since}")
            if not item.cohort_ids <= cohort_ids:
                yield Problem(row, "cohorts", f"a cohort was deleted{since}")
        yield from _taken(entries, known, since=since, filled=preview.filled_rows)

    def check(
        self,
        table: Table,
        *,
        source: Path | None = None,
        progress: Progress | None = None,
        should_stop: ShouldStop | None = None,
    ) -> ImportPreview[TraineeFields]:
        preview = super().check(table, source=source, progress=progress, should_stop=should_stop)
        index = match_headers(table.headers, TRAINEE_COLUMNS).columns.get("reference")
        blank = {
            number
            for number, cells in zip(table.row_numbers, table.rows, strict=True)
            if index is None or index >= len(cells) or not cells[index]
        }
        return replace(preview, filled_rows=frozenset(blank & set(preview.item_rows)))

    def _write(self, preview: ImportPreview[TraineeFields], *, reason: str) -> list[int]:
        fresh = [i for i, row in enumerate(preview.item_rows) if row in preview.filled_rows]
        return self.context.trainees.bulk_create(
            preview.items, reason=reason, fresh_references=frozenset(fresh), prefix=REFERENCE_PREFIX
        )


def _fresh_references(taken: set[str], highest_id: int) -> Iterator[str]:
    """TR-000301, TR-000302 … from the next id on, as ``TraineeService.next_reference`` does,
    skipping references already in the store or in the file."""
    candidate = highest_id + 1
    while True:
        reference = f"{REFERENCE_PREFIX}-{candidate:06d}"
        if reference not in taken:
            yield reference
        candidate += 1


def _taken(
    entries: Iterable[tuple[int, TraineeFields]],
    known: _Known,
    *,
    since: str,
    filled: frozenset[int] = frozenset(),
) -> Iterator[Problem]:
    """References and e-mails already in the store; references the import made up (rows in
    ``filled``) are made again when written, so they cannot clash."""
    for row, item in entries:
        owner = None if row in filled else known.references.get(item.reference)
        if owner is not None:
            yield Problem(
                row, "reference", f"reference {item.reference} already belongs to {owner}{since}"
            )
        if item.email and item.email in known.emails:
            yield Problem(
                row,
                "email",
                f"e-mail {item.email} is already used by {known.emails[item.email]}{since}",
            )


# ----- the kinds and their templates -----------------------------------------------------------


def write_template_for(importer: type[TableImport[Any]], path: Path) -> Path:
    """Write the template for ``importer`` to ``path``: ``.csv`` (UTF-8 with a byte-order
    mark, so Excel reads the names right) or ``.xlsx`` (bold headings, a "Notes" sheet
    explaining each column). Both hold example rows. Returns ``path``."""
    suffix = path.suffix.lower()
    if suffix not in FILE_TYPES:
        raise DomainError(f"{path.name}: a template is written as .csv or .xlsx")
    example = resources.path("templates", f"{importer.kind}.csv")
    if suffix == ".csv":
        _write_atomically(path, lambda target: target.write_bytes(example.read_bytes()))
    else:
        workbook = _template_workbook(importer, read_table(example))
        _write_atomically(path, workbook.save)
    return path


def _template_workbook(importer: type[TableImport[Any]], example: Table) -> Any:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    bold = Font(bold=True)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = importer.kind.capitalize()
    sheet.append(list(example.headers))
    for row in example.rows:
        sheet.append(list(row))
    for cell in sheet[1]:
        cell.font = bold
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.number_format = "@"  # text, so Excel keeps "+44 …" and leading zeros as typed
    for index, heading in enumerate(example.headers):
        width = max([len(heading), *(len(r[index]) for r in example.rows if index < len(r))])
        sheet.column_dimensions[column_letter(index)].width = min(width + 4, 48)
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet("Notes")
    notes.append(["Column", "Required", "What to write", "Accepted values"])
    for cell in notes[1]:
        cell.font = bold
    for column in importer.columns:
        notes.append(
            [column.name, "yes" if column.required else "no", column.description, column.accepted]
        )
    notes.append([])
    for line in _GENERAL_NOTES:
        notes.append([line])
    for letter, width in zip("ABCD", (16, 10, 60, 70), strict=True):
        notes.column_dimensions[letter].width = width
    for row in notes.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    return workbook


_GENERAL_NOTES = (
    "Row 1 holds the headings (any order; case, spaces and underscores do not matter); one "
    "row per record below. Delete the example rows before importing.",
    "Save as Excel workbook (.xlsx), or as CSV UTF-8 (Comma delimited) (.csv). Only the first "
    "sheet is read. Files up to 20 MB.",
    "Type values, not formulas: cells starting with =, +, - or @ are refused (except numbers "
    "such as -3 and telephone numbers such as +44 20 7946 0000).",
    "Dates: 2027-01-11 or 11/01/2027 (day/month/year).",
    "All or nothing: the file is checked first and every problem is listed with its row and "
    "column; nothing is imported until none is left.",
)


def _write_atomically(path: Path, write: Callable[[Path], object]) -> None:
    try:
        replace_atomically(path, write)
    except OSError as error:
        raise DomainError(f"Cannot write {path}: {error.strerror}") from error
