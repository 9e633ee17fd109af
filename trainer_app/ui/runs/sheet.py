"""The Register tab's *Attendance sheet…*: one session's sheet to print and sign, saved where
the coordinator says and recorded in the audit trail like every export."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from PySide6.QtWidgets import QWidget

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.file_dialogs import FileKind, save_file
from trainer_app.ui.record_editor import RecordEditor

NOT_WRITTEN = "The attendance sheet was not saved"


@dataclass(frozen=True)
class Saved:
    path: Path
    news: str  # what the status bar says


def save_attendance_sheet(
    parent: QWidget,
    context: ServiceContext,
    editor: RecordEditor,
    run_code: str,
    number: int | None,
) -> Saved | None:
    """Ask where, then write the sheet of session ``number`` (1-based; None: the next one)
    of the run. None when cancelled or refused (the refusal is shown in its own words)."""
    try:
        sheet = context.schedules.attendance_sheet(run_code, number)
    except DomainError as error:
        editor.inform(NOT_WRITTEN, str(error))
        return None
    session = sheet.session
    chosen = save_file(
        parent,
        context.settings,
        FileKind.SCHEDULES,
        f"Save the attendance sheet of {session.run_code} {session.number.lower()}",
        f"Attendance {session.run_code} session {session.session_index + 1}.pdf",
        "PDF files (*.pdf)",
    )
    if chosen is None:
        return None
    path = chosen if chosen.suffix.lower() == ".pdf" else chosen.with_name(chosen.name + ".pdf")
    from trainer_app.exports.attendance_pdf import write_attendance_pdf  # ReportLab: on first use

    what = f"Attendance sheet of {session.run_code} {session.number.lower()}"
    when = f"{dates.day(session.held_on)} {session.clock}"
    try:
        context.exports.write(
            what,
            path,
            lambda: write_attendance_pdf(sheet, path),
            details=[("records", str(len(sheet.trainees))), ("session", when)],
        )
    except DomainError as error:
        editor.inform(NOT_WRITTEN, str(error))
        return None
    except OSError as error:
        editor.inform(
            NOT_WRITTEN,
            f"{path} could not be written ({error.strerror or error}). Choose another folder "
            "or file name; nothing was written.",
        )
        return None
    count = len(sheet.trainees)
    return Saved(
        path,
        f"Attendance sheet of {session.run_code} {session.number.lower()} ({when}, "
        f"{count} trainee{'' if count == 1 else 's'}) saved to {path}",
    )
