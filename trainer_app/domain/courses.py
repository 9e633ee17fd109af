"""The GMP course catalogue and the prerequisite graph between courses."""

from __future__ import annotations

import enum
import functools
import re
from collections.abc import Mapping, Set
from dataclasses import dataclass
from decimal import Decimal

from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.network import MAX_CAPACITY, FacilityKind
from trainer_app.domain.text import check_code, check_long_text, check_name
from trainer_app.domain.trainers import PERIODS_PER_DAY

MAX_SESSIONS = 40
MAX_VALIDITY_MONTHS = 120


class CourseCategory(enum.StrEnum):
    """Families of training; the GUI gives each a stable, colour-blind-safe colour."""

    CLEANROOM = "cleanroom"
    VIRAL_VECTORS = "viral_vectors"
    CELL_THERAPY = "cell_therapy"
    QUALITY_CONTROL = "quality_control"
    QUALITY_SYSTEMS = "quality_systems"

    @property
    def label(self) -> str:
        return {
            "cleanroom": "Cleanroom practice",
            "viral_vectors": "Viral vectors & plasmid",
            "cell_therapy": "Cell therapy",
            "quality_control": "Quality control",
            "quality_systems": "Quality systems",
        }[self.value]


_VERSION = re.compile(r"^\d{1,3}(\.\d{1,3}){0,2}$", re.ASCII)


def check_version(version: str, field_name: str, errors: list[FieldError]) -> str:
    """A course version as people write it (1, 2.1 or 3.0.2), stripped; a problem is added to
    `errors` otherwise. Versions are compared numerically, so nothing else may pass."""
    version = version.strip()
    if not _VERSION.match(version):
        errors.append(FieldError(field_name, f"Version '{version}' must look like 1, 2.1 or 3.0.2"))
    return version


@functools.lru_cache(maxsize=4096)
def version_key(version: str) -> tuple[int, ...]:
    """Course versions compare numerically: 1.10 is newer than 1.9. (Cached: the training
    matrix compares versions for every cell.)"""
    return tuple(int(part) for part in version.split("."))


# ----- completion rule ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class CompletionRule:
    """What a trainee on a run must achieve for the course to be completed."""

    min_attendance: int = 90  # % of the run's sessions attended (late counts as attended)
    pass_mark: int | None = None  # theory score % needed; None: no theory assessment
    practical_required: bool = False

    def validated(self) -> CompletionRule:
        errors: list[FieldError] = []
        if not 0 <= self.min_attendance <= 100:
            errors.append(
                FieldError("min_attendance", "Minimum attendance must be between 0 and 100 %")
            )
        if self.pass_mark is not None and not 0 <= self.pass_mark <= 100:
            errors.append(FieldError("pass_mark", "Pass mark must be between 0 and 100 %"))
        if errors:
            raise ValidationError(errors, subject="Completion rule")
        return self

    def describe(self) -> str:
        parts = [f"attendance ≥ {self.min_attendance} %"]
        if self.pass_mark is not None:
            parts.append(f"theory ≥ {self.pass_mark} %")
        if self.practical_required:
            parts.append("practical passed")
        return " and ".join(parts)

    def shortfalls(
        self,
        *,
        sessions: int,
        attended: int,
        theory: Decimal | None,
        practical: bool | None,
    ) -> list[str]:
        """What is still missing (empty: the rule is met). ``theory``/``practical`` are the
        latest results (None: not assessed)."""
        out = []
        share = 100 * attended / sessions if sessions else 0
        if not sessions or share < self.min_attendance:
            out.append(
                f"attended {attended} of {sessions} sessions ({share:.0f} %); "
                f"{self.min_attendance} % needed"
            )
        if self.pass_mark is not None:
            if theory is None:
                out.append("no theory score yet")
            elif theory < self.pass_mark:
                out.append(f"theory score {theory:g} % is below the pass mark {self.pass_mark} %")
        if self.practical_required:
            if practical is None:
                out.append("no practical assessment yet")
            elif not practical:
                out.append("practical not passed")
        return out


