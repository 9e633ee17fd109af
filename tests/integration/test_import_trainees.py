"""Importing trainees from real CSV and XLSX files into a real SQLite store: all or nothing."""

from __future__ import annotations

import csv
import io
import random
import zipfile
from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import builders
from trainer_app import resources
from trainer_app.cli import main
from trainer_app.domain.errors import DomainError
from trainer_app.domain.people import TraineeType
from trainer_app.services.context import ServiceContext
from trainer_app.services.importers import write_template
from trainer_app.services.imports import (
    ImportCancelled,
    ImportRefused,
    TraineeImport,
    read_table,
)

pytestmark = pytest.mark.both_stores

HEADER = ["reference", "name", "hub", "type", "organisation", "role", "email", "cohorts"]
MSC = "MSc Cell & Gene Therapy 2027"
ATAC = "ATAC apprentices Spring 2027"
PEOPLE = [
    ["", "Siobhán Ní Bhriain", "LON", "MSc student", "King's College London", "", "", MSC],
    ["", "李伟", "MAN", "industry", "Oxford Biomedica", "QC analyst", "li.wei@example.com", ""],
    ["TR-000050", "Łukasz Wiśniewski", "lon", "", "", "", "lukasz@example.com", f"{MSC}; {ATAC}"],
    ["", "Zoë Clarke", "MAN", "Apprentice", "", "", "Zoe.Clarke@Example.org", ATAC],
]


@pytest.fixture
def ctx(context: ServiceContext) -> ServiceContext:
    builders.hub(context, "LON", "London")
    builders.hub(context, "MAN", "Manchester")
    builders.cohort(context, MSC)
    builders.cohort(context, ATAC)
    return context


def write_csv(
    path: Path,
    rows: Sequence[Sequence[str]],
    *,
    encoding: str = "utf-8-sig",
    delimiter: str = ",",
) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def names(ctx: ServiceContext) -> set[str]:
    return {t.name for t in ctx.trainees.list()}


def problems_of(ctx: ServiceContext, path: Path) -> list[str]:
    return [str(p) for p in TraineeImport(ctx).preview(path).problems]


# ----- good files ------------------------------------------------------------------------------


def test_a_clean_csv_with_bom_imports_every_row(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "trainees.csv", [HEADER, *PEOPLE])
    importer = TraineeImport(ctx)
    preview = importer.preview(path)
    assert preview.summary() == "4 rows checked: ready to import"
    assert preview.problems == ()
    assert preview.notes == ("blank references filled in: TR-000001 … TR-000003 (3)",)

    result = importer.apply(path)
    assert result.summary() == "Imported 4 trainees"
    trainees = {t.name: t for t in ctx.trainees.list()}
    assert set(trainees) == {"Siobhán Ní Bhriain", "李伟", "Łukasz Wiśniewski", "Zoë Clarke"}
    cohorts = {c.name: c.id for c in ctx.cohorts.list()}
    hubs = {h.code: h.id for h in ctx.hubs.list()}
    lukasz, zoe = trainees["Łukasz Wiśniewski"], trainees["Zoë Clarke"]
    assert lukasz.reference == "TR-000050" and lukasz.hub_id == hubs["LON"]
    assert lukasz.cohort_ids == {cohorts[MSC], cohorts[ATAC]}
    assert lukasz.trainee_type is TraineeType.INDUSTRY
    assert zoe.email == "zoe.clarke@example.org" and zoe.trainee_type is TraineeType.APPRENTICE
    assert trainees["Siobhán Ní Bhriain"].trainee_type is TraineeType.MSC_STUDENT
    assert sorted(t.reference for t in trainees.values()) == [
        "TR-000001",
        "TR-000002",
        "TR-000003",
        "TR-000050",
    ]
    (created,) = ctx.audit.history("trainee", zoe.id)
    assert created.reason == "Imported from trainees.csv"


def test_utf8_without_bom_and_semicolons(ctx: ServiceContext, tmp_path: Path) -> None:
    path = write_csv(tmp_path / "t.csv", [HEADER, *PEOPLE], encoding="utf-8", delimiter=";")
    assert TraineeImport(ctx).apply(path).count == 4
    assert "Zoë Clarke" in names(ctx)


