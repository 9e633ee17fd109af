"""The attendance sheet of one session as a print-ready A4 PDF: what and where, then everyone
enrolled with room to write the time in, the time out and a signature, and the trainer's
sign-off at the foot."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from trainer_app.domain import dates
from trainer_app.domain.schedules import AttendanceSheet
from trainer_app.exports import palette
from trainer_app.exports.printing import Cell, Look, build, document, table
from trainer_app.files import replace_atomically
from trainer_app.typesetting.text import Weight, markup, paragraph

MARGIN = 18 * mm
WIDTH = A4[0] - 2 * MARGIN
ROW_HEIGHT = 11 * mm  # room for a signature


def render_attendance_pdf(sheet: AttendanceSheet) -> bytes:
    """The whole PDF in memory; raises `DomainError` if some text cannot be printed."""
    look = Look.make()
    session = sheet.session
    story: list[Flowable] = [
        *_header(sheet, look),
        _trainees(sheet, look),
        Spacer(0, 14),
        _sign_off(sheet, look),
    ]
    buffer = io.BytesIO()
    doc = document(
        buffer,
        A4,
        MARGIN,
        title=f"Attendance sheet: {session.run_code} {session.number.lower()}",
        author=sheet.generated_by,
        subject=f"{session.course} · {dates.day(session.held_on)} {session.clock}",
    )
    footer = (
        f"Attendance sheet · {session.run_code} {session.number.lower()} · "
        f"{dates.day(session.held_on)} · generated {dates.utc_moment(sheet.generated_at)} by "
        f"{sheet.generated_by}" + (f" from {sheet.database}" if sheet.database else "")
    )
    build(doc, story, footer, look, MARGIN)
    return buffer.getvalue()


def write_attendance_pdf(sheet: AttendanceSheet, path: Path) -> None:
    """Write the attendance sheet whole or not at all."""
    content = render_attendance_pdf(sheet)
    replace_atomically(path, lambda target: target.write_bytes(content))


def _header(sheet: AttendanceSheet, look: Look) -> list[Flowable]:
    session = sheet.session
    facts = [
        ("Run", f"{session.run_code} · {session.number.lower()}"),
        ("Date", dates.weekday_day(session.held_on)),
        ("Time", session.clock),
        ("Room", session.place),
        ("Trainer", session.trainer_name),
        ("Cohorts", ", ".join(session.cohorts) or dates.NONE),
    ]
    rows: list[list[Cell]] = [
        [
            paragraph(label, look.label),
            paragraph(value, look.bold if label in ("Date", "Time") else look.body),
        ]
        for label, value in facts
    ]
    details = table(
        rows,
        [22 * mm, WIDTH - 22 * mm],
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("TOPPADDING", (0, 0), (-1, -1), 1.5),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
        ],
    )
    course = Paragraph(
        f"{markup(session.course_code, Weight.BOLD)}  {markup(session.course_title, Weight.BOLD)}"
        f"  {markup('version ' + session.course_version)}",
        look.name,
    )
    count = len(sheet.trainees)
    return [
        paragraph("Attendance sheet", look.title),
        course,
        Spacer(0, 6),
        details,
        Spacer(0, 8),
        paragraph(
            f"{count} trainee{'' if count == 1 else 's'} enrolled. Each signs on arrival and on "
            "leaving, with the time. Nobody signs for anyone else.",
            look.muted,
        ),
        Spacer(0, 4),
    ]


def _trainees(sheet: AttendanceSheet, look: Look) -> Flowable:
    header: list[Cell] = [
        paragraph(text, look.label)
        for text in ("", "Name", "Reference", "Time in", "Time out", "Signature")
    ]
    rows: list[list[Cell]] = [header]
    for number, trainee in enumerate(sheet.trainees, start=1):
        name: list[Flowable] = [paragraph(trainee.name, look.body)]
        if trainee.organisation:
            name.append(paragraph(trainee.organisation, look.muted))
        rows.append(
            [
                paragraph(str(number), look.muted),
                name,
                paragraph(trainee.reference, look.body),
                "",
                "",
                "",
            ]
        )
    widths = [8 * mm, 62 * mm, 25 * mm, 18 * mm, 18 * mm]
    ink, rule = colors.HexColor(palette.INK), colors.HexColor(palette.RULE)
    return table(
        rows,
        [*widths, WIDTH - sum(widths)],
        [
            ("VALIGN", (0, 0), (-1, 0), "BOTTOM"),
            ("VALIGN", (0, 1), (-1, -1), "MIDDLE"),
            ("LEFTPADDING", (0, 0), (-1, -1), 4),
            ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ("TOPPADDING", (0, 0), (-1, -1), 2),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ("LINEBELOW", (0, 0), (-1, 0), 0.6, ink),
            ("LINEBELOW", (0, 1), (-1, -1), 0.4, rule),
            ("LINEBEFORE", (3, 0), (-1, -1), 0.4, rule),
        ],
        repeat=1,
        heights=[None, *[ROW_HEIGHT] * len(sheet.trainees)],
    )


def _sign_off(sheet: AttendanceSheet, look: Look) -> Flowable:
    session = sheet.session
    statement = paragraph(
        f"I confirm that the signatures above were made in my presence at {session.run_code} "
        f"{session.number.lower()} on {dates.day(session.held_on)}.",
        look.body,
    )
    line = colors.HexColor(palette.INK)
    fields = table(
        [
            [paragraph("Trainer", look.label), paragraph(session.trainer_name, look.body), "", ""],
            [paragraph("Signature", look.label), "", paragraph("Date", look.label), ""],
        ],
        [22 * mm, 88 * mm, 18 * mm, WIDTH - 128 * mm],
        [
            ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ("LEFTPADDING", (0, 0), (-1, -1), 0),
            ("LEFTPADDING", (2, 1), (2, 1), 8),
            ("LINEBELOW", (1, 1), (1, 1), 0.6, line),
            ("LINEBELOW", (3, 1), (3, 1), 0.6, line),
        ],
        heights=[8 * mm, 14 * mm],
    )
    return KeepTogether(
        [paragraph("Trainer sign-off", look.heading), Spacer(0, 3), statement, Spacer(0, 2), fields]
    )
