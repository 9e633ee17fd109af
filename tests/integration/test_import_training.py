"""Importing enrolments (every enrolment rule applies) and past completions, all or nothing."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
from tests.integration.test_enrolment import World, complete_gown, publish_run, world
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.records import EnrolmentStatus
from trainer_app.services.context import ServiceContext
from trainer_app.services.importers import IMPORTERS, write_template
from trainer_app.services.imports import ImportRefused
from trainer_app.services.imports_training import CompletionImport, EnrolmentImport

pytestmark = pytest.mark.both_stores

__all__ = ["world"]  # the fixture, shared with test_enrolment


def sheet(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8-sig")
    return path


def test_enrolments_obey_every_rule_and_go_in_all_or_nothing(world: World, tmp_path: Path) -> None:
    w = world
    run = publish_run(w, "ASEP-2027-01", w.asep, [(7, 0), (8, 0)])
    for person in w.people[1:]:
        complete_gown(w, person, date(2026, 6, 1))
    rows = [
        "trainee,run",
        *(f"TR-{n:06d},ASEP-2027-01" for n in range(1, 7)),
        "tr-000009,ASEP-2O27-01",
    ]
    path = sheet(tmp_path / "enrol.csv", *rows)
    importer = EnrolmentImport(w.ctx)
    preview = importer.preview(path)
    assert [str(p) for p in preview.problems] == [
        "row 2, column trainee: Siobhán Ní Bhriain has not completed Gowning (GOWN) — "
        "required before ASEP",
        "row 8, column trainee: there is no trainee TR-000009; did you mean TR-000006?",
        "row 8, column run: there is no run ASEP-2O27-01; did you mean ASEP-2027-01?",
    ]
    with pytest.raises(ImportRefused):
        importer.apply(preview)
    assert w.ctx.enrolment.roster(run.id) == []

    path = sheet(tmp_path / "enrol.csv", *rows[:1], *rows[2:7])
    preview = importer.preview(path)
    assert preview.ready and preview.notes == ("1 will go on a waitlist (their run is full)",)
    assert importer.apply(preview).count == 5
    statuses = [e.status for e in w.ctx.enrolment.roster(run.id)]
    assert statuses.count(EnrolmentStatus.WAITLISTED) == 1


def test_past_completions_are_checked_row_by_row(world: World, tmp_path: Path) -> None:
    w = world
    path = sheet(
        tmp_path / "history.csv",
        "Trainee reference,Course code,Date completed,Version,Notes",
        "TR-000001,GOWN,2026-03-02,,Gowning log book p.4",
        "TR-000002,GOWN,31/02/2026,,",
        "TR-000003,GWON,2026-03-02,,",
        "TR-000004,GOWN,2027-03-02,,",
        "TR-000001,GOWN,02/03/2026,0.9,repeated",
    )
    importer = CompletionImport(w.ctx)
    preview = importer.preview(path)
    assert [str(p) for p in preview.problems] == [
        "row 3, column completed_on: '31/02/2026' is not a real date (dates are day/month/year)",
        "row 4, column course: there is no course GWON; did you mean GOWN?",
        "row 5, column completed_on: A completion cannot be dated in the future",
        "row 6, column completed_on: the same completion (TR-000001, GOWN on 02/03/2026) "
        "is also on row 2; keep one",
    ]
    assert w.ctx.training.completions_of(w.people[0]) == []
    path = sheet(
        tmp_path / "history.csv",
        "trainee,course,completed_on,version,notes",
        "TR-000001,GOWN,2026-03-02,,Gowning log book p.4",
        "TR-000002,GOWN,02/03/2025,0.9,Paper record",
    )
    assert importer.apply(path).summary() == "Imported 2 completions"
    (mine,) = w.ctx.training.completions_of(w.people[0])
    assert (mine.completed_on, mine.expires_on, mine.course_version) == (
        date(2026, 3, 2),
        date(2027, 3, 2),
        "1.0",
    )
    (older,) = w.ctx.training.completions_of(w.people[1])
    assert older.course_version == "0.9"


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_cli_imports_completions_and_writes_templates(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = w_database(world)
    world.ctx.close()
    bad = sheet(tmp_path / "bad.csv", "trainee,course,completed_on", "TR-000001,GOWN,yesterday")
    assert main(["import", "completions", str(bad), "--database", database]) == 1
    err = capsys.readouterr().err
    assert "row 2, column completed_on: 'yesterday' is not a date" in err
    template = tmp_path / "enrolments.xlsx"
    assert main(["import", "template", "enrolments", "-o", str(template)]) == 0
    assert template.exists()
    good = sheet(tmp_path / "good.csv", "trainee,course,completed_on", "TR-000001,GOWN,2026-01-05")
    assert main(["import", "completions", str(good), "--database", database, "--dry-run"]) == 0
    assert "1 row checked: ready to import" in capsys.readouterr().out
    assert main(["import", "completions", str(good), "--database", database]) == 0
    assert "Imported 1 completion" in capsys.readouterr().out


def w_database(w: World) -> str:
    return w.ctx.settings.database_url.removeprefix("sqlite:///")


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_cli_exports_a_record_and_a_hubs_records(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import openpyxl
    from pypdf import PdfReader

    complete_gown(world, world.people[0], date(2026, 6, 1))
    database = w_database(world)
    world.ctx.close()
    pdf = tmp_path / "record.pdf"
    assert main(["export", "record", "tr-000001", "-o", str(pdf), "--database", database]) == 0
    assert "Training record of Siobhán Ní Bhriain (TR-000001) written to" in capsys.readouterr().out
    text = "".join(page.extract_text() for page in PdfReader(pdf).pages)
    assert "Siobhán Ní Bhriain" in text and "GOWN" in text
    csv = tmp_path / "record.csv"
    assert main(["export", "record", "TR-000001", "-o", str(csv), "--database", database]) == 0
    assert "Gowning" in csv.read_text(encoding="utf-8-sig")
    assert main(["export", "record", "TR-999999", "-o", str(pdf), "--database", database]) == 1
    assert "There is no trainee with reference TR-999999" in capsys.readouterr().err
    odd = tmp_path / "record.odt"
    assert main(["export", "record", "TR-000001", "-o", str(odd), "--database", database]) == 1
    assert not odd.exists()

    book = tmp_path / "london.xlsx"
    assert main(["export", "group", "--hub", "lon", "-o", str(book), "--database", database]) == 0
    sheets = openpyxl.load_workbook(book, read_only=True).sheetnames
    assert {"Summary", "Standing", "History"} <= set(sheets)
    assert (
        main(["export", "group", "--cohort", "Nobody", "-o", str(book), "--database", database])
        == 1
    )
    assert "There is no cohort 'Nobody'" in capsys.readouterr().err

    # Every file that left is in the audit trail, with where it went; refusals left nothing.
    with sqlite3.connect(database) as connection:
        exports = connection.execute(
            "SELECT entity_label, changes FROM audit_entries WHERE entity_type = 'export' "
            "ORDER BY id"
        ).fetchall()
    labels = [label for label, _ in exports]
    assert labels[:2] == ["Training record of Siobhán Ní Bhriain (TR-000001)"] * 2
    assert labels[2].startswith("Training records of ") and "London" in labels[2]
    assert str(pdf) in exports[0][1] and str(csv) in exports[1][1] and str(book) in exports[2][1]
    assert len(exports) == 3


# ----- templates on the demo -------------------------------------------------------------------


@pytest.mark.parametrize("today", [date(2026, 11, 23), date(2026, 12, 17)])
@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
@pytest.mark.parametrize("kind", ["trainees", "enrolments", "completions"])
def test_every_templates_example_rows_are_ready_to_import_on_the_demo(
    demo_files: DemoFiles, tmp_path: Path, kind: str, suffix: str, today: date
) -> None:
    """What a new user tries first: a template, checked against the demo database, while its
    December runs are still open (from the demo's present to ASEP-2026-02's last day)."""
    demo = demo_files.copy_to(tmp_path / "demo")
    template = write_template(kind, tmp_path / f"{kind}{suffix}")
    settings = Settings.resolve(demo.database, environ={"TRAINER_APP_DATA_DIR": str(demo.data_dir)})
    with ServiceContext.open(settings, create=False, today=lambda: today) as context:
        preview = IMPORTERS[kind](context).preview(template)
    assert [str(p) for p in preview.problems] == []
    assert preview.summary() == "2 rows checked: ready to import"
