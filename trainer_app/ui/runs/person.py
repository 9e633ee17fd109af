"""The detail panel for one person on a run: their place, attendance, results and completion."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from trainer_app.domain import dates
from trainer_app.domain.records import AssessmentResult, Enrolment, EnrolmentStatus
from trainer_app.exports import wording
from trainer_app.services.training import Progress, Register
from trainer_app.ui.runs.register import mark_text


def enrolment_html(
    enrolment: Enrolment,
    progress: Progress | None,
    register: Register | None,
    assessments: Sequence[AssessmentResult],
) -> str:
    parts = [
        f"<h3>{escape(enrolment.trainee_name)}</h3>",
        f"<p>{escape(enrolment.trainee_reference)} · {_place(enrolment)}</p>",
    ]
    if enrolment.status is not EnrolmentStatus.ENROLLED:
        return "".join(parts)
    if register is not None and register.sessions:
        rows = "".join(
            f"<tr><td>{escape(s.label)}</td><td>&nbsp;&nbsp;"
            f"{escape(mark_text(register.marks.get((s.id, enrolment.trainee_id))) or '—')}"
            "</td></tr>"
            for s in register.sessions
        )
        parts.append(f"<h4>Attendance</h4><table>{rows}</table>")
    parts.append("<h4>Results</h4>")
    if assessments:
        items = "".join(f"<li>{_assessment(a)}</li>" for a in reversed(assessments))
        parts.append(f"<ul>{items}</ul>")
    else:
        parts.append("<p style='color:gray'>None recorded yet — Record result… on Results</p>")
    parts.append("<h4>Completion</h4>")
    if progress is not None and progress.completion is not None:
        done = progress.completion
        until = f", valid until {dates.day(done.expires_on)}" if done.expires_on else ", no expiry"
        parts.append(
            f"<p>✓ Completed {escape(done.course_code)} {escape(done.course_version)} "
            f"on {dates.day(done.completed_on)}{until}</p>"
        )
    elif progress is not None:
        missing = "".join(f"<li>{escape(s)}</li>" for s in progress.shortfalls)
        parts.append(f"<p>Still missing:</p><ul>{missing}</ul>")
    return "".join(parts)


def _place(e: Enrolment) -> str:
    if e.status is EnrolmentStatus.WAITLISTED:
        return f"number {e.position} on the waitlist of {escape(e.run_code)}"
    if e.status is EnrolmentStatus.WITHDRAWN:
        when = dates.day(e.withdrawn_at.date()) if e.withdrawn_at else ""
        return f"withdrawn from {escape(e.run_code)} {when}: {escape(e.withdraw_reason)}"
    return f"enrolled on {escape(e.run_code)} since {dates.day(e.enrolled_at.date())}"


def _assessment(a: AssessmentResult) -> str:
    results = []
    if a.theory_score is not None:
        results.append(f"theory {wording.number(a.theory_score)} %")
    if a.practical_passed is not None:
        results.append("practical passed" if a.practical_passed else "practical failed")
    text = f"{dates.day(a.assessed_on)}: {', '.join(results)} ({escape(a.assessor)})"
    if a.comments:
        text += f"<br><i>{escape(a.comments)}</i>"
    return text
