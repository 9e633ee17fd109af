"""The compliance report of a hub (or one role there): an XLSX workbook with the training
matrix, whose status cells colour themselves by conditional formatting (a status typed over
takes its colour), a summary per role and per course and the list of gaps; and a PDF summary
per role with the people who have gaps and what is due by when."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.formatting.rule import CellIsRule
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Flowable,
    KeepTogether,
    TableStyle,
)

from trainer_app.domain import dates
from trainer_app.domain.records import MatrixStatus
from trainer_app.domain.reports import ComplianceReport, Figures, Gap
from trainer_app.exports import palette, wording
from trainer_app.exports.cells import defused, print_one_page_wide
from trainer_app.exports.printing import build, document, grid, table
from trainer_app.exports.record_pdf import (
    MARGIN,
    WIDTH,
    _course,
    _heading,
    _Look,
    _rule,
)
from trainer_app.files import replace_atomically
from trainer_app.typesetting.text import paragraph

# Worst first, as the matrix orders them; the summary's count columns follow this order.
STATUSES = (
    MatrixStatus.MISSING,
    MatrixStatus.EXPIRED,
    MatrixStatus.RETRAIN,
    MatrixStatus.ENROLLED,
    MatrixStatus.DUE,
    MatrixStatus.EXPIRING,
    MatrixStatus.VALID,
)
PERSON_COLUMNS = (("Reference", 12), ("Name", 28), ("Role", 26), ("Compliant", 11))
NOT_REQUIRED_FILL = "#F2F4F7"
_BOLD = Font(bold=True)
_HEADER = PatternFill(fill_type="solid", start_color="E6ECF3", end_color="E6ECF3")
_TILTED = Alignment(text_rotation=90, horizontal="center", vertical="bottom")
_CENTRE = Alignment(horizontal="center")


def _fill(colour: str) -> PatternFill:
    rgb = colour.lstrip("#").upper()
    return PatternFill(fill_type="solid", start_color=rgb, end_color=rgb, bgColor=rgb)


def _not_listed(count: int) -> str:
    who = "1 person" if count == 1 else f"{count} people"
    return f"{who} at the hub whose role requires no course, not listed"


# ----- XLSX --------------------------------------------------------------------------------


def write_compliance_xlsx(report: ComplianceReport, path: Path) -> None:
    book = Workbook()
    book.properties.title = report.title
    book.properties.creator = report.generated_by
    summary = book.active
    assert summary is not None
    summary.title = "Summary"
    _summary_sheet(summary, report)
    _matrix_sheet(book.create_sheet("Matrix"), report)
    _gaps_sheet(book.create_sheet("Gaps"), report)
    replace_atomically(path, lambda target: book.save(str(target)))


def _text(value: str) -> str:
    return defused(value)


def _header_row(sheet: Worksheet, row: int, titles: Sequence[str]) -> None:
    for column, title in enumerate(titles, start=1):
        cell = sheet.cell(row, column, title)
        cell.font = _BOLD
        cell.fill = _HEADER


def _summary_sheet(sheet: Worksheet, report: ComplianceReport) -> None:
    print_one_page_wide(sheet, header_row=False)
    sheet["A1"] = report.title
    sheet["A1"].font = Font(bold=True, size=14)
    facts = [
        ("Hub", report.hub),
        ("Role", report.role or "every role"),
        ("Standing on", dates.day(report.today)),
        ("Expiring soon", f"within {report.expiring_days} days"),
        ("Compliant", "every required course Valid or Expiring soon"),
        ("Generated", f"{dates.utc_moment(report.generated_at)} by {report.generated_by}"),
        ("Store", report.database),
    ]
    if report.uncovered:
        facts.append(("Not listed", _not_listed(report.uncovered)))
    for row, (label, value) in enumerate(facts, start=3):
        sheet.cell(row, 1, label).font = _BOLD
        sheet.cell(row, 2, _text(value))
    row = len(facts) + 4
    counts = [s.label for s in STATUSES]
    sheet.cell(row, 1, "By role").font = Font(bold=True, size=12)
    _header_row(sheet, row + 1, ["Role", "People", "Compliant", "% compliant", *counts])
    row += 2
    for figures in [*report.by_role(), report.overall()]:
        _figures_row(sheet, row, [_text(figures.name)], figures)
        row += 1
    row += 1
    sheet.cell(row, 1, "By course").font = Font(bold=True, size=12)
    _header_row(
        sheet,
        row + 1,
        ["Course", "Required of", "Compliant", "% compliant", *counts, "Title"],
    )
    row += 2
    titles = {c.code: c.title for c in report.courses}
    for figures in report.by_course():
        _figures_row(sheet, row, [figures.name], figures)
        sheet.cell(row, 5 + len(STATUSES), _text(titles[figures.name]))
        row += 1
    for column, width in enumerate((30, 14, 12, 13, *([13] * len(STATUSES)), 44), start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    sheet.column_dimensions["B"].width = 44


def _figures_row(sheet: Worksheet, row: int, first: list[str], figures: Figures) -> None:
    values: list[Any] = [*first, figures.total, figures.compliant, figures.share]
    values += [figures.counts.get(s, 0) for s in STATUSES]
    for column, value in enumerate(values, start=1):
        cell = sheet.cell(row, column, value)
        if column == 4:
            cell.number_format = "0%"
        if figures.name == "All":
            cell.font = _BOLD


def _matrix_sheet(sheet: Worksheet, report: ComplianceReport) -> None:
    titles = [t for t, _ in PERSON_COLUMNS]
    first_course = len(titles) + 1
    _header_row(sheet, 1, [*titles, *(c.code for c in report.courses)])
    for index in range(len(report.courses)):
        sheet.cell(1, first_course + index).alignment = _TILTED
    sheet.row_dimensions[1].height = 60
    for row, person in enumerate(report.people, start=2):
        sheet.cell(row, 1, _text(person.reference))
        sheet.cell(row, 2, _text(person.name))
        sheet.cell(row, 3, _text(person.role))
        sheet.cell(row, 4, "Yes" if person.compliant else "No").alignment = _CENTRE
        for index, standing in enumerate(person.cells):
            cell = sheet.cell(row, first_course + index)
            if standing is None:
                cell.fill = _fill(NOT_REQUIRED_FILL)  # not a status: no rule colours it
            else:
                cell.value = standing.status.label
    for column, (_, width) in enumerate(PERSON_COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    for index in range(len(report.courses)):
        sheet.column_dimensions[get_column_letter(first_course + index)].width = 12
    last_row = len(report.people) + 1
    last_column = get_column_letter(first_course + len(report.courses) - 1)
    statuses = f"{get_column_letter(first_course)}2:{last_column}{last_row}"
    _status_rules(sheet, statuses)
    sheet.conditional_formatting.add(
        f"D2:D{last_row}",
        CellIsRule(operator="equal", formula=['"No"'], font=Font(bold=True, color="8E1B1B")),
    )
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:{last_column}{last_row}"
    print_one_page_wide(sheet)


def _status_rules(sheet: Worksheet, cells: str) -> None:
    """Each status paints its own cell (the app's palette), whatever is typed into it later."""
    for status in STATUSES:
        background, ink = palette.STATUS[status]
        sheet.conditional_formatting.add(
            cells,
            CellIsRule(
                operator="equal",
                formula=[f'"{status.label}"'],
                fill=_fill(background),
                font=Font(color=ink.lstrip("#").upper()),
            ),
        )


def _gaps_sheet(sheet: Worksheet, report: ComplianceReport) -> None:
    columns = (
        ("Reference", 12),
        ("Name", 28),
        ("Role", 26),
        ("Course", 10),
        ("Course title", 40),
        ("Status", 20),
        ("Expires / expired", 16),
        ("Due", 26),
    )
    _header_row(sheet, 1, [t for t, _ in columns])
    gaps = report.gaps()
    for row, gap in enumerate(gaps, start=2):
        values: list[Any] = [
            _text(gap.person.reference),
            _text(gap.person.name),
            _text(gap.person.role),
            gap.course.code,
            _text(gap.course.title),
            gap.status.label,
            gap.due_by,
            gap.due_words(),
        ]
        for column, value in enumerate(values, start=1):
            cell = sheet.cell(row, column, value)
            if column == 7 and value is not None:
                cell.number_format = "d mmm yyyy"
    for column, (_, width) in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width
    last = max(2, len(gaps) + 1)
    _status_rules(sheet, f"F2:F{last}")
    sheet.freeze_panes = "C2"
    sheet.auto_filter.ref = f"A1:H{last}"
    print_one_page_wide(sheet)


# ----- PDF ---------------------------------------------------------------------------------


def write_compliance_pdf(report: ComplianceReport, path: Path) -> None:
    data = render_compliance_pdf(report)
    replace_atomically(path, lambda target: target.write_bytes(data))


def render_compliance_pdf(report: ComplianceReport) -> bytes:
    look = _Look.make()
    story: list[Flowable] = [*_pdf_header(report, look), *_pdf_roles(report, look)]
    buffer = io.BytesIO()
    doc = document(
        buffer,
        A4,
        MARGIN,
        title=report.title,
        author=report.generated_by,
        subject=f"GMP training compliance · {report.hub}",
    )
    footer = (
        f"{report.title} · standing on {dates.day(report.today)} · generated "
        f"{dates.utc_moment(report.generated_at)} by {report.generated_by} from {report.database}"
    )
    build(doc, story, footer, look, MARGIN)
    return buffer.getvalue()


def _percent(figures: Figures) -> str:
    share = figures.share
    return dates.NONE if share is None else wording.percent(share)


def _pdf_header(report: ComplianceReport, look: _Look) -> list[Flowable]:
    overall = report.overall()
    gaps = report.gaps()
    subtitle = f"{report.role} · " if report.role else ""
    subtitle += (
        f"standing on {dates.day(report.today)}; compliant: every required course Valid or "
        f"Expiring soon (within {report.expiring_days} days)"
    )
    figures = [
        ("People", str(overall.total)),
        ("Compliant", f"{overall.compliant} of {overall.total} ({_percent(overall)})"),
        ("Required courses", str(len(report.courses))),
        ("Training due", str(len(gaps))),
    ]
    key = table(
        [
            [
                [paragraph(label, look.label), paragraph(value, look.figure)]
                for label, value in figures
            ]
        ],
        [WIDTH / 4] * 4,
        [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(palette.SHADE)),
            ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )
    note = f" {_not_listed(report.uncovered)}." if report.uncovered else ""
    by_role = _by_roletable(report, look)
    return [
        paragraph("Compliance report", look.title),
        paragraph(report.hub, look.name),
        paragraph(subtitle, look.subtitle),
        _rule(4, 6),
        key,
        *_heading(
            "By role",
            f"People compliant in each role, and their required courses by status.{note}",
            look,
        ),
        by_role,
    ]


def _by_roletable(report: ComplianceReport, look: _Look) -> Flowable:
    shown = (
        MatrixStatus.MISSING,
        MatrixStatus.EXPIRED,
        MatrixStatus.RETRAIN,
        MatrixStatus.ENROLLED,
        MatrixStatus.EXPIRING,
    )
    header = [
        paragraph(text, look.label)
        for text in ("Role", "Compliant", "%", *(s.label for s in shown))
    ]
    rows: list[list[Any]] = [header]
    for figures in [*report.by_role(), report.overall()]:
        style = look.bold if figures.name == "All" else look.body
        rows.append(
            [
                paragraph(figures.name if figures.name != "All" else "All roles", style),
                paragraph(f"{figures.compliant} of {figures.total}", style),
                paragraph(_percent(figures), style),
                *(paragraph(str(figures.counts.get(s, 0) or ""), style) for s in shown),
            ]
        )
    widths = [52 * mm, 18 * mm, 12 * mm]
    rest = (WIDTH - sum(widths)) / len(shown)
    return grid(rows, [*widths, *([rest] * len(shown))], header=True)


def _pdf_roles(report: ComplianceReport, look: _Look) -> list[Flowable]:
    out: list[Flowable] = []
    for figures in report.by_role():
        gaps = report.gaps(figures.name)
        people = len({g.person.reference for g in gaps})
        title = f"{figures.name} — {_percent(figures)} compliant"
        note = (
            f"{figures.compliant} of {figures.total} people compliant; {people} with training "
            "due, soonest first within each person."
            if gaps
            else f"All {figures.total} people hold every required course."
        )
        heading = _heading(title, note, look)
        for flowable in heading:  # a long table splits across pages, so it is not held
            flowable.keepWithNext = False  # back whole; a heading near the foot moves on
        out.extend([CondPageBreak(40 * mm), *heading])
        if gaps:
            out.append(_gapstable(gaps, report, look))
    return out


def _gapstable(gaps: list[Gap], report: ComplianceReport, look: _Look) -> Flowable:
    header = [paragraph(t, look.label) for t in ("Person", "Course", "Status", "Due")]
    rows: list[list[Any]] = [header]
    colours: list[tuple[Any, ...]] = []
    previous = None
    for gap in sorted(
        gaps, key=lambda g: (g.person.name.casefold(), g.person.reference, g.due_order)
    ):
        person = gap.person
        who: Any = ""
        if person.reference != previous:
            who = [paragraph(person.name, look.bold), paragraph(person.reference, look.small)]
        previous = person.reference
        background, ink = palette.STATUS[gap.status]
        colours.append(("BACKGROUND", (2, len(rows)), (2, len(rows)), colors.HexColor(background)))
        rows.append(
            [
                who,
                _course(gap.course.code, gap.course.title, look.body),
                paragraph(gap.status.label, look.coloured(look.bold, ink)),
                paragraph(gap.due_words(), look.body),
            ]
        )
    gaps_table = grid(rows, [50 * mm, 62 * mm, 30 * mm, WIDTH - 142 * mm], header=True)
    gaps_table.setStyle(TableStyle(colours))
    return KeepTogether([gaps_table]) if len(rows) < 12 else gaps_table