def test_windows_1252_from_excel_is_detected_and_converted(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [["name", "hub", "organisation"], ["Zoë Clarke", "MAN", "Café Bio – Ltd"]]
    path = write_csv(tmp_path / "excel.csv", rows, encoding="cp1252")
    assert b"Zo\xeb" in path.read_bytes()
    preview = TraineeImport(ctx).preview(path)
    assert preview.notes[0].startswith(
        "excel.csv is not UTF-8: it was read as Windows-1252 (Western European; Excel's plain "
        "CSV on a UK PC)"
    )
    TraineeImport(ctx).apply(preview)
    (trainee,) = ctx.trainees.list()
    assert (trainee.name, trainee.organisation) == ("Zoë Clarke", "Café Bio – Ltd")


def test_bytes_that_are_no_known_text_are_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "noise.csv"
    path.write_bytes(random.Random(7).randbytes(4096))
    with pytest.raises(DomainError, match='"CSV UTF-8') as caught:
        TraineeImport(ctx).preview(path)
    assert str(caught.value).startswith("noise.csv is not text in a known encoding")


def test_only_csv_and_xlsx_are_read(ctx: ServiceContext, tmp_path: Path) -> None:
    old = tmp_path / "trainees.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(DomainError, match=r"trainees.xls: '.xls' files cannot be imported"):
        TraineeImport(ctx).preview(old)
    fake = tmp_path / "renamed.xlsx"
    fake.write_text("name,hub\n", encoding="utf-8")
    with pytest.raises(DomainError, match="cannot be read as an Excel workbook"):
        TraineeImport(ctx).preview(fake)


# ----- all or nothing --------------------------------------------------------------------------


def ten_thousand(path: Path, *, bad_row: int | None = None) -> Path:
    rows: list[list[str]] = [HEADER]
    for i in range(10_000):
        cohort = MSC if i % 2 else ATAC
        rows.append(["", f"Trainee {i}", "LON", "", "", "", f"t{i}@example.org", cohort])
    if bad_row is not None:
        rows[bad_row - 1][7] = "MSc Cell and Gene Therapy 2027"
    return write_csv(path, rows)


def test_one_bad_row_among_ten_thousand_imports_nothing(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = ten_thousand(tmp_path / "big.csv", bad_row=7346)
    importer = TraineeImport(ctx)
    seen: list[tuple[int, int]] = []
    preview = importer.preview(path, progress=lambda done, total: seen.append((done, total)))
    assert [str(p) for p in preview.problems] == [
        "row 7346, column cohorts: there is no cohort 'MSc Cell and Gene Therapy 2027'; "
        f"did you mean '{MSC}'?"
    ]
    assert preview.summary() == (
        "10 000 rows checked: 1 problem on 1 row; nothing can be imported until every one is fixed"
    )
    assert len(preview.items) == 9_999
    assert seen[0] == (0, 10_000) and seen[-1] == (10_000, 10_000)
    with pytest.raises(ImportRefused, match="row 7346, column cohorts") as caught:
        importer.apply(path)
    assert len(caught.value.problems) == 1
    with pytest.raises(ImportRefused):
        importer.apply(preview)
    assert ctx.trainees.count() == 0


def test_refusal_lists_the_first_ten_problems_and_counts_the_rest(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [HEADER, *(["", f"T{i}", "XYZ", "", "", "", "", ""] for i in range(13))]
    with pytest.raises(ImportRefused) as caught:
        TraineeImport(ctx).apply(write_csv(tmp_path / "hubs.csv", rows))
    message = str(caught.value)
    assert message.startswith("hubs.csv cannot be imported (13 problems); nothing was imported:")
    assert "row 2, column hub: there is no hub 'XYZ'; the hubs are LON, MAN" in message
    assert message.count("\n  row ") == 10 and message.endswith("  … and 3 more")


def test_stopping_writes_nothing(ctx: ServiceContext, tmp_path: Path) -> None:
    path = ten_thousand(tmp_path / "big.csv")
    calls: list[int] = []

    def stop_after_a_while() -> bool:
        calls.append(1)
        return len(calls) > 3

    with pytest.raises(ImportCancelled, match="nothing was imported"):
        TraineeImport(ctx).apply(path, should_stop=stop_after_a_while)
    preview = TraineeImport(ctx).preview(path)
    with pytest.raises(ImportCancelled):
        TraineeImport(ctx).apply(preview, should_stop=lambda: True)
    assert ctx.trainees.count() == 0


def test_a_preview_applied_after_the_store_changed_is_checked_again(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "t.csv", [HEADER, *PEOPLE])
    preview = TraineeImport(ctx).preview(path)
    builders.trainee(ctx, ctx.hubs.list()[0].id, "TR-000050", "Someone Else")
    with pytest.raises(ImportRefused) as caught:
        TraineeImport(ctx).apply(preview)
    assert [str(p) for p in caught.value.problems] == [
        "row 4, column reference: reference TR-000050 already belongs to Someone Else since "
        "the file was checked; check it again"
    ]
    assert names(ctx) == {"Someone Else"}


# ----- problems --------------------------------------------------------------------------------


def test_empty_heading_only_and_wrong_headings(ctx: ServiceContext, tmp_path: Path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert problems_of(ctx, empty) == [
        "the file is empty; put the headings in row 1 (reference, name, hub, type, "
        "organisation, role, email, cohorts (required: name, hub)) and one trainee a row below "
        "them"
    ]
    heading_only = write_csv(tmp_path / "heading.csv", [HEADER])
    assert problems_of(ctx, heading_only) == [
        "the file has a heading row but no rows; add one trainee a row"
    ]
    wrong = write_csv(tmp_path / "wrong.csv", [["Surname", "Hub"], ["Clarke", "LON"]])
    assert problems_of(ctx, wrong) == [
        "row 1: unknown column 'Surname'; the expected columns are reference, name, hub, type, "
        "organisation, role, email, cohorts (required: name, hub)",
        "row 1, column name: this required column is missing; the expected columns are "
        "reference, name, hub, type, organisation, role, email, cohorts (required: name, hub)",
    ]
    with pytest.raises(ImportRefused):
        TraineeImport(ctx).apply(wrong)
    assert ctx.trainees.count() == 0


def test_headings_by_alias_and_unknown_columns_still_check_rows(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [
        ["Trainee Reference", "Full Name", "Hub Code", "E-mail", "Notes"],
        ["tr-77", "Zoë Clarke", "MAN", "not-an-address", "x"],
    ]
    assert problems_of(ctx, write_csv(tmp_path / "t.csv", rows)) == [
        "row 1: unknown column 'Notes'; the expected columns are reference, name, hub, type, "
        "organisation, role, email, cohorts (required: name, hub)",
        "row 2, column email: 'not-an-address' is not an e-mail address",
    ]


def test_a_file_over_20_mb_is_refused_before_it_is_read(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "huge.csv"
    row = b",Zo\xc3\xab Clarke,LON,,,,,\r\n"
    with path.open("wb") as file:
        file.write(b"reference,name,hub,type,organisation,role,email,cohorts\r\n")
        file.write(row * (21 * 2**20 // len(row) + 1))

    def never(self: Path) -> bytes:
        raise AssertionError("the whole file was read")

    monkeypatch.setattr(Path, "read_bytes", never)
    with pytest.raises(DomainError) as caught:
        TraineeImport(ctx).preview(path)
    assert (
        str(caught.value) == "huge.csv is 21.0 MB; the limit is 20 MB — split it into smaller files"
    )


def test_a_formula_in_a_cell_is_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    rows = [HEADER, ["", "Zoë Clarke", "MAN", "", '=HYPERLINK("http://evil.example")', "", "", ""]]
    assert problems_of(ctx, write_csv(tmp_path / "f.csv", rows)) == [
        "row 2, column organisation: '=HYPERLINK(\"http://evil.example\")' looks like a "
        "spreadsheet formula; type the value itself"
    ]


def test_row_values_are_checked_by_the_domain_rules_and_named_by_column(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        ["TR 1", "Zoë", "MAN", "Student", "", "", "zoe@example", ""],
        ["", "", "", "", "", "x" * 121, "", ""],
        ["", "Łukasz", "London", "", "", "", "", "msc cell & gene therapy 2027"],
    ]
    assert problems_of(ctx, write_csv(tmp_path / "t.csv", rows)) == [
        "row 2, column reference: Reference 'TR 1' must be 2–24 letters, digits or hyphens",
        "row 2, column type: 'Student' is not a trainee type; use one of MSc student, "
        "Apprentice, NHS staff, Industry, Academic researcher",
        "row 2, column email: 'zoe@example' is not an e-mail address",
        "row 3, column name: Trainee name must not be empty",
        "row 3, column hub: the hub code is required (LON, MAN)",
        "row 3, column role: Role is 121 characters long; the limit is 120",
        "row 4, column hub: there is no hub 'London'; did you mean LON? the hubs are LON, MAN",
    ]


def test_duplicate_emails_and_references_in_the_file_name_both_rows(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = [
        HEADER,
        ["TR-000010", "Zoë Clarke", "MAN", "", "", "", "zoe@example.org", ""],
        ["", "Zoe Clarke", "MAN", "", "", "", "ZOE@example.org ", ""],
        ["tr-000010", "Łukasz", "LON", "", "", "", "", ""],
        ["", "Li Wei", "LON", "", "", "", "", ""],
        ["", "Mei", "LON", "", "", "", "", ""],
    ]
    assert problems_of(ctx, write_csv(tmp_path / "t.csv", rows)) == [
        "row 3, column email: e-mail zoe@example.org is also on row 2; each trainee needs their "
        "own",
        "row 4, column reference: reference TR-000010 is also on row 2; each trainee needs "
        "their own",
    ]


def test_duplicates_against_the_database(ctx: ServiceContext, tmp_path: Path) -> None:
    TraineeImport(ctx).apply(write_csv(tmp_path / "first.csv", [HEADER, *PEOPLE]))
    again = [HEADER, ["", "Zoë Two", "MAN", "", "", "", "zoe.clarke@example.org", ""]]
    assert problems_of(ctx, write_csv(tmp_path / "again.csv", again)) == [
        "row 2, column email: e-mail zoe.clarke@example.org is already used by Zoë Clarke "
        "(TR-000003)"
    ]
    same_reference = [HEADER, ["TR-000050", "Another", "MAN", "", "", "", "", ""]]
    assert problems_of(ctx, write_csv(tmp_path / "ref.csv", same_reference)) == [
        "row 2, column reference: reference TR-000050 already belongs to Łukasz Wiśniewski"
    ]
    assert ctx.trainees.count() == 4


def test_made_references_skip_those_in_the_store_and_in_the_file(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    builders.trainee(ctx, ctx.hubs.list()[0].id, "TR-000002", "Existing")
    rows = [
        HEADER,
        ["", "A", "LON", "", "", "", "", ""],
        ["TR-000003", "B", "LON", "", "", "", "", ""],
        ["", "C", "LON", "", "", "", "", ""],
        ["", "D", "LON", "", "", "", "", ""],
    ]
    TraineeImport(ctx).apply(write_csv(tmp_path / "t.csv", rows))
    references = {t.name: t.reference for t in ctx.trainees.list()}
    assert references == {
        "Existing": "TR-000002",
        "A": "TR-000004",  # the next id on, as TraineeService.next_reference does
        "B": "TR-000003",
        "C": "TR-000005",
        "D": "TR-000006",
    }


# ----- XLSX ------------------------------------------------------------------------------------


def write_xlsx(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(list(row))
    workbook.create_sheet("Ignored").append(["name", "hub"])
    workbook.save(path)
    return path


def test_xlsx_cells_read_as_typed(tmp_path: Path) -> None:
    path = write_xlsx(
        tmp_path / "cells.xlsx",
        [
            ["name", "count", "ratio", "day", "when", "sum", "flag"],
            ["Zoë", 12, 12.0, date(2027, 1, 11), datetime(2027, 1, 11, 9, 30), "=1+2", True],
            [None, None, 0.5, datetime(2027, 1, 11), None, None, None],
        ],
    )
    table = read_table(path)
    assert table.headers == ("name", "count", "ratio", "day", "when", "sum", "flag")
    assert table.rows == (
        ("Zoë", "12", "12", "2027-01-11", "2027-01-11 09:30", "=1+2", "TRUE"),
        ("", "", "0.5", "2027-01-11", "", "", ""),
    )


def test_a_workbook_declaring_xml_entities_is_refused_unexpanded(tmp_path: Path) -> None:
    """A "billion laughs" workbook: entities that expand a few bytes into gigabytes. It is
    refused as unreadable before anything expands (openpyxl parses through defusedxml)."""
    path = write_xlsx(tmp_path / "plain.xlsx", [["reference", "name"], ["TR-000001", "LAUGH"]])
    bomb = tmp_path / "bomb.xlsx"
    laughs = "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10 if n else "lol"}">' for n in range(10)
    )
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(bomb, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                sheet = data.decode().replace(">LAUGH<", ">&lol9;<")
                data = f"<!DOCTYPE lolz [{laughs}]>{sheet}".encode()
            target.writestr(item, data)
    with pytest.raises(DomainError, match="cannot be read as an Excel workbook"):
        read_table(bomb)


def test_xlsx_round_trip_with_a_formula_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    rows: list[list[object]] = [HEADER, *PEOPLE]
    good = write_xlsx(tmp_path / "good.xlsx", rows)
    bad = write_xlsx(
        tmp_path / "bad.xlsx",
        [*rows, ["", "Mei", "LON", "", '=B2&" Ltd"', "", "", ""], [], ["", 42, "LON"]],
    )
    assert problems_of(ctx, bad) == [
        "row 6, column organisation: '=B2&\" Ltd\"' looks like a spreadsheet formula; type the "
        "value itself"
    ]
    assert TraineeImport(ctx).apply(good).count == 4
    assert names(ctx) == {"Siobhán Ní Bhriain", "李伟", "Łukasz Wiśniewski", "Zoë Clarke"}


# ----- templates -------------------------------------------------------------------------------


def test_the_shipped_csv_template_has_a_bom_and_imports(ctx: ServiceContext) -> None:
    shipped = resources.path("templates", "trainees.csv")
    assert shipped.read_bytes().startswith(b"\xef\xbb\xbfreference,name,hub,")
    preview = TraineeImport(ctx).preview(shipped)
    assert preview.summary() == "2 rows checked: ready to import"


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_written_templates_import(ctx: ServiceContext, tmp_path: Path, suffix: str) -> None:
    path = write_template("trainees", tmp_path / f"template{suffix}")
    assert TraineeImport(ctx).apply(path).count == 2
    assert names(ctx) == {"Siobhán Ní Bhriain", "Łukasz Wiśniewski"}
    assert not list(tmp_path.glob(".*partial*"))


def test_the_xlsx_template_explains_each_column(tmp_path: Path) -> None:
    path = write_template("trainees", tmp_path / "template.xlsx")
    workbook = openpyxl.load_workbook(path)
    try:
        assert workbook.sheetnames == ["Trainees", "Notes"]
        heading = workbook["Trainees"]["A1"]
        assert heading.value == "reference" and heading.font.bold
        notes = {row[0]: row for row in workbook["Notes"].iter_rows(min_row=2, values_only=True)}
        assert notes["hub"][1] == "yes"
        assert "MSc student, Apprentice" in str(notes["type"][3])
        assert "separated by ;" in str(notes["cohorts"][3])
    finally:
        workbook.close()


def test_templates_refuse_other_kinds_and_types(tmp_path: Path) -> None:
    with pytest.raises(DomainError, match="There is no template for 'courses'"):
        write_template("courses", tmp_path / "c.csv")
    with pytest.raises(DomainError, match="a template is written as .csv or .xlsx"):
        write_template("trainees", tmp_path / "t.ods")


# ----- the command line ------------------------------------------------------------------------


@pytest.fixture
def database(
    ctx: ServiceContext, tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The file the ``ctx`` fixture opened (see tests/conftest.py), for the CLI to open too."""
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(data_dir))
    return str(tmp_path / "trainer.db")


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_cli_dry_run_writes_nothing(
    ctx: ServiceContext, tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_csv(tmp_path / "t.csv", [HEADER, *PEOPLE])
    assert main(["import", "trainees", str(path), "--database", database, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[-1] == "4 rows checked: ready to import"
    assert ctx.trainees.count() == 0
    assert main(["import", "trainees", str(path), "--database", database]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == "Imported 4 trainees"
    assert ctx.trainees.count() == 4


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_cli_bad_file_exits_1_naming_row_and_column(
    ctx: ServiceContext, tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    rows = [HEADER, *PEOPLE, ["", "Mei", "LON", "", "", "", "li.wei@example.com", ""]]
    path = write_csv(tmp_path / "bad.csv", rows)
    before = ctx.trainees.count()
    assert main(["import", "trainees", str(path), "--database", database]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.splitlines() == [
        "row 6, column email: e-mail li.wei@example.com is also on row 3; each trainee needs "
        "their own",
        "trainer-app: bad.csv: 5 rows checked: 1 problem on 1 row; nothing can be imported "
        "until every one is fixed",
    ]
    assert ctx.trainees.count() == before == 0


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_cli_template_writes_a_file_that_imports(
    ctx: ServiceContext, tmp_path: Path, database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("t.xlsx", "t.csv"):
        target = tmp_path / name
        assert main(["import", "template", "trainees", "-o", str(target)]) == 0
        assert capsys.readouterr().out.strip() == f"Template for trainees written to {target}"
    assert main(["import", "trainees", str(tmp_path / "t.xlsx"), "--database", database]) == 0
    assert "Imported 2 trainees" in capsys.readouterr().out
    assert main(["import", "trainees", str(tmp_path / "t.csv"), "--database", database]) == 1
    assert "already belongs to" in capsys.readouterr().err


def test_cli_refuses_a_missing_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write_csv(tmp_path / "t.csv", [HEADER, *PEOPLE])
    missing = tmp_path / "none.db"
    assert main(["import", "trainees", str(path), "--database", str(missing)]) == 1
    assert capsys.readouterr().err.strip() == f"trainer-app: There is no database at {missing}"
    assert not missing.exists()
