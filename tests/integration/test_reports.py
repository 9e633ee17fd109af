"""The audit trail and the compliance report leave the building: `trainer-app export audit` and
`export compliance` on a copy of the demo, every file read back as its reader would (csv,
openpyxl, pypdf), and every export found in the audit trail afterwards."""

from __future__ import annotations

import csv
import dataclasses
import re
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.helpers import builders
from tests.helpers.demo import DemoFiles
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain import dates
from trainer_app.domain.audit import RecordType
from trainer_app.domain.records import MatrixStatus
from trainer_app.domain.reports import (
    AUDIT_COLUMNS,
    AuditLine,
    AuditSelection,
    ExportCancelled,
    NothingToExport,
)
from trainer_app.exports.audit import write_audit_csv, write_audit_pdf, write_audit_xlsx
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores

DEMO_PASSWORD = "gmp-demo-2026"  # every demo account's (resources/demo/accounts.json)
NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u04ff\u0600-\u06ff\u4e00-\u9fff]")


@dataclasses.dataclass
class Demo:
    database: Path
    settings: Settings
    folder: Path

    def run(self, *argv: str) -> int:
        """The command as the demo's auditor (signed in with the demo's password)."""
        return main([*argv, "--user", "auditor", "--database", str(self.database)])

    def context(self) -> ServiceContext:
        return ServiceContext.open(self.settings, create=False)


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Demo:
    copy = demo_files.copy_to(tmp_path / "demo")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(copy.data_dir))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    settings = Settings.resolve(copy.database, environ={"TRAINER_APP_DATA_DIR": str(copy.data_dir)})
    out = tmp_path / "out"
    out.mkdir()
    return Demo(copy.database, settings, out)


def read_csv(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    """(the heading block, the entries by column title)."""
    with path.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream))
    blank = rows.index([])
    heading = {row[0]: row[1] for row in rows[1:blank]}
    assert rows[0] == ["Audit trail export"]
    assert tuple(rows[blank + 1]) == AUDIT_COLUMNS
    return heading, [dict(zip(AUDIT_COLUMNS, row, strict=True)) for row in rows[blank + 2 :]]


