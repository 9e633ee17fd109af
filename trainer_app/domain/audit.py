"""The audit trail: who changed what, when (UTC), from which value to which, and why."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from trainer_app.domain.courses import CourseCategory
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.people import TraineeType
from trainer_app.domain.trainers import Employment


class AuditAction(enum.StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    @property
    def label(self) -> str:
        return {"create": "Created", "update": "Changed", "delete": "Deleted"}[self.value]


@dataclass(frozen=True)
class Actor:
    """The person on whose behalf a service acts. A fixed local user until roles exist."""

    username: str
    display_name: str = ""

    def __str__(self) -> str:
        return self.display_name or self.username


LOCAL_ACTOR = Actor("local", "Local user")


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


# The trail stores stable identifiers (field names, enum values); people read these words.
ENTITY_TITLES = {
    "hub": "Hub",
    "facility": "Facility",
    "trainer": "Trainer",
    "course": "Course",
    "cohort": "Cohort",
    "trainee": "Trainee",
    "course_run": "Course run",
    "plan_version": "Plan",
    "planned_session": "Published session",
}

_FIELD_LABELS = {
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
}

_ENUM_FIELDS: dict[str, type[enum.Enum]] = {
    "kind": FacilityKind,
    "facility_kind": FacilityKind,
    "employment": Employment,
    "trainee_type": TraineeType,
    "category": CourseCategory,
}


def field_label(field: str) -> str:
    """``max_periods_per_day`` → "Max periods a day"."""
    return _FIELD_LABELS.get(field) or field.replace("_", " ").capitalize()


def value_label(field: str, value: str | None) -> str | None:
    """Enum values recorded in the trail, in words ("msc_student" → "MSc student")."""
    kind = _ENUM_FIELDS.get(field)
    if kind is None or value is None:
        return value
    try:
        return str(kind(value).label)  # type: ignore[attr-defined]
    except ValueError:
        return value


def diff_fields(
    before: Mapping[str, str | None], after: Mapping[str, str | None]
) -> tuple[FieldChange, ...]:
    """Field-by-field changes between two flattened snapshots, in a stable order."""
    keys = list(dict.fromkeys([*before, *after]))
    return tuple(
        FieldChange(k, before.get(k), after.get(k)) for k in keys if before.get(k) != after.get(k)
    )
