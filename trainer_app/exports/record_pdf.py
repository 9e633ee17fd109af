"""The training record as a print-ready A4 PDF: who, where they stand, and what they did."""

from __future__ import annotations

import functools
import io
from dataclasses import dataclass
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    TableStyle,
)

from trainer_app.domain import dates
from trainer_app.domain.records import (
    CompletionSource,
    Mark,
    MatrixStatus,
    RecordEntry,
    RequirementStatus,
    SessionAttendance,
    TrainingRecord,
)
from trainer_app.exports import palette, wording
from trainer_app.exports.printing import Cell, FooterCanvas
from trainer_app.exports.printing import grid as _grid
from trainer_app.exports.printing import table as _table
from trainer_app.typesetting.text import (
    SHAPING,
    Weight,
    font_name,
    markup,
    paragraph,
    printable,
)

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 18 * mm
BOTTOM = 22 * mm  # room for the footer
WIDTH = PAGE_WIDTH - 2 * MARGIN
LABEL = 25 * mm  # the label column of a history entry
CONTENT = WIDTH - LABEL


def render_record_pdf(record: TrainingRecord) -> bytes:
    """The whole PDF in memory; raises `DomainError` if some text cannot be printed."""
    look = _Look.make()
    story: list[Flowable] = [
        *_header(record, look),
        *_standing(record, look),
        *_history(record, look),
        *_signatures(record, look),
        *_audit(record, look),
    ]
    buffer = io.BytesIO()
    doc = BaseDocTemplate(
        buffer,
        pagesize=A4,
        pageTemplates=[
            PageTemplate(
                "page",
                [
                    Frame(
                        MARGIN,
                        BOTTOM,
                        WIDTH,
                        PAGE_HEIGHT - MARGIN - BOTTOM,
                        leftPadding=0,
                        rightPadding=0,
                        topPadding=0,
                        bottomPadding=0,
                    )
                ],
            )
        ],
        title=f"Training record of {record.name} ({record.reference})",
        author=record.generated_by,
        subject=f"GMP training record · {record.hub}",
        keywords=f"training record, {record.reference}",
        creator="trainer-app",
        initialFontName=font_name(Weight.REGULAR),  # else the canvas starts in Helvetica
    )
    footer = (
        f"Training record of {record.name} ({record.reference}) · generated "
        f"{dates.utc_moment(record.generated_at)} by {record.generated_by}"
        + (f" from {record.database}" if record.database else "")
    )
    doc.build(
        story,
        canvasmaker=functools.partial(
            FooterCanvas, footer=footer, style=look.footer, margin=MARGIN
        ),
    )
    return buffer.getvalue()


@dataclass(frozen=True)
class _Look:
    """Paragraph styles of the record."""

    title: ParagraphStyle
    name: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    note: ParagraphStyle
    body: ParagraphStyle
    bold: ParagraphStyle
    label: ParagraphStyle
    small: ParagraphStyle
    figure: ParagraphStyle
    entry: ParagraphStyle
    entry_meta: ParagraphStyle
    footer: ParagraphStyle

    @classmethod
    def make(cls) -> _Look:
        regular, bold = font_name(Weight.REGULAR), font_name(Weight.BOLD)
        ink, muted = colors.HexColor(palette.INK), colors.HexColor(palette.MUTED)
        accent = colors.HexColor(palette.ACCENT)
        body = ParagraphStyle(
            "body", fontName=regular, fontSize=8.5, leading=11, textColor=ink, shaping=SHAPING
        )

        def style(name: str, **changes: Any) -> ParagraphStyle:
            return ParagraphStyle(name, parent=body, **changes)

        return cls(
            title=style("title", fontName=bold, fontSize=20, leading=24, textColor=accent),
            name=style("name", fontName=bold, fontSize=15, leading=19, spaceBefore=4),
            subtitle=style("subtitle", fontSize=9.5, leading=13, textColor=muted),
            heading=style(
                "heading",
                fontName=bold,
                fontSize=11.5,
                leading=14,
                textColor=accent,
                spaceBefore=14,
                spaceAfter=2,
            ),
            note=style("note", fontSize=7.5, leading=10, textColor=muted, spaceAfter=5),
            body=body,
            bold=style("bold", fontName=bold),
            label=style("label", fontSize=7.5, leading=11, textColor=muted),
            small=style("small", fontSize=7.5, leading=9.5),
            figure=style("figure", fontName=bold, fontSize=11, leading=14),
            entry=style("entry", fontName=bold, fontSize=9.5, leading=12),
            entry_meta=style(
                "entry_meta", fontSize=8, leading=12, textColor=muted, alignment=TA_RIGHT
            ),
            footer=style("footer", fontSize=7, leading=9, textColor=muted),
        )

    def coloured(self, base: ParagraphStyle, colour: str) -> ParagraphStyle:
        return ParagraphStyle(
            f"{base.name}-{colour}", parent=base, textColor=colors.HexColor(colour)
        )


