"""Fuzzing the imports: arbitrary CSV and XLSX bytes, and rows of hostile text, dates and
versions. Whatever comes in, the import either goes in whole or is refused with a
``DomainError`` (an ``ImportRefused`` naming rows and columns): never a traceback, never a
partial write, and nothing that got in breaks the text rules.

Examples per test: ``TRAINER_APP_FUZZ_EXAMPLES`` (default 40, a few seconds each in CI; set
e.g. 2000 for a long run, see docs/reliability.md).
"""

from __future__ import annotations

import csv
import io
import sqlite3
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import openpyxl
import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from tests.helpers import builders
from tests.helpers.fuzz import fuzz_settings
from trainer_app.config import Settings
from trainer_app.domain.errors import DomainError
from trainer_app.domain.text import text_problem
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import (
    ImportRefused,
    ImportResult,
    TableImport,
    TraineeImport,
)
from trainer_app.services.imports_training import CompletionImport

FUZZ = fuzz_settings(40)
TRAINEE_HEADER = ["reference", "name", "hub", "type", "organisation", "role", "email", "cohorts"]
COMPLETION_HEADER = ["trainee", "course", "completed_on", "version", "notes"]
TABLES = ("trainees", "completions", "cohort_memberships", "audit_entries")


@dataclass
class Store:
    ctx: ServiceContext
    database: Path
    folder: Path

    def fingerprint(self) -> tuple[tuple[int, int], ...]:
        with sqlite3.connect(self.database) as db:
            return tuple(
                db.execute(f"SELECT count(*), coalesce(max(rowid), 0) FROM {table}").fetchone()
                for table in TABLES
            )


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    folder = tmp_path_factory.mktemp("fuzz")
    database = folder / "fuzz.db"
    config = Settings.resolve(database, environ={"TRAINER_APP_DATA_DIR": str(folder / "data")})
    with ServiceContext.open(config) as ctx:
        hub = builders.hub(ctx, "LON", "London")
        builders.hub(ctx, "MAN", "Manchester")
        builders.cohort(ctx, "MSc Cell & Gene Therapy 2027")
        builders.course(ctx, "GOWN", title="Gowning")
        for n in (1, 2, 3):
            builders.trainee(ctx, hub.id, f"TR-{n:06d}", f"Trainee {n}")
        yield Store(ctx, database, folder)


def attempt(store: Store, importer: TableImport[object], path: Path) -> None:
    """Import ``path``; it goes in whole, or is refused clearly with the store unchanged."""
    before = store.fingerprint()
    outcome: ImportResult | DomainError
    try:
        outcome = importer.apply(path)
    except DomainError as refused:  # anything else fails the test with its traceback
        outcome = refused
    if isinstance(outcome, ImportRefused):
        event("refused, problems by row and column")
        assert outcome.problems
        for problem in outcome.problems:
            assert problem.message and len(str(problem)) < 1200, str(problem)
    elif isinstance(outcome, DomainError):
        event(f"refused as a file: {_reason(str(outcome))}")
        assert str(outcome) and "constraint" not in str(outcome).lower()
    else:
        event("imported")
        assert outcome.count > 0
        assert store.fingerprint() != before
        for trainee in store.ctx.trainees.list():
            for text in (trainee.name, trainee.organisation, trainee.role, trainee.email):
                assert text_problem(text, "x") is None, ascii(text)
        return
    assert store.fingerprint() == before


def _reason(message: str) -> str:
    for words in ("not UTF-8", "not text", "Excel workbook", "well-formed CSV", "unpacks"):
        if words in message:
            return words
    return message.split(";", maxsplit=1)[0][-40:]


# ----- hostile text ------------------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        "\u200b\u200b",
        "Ali\u202eecnyB",
        "B" + "\u0301" * 9,
        "a\x00b",
        "\ue000",
        '=HYPERLINK("x")',
        "+1-1",
        "@SUM(A1)",
        "#N/A",
        "\u3164",
        "\ufeff",
        "\r\n",
        '"',
        "x" * 200,
        "0001-01-01",
        "31/02/2026",
        "99.0",
        "9" * 60,
        "Nguyễn Thị Ngọc Ánh",
        "محمد",
        "李伟",
    ]
)
CELL = st.one_of(
    st.text(st.characters(exclude_categories=("Cs",)), max_size=30),
    HOSTILE,
    st.sampled_from(["", "LON", "MAN", "TR-000001", "GOWN", "2026-03-02", "1.0", "x@example.org"]),
)


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]], bom: bool) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows([list(header), *rows])
    path.write_bytes(buffer.getvalue().encode("utf-8-sig" if bom else "utf-8"))
    return path


