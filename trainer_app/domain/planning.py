"""Course runs (what the planner schedules), saved plan versions and published sessions."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from trainer_app.domain import dates
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.text import check_code, check_optional_text

MAX_ATTENDEES = 1000


class RunStatus(enum.StrEnum):
    """Where a run is in its life: set up, in a saved plan, published, or called off."""

    DRAFT = "draft"
    PLANNED = "planned"
    PUBLISHED = "published"
    CANCELLED = "cancelled"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PlanStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    SUPERSEDED = "superseded"

    @property
    def label(self) -> str:
        return self.value.capitalize()


@dataclass(frozen=True, kw_only=True)
class CourseRunFields:
    """One run of a catalogue course for its cohorts.

    ``hub_id`` None: any hub; ``trainer_id`` None: the planner chooses a qualified trainer;
    ``min_days`` None: as many days as the course has sessions; ``earliest``/``latest``: the
    optional window the sessions must fall in.
    """

    code: str
    course_id: int
    attendees: int
    hub_id: int | None = None
    trainer_id: int | None = None
    cohort_ids: frozenset[int] = frozenset()
    min_days: int | None = None
    consecutive_days: bool = False
    earliest: date | None = None
    latest: date | None = None
    status: RunStatus = RunStatus.DRAFT
    notes: str = ""

    def validated(self) -> CourseRunFields:
        errors: list[FieldError] = []
        code = check_code(self.code, "code", "Run code", errors, limit=24)
        if not 1 <= self.attendees <= MAX_ATTENDEES:
            errors.append(
                FieldError(
                    "attendees",
                    f"Expected attendees must be between 1 and {MAX_ATTENDEES} "
                    f"(got {self.attendees})",
                )
            )
        if self.min_days is not None and self.min_days < 1:
            errors.append(
                FieldError("min_days", f"Minimum days must be at least 1 (got {self.min_days})")
            )
        if self.earliest and self.latest and self.latest < self.earliest:
            errors.append(
                FieldError(
                    "latest",
                    f"The window ends ({dates.day(self.latest)}) before it starts "
                    f"({dates.day(self.earliest)})",
                )
            )
        cleaned = CourseRunFields(
            code=code,
            course_id=self.course_id,
            attendees=self.attendees,
            hub_id=self.hub_id,
            trainer_id=self.trainer_id,
            cohort_ids=frozenset(self.cohort_ids),
            min_days=self.min_days,
            consecutive_days=bool(self.consecutive_days),
            earliest=self.earliest,
            latest=self.latest,
            status=RunStatus(self.status),
            notes=check_optional_text(self.notes, "notes", "Notes", errors, limit=500),
        )
        if errors:
            raise ValidationError(errors, subject=f"Run {code}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class CourseRun(CourseRunFields):
    id: int
    row_version: int
    course_code: str = ""


@dataclass(frozen=True, kw_only=True)
class PlanVersion:
    """A saved plan as listed: the documents themselves come with ``PlanningService.get_plan``."""

    id: int
    row_version: int
    name: str
    status: PlanStatus
    created_at: datetime  # UTC
    created_by: str
    starts_on: date
    ends_on: date
    hub_codes: tuple[str, ...]
    cost_total: float | None
    solver_summary: str
    published_at: datetime | None = None


@dataclass(frozen=True, kw_only=True)
class PlannedSession:
    """A published session of a run, with the codes and names a coordinator reads."""

    id: int
    run_id: int
    run_code: str
    course_code: str
    session_index: int  # 0-based
    held_on: date
    period: int  # 0-based period of the day
    length: int  # periods
    facility_id: int
    facility_code: str
    trainer_id: int
    trainer_name: str
    plan_version_id: int | None
    locked: bool


@dataclass(frozen=True)
class SessionMove:
    """One session placed differently in two plans; ``before``/``after`` None: not placed."""

    offering: str
    session: int
    before: str | None
    after: str | None

    def describe(self) -> str:
        what = f"{self.offering} session {self.session + 1}"
        if self.before is None:
            return f"{what}: newly placed at {self.after}"
        if self.after is None:
            return f"{what}: no longer placed (was {self.before})"
        return f"{what}: {self.before} → {self.after}"


@dataclass(frozen=True)
class PlanComparison:
    """Plan ``a`` against plan ``b``: cost per term, its difference (b − a) and what moved."""

    a: PlanVersion
    b: PlanVersion
    cost_a: Mapping[str, float]
    cost_b: Mapping[str, float]
    difference: Mapping[str, float]
    moves: tuple[SessionMove, ...] = field(default=())
    unchanged: int = 0

    @property
    def moved(self) -> int:
        return sum(1 for m in self.moves if m.before is not None and m.after is not None)

    @property
    def added(self) -> int:
        return sum(1 for m in self.moves if m.before is None)

    @property
    def removed(self) -> int:
        return sum(1 for m in self.moves if m.after is None)


class Unavailability(enum.StrEnum):
    """Whose time an ``Unavailable`` stretch is: the rows of the Plan page's timeline, and
    everyone (a bank holiday)."""

    TRAINER = "trainer"
    FACILITY = "facility"
    HUB = "hub"
    COHORT = "cohort"
    EVERYONE = "everyone"


@dataclass(frozen=True)
class Unavailable:
    """Days from ``starts_on`` to ``ends_on`` (inclusive) when a trainer, facility, hub or
    cohort cannot be planned, and why in a coordinator's words ("Annual leave", "Closed: HVAC
    revalidation", "Bank holiday: Good Friday"). ``key`` is the planner's id of the trainer
    (``T7``), facility or hub (its code) or cohort (its name); empty for everyone."""

    who: Unavailability
    key: str
    starts_on: date
    ends_on: date
    reason: str

    def covers(self, day: date) -> bool:
        return self.starts_on <= day <= self.ends_on


def term_name(start: date) -> str:
    """ "Spring 2027": UK academic terms by the month they start in."""
    season = "Spring" if start.month <= 4 else "Summer" if start.month <= 8 else "Autumn"
    return f"{season} {start.year}"
