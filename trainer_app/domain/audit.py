"""The audit trail: who changed what, when (UTC), from which value to which, and why."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

from trainer_app.domain import dates
from trainer_app.domain.access import LOCAL_ACTOR, Actor
from trainer_app.domain.calendar import Absence
from trainer_app.domain.courses import CourseCategory
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.people import TraineeType
from trainer_app.domain.planning import PlanStatus, RunStatus
from trainer_app.domain.records import CompletionSource, EnrolmentStatus, Mark
from trainer_app.domain.trainers import Employment

__all__ = ["LOCAL_ACTOR", "Actor"]  # where the services have always found them


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    SIGN_IN = "sign_in"
    SIGN_IN_REFUSED = "sign_in_refused"
    SIGN_OUT = "sign_out"

    @property
    def label(self) -> str:
        return _ACTION_LABELS[self.value]


_ACTION_LABELS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "sign_in": "Signed in",
    "sign_in_refused": "Sign-in refused",
    "sign_out": "Signed out",
}


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass(frozen=True)
class AuditEntry:
    id: int
    occurred_at: datetime  # timezone-aware, UTC
    actor: str
    action: AuditAction
    entity_type: str
    entity_id: int
    entity_label: str
    changes: tuple[FieldChange, ...]
    reason: str = ""

    def summary(self) -> str:
        if self.action is AuditAction.UPDATE:
            fields = ", ".join(field_label(c.field).lower() for c in self.changes)
            return f"Changed {fields}"
        return self.action.label


# The trail stores stable identifiers (record types, field names, enum values, ISO dates);
# people read the words below. The stored entry never changes: this is how it is shown.


class RecordType(enum.StrEnum):
    """What an audit entry is about, as the trail stores it; `label` in the users' words."""

    HUB = "hub"
    FACILITY = "facility"
    TRAINER = "trainer"
    COURSE = "course"
    COHORT = "cohort"
    TRAINEE = "trainee"
    COURSE_RUN = "course_run"
    PLAN = "plan_version"
    PLANNED_SESSION = "planned_session"
    ENROLMENT = "enrolment"
    ATTENDANCE = "attendance"
    ASSESSMENT = "assessment"
    COMPLETION = "completion"
    CERTIFICATE = "certificate"
    ROLE = "role"
    SETTING = "setting"
    BACKUP = "backup"
    EXPORT = "export"
    USER = "user"
    SIGNATURE = "signature"

    @property
    def label(self) -> str:
        return RECORD_TYPE_LABELS[self]


RECORD_TYPE_LABELS: Mapping[RecordType, str] = {
    RecordType.HUB: "Hub",
    RecordType.FACILITY: "Facility",
    RecordType.TRAINER: "Trainer",
    RecordType.COURSE: "Course",
    RecordType.COHORT: "Cohort",
    RecordType.TRAINEE: "Trainee",
    RecordType.COURSE_RUN: "Course run",
    RecordType.PLAN: "Plan",
    RecordType.PLANNED_SESSION: "Planned session",
    RecordType.ENROLMENT: "Enrolment",
    RecordType.ATTENDANCE: "Attendance",
    RecordType.ASSESSMENT: "Assessment",
    RecordType.COMPLETION: "Completion",
    RecordType.CERTIFICATE: "Certificate",
    RecordType.ROLE: "Role",
    RecordType.SETTING: "Setting",
    RecordType.BACKUP: "Backup",
    RecordType.EXPORT: "Export",
    RecordType.USER: "User account",
    RecordType.SIGNATURE: "Signature",
}


def record_type_label(stored: str) -> str:
    """``course_run`` → "Course run"; a type this version does not know, made readable."""
    try:
        return RecordType(stored).label
    except ValueError:
        return stored.replace("_", " ").capitalize()


_FIELD_LABELS = {
    "path": "File",
    "username": "User name",
    "meaning": "Meaning",
    "digest": "Content digest (SHA-256)",
    "full_name": "Full name",
    "hubs": "Hubs",
    "active": "Active",
    "password": "Password",
    "failed_sign_ins": "Failed sign-ins in a row",
    "locked_until": "Locked until",
    "idle_lock_minutes": "Lock the window after idle (minutes)",
    "records": "Records",
    "format": "Format",
    "filters": "Filters",
    "sha256": "SHA-256",
    "size": "Size (bytes)",
    "restored_from": "Restored from",
    "kept_aside": "Replaced database kept at",
    "backups_to_keep": "Backups kept on closing",
    "hub_id": "Hub",
    "cohort_ids": "Cohorts",
    "trainee_type": "Trainee type",
    "email": "E-mail",
    "facility_kind": "Needs facility",
    "session_length": "Periods per session",
    "validity_months": "Valid for (months)",
    "cpd_hours": "CPD hours",
    "max_periods_per_day": "Max periods a day",
    "max_periods_per_week": "Max periods a week",
    "weekdays": "Working days",
    "qualifications": "Qualified to teach",
    "starts_on": "Starts",
    "ends_on": "Ends",
    "course_id": "Course",
    "trainer_id": "Trainer",
    "facility_id": "Facility",
    "min_days": "Minimum days",
    "earliest": "Not before",
    "latest": "Not after",
    "held_on": "Date",
    "locked": "Locked sessions",
    "cost_total": "Total cost",
    "min_attendance": "Minimum attendance (%)",
    "practical_required": "Practical required",
    "consecutive_days": "On consecutive days",
    "assessed_on": "Assessed on",
    "completed_on": "Completed on",
    "expires_on": "Expires",
    "theory_score": "Theory score",
    "dates": "Dates",
    "expiring_days": "'Expiring soon' window (days)",
}

_ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "kind": FacilityKind,
    "facility_kind": FacilityKind,
    "employment": Employment,
    "trainee_type": TraineeType,
    "category": CourseCategory,
    "source": CompletionSource,
}

# A field called "status" means a different thing on each kind of record.
_STATUS_ENUMS: dict[str, type[enum.Enum]] = {
    RecordType.COURSE_RUN: RunStatus,
    RecordType.PLAN: PlanStatus,
    RecordType.ENROLMENT: EnrolmentStatus,
}

DATE_FIELDS = frozenset(
    {
        "starts_on",
        "ends_on",
        "earliest",
        "latest",
        "held_on",
        "assessed_on",
        "completed_on",
        "expires_on",
    }
)
YES_NO_FIELDS = frozenset({"practical_required", "consecutive_days"})
ABSENCE_FIELDS = frozenset({"closures", "leave"})  # "start..end reason; …"
SPAN_FIELDS = frozenset({"dates"})  # "start..end"
LIST_FIELDS = frozenset({"qualifications", "prerequisites"})  # course codes, ", "-separated

# Fields whose value names another record (a code, a name, or the planner's "T<id>"): shown
# as that record is named today, when it still exists. `AuditService` supplies the names.
REFERENCE_FIELDS: Mapping[str, str] = {
    "hub_id": "hub",
    "course_id": "course",
    "facility_id": "facility",
    "trainer_id": "trainer",
    "qualifications": "course",
    "prerequisites": "course",
}
ReferenceNames = Mapping[str, Mapping[str, str]]  # "hub" → {"LON": "LON London … Hub"}


@dataclass(frozen=True)
class ChangeInWords:
    """One field of an entry as people read it: label, old and new value in words."""

    field: str
    old: str
    new: str


def field_label(field: str) -> str:
    """``max_periods_per_day`` → "Max periods a day"."""
    return _FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()


def value_label(
    field: str,
    value: str | None,
    record_type: str = "",
    names: ReferenceNames | None = None,
) -> str:
    """A value recorded in the trail, in words: enum values by their labels ("msc_student" →
    "MSc student", "planned" → "Planned"), ISO dates in the app's style, True/False as Yes/No,
    references by name (with ``names``), nothing as a dash. What cannot be read is shown as
    stored."""
    if value is None or value == "":
        return dates.NONE
    kind = _STATUS_ENUMS.get(record_type) if field == "status" else _ENUM_FIELDS.get(field)
    if kind is not None:
        return _enum_label(kind, value)
    if field == "attendance":
        return _attendance(value)
    if field == "practical":
        return {"pass": "Pass", "fail": "Fail"}.get(value, value)
    if field in YES_NO_FIELDS:
        return {"True": "Yes", "False": "No"}.get(value, value)
    if field in DATE_FIELDS:
        return _day(value)
    if field in SPAN_FIELDS:
        return _span(value)
    if field in ABSENCE_FIELDS:
        return "\n".join(_absence(part) for part in value.split("; "))
    reference = REFERENCE_FIELDS.get(field)
    if reference is not None and names is not None:
        known = names.get(reference, {})
        if field in LIST_FIELDS:
            return "\n".join(known.get(code, code) for code in value.split(", "))
        return known.get(value, value)
    return value


def describe_changes(
    entry: AuditEntry, names: ReferenceNames | None = None
) -> tuple[ChangeInWords, ...]:
    """Each field change of ``entry`` in words, in the order recorded; fields recorded empty
    on both sides (a record created without them) are left out."""
    return tuple(
        ChangeInWords(
            field_label(c.field),
            value_label(c.field, c.old, entry.entity_type, names),
            value_label(c.field, c.new, entry.entity_type, names),
        )
        for c in entry.changes
        if c.old not in (None, "") or c.new not in (None, "")
    )


def _enum_label(kind: type[enum.Enum], value: str) -> str:
    try:
        return str(kind(value).label)  # type: ignore[attr-defined]
    except ValueError:
        return value


def _attendance(value: str) -> str:
    """ "present", "absent", "late 5 min" → "Present", "Absent", "Late 5 min"."""
    mark, _, rest = value.partition(" ")
    label = _enum_label(Mark, mark)
    return f"{label} {rest}" if rest else label


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _day(value: str) -> str:
    day = _iso(value)
    return dates.day(day) if day is not None else value


def _span(value: str) -> str:
    first, dots, last = value.partition("..")
    start, end = _iso(first), _iso(last)
    if not dots or start is None or end is None:
        return value
    return dates.span(start, end)


def _absence(value: str) -> str:
    """ "2026-12-24..2027-01-01 Christmas shutdown" → "24 Dec 2026 – 1 Jan 2027 (Christmas …)"."""
    window, _, reason = value.partition(" ")
    first, dots, last = window.partition("..")
    start, end = _iso(first), _iso(last)
    if not dots or start is None or end is None:
        return value
    return Absence(start, end, reason).describe()


def diff_fields(
    before: Mapping[str, str | None], after: Mapping[str, str | None]
) -> tuple[FieldChange, ...]:
    """Field-by-field changes between two flattened snapshots, in a stable order."""
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(
        FieldChange(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)
    )