BLANK_OR = st.just("") | CELL
TRAINEE_ROW = st.one_of(
    st.lists(CELL, max_size=9),
    st.tuples(
        BLANK_OR, CELL, st.just("LON") | CELL, BLANK_OR, BLANK_OR, BLANK_OR, BLANK_OR, BLANK_OR
    ).map(list),
)


@FUZZ
@given(rows=st.lists(TRAINEE_ROW, max_size=3), bom=st.booleans())
def test_trainee_rows_of_hostile_text(store: Store, rows: list[list[str]], bom: bool) -> None:
    path = write_rows(store.folder / "trainees.csv", TRAINEE_HEADER, rows, bom)
    attempt(store, TraineeImport(store.ctx), path)


DAY = st.one_of(
    st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}"),
    st.dates().map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year:04d}"),
    CELL,
)
VERSION = st.one_of(st.from_regex(r"\A\d{1,4}(\.\d{1,4}){0,3}\Z"), CELL)


@FUZZ
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["TR-000001", "TR-000002", "tr-000003"]) | CELL,
            st.just("GOWN") | CELL,
            DAY,
            VERSION,
            CELL,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_completion_rows_of_hostile_dates_and_versions(
    store: Store, rows: list[tuple[str, ...]]
) -> None:
    path = write_rows(store.folder / "history.csv", COMPLETION_HEADER, rows, True)
    attempt(store, CompletionImport(store.ctx), path)


# ----- arbitrary bytes ---------------------------------------------------------------------------

CSV_HEAD = ",".join(TRAINEE_HEADER).encode() + b"\r\n"


@FUZZ
@given(data=st.binary(max_size=3000), headed=st.booleans())
def test_csv_bytes(store: Store, data: bytes, headed: bool) -> None:
    path = store.folder / "bytes.csv"
    path.write_bytes((CSV_HEAD if headed else b"") + data)
    attempt(store, TraineeImport(store.ctx), path)


def workbook_bytes(rows: Sequence[Sequence[object]]) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


GOOD_BOOK = workbook_bytes([TRAINEE_HEADER, ["", "Zoë Clarke", "LON"]])


@FUZZ
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(GOOD_BOOK) - 1), st.integers(0, 255)), max_size=8),
    keep=st.integers(0, len(GOOD_BOOK)),
)
def test_xlsx_bytes_damaged(store: Store, cuts: list[tuple[int, int]], keep: int) -> None:
    data = bytearray(GOOD_BOOK[: max(keep, len(GOOD_BOOK) // 2)])
    for index, value in cuts:
        if index < len(data):
            data[index] = value
    path = store.folder / "damaged.xlsx"
    path.write_bytes(bytes(data))
    attempt(store, TraineeImport(store.ctx), path)


@FUZZ
@given(xml=st.one_of(st.binary(max_size=400), st.text(max_size=400).map(str.encode)))
def test_xlsx_with_a_fuzzed_sheet(store: Store, xml: bytes) -> None:
    """A well-formed zip whose sheet XML holds fuzzed rows: openpyxl parses it."""
    source = zipfile.ZipFile(io.BytesIO(GOOD_BOOK))
    path = store.folder / "sheet.xlsx"
    with zipfile.ZipFile(path, "w") as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"</sheetData>")
                data = head + xml + b"</sheetData>" + tail
            out.writestr(item.filename, data)
    attempt(store, TraineeImport(store.ctx), path)


@FUZZ
@given(
    rows=st.lists(
        st.lists(CELL | st.integers() | st.floats() | st.booleans() | st.none(), max_size=9),
        max_size=5,
    )
)
def test_xlsx_rows_of_hostile_values(store: Store, rows: list[list[object]]) -> None:
    cleaned = [
        [c for c in row if not (isinstance(c, str) and any(ord(x) < 32 for x in c))] for row in rows
    ]  # openpyxl itself refuses to write control characters
    path = store.folder / "values.xlsx"
    path.write_bytes(workbook_bytes([TRAINEE_HEADER, *cleaned]))
    attempt(store, TraineeImport(store.ctx), path)