# ----- header ------------------------------------------------------------------------------


def _header(record: TrainingRecord, look: _Look) -> list[Flowable]:
    details = [
        ("Reference", record.reference, "Hub", record.hub),
        ("Organisation", record.organisation, "Role", record.role),
        ("Trainee type", record.trainee_type, "E-mail", record.email),
    ]
    rows: list[list[Cell]] = [
        [
            paragraph(a, look.label),
            paragraph(b or dates.NONE, look.body),
            paragraph(c, look.label),
            paragraph(d or dates.NONE, look.body),
        ]
        for a, b, c, d in details
    ]
    rows.append(
        [
            paragraph("Cohorts", look.label),
            paragraph(", ".join(record.cohorts) or dates.NONE, look.body),
            "",
            "",
        ]
    )
    table = _table(
        rows,
        [24 * mm, 63 * mm, 20 * mm, 67 * mm],
        [
            ("SPAN", (1, len(rows) - 1), (3, len(rows) - 1)),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("RIGHTPADDING", (0, 0), (-1, -1), 6),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
    )
    return [
        paragraph("Training record", look.title),
        paragraph(record.name, look.name),
        paragraph(f"{record.reference} · {record.hub}", look.subtitle),
        _rule(4, 6),
        table,
        Spacer(0, 8),
        _figures(record, look),
    ]


def _figures(record: TrainingRecord, look: _Look) -> Flowable:
    """Four key figures an auditor looks for first."""
    required = len(record.requirements)
    compliant = sum(r.standing.status.compliant for r in record.requirements)
    rate = record.attendance_rate
    recorded = sum(s.mark is not None for e in record.entries for s in e.sessions)
    figures = [
        ("Required courses", str(required)),
        ("Compliant today", f"{compliant} of {required}" if required else dates.NONE),
        (
            "Attendance",
            f"{wording.percent(rate)} of {recorded} sessions" if rate is not None else dates.NONE,
        ),
        ("CPD hours completed", wording.number(wording.completed_cpd_hours(record))),
    ]
    cells: list[Cell] = [
        [paragraph(label, look.label), paragraph(value, look.figure)] for label, value in figures
    ]
    return _table(
        [cells],
        [WIDTH / 4] * 4,
        [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(palette.SHADE)),
            ("LINEBEFORE", (1, 0), (-1, -1), 2, colors.white),
            ("LEFTPADDING", (0, 0), (-1, -1), 7),
            ("TOPPADDING", (0, 0), (-1, -1), 5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
        ],
    )


def _rule(before: float, after: float) -> Flowable:
    line = _table(
        [[""]],
        [WIDTH],
        [("LINEABOVE", (0, 0), (-1, -1), 0.6, colors.HexColor(palette.RULE))],
        heights=[0.1],
    )
    line.spaceBefore, line.spaceAfter = before, after
    return line


def _heading(text: str, note: str, look: _Look) -> list[Flowable]:
    title = paragraph(text, look.heading)
    title.keepWithNext = True
    rule = _rule(1, 3)
    rule.keepWithNext = True
    explanation = paragraph(note, look.note)
    explanation.keepWithNext = True
    return [title, rule, explanation]


# ----- current standing --------------------------------------------------------------------


def _standing(record: TrainingRecord, look: _Look) -> list[Flowable]:
    flowables = _heading(
        "Current standing",
        "The courses this role requires, as worked out when the record was generated "
        f"({dates.utc_moment(record.generated_at)}). A course expires at the start of the "
        "day shown.",
        look,
    )
    if not record.requirements:
        return [*flowables, paragraph("No courses are required for this role.", look.body)]
    header: list[Cell] = [
        paragraph(text, look.label)
        for text in (
            "Course",
            "Current version",
            "Status",
            "Compliant",
            "Expires",
            "Version last completed",
        )
    ]
    rows = [header, *(_requirement_row(r, look) for r in record.requirements)]
    table = _grid(rows, [64 * mm, 16 * mm, 36 * mm, 17 * mm, 22 * mm, 19 * mm], header=True)
    for index, requirement in enumerate(record.requirements, start=1):
        background, _ = palette.STATUS[requirement.standing.status]
        table.setStyle(
            TableStyle([("BACKGROUND", (2, index), (2, index), colors.HexColor(background))])
        )
    return [*flowables, table]


def _requirement_row(requirement: RequirementStatus, look: _Look) -> list[Cell]:
    standing = requirement.standing
    _, ink = palette.STATUS[standing.status]
    expires = dates.day_or_none(standing.expires_on)
    if standing.expires_on is None and standing.status is not MatrixStatus.MISSING:
        expires = "Does not expire" if standing.version else dates.NONE
    return [
        _course(requirement.course_code, requirement.course_title, look.body),
        paragraph(requirement.current_version, look.body),
        paragraph(standing.status.label, look.coloured(look.bold, ink)),
        paragraph("Yes", look.body) if standing.status.compliant else paragraph("No", look.bold),
        paragraph(expires, look.body),
        paragraph(standing.version or dates.NONE, look.body),
    ]


def _course(code: str, title: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(f"{markup(code, Weight.BOLD)}  {markup(title)}", style)


# ----- training history --------------------------------------------------------------------


def _history(record: TrainingRecord, look: _Look) -> list[Flowable]:
    count = len(record.entries)
    flowables = _heading(
        "Training history",
        f"{count} course{'' if count == 1 else 's'}, oldest first. Late counts as attended.",
        look,
    )
    if not record.entries:
        return [*flowables, paragraph("No training recorded.", look.body)]
    return [*flowables, *(_entry(entry, look) for entry in record.entries)]


def _entry(entry: RecordEntry, look: _Look) -> Flowable:
    meta = f"Version {entry.course_version} · {wording.number(entry.cpd_hours)} CPD hours"
    title = _course(entry.course_code, entry.course_title, look.entry)
    band = _table(
        [[title, paragraph(meta, look.entry_meta)]],
        [WIDTH - 55 * mm, 55 * mm],
        [
            ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(palette.BAND)),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 5),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ],
    )
    rows: list[list[Cell]] = []
    if entry.run_code:
        status = entry.enrolment_status.label if entry.enrolment_status else dates.NONE
        run = f"{entry.run_code} · {dates.span(entry.first_day, entry.last_day)} · {status}"
        rows.append([paragraph("Run", look.label), paragraph(run, look.body)])
        rows.append([paragraph("Attendance", look.label), _attendance(entry, look)])
    if entry.run_code or entry.assessments:
        rows.append([paragraph("Assessments", look.label), _assessments(entry, look)])
    rows.append([paragraph("Completion", look.label), _completion(entry, look)])
    if entry.completion is not None and entry.completion.notes:
        rows.append([paragraph("Notes", look.label), paragraph(entry.completion.notes, look.body)])
    body = _table(
        rows,
        [LABEL, CONTENT],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (0, 0), (0, -1), 5),
            ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 3),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ],
    )
    return KeepTogether([band, body, Spacer(0, 9)])


