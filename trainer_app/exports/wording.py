"""How the exports put dates, numbers and results into words, the same in every format."""

from __future__ import annotations

from decimal import Decimal

from trainer_app.domain import dates
from trainer_app.domain.records import (
    AssessmentResult,
    Completion,
    EnrolmentStatus,
    IssuedCertificate,
    Mark,
    RecordEntry,
    SessionAttendance,
    TrainingRecord,
)


def not_completed(entry: RecordEntry) -> str:
    withdrawn = entry.enrolment_status is EnrolmentStatus.WITHDRAWN
    return "Not completed" + (" (withdrawn)" if withdrawn else "")


def completion_details(entry: RecordEntry, done: Completion) -> list[str]:
    """What follows "Completed <day>": where it came from, its expiry, and its version and
    run when they are not the entry's own."""
    details = [
        done.source.label,
        f"expires {dates.day(done.expires_on)}" if done.expires_on else "does not expire",
    ]
    if done.course_version and done.course_version != entry.course_version:
        details.append(f"version {done.course_version}")
    if done.run_code and done.run_code != entry.run_code:
        details.append(f"run {done.run_code}")
    return details


def certificate(issued: IssuedCertificate) -> str:
    """``LON-2026-000012-3, issued 23 Nov 2026`` (and when and why it was revoked)."""
    text = f"{issued.number}, issued {dates.day(issued.issued_on)}"
    if issued.revoked_on is not None:
        text += f"; revoked {dates.day(issued.revoked_on)}: {issued.revoke_reason}"
    return text


def certificates(issued: tuple[IssuedCertificate, ...]) -> str:
    return " · ".join(certificate(c) for c in issued)


def number(value: Decimal | float | int) -> str:
    """``3.5``, ``12``, ``87.25``: no trailing zeros, never an exponent."""
    text = f"{Decimal(value):f}" if not isinstance(value, float) else f"{value:.1f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(share: float) -> str:
    return f"{100 * share:.0f} %"


def attendance(session: SessionAttendance) -> str:
    if session.mark is None:
        return "Not recorded"
    if session.mark is Mark.LATE:
        return f"Late {session.late_minutes} min"
    return session.mark.label


def theory(result: AssessmentResult) -> str:
    return "" if result.theory_score is None else f"{number(result.theory_score)} %"


def practical(result: AssessmentResult) -> str:
    if result.practical_passed is None:
        return ""
    return "Pass" if result.practical_passed else "Fail"


def attended(entry: RecordEntry) -> tuple[int, int]:
    """(sessions attended, sessions with a mark); late counts as attended."""
    marks = [s.mark for s in entry.sessions if s.mark is not None]
    return sum(m is not Mark.ABSENT for m in marks), len(marks)


def attendance_summary(entry: RecordEntry) -> str:
    present, recorded = attended(entry)
    if not entry.sessions:
        return "No sessions"
    text = f"{present} of {recorded} recorded sessions attended"
    if recorded:
        text += f" ({percent(present / recorded)})"
    missing = len(entry.sessions) - recorded
    if missing:
        text += f" · {missing} not recorded"
    return text


def completed_cpd_hours(record: TrainingRecord) -> Decimal:
    return sum((e.cpd_hours for e in record.entries if e.completion is not None), Decimal(0))
