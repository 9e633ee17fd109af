"""Hubs of the training network and their facilities (cleanrooms, laboratories, classrooms)."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from zoneinfo import available_timezones

from trainer_app.domain.calendar import WORKING_WEEK, Absence, check_absences, check_weekdays
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.text import check_code, check_name, check_optional_text

DEFAULT_TIMEZONE = "Europe/London"


class FacilityKind(enum.StrEnum):
    """What a room is fit for. Values are the scenario format's kind identifiers."""

    CLEANROOM_GRADE_B = "cleanroom_grade_b"
    CLEANROOM_GRADE_C = "cleanroom_grade_c"
    QC_LABORATORY = "qc_laboratory"
    TRAINING_LABORATORY = "training_laboratory"
    CLASSROOM = "classroom"
    VIRTUAL = "virtual"

    @property
    def label(self) -> str:
        return _KIND_LABELS[self]

    @property
    def capacity_is_hard(self) -> bool:
        """Cleanroom occupancy is a hard limit (validated for air changes and gowning)."""
        return self in (FacilityKind.CLEANROOM_GRADE_B, FacilityKind.CLEANROOM_GRADE_C)


_KIND_LABELS = {
    FacilityKind.CLEANROOM_GRADE_B: "Grade A/B cleanroom suite",
    FacilityKind.CLEANROOM_GRADE_C: "Grade C/D cleanroom",
    FacilityKind.QC_LABORATORY: "QC laboratory",
    FacilityKind.TRAINING_LABORATORY: "Training laboratory",
    FacilityKind.CLASSROOM: "Classroom",
    FacilityKind.VIRTUAL: "Virtual room",
}

MAX_CAPACITY = 1000


@dataclass(frozen=True, kw_only=True)
class HubFields:
    """What a coordinator edits about a hub."""

    code: str
    name: str
    site: str = ""
    address: str = ""
    timezone: str = DEFAULT_TIMEZONE
    closures: tuple[Absence, ...] = ()

    def validated(self) -> HubFields:
        errors: list[FieldError] = []
        cleaned = HubFields(
            code=check_code(self.code, "code", "Hub code", errors, limit=6),
            name=check_name(self.name, "name", "Hub name", errors),
            site=check_optional_text(self.site, "site", "Site", errors, limit=200),
            address=check_optional_text(self.address, "address", "Address", errors, limit=300),
            timezone=self.timezone.strip(),
            closures=check_absences(self.closures, "closures", "Closure", errors),
        )
        if cleaned.timezone not in available_timezones():
            errors.append(FieldError("timezone", f"'{self.timezone}' is not a known time zone"))
        if errors:
            raise ValidationError(errors, subject=f"Hub {cleaned.name or cleaned.code}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Hub(HubFields):
    id: int
    row_version: int


@dataclass(frozen=True, kw_only=True)
class FacilityFields:
    """A room that sessions take place in. ``weekdays`` holds the days it normally runs."""

    hub_id: int
    code: str
    name: str
    kind: FacilityKind
    capacity: int
    weekdays: frozenset[int] = field(default=WORKING_WEEK)
    closures: tuple[Absence, ...] = ()
    notes: str = ""

    @property
    def capacity_is_hard(self) -> bool:
        return self.kind.capacity_is_hard

    def validated(self) -> FacilityFields:
        errors: list[FieldError] = []
        name = check_name(self.name, "name", "Facility name", errors)
        if not 1 <= self.capacity <= MAX_CAPACITY:
            errors.append(
                FieldError(
                    "capacity",
                    f"Capacity must be between 1 and {MAX_CAPACITY} people (got {self.capacity})",
                )
            )
        cleaned = FacilityFields(
            hub_id=self.hub_id,
            code=check_code(self.code, "code", "Facility code", errors, limit=16),
            name=name,
            kind=FacilityKind(self.kind),
            capacity=self.capacity,
            weekdays=check_weekdays(self.weekdays, "weekdays", errors),
            closures=check_absences(self.closures, "closures", "Closure", errors),
            notes=check_optional_text(self.notes, "notes", "Notes", errors, limit=500),
        )
        if errors:
            raise ValidationError(errors, subject=f"Facility {name or self.code}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Facility(FacilityFields):
    id: int
    row_version: int
    hub_code: str = ""