def _attendance(entry: RecordEntry, look: _Look) -> list[Flowable]:
    summary = paragraph(wording.attendance_summary(entry), look.body)
    if not entry.sessions:
        return [summary]
    columns = 3
    per_column = -(-len(entry.sessions) // columns)
    rows: list[list[Cell]] = []
    for row in range(per_column):
        cells: list[Cell] = []
        for column in range(columns):
            index = column * per_column + row
            if index < len(entry.sessions):
                cells.extend(_session_cells(entry.sessions[index], look))
            else:
                cells.extend(["", "", ""])
        rows.append(cells)
    group = CONTENT / columns
    widths = [18 * mm, 10 * mm, group - 28 * mm] * columns
    return [summary, Spacer(0, 2), _grid(rows, widths, header=False)]


def _session_cells(session: SessionAttendance, look: _Look) -> list[Cell]:
    if session.mark is None:
        mark = paragraph("Not recorded", look.coloured(look.small, palette.MUTED), Weight.ITALIC)
    elif session.mark is Mark.ABSENT:
        mark = paragraph("Absent", look.coloured(look.small, palette.ABSENT), Weight.BOLD)
    elif session.mark is Mark.LATE:
        mark = paragraph(wording.attendance(session), look.coloured(look.small, palette.LATE))
    else:
        mark = paragraph("Present", look.small)
    return [
        paragraph(dates.day_or_none(session.held_on), look.small),
        paragraph(session.period_label, look.small),
        mark,
    ]


def _signatures(record: TrainingRecord, look: _Look) -> list[Flowable]:
    """The signature manifest: who signed which record, meaning what, when, and whether
    the record is still what they signed."""
    count = len(record.signatures)
    flowables = _heading(
        "Signatures",
        f"{count} electronic signature{'' if count == 1 else 's'}, oldest first. Each was "
        "made with the signer's password and is checked against the record as it is now.",
        look,
    )
    if not record.signatures:
        return [*flowables, paragraph("No record has been signed.", look.body)]
    header: list[Cell] = [
        paragraph(text, look.label) for text in ("Record", "Signature", "Signed (UTC)", "Status")
    ]
    rows: list[list[Cell]] = [header]
    for line in record.signatures:
        facts, signature = line.signature.facts, line.signature
        status = (
            paragraph("Valid", look.body)
            if signature.valid
            else paragraph(signature.validity.words, look.coloured(look.bold, palette.ABSENT))
        )
        rows.append(
            [
                paragraph(line.subject, look.body),
                paragraph(f"{facts.meaning.label} {facts.full_name} ({facts.username})", look.body),
                paragraph(dates.utc_moment(facts.signed_at), look.body),
                status,
            ]
        )
    widths = [44 * mm, 58 * mm, 28 * mm]
    return [*flowables, _grid(rows, [*widths, WIDTH - sum(widths)], header=True)]


def _audit(record: TrainingRecord, look: _Look) -> list[Flowable]:
    """Every audit entry about the trainee and their own records, in the order recorded."""
    count = len(record.audit)
    flowables = _heading(
        "Audit history",
        f"{count} entr{'y' if count == 1 else 'ies'} about this trainee and their enrolments, "
        "attendance, results, completions, certificates and signatures, in the order recorded "
        "(times UTC).",
        look,
    )
    if not record.audit:
        return [*flowables, paragraph("No entry.", look.body)]
    header: list[Cell] = [
        paragraph(text, look.label)
        for text in ("When", "Who", "What", "What changed (old -> new)", "Reason")
    ]
    rows: list[list[Cell]] = [header]
    for line in record.audit:
        rows.append(
            [
                paragraph(line.when, look.body),
                paragraph(printable(line.who), look.body),
                paragraph(
                    printable(f"{line.action} {line.record_type.lower()}: {line.record}"),
                    look.body,
                ),
                paragraph(printable(line.what_changed), look.body),
                paragraph(printable(line.reason), look.body),
            ]
        )
    widths = [27 * mm, 20 * mm, 44 * mm, 52 * mm]
    return [*flowables, _grid(rows, [*widths, WIDTH - sum(widths)], header=True)]


def _assessments(entry: RecordEntry, look: _Look) -> Flowable:
    if not entry.assessments:
        return paragraph("None recorded", look.body)
    header: list[Cell] = [
        paragraph(text, look.label)
        for text in ("Date", "Assessor", "Theory", "Practical", "Comments")
    ]
    rows: list[list[Cell]] = [header]
    for result in entry.assessments:
        practical = wording.practical(result) or dates.NONE
        practical_style = (
            look.coloured(look.bold, palette.ABSENT) if practical == "Fail" else look.body
        )
        rows.append(
            [
                paragraph(dates.day_or_none(result.assessed_on), look.body),
                paragraph(result.assessor, look.body),
                paragraph(wording.theory(result) or dates.NONE, look.body),
                paragraph(practical, practical_style),
                paragraph(result.comments or "", look.body),
            ]
        )
    widths = [20 * mm, 36 * mm, 15 * mm, 16 * mm]
    return _grid(rows, [*widths, CONTENT - sum(widths)], header=True)


def _completion(entry: RecordEntry, look: _Look) -> list[Flowable]:
    done = entry.completion
    if done is None:
        return [paragraph(wording.not_completed(entry), look.body)]
    line = " · ".join(
        [
            markup(f"Completed {dates.day_or_none(done.completed_on)}", Weight.BOLD),
            *(markup(detail) for detail in wording.completion_details(entry, done)),
        ]
    )
    flowables: list[Flowable] = [Paragraph(line, look.body)]
    evidence = [
        ("Provider", done.provider),
        ("Verified by", done.verified_by),
        ("Evidence", done.evidence_name),
    ]
    if done.source is CompletionSource.EXTERNAL or any(value for _, value in evidence):
        flowables.append(
            Paragraph(
                " · ".join(
                    f"{markup(label)} {markup(value or dates.NONE, Weight.BOLD)}"
                    for label, value in evidence
                ),
                look.body,
            )
        )
    for issued in done.certificates:
        flowables.append(
            Paragraph(f"{markup('Certificate')} {markup(wording.certificate(issued))}", look.body)
        )
    return flowables
