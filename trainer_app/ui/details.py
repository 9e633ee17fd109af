"""Read-only descriptions of one record for the detail panel, as simple HTML."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from html import escape
from typing import Any

from trainer_app.domain import dates
from trainer_app.domain.audit import AuditAction, AuditEntry, record_type_label
from trainer_app.domain.calendar import Absence, describe_weekdays
from trainer_app.domain.courses import Course
from trainer_app.domain.network import Facility, Hub
from trainer_app.domain.people import Cohort, Trainee
from trainer_app.domain.trainers import Trainer
from trainer_app.services.context import ServiceContext
from trainer_app.ui.palette import category_colour


def _rows(pairs: Iterable[tuple[str, str]]) -> str:
    cells = "".join(
        f"<tr><td style='color:gray; padding-right:12px'>{escape(k)}</td>"
        f"<td>{escape(v) if v else '—'}</td></tr>"
        for k, v in pairs
    )
    return f"<table cellspacing='2'>{cells}</table>"


def _section(title: str, body: str) -> str:
    return f"<h4 style='margin-top:14px; margin-bottom:4px'>{escape(title)}</h4>{body}"


def _bullets(items: Iterable[str], empty: str) -> str:
    listed = [f"<li>{escape(item)}</li>" for item in items]
    if not listed:
        return f"<p style='color:gray'>{escape(empty)}</p>"
    return "<ul style='margin-left:-20px'>" + "".join(listed) + "</ul>"


def _absences(absences: Iterable[Absence]) -> list[str]:
    return [absence.describe() for absence in absences]


def _limit(value: int | None) -> str:
    return "No limit" if value is None else str(value)


def _course_labels(context: ServiceContext, ids: Iterable[int]) -> list[str]:
    wanted = set(ids)
    return [f"{c.code}  {c.title}" for c in context.courses.list() if c.id in wanted]


def _hub(context: ServiceContext, hub: Hub) -> str:
    return _rows(
        [
            ("Code", hub.code),
            ("Site", hub.site),
            ("Address", hub.address),
            ("Time zone", hub.timezone),
        ]
    ) + _section("Closures", _bullets(_absences(hub.closures), "No closures"))


def _facility(context: ServiceContext, facility: Facility) -> str:
    hardness = "hard limit" if facility.capacity_is_hard else "guide"
    return _rows(
        [
            ("Code", facility.code),
            ("Hub", facility.hub_code),
            ("Kind", facility.kind.label),
            ("Capacity", f"{facility.capacity} people ({hardness})"),
            ("Open on", describe_weekdays(facility.weekdays)),
            ("Notes", facility.notes),
        ]
    ) + _section("Closures", _bullets(_absences(facility.closures), "No closures"))


def _trainer(context: ServiceContext, trainer: Trainer) -> str:
    hub = context.hubs.get(trainer.hub_id)
    return (
        _rows(
            [
                ("Home hub", f"{hub.code} {hub.name}"),
                ("E-mail", trainer.email),
                ("Employment", trainer.employment.label),
                ("Works on", describe_weekdays(trainer.weekdays)),
                ("Max periods a day", _limit(trainer.max_periods_per_day)),
                ("Max periods a week", _limit(trainer.max_periods_per_week)),
                ("Notes", trainer.notes),
            ]
        )
        + _section(
            "Qualified to teach",
            _bullets(_course_labels(context, trainer.qualifications), "No qualifications yet"),
        )
        + _section("Leave", _bullets(_absences(trainer.leave), "No leave booked"))
    )


def _course(context: ServiceContext, course: Course) -> str:
    chip = category_colour(course.category).name()
    category = f"<span style='color:{chip}'>■</span> {escape(course.category.label)}"
    validity = f"{course.validity_months} months" if course.validity_months else "Never expires"
    return (
        f"<p>{category}</p>"
        + _rows(
            [
                ("Version", course.version),
                ("Needs", course.facility_kind.label),
                ("Sessions", f"{course.sessions} × {course.session_length} periods"),
                ("Capacity", f"{course.capacity} people"),
                ("Valid for", validity),
                ("CPD hours", f"{course.cpd_hours}"),
                ("Completed when", course.completion_rule.describe()),
            ]
        )
        + (f"<p>{escape(course.description)}</p>" if course.description else "")
        + _section(
            "Prerequisites",
            _bullets(_course_labels(context, course.prerequisites), "No prerequisites"),
        )
        + _section("Learning outcomes", _bullets(course.learning_outcomes, "None listed"))
    )


def _cohort(context: ServiceContext, cohort: Cohort) -> str:
    hub = context.hubs.get(cohort.hub_id).code if cohort.hub_id else "All hubs"
    return _rows(
        [
            ("Programme", cohort.programme),
            ("Hub", hub),
            ("Starts", dates.day(cohort.starts_on) if cohort.starts_on else ""),
            ("Ends", dates.day(cohort.ends_on) if cohort.ends_on else ""),
            ("Trainees", str(cohort.trainee_count)),
        ]
    ) + (f"<p>{escape(cohort.description)}</p>" if cohort.description else "")


def _trainee(context: ServiceContext, trainee: Trainee) -> str:
    hub = context.hubs.get(trainee.hub_id)
    cohorts = [c.name for c in context.cohorts.list() if c.id in trainee.cohort_ids]
    return (
        _rows(
            [
                ("Reference", trainee.reference),
                ("Hub", f"{hub.code} {hub.name}"),
                ("Type", trainee.trainee_type.label),
                ("Organisation", trainee.organisation),
                ("Role", trainee.role),
                ("E-mail", trainee.email),
            ]
        )
        + _section("Cohorts", _bullets(cohorts, "In no cohort"))
        + _training(context, trainee)
    )


def _training(context: ServiceContext, trainee: Trainee) -> str:
    """Completions (newest first) and enrolments; the full record is on Records & matrix."""
    completions = [
        f"{c.course_code} v{c.course_version} · {dates.day(c.completed_on)}"
        + (f" · expires {dates.day(c.expires_on)}" if c.expires_on else "")
        + (f" · {c.run_code}" if c.run_code else f" · {c.source.label}")
        for c in reversed(context.training.completions_of(trainee.id))
    ]
    enrolments = [
        f"{e.run_code} · {e.status.label}" + (f" ({e.position})" if e.position else "")
        for e in reversed(context.enrolment.enrolments_of(trainee.id))
    ]
    return _section("Training completed", _bullets(completions, "None recorded")) + _section(
        "Enrolments", _bullets(enrolments, "Not enrolled on any run")
    )


_RENDERERS: dict[str, Callable[[ServiceContext, Any], str]] = {
    "hub": _hub,
    "facility": _facility,
    "trainer": _trainer,
    "course": _course,
    "cohort": _cohort,
    "trainee": _trainee,
}


def record_html(context: ServiceContext, entity_type: str, title: str, record: Any) -> str:
    """The record's fields, then its audit history (newest first)."""
    body = _RENDERERS[entity_type](context, record)
    history = list(reversed(context.audit.history(entity_type, record.id)))
    lines = [
        f"{dates.moment(entry.occurred_at)} · {entry.actor} · {entry.summary()}"
        for entry in history
    ]
    return f"<h3>{escape(title)}</h3>{body}" + _section(
        "History", _bullets(lines, "No history recorded")
    )