@dataclass(frozen=True, kw_only=True)
class CourseFields:
    """One course of the catalogue. ``session_length`` counts teaching periods in one day."""

    code: str
    title: str
    version: str = "1.0"
    category: CourseCategory = CourseCategory.QUALITY_SYSTEMS
    description: str = ""
    learning_outcomes: tuple[str, ...] = ()
    sessions: int = 1
    session_length: int = 1
    facility_kind: FacilityKind = FacilityKind.CLASSROOM
    capacity: int = 12
    prerequisites: frozenset[int] = frozenset()  # course ids
    validity_months: int | None = None  # None: never expires
    cpd_hours: Decimal = Decimal(0)
    # The completion rule: attendance share, theory pass mark (None: no theory test), practical.
    min_attendance: int = 90
    pass_mark: int | None = None
    practical_required: bool = False

    @property
    def completion_rule(self) -> CompletionRule:
        return CompletionRule(
            min_attendance=self.min_attendance,
            pass_mark=self.pass_mark,
            practical_required=self.practical_required,
        )

    def validated(self) -> CourseFields:
        errors: list[FieldError] = []
        code = check_code(self.code, "code", "Course code", errors, limit=12)
        title = check_name(self.title, "title", "Course title", errors, limit=160)
        version = check_version(self.version, "version", errors)
        if not 1 <= self.sessions <= MAX_SESSIONS:
            errors.append(
                FieldError(
                    "sessions",
                    f"Number of sessions must be between 1 and {MAX_SESSIONS} "
                    f"(got {self.sessions})",
                )
            )
        if not 1 <= self.session_length <= PERIODS_PER_DAY:
            errors.append(
                FieldError(
                    "session_length",
                    f"A session lasts 1 to {PERIODS_PER_DAY} periods, within one day "
                    f"(got {self.session_length})",
                )
            )
        if not 1 <= self.capacity <= MAX_CAPACITY:
            errors.append(
                FieldError(
                    "capacity",
                    f"Capacity must be between 1 and {MAX_CAPACITY} people (got {self.capacity})",
                )
            )
        if self.validity_months is not None and not (
            1 <= self.validity_months <= MAX_VALIDITY_MONTHS
        ):
            errors.append(
                FieldError(
                    "validity_months",
                    f"Validity must be 1 to {MAX_VALIDITY_MONTHS} months, or none "
                    f"(got {self.validity_months})",
                )
            )
        cpd = Decimal(self.cpd_hours)
        if not (cpd.is_finite() and 0 <= cpd <= 1000 and cpd == cpd.quantize(Decimal("0.1"))):
            errors.append(
                FieldError("cpd_hours", f"CPD hours must be 0 to 1000 in tenths (got {cpd})")
            )
        try:
            self.completion_rule.validated()
        except ValidationError as error:
            errors.extend(error.errors)
        outcomes = tuple(o.strip() for o in self.learning_outcomes if o.strip())
        cleaned = CourseFields(
            code=code,
            title=title,
            version=version,
            category=CourseCategory(self.category),
            description=check_long_text(self.description, "description", "Description", errors),
            learning_outcomes=outcomes,
            sessions=self.sessions,
            session_length=self.session_length,
            facility_kind=FacilityKind(self.facility_kind),
            capacity=self.capacity,
            prerequisites=frozenset(self.prerequisites),
            validity_months=self.validity_months,
            cpd_hours=cpd,
            min_attendance=self.min_attendance,
            pass_mark=self.pass_mark,
            practical_required=bool(self.practical_required),
        )
        if errors:
            raise ValidationError(errors, subject=f"Course {code}".strip())
        return cleaned


@dataclass(frozen=True, kw_only=True)
class Course(CourseFields):
    id: int
    row_version: int

    @property
    def label(self) -> str:
        return f"{self.code} {self.title}"


def find_prerequisite_cycle(graph: Mapping[int, Set[int]], start: int) -> list[int] | None:
    """Return a path ``start → … → start`` through prerequisites, or ``None`` if there is none.

    ``graph`` maps each course id to the ids it requires.
    """
    stack: list[tuple[int, list[int]]] = [(start, [start])]
    seen: set[int] = set()
    while stack:
        node, path = stack.pop()
        for required in sorted(graph.get(node, ())):
            if required == start:
                return [*path, start]
            if required not in seen:
                seen.add(required)
                stack.append((required, [*path, required]))
    return None
