"""Files that are not spreadsheets, or spreadsheets past the limits, are refused quickly and
named; nothing is read whole and nothing is written."""

from __future__ import annotations

import io
import os
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from tests.helpers import builders
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import ImportRefused, TraineeImport

pytestmark = pytest.mark.both_stores


@pytest.fixture
def ctx(context: ServiceContext) -> ServiceContext:
    builders.hub(context, "LON", "London")
    return context


def refusal(ctx: ServiceContext, path: Path) -> str:
    with pytest.raises(DomainError) as refused:
        TraineeImport(ctx).apply(path)
    assert ctx.trainees.count() == 0
    return str(refused.value)


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_device_named_like_a_csv_is_refused_unread(
    ctx: ServiceContext, tmp_path: Path, device: str
) -> None:
    link = tmp_path / "trainees.csv"
    link.symlink_to(device)
    assert refusal(ctx, link) == (
        "trainees.csv is a device, not a saved spreadsheet; choose a .csv or .xlsx file"
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_is_refused_without_waiting_for_a_writer(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    pipe = tmp_path / "trainees.xlsx"
    os.mkfifo(pipe)
    assert refusal(ctx, pipe) == (
        "trainees.xlsx is a pipe, not a saved spreadsheet; choose a .csv or .xlsx file"
    )


def test_a_folder_is_refused(ctx: ServiceContext, tmp_path: Path) -> None:
    folder = tmp_path / "trainees.csv"
    folder.mkdir()
    assert "trainees.csv is a folder, not a saved spreadsheet" in refusal(ctx, folder)


def workbook_with_sheet_rows(path: Path, rows_xml: bytes) -> Path:
    """A real workbook whose first sheet's rows are replaced by ``rows_xml`` (as Excel or
    another program might have written them)."""
    book = openpyxl.Workbook()
    book.active.append(["name", "hub"])
    buffer = io.BytesIO()
    book.save(buffer)
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                head, _, tail = data.partition(b"</sheetData>")
                data = head + rows_xml + b"</sheetData>" + tail
            out.writestr(item.filename, data)
    return path


def test_a_small_workbook_of_many_rows_is_refused_while_streaming(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    rows = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>Ann</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>LON</t></is></c></row>' % (n, n, n)
        for n in range(2, 120_002)
    )
    path = workbook_with_sheet_rows(tmp_path / "many.xlsx", rows)
    assert path.stat().st_size < 2**20
    start = time.perf_counter()
    message = refusal(ctx, path)
    assert time.perf_counter() - start < 20
    assert "row 50002: the sheet goes on past 50 000 rows (the limit for one import" in message


def test_one_stray_cell_a_million_rows_down_is_refused_quickly(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = workbook_with_sheet_rows(
        tmp_path / "stray.xlsx",
        b'<row r="1000000"><c r="A1000000" t="inlineStr"><is><t>x</t></is></c></row>',
    )
    start = time.perf_counter()
    assert "row 50002: the sheet goes on past 50 000 rows" in refusal(ctx, path)
    assert time.perf_counter() - start < 10


def test_a_workbook_part_that_unpacks_to_gigabytes_is_refused_unopened(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = workbook_with_sheet_rows(tmp_path / "bomb.xlsx", b"")
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive,
        archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        block = b" " * 2**20
        for _ in range(201):
            part.write(block)
    assert path.stat().st_size < 2**20
    assert refusal(ctx, path) == (
        "bomb.xlsx holds a part (xl/sharedStrings.xml) that unpacks to 201 MB; the limit is "
        "200 MB. Copy the rows you need into a new workbook and import that"
    )


def test_too_many_columns_and_too_long_cells_are_named(ctx: ServiceContext, tmp_path: Path) -> None:
    wide = tmp_path / "wide.csv"
    wide.write_text("name,hub\nAnn,LON\n" + ",".join(["x"] * 201) + "\n", encoding="utf-8")
    assert "row 3: the row has 201 columns; the limit is 200" in refusal(ctx, wide)
    long = tmp_path / "long.csv"
    long.write_text("name,hub,role\nAnn,LON," + "x" * 40_000 + "\n", encoding="utf-8")
    assert "row 2: cell C2 holds 40 000 characters; the limit is 32 767 (Excel's own)" in refusal(
        ctx, long
    )


def test_refusals_for_limits_are_import_refusals_with_the_row(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    long = tmp_path / "long.csv"
    long.write_text("name,hub\n" + "Ann,LON\n" * 50_001, encoding="utf-8")
    with pytest.raises(ImportRefused) as refused:
        TraineeImport(ctx).preview(long)
    assert [p.row for p in refused.value.problems] == [50_002]
