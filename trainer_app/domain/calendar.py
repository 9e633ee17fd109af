"""Dates when a hub, facility or trainer cannot be used: closures, shutdowns and leave."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from trainer_app.domain import dates
from trainer_app.domain.errors import FieldError
from trainer_app.domain.text import check_optional_text

WEEKDAY_NAMES = dates.WEEKDAYS
WORKING_WEEK: frozenset[int] = frozenset(range(5))


@dataclass(frozen=True, order=True)
class Absence:
    """An inclusive run of days when something is unavailable, with the reason in plain words."""

    start: date
    end: date
    reason: str = ""

    def describe(self) -> str:
        span = dates.span(self.start, self.end)
        return f"{span} ({self.reason})" if self.reason else span


def check_absences(
    absences: Iterable[Absence], field: str, label: str, errors: list[FieldError]
) -> tuple[Absence, ...]:
    """Each window must end on or after its start; overlapping windows are refused too."""
    cleaned: list[Absence] = []
    for absence in absences:
        reason = check_optional_text(absence.reason, field, f"{label} reason", errors, limit=200)
        if absence.end < absence.start:
            errors.append(
                FieldError(
                    field,
                    f"{label} ends ({dates.day(absence.end)}) before it starts "
                    f"({dates.day(absence.start)})",
                )
            )
            continue
        cleaned.append(Absence(absence.start, absence.end, reason))
    cleaned.sort()
    for earlier, later in pairwise(cleaned):
        if later.start <= earlier.end:
            errors.append(
                FieldError(
                    field,
                    f"{label} {earlier.describe()} overlaps {later.describe()}; merge them",
                )
            )
    return tuple(cleaned)


def check_weekdays(days: Iterable[int], field: str, errors: list[FieldError]) -> frozenset[int]:
    result = frozenset(days)
    if not result:
        errors.append(FieldError(field, "Choose at least one working day"))
    elif not result <= set(range(7)):
        errors.append(FieldError(field, "Working days must be Monday to Sunday"))
    return result


def describe_weekdays(days: Iterable[int]) -> str:
    chosen = sorted(set(days))
    if chosen == list(range(5)):
        return "Mon–Fri"
    return ", ".join(WEEKDAY_NAMES[d] for d in chosen)