def pdf_text(path: Path) -> str:
    """The text a reader copies out of the PDF, lines joined, ligatures ("ﬃ") undone."""
    text = " ".join(page.extract_text() for page in PdfReader(path).pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


# ----- the audit trail -----------------------------------------------------------------------


def test_the_whole_trail_as_csv_says_what_the_audit_page_says(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    target = demo.folder / "trail.csv"
    assert demo.run("export", "audit", "-o", str(target)) == 0
    said = capsys.readouterr().out
    heading, rows = read_csv(target)
    with demo.context() as context:
        stored = context.audit.entries(sorted(context.audit.query_ids()))[: len(rows)]
        expected = [AuditLine.of(e, context.audit.reference_names()) for e in stored]
        words = context.audit.in_words(stored[-1])
    assert f"Audit trail, {len(rows)} entries (the whole trail) written to" in said
    assert heading["Filters"] == "the whole trail"
    assert heading["Audit trail check"].startswith("The audit trail is intact:")
    assert heading["Entries"].startswith(f"{len(rows)}, in the order recorded")
    assert heading["Store"].endswith("demo.db")
    assert len(rows) > 1000
    assert [r["Entry"] for r in rows] == [str(e.id) for e in stored]
    assert [tuple(r.values()) for r in rows] == [line.cells() for line in expected]
    last = rows[-1]["What changed (old → new)"].splitlines()
    assert last == [f"{c.field}: {c.old} → {c.new}".replace("\n", "; ") for c in words]
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d", rows[0]["When (UTC)"])
    assert any(NON_LATIN.search(r["Record"]) for r in rows)  # names in any script, intact


def test_filters_pick_the_days_the_user_and_the_record_type(demo: Demo) -> None:
    with demo.context() as context:
        stored = context.audit.entries(sorted(context.audit.query_ids()))
    day = stored[len(stored) // 2].occurred_at.date()
    on_the_day = [e for e in stored if e.occurred_at.date() == day]
    completions = [e for e in on_the_day if e.entity_type == RecordType.COMPLETION]
    assert completions and len(completions) < len(on_the_day)
    target = demo.folder / "day.csv"
    assert (
        demo.run(
            "export",
            "audit",
            "--from",
            day.isoformat(),
            "--to",
            day.isoformat(),
            "--by",
            "admin",
            "--record",
            "Completion",
            "-o",
            str(target),
        )
        == 0
    )
    heading, rows = read_csv(target)
    assert [r["Entry"] for r in rows] == [str(e.id) for e in completions]
    assert {r["Record type"] for r in rows} == {"Completion"}
    assert {r["Who"] for r in rows} == {"admin"}  # the demo's story is its administrator's
    assert heading["Filters"] == f"{dates.day(day)} (UTC) · by admin · Completion"
    hubs = demo.folder / "hubs.csv"
    assert demo.run("export", "audit", "--record", "hub", "-o", str(hubs)) == 0
    assert {r["Record type"] for r in read_csv(hubs)[1]} == {"Hub"}


def test_a_day_range_includes_both_days_whole(demo: Demo) -> None:
    with demo.context() as context:
        stored = context.audit.entries(sorted(context.audit.query_ids()))
        days = sorted({e.occurred_at.date() for e in stored})
        first, last = days[1], days[3]
        picked = list(context.audit.selected_entries(AuditSelection(start=first, end=last)))
    assert [e.id for e in picked] == [e.id for e in stored if first <= e.occurred_at.date() <= last]
    assert {e.occurred_at.date() for e in picked} >= {first, last}


def test_an_empty_selection_says_so_and_writes_nothing(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    target = demo.folder / "nobody.csv"
    assert demo.run("export", "audit", "--by", "nobody", "-o", str(target)) == 1
    err = capsys.readouterr().err
    assert "No audit entries match by nobody: nothing was written" in err
    assert "the users in the trail are: admin, auditor" in err
    assert not target.exists()
    assert demo.run("export", "audit", "--from", "2030-01-01", "-o", str(target)) == 1
    assert "No audit entries match from 1 Jan 2030 (UTC)" in capsys.readouterr().err
    assert demo.run("export", "audit", "--record", "lorry", "-o", str(target)) == 1
    err = capsys.readouterr().err
    assert "There is no record type 'lorry'; the record types are: hub, facility" in err
    assert (
        demo.run("export", "audit", "--from", "2026-12-02", "--to", "2026-12-01", "-o", str(target))
        == 1
    )
    assert "The last day (1 Dec 2026) is before the first (2 Dec 2026)" in capsys.readouterr().err
    assert demo.run("export", "audit", "-o", str(demo.folder / "no such folder" / "a.csv")) == 1
    assert "no such folder/a.csv: No such file or directory; nothing was written" in (
        capsys.readouterr().err
    )
    assert list(demo.folder.iterdir()) == []


def test_the_trail_as_xlsx_has_a_frozen_filterable_table_under_its_heading(demo: Demo) -> None:
    target = demo.folder / "trail.xlsx"
    assert demo.run("export", "audit", "--record", "course_run", "-o", str(target)) == 0
    book = load_workbook(target)
    assert book.sheetnames == ["About this export", "Audit trail"]
    about = dict(book["About this export"].iter_rows(min_row=2, values_only=True))
    assert about["Filters"] == "Course run"
    assert about["Audit trail check"].startswith("The audit trail is intact:")
    sheet = book["Audit trail"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == AUDIT_COLUMNS
    entries = rows[1:]
    assert about["Entries"].startswith(f"{len(entries)}, in the order recorded")
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:H{1 + len(entries)}"
    with demo.context() as context:
        runs = list(context.audit.selected_entries(AuditSelection(record_type="course_run")))
    assert [row[0] for row in entries] == [e.id for e in runs]
    assert all(row[3] in ("Created", "Changed", "Deleted") for row in entries)
    first = entries[0][1]
    assert first.replace(microsecond=0) == runs[0].occurred_at.replace(tzinfo=None, microsecond=0)
    assert "Code: — → " in entries[0][6]


def test_the_trail_as_pdf_names_its_verdict_and_the_records(demo: Demo) -> None:
    target = demo.folder / "hubs.pdf"
    assert demo.run("export", "audit", "--record", "hub", "-o", str(target)) == 0
    text = pdf_text(target)
    assert "Audit trail" in text and "The audit trail is intact:" in text
    assert "London Gene Therapy Innovation Hub" in text
    assert "Cell and Gene Therapy Catapult" in text
    assert "page 1 of" in text


def test_every_export_is_itself_in_the_trail(demo: Demo) -> None:
    target = demo.folder / "hubs.csv"
    assert demo.run("export", "audit", "--record", "hub", "-o", str(target)) == 0
    report = demo.folder / "lon.xlsx"
    assert demo.run("export", "compliance", "--hub", "lon", "-o", str(report)) == 0
    with demo.context() as context:
        exports = list(context.audit.selected_entries(AuditSelection(record_type="export")))
    audit, compliance = exports[-2:]
    assert audit.entity_label == "Audit trail, 4 entries (Hub)"
    fields = {c.field: c.new for c in audit.changes}
    assert fields == {"path": str(target), "records": "4", "format": "csv", "filters": "Hub"}
    assert compliance.entity_label.startswith("Compliance report — LON · London")
    assert {c.field: c.new for c in compliance.changes}["filters"] == "hub LON"


def test_a_cancelled_export_leaves_no_file(demo: Demo) -> None:
    """The window's Cancel: the entries stop coming, and nothing is left under the name."""
    with demo.context() as context:
        heading = context.audit.export_heading(AuditSelection(), "local")
        asked = []

        def should_stop() -> bool:
            asked.append(True)
            return True

        for writer, name in ((write_audit_csv, "a.csv"), (write_audit_xlsx, "a.xlsx")):
            lines = context.audit.export_lines(heading, should_stop=should_stop, batch=100)
            with pytest.raises(ExportCancelled):
                writer(heading, lines, demo.folder / name)
        hubs = context.audit.export_heading(AuditSelection(record_type="hub"), "local")
        asked.clear()  # the PDF: stopped while its pages are laid out, the entries all read
        with pytest.raises(ExportCancelled):
            write_audit_pdf(
                hubs,
                context.audit.export_lines(hubs),
                demo.folder / "a.pdf",
                should_stop=should_stop,
            )
    assert asked and list(demo.folder.iterdir()) == []


def test_entries_are_read_in_batches_in_order(demo: Demo) -> None:
    with demo.context() as context:
        everything = [e.id for e in context.audit.selected_entries(AuditSelection())]
        batched = [e.id for e in context.audit.selected_entries(AuditSelection(), batch=7)]
    assert batched == everything == sorted(everything)


# ----- the compliance report -----------------------------------------------------------------


def test_the_compliance_workbook_colours_statuses_by_rules(demo: Demo) -> None:
    target = demo.folder / "lon.xlsx"
    assert demo.run("export", "compliance", "--hub", "LON", "-o", str(target)) == 0
    with demo.context() as context:
        report = context.matrix.compliance("LON")
    book = load_workbook(target)
    assert book.sheetnames == ["Summary", "Matrix", "Gaps"]
    sheet = book["Matrix"]
    rows = list(sheet.iter_rows(values_only=True))
    codes = [c.code for c in report.courses]
    assert rows[0] == ("Reference", "Name", "Role", "Compliant", *codes)
    assert [r[1] for r in rows[1:]] == [p.name for p in report.people]
    for row, person in zip(rows[1:], report.people, strict=True):
        assert row[4:] == tuple(c.status.label if c else None for c in person.cells)
        assert row[3] == ("Yes" if person.compliant else "No")
    assert any(NON_LATIN.search(p.name) for p in report.people)  # 李伟, Ελένη … intact
    last = f"{chr(ord('D') + len(codes))}{len(report.people) + 1}"
    rules = {
        str(r.sqref): {rule.formula[0] for rule in r.rules} for r in sheet.conditional_formatting
    }
    assert rules[f"E2:{last}"] == {f'"{s.label}"' for s in MatrixStatus}
    status_rules = next(r for r in sheet.conditional_formatting if str(r.sqref) == f"E2:{last}")
    valid = next(rule for rule in status_rules.rules if rule.formula == ['"Valid"'])
    assert valid.dxf.fill.bgColor.rgb.endswith("DCEFE2")  # the app's palette
    assert sheet.freeze_panes == "C2"
    assert sheet.auto_filter.ref == f"A1:{last}"
    summary = list(book["Summary"].iter_rows(values_only=True))
    everyone = next(r for r in summary if r[0] == "All")
    overall = report.overall()
    assert everyone[1:3] == (overall.total, overall.compliant)
    assert everyone[3] == pytest.approx(overall.share)
    by_role = {r[0]: r for r in summary if r[0] in report.roles()}
    assert set(by_role) == set(report.roles())
    gaps = list(book["Gaps"].iter_rows(values_only=True))[1:]
    assert len(gaps) == len(report.gaps())
    assert {g[5] for g in gaps} <= {s.label for s in MatrixStatus if s is not MatrixStatus.VALID}


def test_the_compliance_pdf_gives_each_role_its_share_and_who_is_due(demo: Demo) -> None:
    target = demo.folder / "ste-qa.pdf"
    assert (
        demo.run("export", "compliance", "--hub", "STE", "--role", "qa OFFICER", "-o", str(target))
        == 0
    )
    with demo.context() as context:
        report = context.matrix.compliance("STE", "QA officer")
    text = pdf_text(target)
    figures = report.by_role()[0]
    share = f"{100 * figures.compliant / figures.total:.0f} %"
    assert "Compliance report" in text and "Cell and Gene Therapy Catapult" in text
    assert f"QA officer — {share} compliant" in text
    for gap in report.gaps()[:5]:
        assert gap.person.name in text
        assert gap.due_words() in text


def test_an_unknown_hub_or_role_lists_the_ones_there_are(
    demo: Demo, capsys: pytest.CaptureFixture[str]
) -> None:
    target = demo.folder / "x.xlsx"
    assert demo.run("export", "compliance", "--hub", "MAN", "-o", str(target)) == 1
    assert "There is no hub MAN; the hubs are: BRI, LON, SHF, STE" in capsys.readouterr().err
    assert (
        demo.run("export", "compliance", "--hub", "LON", "--role", "Pilot", "-o", str(target)) == 1
    )
    err = capsys.readouterr().err
    assert "There is no role 'Pilot'; the roles are: Apprentice" in err and "QC analyst" in err
    assert demo.run("export", "compliance", "--hub", "LON", "-o", str(demo.folder / "x.txt")) == 1
    assert "say --format xlsx or pdf" in capsys.readouterr().err
    assert list(demo.folder.iterdir()) == []


def test_a_hub_where_no_role_requires_training_is_refused(context: ServiceContext) -> None:
    builders.hub(context)
    with pytest.raises(NothingToExport, match="Nobody at LON has a role that requires training"):
        context.matrix.compliance("LON")