def audit_html(context: ServiceContext, entry: AuditEntry) -> str:
    """One audit entry with each field's old → new value, in words."""
    head = _rows(
        [
            ("When (UTC)", dates.moment(entry.occurred_at, seconds=True)),
            ("Who", entry.actor),
            ("Action", entry.action.label),
            ("Record type", record_type_label(entry.entity_type)),
            ("Reason", entry.reason),
        ]
    )
    changes = "".join(
        f"<tr><td style='padding-right:12px; white-space:nowrap'>"
        f"<b>{escape(c.field)}</b></td>"
        f"<td>{_value(c.old)}</td><td>→</td><td>{_value(c.new)}</td></tr>"
        for c in context.audit.in_words(entry)
    )
    title = {
        AuditAction.CREATE: "Fields set",
        AuditAction.UPDATE: "Changes",
        AuditAction.DELETE: "Fields removed",
    }[entry.action]
    table = f"<table cellspacing='3'>{changes}</table>" if changes else "<p>No field changes</p>"
    return f"<h3>{escape(entry.entity_label)}</h3>{head}" + _section(title, table)


def _value(value: str) -> str:
    if value == dates.NONE:
        return f"<span style='color:gray'>{dates.NONE}</span>"
    return escape(value).replace("\n", "<br>")
