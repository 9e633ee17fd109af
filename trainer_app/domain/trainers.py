"""Trainers: who may deliver which course, where they are based, when, and how much."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from trainer_app.domain.calendar import WORKING_WEEK, Absence, check_absences, check_weekdays
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.text import check_email, check_name, check_optional_text

PERIODS_PER_DAY = 4  # 09:00, 11:00, 13:30, 15:30: the hubs' standard teaching day


class Employment(enum.StrEnum):
    INTERNAL = "internal"
    EXTERNAL = "external"

    @property
    def label(self) -> str:
        return "Internal" if self is Employment.INTERNAL else "External (contracted)"


@dataclass(frozen=True, kw_only=True)
class TrainerFields:
    """``max_periods_per_day``/``_per_week`` bound teaching; ``None`` means no bound."""

    name: str
    hub_id: int
    email: str = ""
    employment: Employment = Employment.INTERNAL
    qualifications: frozenset[int] = frozenset()  # course ids
    weekdays: frozenset[int] = field(default=WORKING_WEEK)
    leave: tuple[Absence, ...] = ()
    max_periods_per_day: int | None = None
    max_periods_per_week: int | None = None
    notes: str = ""

    def validated(self) -> TrainerFields:
        errors: list[FieldError] = []
        name = check_name(self.name, "name", "Trainer name", errors)
        per_day, per_week = self.max_periods_per_day, self.max_periods_per_week
        if per_day is not None and not 1 <= per_day <= PERIODS_PER_DAY:
            errors.append(
                FieldError(
                    "max_periods_per_day",
                    f"Teaching periods per day must be between 1 and {PERIODS_PER_DAY} "
                    f"(got {per_day})",
                )
            )
        if per_week is not None and not 1 <= per_week <= 7 * PERIODS_PER_DAY:
            errors.append(
                FieldError(
                    "max_periods_per_week",
                    f"Teaching periods per week must be between 1 and {7 * PERIODS_PER_DAY} "
                    f"(got {per_week})",
                )
            )
        elif per_day is not None and per_week is not None and per_week < per_day:
            errors.append(
                FieldError(
                    "max_periods_per_week",
                    f"The weekly limit ({per_week}) is below the daily limit ({per_day})",
                )
            )
        cleaned = TrainerFields(
            name=name,
            hub_id=self.hub_id,
            email=check_email(self.email, "email", errors),
            employment=Employment(self.employment),
            qualifications=frozenset(self.qualifications),
            weekdays=check_weekdays(self.weekdays, "weekdays", errors),
            leave=check_absences(self.leave, "leave", "Leave", errors),
            max_periods_per_day=per_day,
            max_periods_per_week=per_week,
            notes=check_optional_text(self.notes, "notes", "Notes", errors, limit=500),
        )
        if errors:
            raise ValidationError(errors, subject=f"Trainer {name}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Trainer(TrainerFields):
    id: int
    row_version: int
