"""Cohorts (a programme's intake) and the trainees in them."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from datetime import date

from trainer_app.domain import dates
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.text import (
    check_email,
    check_long_text,
    check_name,
    check_optional_text,
    clean_text,
)

# A cohort's dates are typed by hand; a year outside these is a typing error (0207 for 2027).
COHORT_YEARS = (1950, 2100)


class TraineeType(enum.StrEnum):
    MSC_STUDENT = "msc_student"
    APPRENTICE = "apprentice"
    NHS_STAFF = "nhs_staff"
    INDUSTRY = "industry"
    ACADEMIC = "academic"

    @property
    def label(self) -> str:
        return {
            "msc_student": "MSc student",
            "apprentice": "Apprentice",
            "nhs_staff": "NHS staff",
            "industry": "Industry",
            "academic": "Academic researcher",
        }[self.value]


@dataclass(frozen=True, kw_only=True)
class CohortFields:
    """A group trained together, e.g. "MSc Cell & Gene Therapy 2027"."""

    name: str
    hub_id: int | None = None
    programme: str = ""
    starts_on: date | None = None
    ends_on: date | None = None
    description: str = ""

    def validated(self) -> CohortFields:
        errors: list[FieldError] = []
        name = check_name(self.name, "name", "Cohort name", errors)
        for field, label, day in (
            ("starts_on", "start", self.starts_on),
            ("ends_on", "end", self.ends_on),
        ):
            if day is not None and not COHORT_YEARS[0] <= day.year <= COHORT_YEARS[1]:
                errors.append(
                    FieldError(
                        field,
                        f"The cohort's {label} ({day.isoformat()}) is not a plausible date; "
                        f"cohorts run between {COHORT_YEARS[0]} and {COHORT_YEARS[1]}",
                    )
                )
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors.append(
                FieldError(
                    "ends_on",
                    f"The cohort ends ({dates.day(self.ends_on)}) before it starts "
                    f"({dates.day(self.starts_on)})",
                )
            )
        cleaned = CohortFields(
            name=name,
            hub_id=self.hub_id,
            programme=check_optional_text(
                self.programme, "programme", "Programme", errors, limit=120
            ),
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            description=check_long_text(self.description, "description", "Description", errors),
        )
        if errors:
            raise ValidationError(errors, subject=f"Cohort {name}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Cohort(CohortFields):
    id: int
    row_version: int
    trainee_count: int = 0


_REFERENCE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,23}$")


@dataclass(frozen=True, kw_only=True)
class TraineeFields:
    """A learner. ``name`` is written as the person writes it, in any script."""

    reference: str
    name: str
    hub_id: int
    trainee_type: TraineeType = TraineeType.INDUSTRY
    organisation: str = ""
    role: str = ""
    email: str = ""
    cohort_ids: frozenset[int] = frozenset()

    def validated(self) -> TraineeFields:
        errors: list[FieldError] = []
        reference = clean_text(self.reference).upper()
        if not reference:
            errors.append(FieldError("reference", "Trainee reference must not be empty"))
        elif not _REFERENCE.match(reference):
            errors.append(
                FieldError(
                    "reference",
                    f"Reference '{reference}' must be 2–24 letters, digits or hyphens",
                )
            )
        name = check_name(self.name, "name", "Trainee name", errors)
        cleaned = TraineeFields(
            reference=reference,
            name=name,
            hub_id=self.hub_id,
            trainee_type=TraineeType(self.trainee_type),
            organisation=check_optional_text(
                self.organisation, "organisation", "Organisation", errors, limit=160
            ),
            role=check_optional_text(self.role, "role", "Role", errors, limit=120),
            email=check_email(self.email, "email", errors),
            cohort_ids=frozenset(self.cohort_ids),
        )
        if errors:
            # A refused name is not repeated in the message: it may display as something else.
            shown = reference if any(e.field == "name" for e in errors) else name or reference
            raise ValidationError(errors, subject=f"Trainee {shown}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Trainee(TraineeFields):
    id: int
    row_version: int
