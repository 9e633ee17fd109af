"""The planner's public input and output: ``trainer-app/scenario@1`` and ``trainer-app/plan@1``.

Plain, immutable data with strict JSON reading: a missing or unknown field, a wrong type or a
reference to an id that does not exist is an error that names the item and the field. See
docs/scenario-format.md and resources/schemas/.
"""

from __future__ import annotations

import difflib
import itertools
import json
import math
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import cached_property
from typing import Any

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError
from trainer_app.scheduling.rules import COST_TERMS, Term

SCENARIO_FORMAT = "trainer-app/scenario@1"
PLAN_FORMAT = "trainer-app/plan@1"

Slot = tuple[int, int]  # (day index, period index)

# Every soft-cost term, in the catalogue's order (rules.py: default weights and words).
TERMS: tuple[Term, ...] = tuple(Term)


class PlanStatus(StrEnum):
    """How complete and how good a plan is (a StrEnum: compares equal to its JSON word)."""

    OPTIMAL = "optimal"  # every session placed, cost proven the lowest possible
    FEASIBLE = "feasible"  # every session placed, no hard rule broken
    PARTIAL = "partial"  # some runs left out (see Plan.unplaced)
    INFEASIBLE = "infeasible"  # nothing could be placed
    UNKNOWN = "unknown"  # no plan was found in the time given


STATUSES = tuple(s.value for s in PlanStatus)


class Verdict(StrEnum):
    """Why a run is not in a plan: proven impossible, or only not found in the time given."""

    CANNOT_BE_PLACED = "cannot_be_placed"  # with a proof: see UnplacedRun.reason
    NOT_PLACED_IN_TIME = "not_placed_in_time"  # a plan with it may exist


VERDICTS = tuple(v.value for v in Verdict)

# ----- limits: what a scenario or plan file may hold (docs/scenario-format.md, "Limits") -------
# Generous for real networks (the 12-week, 6-hub benchmark terms have 58 days, 40 trainers,
# 838 runs and 1 500 sessions), small enough that reading and planning stay bounded.
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 32  # lists and objects inside each other; a scenario needs 6
MAX_INTEGER_DIGITS = 15
MAX_NUMBER_CHARACTERS = 32  # a number written with a fraction or exponent
MAX_TEXT = 1_000  # characters in any string (names, labels, explanations)
MAX_ID = 100  # characters in an id, a course code, a facility kind
MAX_PROBLEMS = 1_000  # reported one by one; beyond, only counted
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2099, 12, 31)
MAX_DAYS = 1_000  # about four years of working days
MAX_PERIODS_PER_DAY = 24
MAX_HUBS = 200
MAX_FACILITIES = 2_000
MAX_TRAINERS = 2_000
MAX_OFFERINGS = 10_000
MAX_COHORTS = 5_000
MAX_SESSIONS_PER_RUN = 200
MAX_SESSIONS = 20_000  # over all runs; also the most locked sessions and plan assignments
MAX_PEOPLE = 10_000  # attendees of a session, capacity of a facility
MAX_LIST = 1_000  # qualifications, facility kinds, 'after' runs, a cohort's runs
MAX_WEIGHT = 1_000  # a cost term's weight (an unplaced session costs 1 000 000)


class ScenarioError(DomainError):
    """The scenario or plan file is unusable; ``problems`` lists every problem found."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        shown = "\n".join(f"- {p}" for p in self.problems[:25])
        more = len(self.problems) - 25
        tail = f"\n- … and {more} more" if more > 0 else ""
        super().__init__(f"{len(self.problems)} problem(s):\n{shown}{tail}")


@dataclass(frozen=True)
class Calendar:
    days: tuple[date, ...]
    periods_per_day: int
    period_labels: tuple[str, ...] | None = None

    @property
    def periods(self) -> int:
        """Periods in the whole horizon: a (day, period) slot is ``day * periods_per_day + p``."""
        return len(self.days) * self.periods_per_day

    @cached_property
    def week_of_day(self) -> tuple[int, ...]:
        """For each day index, the index of its ISO week within the horizon (0, 1, …)."""
        weeks: dict[tuple[int, int], int] = {}
        out = []
        for day in self.days:
            iso = day.isocalendar()
            out.append(weeks.setdefault((iso.year, iso.week), len(weeks)))
        return tuple(out)

    def label(self, day: int, period: int) -> str:
        when = self.period_labels[period] if self.period_labels else f"period {period + 1}"
        return f"{dates.weekday_day(self.days[day])} {when}"


@dataclass(frozen=True)
class Hub:
    id: str
    name: str


@dataclass(frozen=True)
class Facility:
    id: str
    hub: str
    kind: str
    capacity: int
    capacity_is_hard: bool = False
    unavailable: frozenset[Slot] = frozenset()


@dataclass(frozen=True)
class Trainer:
    id: str
    hub: str
    qualifications: frozenset[str] = frozenset()
    unavailable: frozenset[Slot] = frozenset()
    max_periods_per_day: int | None = None
    max_periods_total: int | None = None
    max_periods_per_week: int | None = None  # optional extension; weeks are ISO weeks
    name: str = ""  # what people call the trainer; messages use it, the id where it is empty

    @property
    def shown(self) -> str:
        """The trainer as messages name them: by name, else by id."""
        return self.name or self.id


@dataclass(frozen=True)
class Offering:
    id: str
    course: str
    sessions: int
    attendees: int
    session_length: int = 1
    min_days: int = 1
    consecutive_days: bool = False
    trainer: str | None = None
    facility_kinds: tuple[str, ...] = ()
    hub: str | None = None
    unavailable: frozenset[Slot] = frozenset()
    after: tuple[str, ...] = ()
    # Already on the published timetable: every session locked; present so that every rule
    # (one hub a day, limits, prerequisites, cohorts) counts it. Never moved, never re-published.
    published: bool = False


@dataclass(frozen=True)
class Cohort:
    id: str
    offerings: tuple[str, ...]
    unavailable: frozenset[Slot] = frozenset()


@dataclass(frozen=True)
class Lock:
    offering: str
    session: int
    day: int
    period: int
    facility: str | None = None
    trainer: str | None = None


@dataclass(frozen=True)
class Assignment:
    offering: str
    session: int
    day: int
    period: int
    facility: str
    trainer: str

    @property
    def key(self) -> tuple[str, int]:
        return (self.offering, self.session)


@dataclass(frozen=True)
class UnplacedRun:
    """A run a plan leaves out, and what is known about why, in a coordinator's words."""

    offering: str
    verdict: Verdict
    reason: str  # the proof when CANNOT_BE_PLACED; what stood in the way otherwise
    competing: tuple[str, ...] = ()  # runs that hold the trainers, facilities or cohort it needs
    suggestions: tuple[str, ...] = ()  # what to try: more time, a wider window, another trainer


@dataclass(frozen=True)
class Plan:
    assignments: tuple[Assignment, ...]
    status: PlanStatus = PlanStatus.UNKNOWN
    cost: Mapping[str, float] = field(default_factory=dict)
    hard_violations: tuple[Mapping[str, Any], ...] = ()
    explanation: tuple[str, ...] = ()
    solver: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""
    unplaced: tuple[UnplacedRun, ...] = ()

    @property
    def lower_bound(self) -> float | None:
        """The lowest total cost any complete plan can have, as far as the planner proved."""
        value = self.solver.get("lower_bound")
        return (
            float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None
        )

    @property
    def gap(self) -> float | None:
        """How far this plan can at most be from the best possible, as a fraction of its cost
        (0 = proven best); None without a bound or when runs are left out."""
        bound, total = self.lower_bound, self.cost.get("total")
        if bound is None or total is None or self.unplaced or self.status == PlanStatus.PARTIAL:
            return None
        if total <= 0:
            return 0.0
        return max(0.0, (float(total) - bound) / float(total))


@dataclass(frozen=True)
class Scenario:
    calendar: Calendar
    hubs: tuple[Hub, ...]
    facilities: tuple[Facility, ...]
    trainers: tuple[Trainer, ...]
    offerings: tuple[Offering, ...]
    cohorts: tuple[Cohort, ...] = ()
    locked: tuple[Lock, ...] = ()
    previous_plan: Plan | None = None
    weights: Mapping[str, float] = field(default_factory=dict)
    name: str = ""

    def weight(self, term: str) -> float:
        """The weight in force: the scenario's, else the default (0 for the optional terms)."""
        return float(self.weights.get(term, COST_TERMS[Term(term)].default_weight))

    @property
    def active_terms(self) -> tuple[str, ...]:
        return tuple(t for t in TERMS if self.weight(t) > 0)

    @cached_property
    def hub_by_id(self) -> dict[str, Hub]:
        return {h.id: h for h in self.hubs}

    @cached_property
    def facility_by_id(self) -> dict[str, Facility]:
        return {f.id: f for f in self.facilities}

    @cached_property
    def trainer_by_id(self) -> dict[str, Trainer]:
        return {t.id: t for t in self.trainers}

    @cached_property
    def offering_by_id(self) -> dict[str, Offering]:
        return {o.id: o for o in self.offerings}

    @cached_property
    def cohorts_of(self) -> dict[str, tuple[Cohort, ...]]:
        """The cohorts attending each offering."""
        found: dict[str, list[Cohort]] = {o.id: [] for o in self.offerings}
        for cohort in self.cohorts:
            for offering in cohort.offerings:
                found[offering].append(cohort)
        return {k: tuple(v) for k, v in found.items()}

    @cached_property
    def lock_by_session(self) -> dict[tuple[str, int], Lock]:
        return {(lock.offering, lock.session): lock for lock in self.locked}

    def session_count(self) -> int:
        return sum(o.sessions for o in self.offerings)


# ----- reading JSON ----------------------------------------------------------------------------


class _Problems:
    def __init__(self) -> None:
        self.items: list[str] = []
        self.uncounted = 0  # found beyond MAX_PROBLEMS

    def add(self, where: str, message: str) -> None:
        if len(self.items) >= MAX_PROBLEMS:
            self.uncounted += 1
            return
        self.items.append(f"{where}: {message}" if where else message)

    def error(self) -> ScenarioError:
        more = [f"… and {self.uncounted} more problems"] if self.uncounted else []
        return ScenarioError([*self.items, *more])


class _Object:
    """One JSON object being read: knows its path, reports missing and unknown fields."""

    def __init__(self, data: Any, where: str, problems: _Problems, known: Iterable[str]) -> None:
        self.where = where
        self.problems = problems
        self.ok = isinstance(data, dict)
        self.data: dict[str, Any] = data if isinstance(data, dict) else {}
        if not self.ok:
            problems.add(where, f"must be an object, not {_type_name(data)}")
            return
        known = list(known)
        for key in self.data:
            if key not in known:
                near = difflib.get_close_matches(key, known, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                problems.add(where, f"unknown field '{_shown(key)}'{hint}")

    def at(self, key: str) -> str:
        """The path of one of this object's fields."""
        return f"{self.where}.{key}" if self.where else key

    def get(
        self, key: str, kind: type | tuple[type, ...], default: Any = ..., *, nullable: bool = False
    ) -> Any:
        if key not in self.data:
            if default is ...:
                if self.ok:
                    self.problems.add(self.where, f"missing required field '{key}'")
                return None
            return default
        value = self.data[key]
        if value is None and nullable:
            return None
        if isinstance(value, bool) and kind is not bool and bool not in _as_tuple(kind):
            value_ok = False
        else:
            value_ok = isinstance(value, kind)
        if not value_ok:
            expected = "/".join(_type_word(k) for k in _as_tuple(kind))
            self.problems.add(self.at(key), f"must be {expected}, not {_type_name(value)}")
            return None if default is ... else default
        return value

    def count(
        self,
        key: str,
        default: Any = ...,
        *,
        minimum: int = 1,
        maximum: int,
        nullable: bool = False,
    ) -> int | None:
        """An integer from ``minimum`` to ``maximum`` (each field has its documented range)."""
        value = self.get(key, int, default, nullable=nullable)
        if not isinstance(value, int):
            return None
        if value < minimum:
            self.problems.add(self.at(key), f"must be at least {minimum} (got {value})")
            return None
        if value > maximum:
            self.problems.add(self.at(key), f"must be at most {maximum:,} (got {value:,})")
            return None
        return value

    def text(self, key: str, default: Any = ..., *, nullable: bool = False) -> str | None:
        """A string of at most MAX_TEXT characters (checked as the file is read)."""
        value = self.get(key, str, default, nullable=nullable)
        return value if isinstance(value, str) else None

    def ident(self, key: str = "id", *, nullable: bool = False, default: Any = ...) -> str | None:
        value = self.get(key, str, default, nullable=nullable)
        if isinstance(value, str) and not value.strip():
            self.problems.add(self.at(key), "must not be empty")
            return None
        if isinstance(value, str) and len(value) > MAX_ID:
            self.problems.add(
                self.at(key),
                f"is {len(value):,} characters long; an id has at most {MAX_ID}",
            )
            return None
        return value if isinstance(value, str) else None

    def strings(
        self, key: str, *, maximum: int = MAX_LIST, longest: int = MAX_ID
    ) -> tuple[str, ...]:
        """A list of non-empty strings: ids (``longest`` MAX_ID) unless said otherwise."""
        what = "an id" if longest == MAX_ID else "each"
        values = self.get(key, list, []) or []
        if len(values) > maximum:
            self.problems.add(
                self.at(key),
                f"lists {len(values):,} items; at most {maximum:,} are allowed",
            )
            return ()
        out = []
        for i, value in enumerate(values):
            if not (isinstance(value, str) and value.strip()):
                self.problems.add(f"{self.at(key)}[{i}]", "must be a non-empty string")
            elif len(value) > longest:
                self.problems.add(
                    f"{self.at(key)}[{i}]",
                    f"is {len(value):,} characters long; {what} has at most {longest:,}",
                )
            else:
                out.append(value)
        return tuple(out)


def _as_tuple(kind: type | tuple[type, ...]) -> tuple[type, ...]:
    return kind if isinstance(kind, tuple) else (kind,)


def _type_word(kind: type) -> str:
    return {
        str: "a string",
        int: "an integer",
        float: "a number",
        bool: "true or false",
        list: "a list",
        dict: "an object",
    }.get(kind, kind.__name__)


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, _Refused):
        return "a number"  # one that no field may hold: the screen says why where it can
    return {
        bool: "true/false",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _shown(text: str, limit: int = 40) -> str:
    """A string as a message quotes it: at most ``limit`` characters."""
    return text if len(text) <= limit else f"{text[:limit]}…"


def _label(where: str, ident: str | None) -> str:
    return f"{where} ({ident})" if ident else where


def _unique(items: Sequence[Any], what: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            problems.add(what, f"id '{item.id}' is used twice")
        seen.add(item.id)


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Reader:
    def __init__(self) -> None:
        self.problems = _Problems()
        self.days = 0
        self.periods = 0

    def slots(self, obj: _Object, key: str = "unavailable") -> frozenset[Slot]:
        values = obj.get(key, list, []) or []
        if len(values) > self.days * self.periods:
            self.problems.add(
                f"{obj.where}.{key}",
                f"lists {len(values):,} slots; the calendar has only {self.days * self.periods:,}",
            )
            return frozenset()
        out: set[Slot] = set()
        for i, pair in enumerate(values):
            where = f"{obj.where}.{key}[{i}]"
            if not (
                isinstance(pair, list)
                and len(pair) == 2
                and all(isinstance(v, int) and not isinstance(v, bool) for v in pair)
            ):
                self.problems.add(where, "must be a [day, period] pair of integers")
                continue
            if self.slot_ok(where, pair[0], pair[1]):
                out.add((pair[0], pair[1]))
        return frozenset(out)

    def slot_ok(self, where: str, day: int, period: int) -> bool:
        if not 0 <= day < self.days:
            self.problems.add(where, f"day {day} is outside the calendar (0–{self.days - 1})")
            return False
        if not 0 <= period < self.periods:
            self.problems.add(where, f"period {period} is outside the day (0–{self.periods - 1})")
            return False
        return True

    def items(self, data: Mapping[str, Any], key: str, required: bool, maximum: int) -> list[Any]:
        if key not in data:
            if required:
                self.problems.add("", f"missing required field '{key}'")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problems.add(key, f"must be a list, not {_type_name(value)}")
            return []
        if len(value) > maximum:
            self.problems.add(key, f"lists {len(value):,} items; at most {maximum:,} are allowed")
            return []
        return value

    # ----- sections ------------------------------------------------------------------------
    def calendar(self, data: Any) -> Calendar | None:
        obj = _Object(data, "calendar", self.problems, ("days", "periods_per_day", "period_labels"))
        raw_days = obj.get("days", list) or []
        if obj.ok and "days" in obj.data and not raw_days:
            self.problems.add("calendar.days", "must list at least one day")
        if len(raw_days) > MAX_DAYS:
            self.problems.add(
                "calendar.days", f"lists {len(raw_days):,} days; at most {MAX_DAYS:,} are allowed"
            )
            raw_days = []
        days: list[date] = []
        for i, text in enumerate(raw_days):
            day = _iso_day(text)
            if day is None:
                shown = _shown(text) if isinstance(text, str) else _type_name(text)
                self.problems.add(f"calendar.days[{i}]", f"'{shown}' is not a date (YYYY-MM-DD)")
            elif not FIRST_DAY <= day <= LAST_DAY:
                self.problems.add(
                    f"calendar.days[{i}]",
                    f"{day} is outside the years {FIRST_DAY.year}–{LAST_DAY.year}",
                )
            else:
                days.append(day)
        for i in range(1, len(days)):
            if days[i] <= days[i - 1]:
                self.problems.add(
                    f"calendar.days[{i}]", f"{days[i]} does not come after {days[i - 1]}"
                )
        periods = obj.count("periods_per_day", maximum=MAX_PERIODS_PER_DAY)
        labels = obj.get("period_labels", list, None, nullable=True)
        if labels is not None and periods is not None and len(labels) != periods:
            self.problems.add(
                "calendar.period_labels", f"has {len(labels)} labels for {periods} periods a day"
            )
            labels = None
        for i, label in enumerate(labels or []):
            if not isinstance(label, str) or len(label) > MAX_ID:
                self.problems.add(
                    f"calendar.period_labels[{i}]",
                    f"must be a string of at most {MAX_ID} characters",
                )
                labels = None
                break
        if not days or periods is None:
            return None
        self.days, self.periods = len(days), periods
        return Calendar(tuple(days), periods, tuple(labels) if labels else None)

    def hub(self, data: Any, index: int) -> Hub | None:
        obj = _Object(data, f"hubs[{index}]", self.problems, ("id", "name"))
        ident = obj.ident()
        name = obj.text("name", ident or "")
        return Hub(ident, name or "") if ident else None

    def facility(self, data: Any, index: int) -> Facility | None:
        obj = _Object(
            data,
            f"facilities[{index}]",
            self.problems,
            ("id", "hub", "kind", "capacity", "capacity_is_hard", "unavailable"),
        )
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        hub, kind = obj.ident("hub"), obj.ident("kind")
        capacity = obj.count("capacity", maximum=MAX_PEOPLE)
        hard = obj.get("capacity_is_hard", bool, False)
        slots = self.slots(obj)
        if None in (ident, hub, kind, capacity):
            return None
        return Facility(ident, hub, kind, capacity, hard, slots)  # type: ignore[arg-type]

    def trainer(self, data: Any, index: int) -> Trainer | None:
        obj = _Object(
            data,
            f"trainers[{index}]",
            self.problems,
            (
                "id",
                "hub",
                "qualifications",
                "unavailable",
                "max_periods_per_day",
                "max_periods_total",
                "max_periods_per_week",
                "name",
            ),
        )
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        hub = obj.ident("hub")
        qualifications = frozenset(obj.strings("qualifications"))
        slots = self.slots(obj)
        per_day = obj.count("max_periods_per_day", None, nullable=True, maximum=MAX_PERIODS_PER_DAY)
        total = obj.count(
            "max_periods_total", None, nullable=True, maximum=MAX_DAYS * MAX_PERIODS_PER_DAY
        )
        per_week = obj.count(
            "max_periods_per_week", None, nullable=True, maximum=7 * MAX_PERIODS_PER_DAY
        )
        name = obj.text("name", "")
        if ident is None or hub is None:
            return None
        return Trainer(ident, hub, qualifications, slots, per_day, total, per_week, name or "")

    def offering(self, data: Any, index: int) -> Offering | None:
        obj = _Object(
            data,
            f"offerings[{index}]",
            self.problems,
            (
                "id",
                "course",
                "sessions",
                "session_length",
                "min_days",
                "consecutive_days",
                "attendees",
                "trainer",
                "facility_kinds",
                "hub",
                "unavailable",
                "after",
                "published",
            ),
        )
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        course = obj.ident("course")
        sessions = obj.count("sessions", maximum=MAX_SESSIONS_PER_RUN)
        length = obj.count("session_length", 1, maximum=MAX_PERIODS_PER_DAY)
        if length is not None and self.periods and length > self.periods:
            self.problems.add(
                f"{obj.where}.session_length",
                f"a session of {length} periods is longer than a day ({self.periods} periods)",
            )
            length = None
        min_days = obj.count("min_days", 1, maximum=MAX_DAYS)
        consecutive = obj.get("consecutive_days", bool, False)
        attendees = obj.count("attendees", minimum=0, maximum=MAX_PEOPLE)
        trainer = obj.ident("trainer", nullable=True, default=None)
        kinds = obj.strings("facility_kinds")
        hub = obj.ident("hub", nullable=True, default=None)
        slots = self.slots(obj)
        after = obj.strings("after")
        published = obj.get("published", bool, False)
        if (
            ident is None
            or course is None
            or sessions is None
            or length is None
            or min_days is None
            or attendees is None
        ):
            return None
        return Offering(
            ident,
            course,
            sessions,
            attendees,
            length,
            min_days,
            bool(consecutive),
            trainer,
            kinds,
            hub,
            slots,
            after,
            bool(published),
        )

    def cohort(self, data: Any, index: int) -> Cohort | None:
        obj = _Object(data, f"cohorts[{index}]", self.problems, ("id", "offerings", "unavailable"))
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        if "offerings" not in obj.data and obj.ok:
            self.problems.add(obj.where, "missing required field 'offerings'")
        offerings = obj.strings("offerings", maximum=MAX_OFFERINGS)
        slots = self.slots(obj)
        return Cohort(ident, offerings, slots) if ident else None

    def lock(self, data: Any, index: int) -> Lock | None:
        obj = _Object(
            data,
            f"locked[{index}]",
            self.problems,
            ("offering", "session", "day", "period", "facility", "trainer"),
        )
        offering = obj.ident("offering")
        obj.where = _label(obj.where, offering)
        session = obj.count("session", minimum=0, maximum=MAX_SESSIONS_PER_RUN - 1)
        day = obj.count("day", minimum=0, maximum=MAX_DAYS - 1)
        period = obj.count("period", minimum=0, maximum=MAX_PERIODS_PER_DAY - 1)
        facility = obj.ident("facility", nullable=True, default=None)
        trainer = obj.ident("trainer", nullable=True, default=None)
        if None in (offering, session, day, period):
            return None
        if not self.slot_ok(obj.where, day, period):  # type: ignore[arg-type]
            return None
        return Lock(offering, session, day, period, facility, trainer)  # type: ignore[arg-type]

    def weights(self, data: Any) -> dict[str, float]:
        if data is None:
            return {}
        if not isinstance(data, dict):
            self.problems.add("weights", f"must be an object, not {_type_name(data)}")
            return {}
        out: dict[str, float] = {}
        for term, value in data.items():
            if term not in TERMS:
                near = difflib.get_close_matches(term, list(TERMS), n=1)
                hint = f"did you mean '{near[0]}'?" if near else f"known: {', '.join(TERMS)}"
                self.problems.add("weights", f"unknown cost term '{_shown(term)}' ({hint})")
            elif (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not 0 <= value <= MAX_WEIGHT
            ):
                shown = f" (got {value:g})" if isinstance(value, int | float) else ""
                self.problems.add(
                    f"weights.{term}", f"must be a number from 0 to {MAX_WEIGHT:,}{shown}"
                )
            else:
                out[term] = value
        return out


def _iso_day(text: Any) -> date | None:
    """A YYYY-MM-DD date (Python also reads '20270111' and week dates; the format does not)."""
    if not isinstance(text, str) or not _ISO_DAY.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def scenario_from_dict(data: Any) -> Scenario:
    """Read a scenario; raise ScenarioError listing every problem (nothing half-read)."""
    reader = _Reader()
    problems = reader.problems
    if not isinstance(data, dict):
        raise ScenarioError([f"a scenario must be a JSON object, not {_type_name(data)}"])
    _screen(data, problems)
    if problems.items:
        raise problems.error()  # nothing below may meet a value it cannot even quote
    top = _Object(
        data,
        "",
        problems,
        (
            "format",
            "name",
            "calendar",
            "hubs",
            "facilities",
            "trainers",
            "offerings",
            "cohorts",
            "locked",
            "previous_plan",
            "weights",
        ),
    )
    fmt = top.get("format", str)
    if fmt is not None and fmt != SCENARIO_FORMAT:
        raise ScenarioError([f"format is '{fmt}'; this trainer-app reads '{SCENARIO_FORMAT}'"])
    name = top.get("name", str, "")
    calendar = reader.calendar(data["calendar"]) if "calendar" in data else None
    if "calendar" not in data:
        problems.add("", "missing required field 'calendar'")
    if calendar is None:
        if not problems.items:
            problems.add("calendar", "is unusable")
        raise problems.error()

    def read(
        key: str, one: Callable[[Any, int], Any], required: bool, maximum: int
    ) -> tuple[Any, ...]:
        return tuple(
            x
            for i, raw in enumerate(reader.items(data, key, required, maximum))
            if (x := one(raw, i)) is not None
        )

    hubs = read("hubs", reader.hub, True, MAX_HUBS)
    facilities = read("facilities", reader.facility, True, MAX_FACILITIES)
    trainers = read("trainers", reader.trainer, True, MAX_TRAINERS)
    offerings = read("offerings", reader.offering, True, MAX_OFFERINGS)
    sessions = sum(o.sessions for o in offerings)
    if sessions > MAX_SESSIONS:
        problems.add(
            "offerings", f"have {sessions:,} sessions in all; at most {MAX_SESSIONS:,} are allowed"
        )
    cohorts = read("cohorts", reader.cohort, False, MAX_COHORTS)
    locked = read("locked", reader.lock, False, MAX_SESSIONS)
    weights = reader.weights(data.get("weights"))
    previous = None
    if data.get("previous_plan") is not None:
        try:
            previous = _plan(data["previous_plan"], screened=True)
        except ScenarioError as error:
            for problem in error.problems:
                problems.add("previous_plan", problem)
    for items, what in (
        (hubs, "hubs"),
        (facilities, "facilities"),
        (trainers, "trainers"),
        (offerings, "offerings"),
        (cohorts, "cohorts"),
    ):
        _unique(items, what, problems)
    scenario = Scenario(
        calendar,
        hubs,
        facilities,
        trainers,
        offerings,
        cohorts,
        locked,
        previous,
        weights,
        name or "",
    )
    declared = {
        key: {
            item["id"]
            for item in (data[key] if isinstance(data.get(key), list) else ())
            if isinstance(item, dict) and isinstance(item.get("id"), str)
        }
        for key in ("hubs", "facilities", "trainers", "offerings")
    }
    _check_references(scenario, problems, declared)
    if problems.items:
        raise problems.error()
    return scenario


def _check_references(
    scenario: Scenario, problems: _Problems, declared: Mapping[str, set[str]]
) -> None:
    """Report references to ids that are not there. ``declared``: the ids each section of the
    file gives, also those of items refused for another reason (already reported: a reference
    to one is not a second problem)."""
    hubs: Iterable[str] = declared.get("hubs", set()) | set(scenario.hub_by_id)
    trainers: Iterable[str] = declared.get("trainers", set()) | set(scenario.trainer_by_id)
    facilities: Iterable[str] = declared.get("facilities", set()) | set(scenario.facility_by_id)
    known_offerings = declared.get("offerings", set()) | set(scenario.offering_by_id)
    offerings = scenario.offering_by_id
    for f in scenario.facilities:
        if f.hub not in hubs:
            problems.add(f"facility {f.id}", f"hub '{f.hub}' is not in hubs")
    for t in scenario.trainers:
        if t.hub not in hubs:
            problems.add(f"trainer {t.id}", f"hub '{t.hub}' is not in hubs")
    for o in scenario.offerings:
        if o.trainer is not None and o.trainer not in trainers:
            problems.add(f"offering {o.id}", f"trainer '{o.trainer}' is not in trainers")
        if o.hub is not None and o.hub not in hubs:
            problems.add(f"offering {o.id}", f"hub '{o.hub}' is not in hubs")
        for other in o.after:
            if other == o.id:
                problems.add(f"offering {o.id}", "cannot come after itself")
            elif other not in known_offerings:
                problems.add(f"offering {o.id}", f"after: '{other}' is not in offerings")
    for c in scenario.cohorts:
        for o_id in c.offerings:
            if o_id not in known_offerings:
                problems.add(f"cohort {c.id}", f"offering '{o_id}' is not in offerings")
    seen: set[tuple[str, int]] = set()
    for lock in scenario.locked:
        where = f"locked session {lock.session} of {lock.offering}"
        offering = offerings.get(lock.offering)
        if offering is None:
            if lock.offering not in known_offerings:
                problems.add(where, f"offering '{lock.offering}' is not in offerings")
            continue
        if lock.session >= offering.sessions:
            problems.add(
                where, f"{lock.offering} has only {offering.sessions} sessions (numbered from 0)"
            )
        if (lock.offering, lock.session) in seen:
            problems.add(where, "is locked twice")
        seen.add((lock.offering, lock.session))
        if lock.period + offering.session_length > scenario.calendar.periods_per_day:
            problems.add(
                where,
                f"a {offering.session_length}-period session starting in period "
                f"{lock.period} runs past the end of the day",
            )
        if lock.facility is not None and lock.facility not in facilities:
            problems.add(where, f"facility '{lock.facility}' is not in facilities")
        if lock.trainer is not None and lock.trainer not in trainers:
            problems.add(where, f"trainer '{lock.trainer}' is not in trainers")
    for o in scenario.offerings:
        if not o.published:
            continue
        loose = [
            n
            for n in range(o.sessions)
            if (held := scenario.lock_by_session.get((o.id, n))) is None
            or held.facility is None
            or held.trainer is None
        ]
        if loose:
            problems.add(
                f"offering {o.id}",
                f"is published, so every session must be locked with its facility and trainer "
                f"(session {loose[0]} is not)",
            )
    cycle = find_after_cycle(scenario.offerings)
    if cycle:
        shown = cycle
        if len(cycle) > 12:
            shown = [*cycle[:10], f"… {len(cycle) - 12} more …", *cycle[-2:]]
        problems.add(
            "offerings",
            "'after' forms a cycle: " + " → ".join(shown) + " (each must come after the next)",
        )


def find_after_cycle(offerings: Sequence[Offering]) -> list[str] | None:
    """A cycle of 'after' references (o1 after o2 after … after o1), or None.

    Depth-first without recursion: a chain of thousands of runs is an ordinary input."""
    graph = {o.id: [a for a in dict.fromkeys(o.after) if a != o.id] for o in offerings}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    for start, references in graph.items():
        if start in state:
            continue
        path = [start]
        todo = [iter(references)]  # for each run on the path, the references left to follow
        state[start] = 1
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                state[path.pop()] = 2
                todo.pop()
            elif state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            elif nxt not in state and nxt in graph:
                state[nxt] = 1
                path.append(nxt)
                todo.append(iter(graph[nxt]))
    return None


def plan_from_dict(data: Any) -> Plan:
    """Read a plan (for ``check`` or as a previous plan)."""
    return _plan(data, screened=False)


def _plan(data: Any, *, screened: bool) -> Plan:
    problems = _Problems()
    if not screened and isinstance(data, dict):
        _screen(data, problems)
        if problems.items:
            raise problems.error()
    top = _Object(
        data,
        "",
        problems,
        (
            "format",
            "name",
            "status",
            "assignments",
            "cost",
            "hard_violations",
            "explanation",
            "solver",
            "unplaced",
        ),
    )
    if not top.ok:
        raise problems.error()
    fmt = top.get("format", str)
    if fmt is not None and fmt != PLAN_FORMAT:
        raise ScenarioError([f"format is '{_shown(fmt)}'; a plan must be '{PLAN_FORMAT}'"])
    status = top.get("status", str, "unknown")
    if status not in STATUSES:
        problems.add("status", f"'{_shown(status)}' is not one of {', '.join(STATUSES)}")
    assignments = []
    raw_assignments = top.get("assignments", list) or []
    if len(raw_assignments) > MAX_SESSIONS:
        problems.add(
            "assignments",
            f"lists {len(raw_assignments):,} items; at most {MAX_SESSIONS:,} are allowed",
        )
        raw_assignments = []
    for i, raw in enumerate(raw_assignments):
        obj = _Object(
            raw,
            f"assignments[{i}]",
            problems,
            ("offering", "session", "day", "period", "facility", "trainer"),
        )
        values = (
            obj.ident("offering"),
            obj.count("session", minimum=0, maximum=MAX_SESSIONS_PER_RUN - 1),
            obj.count("day", minimum=0, maximum=MAX_DAYS - 1),
            obj.count("period", minimum=0, maximum=MAX_PERIODS_PER_DAY - 1),
            obj.ident("facility"),
            obj.ident("trainer"),
        )
        if None not in values:
            assignments.append(Assignment(*values))  # type: ignore[arg-type]
    cost = top.get("cost", dict, {}) or {}
    for term, value in cost.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            problems.add(f"cost.{_shown(term)}", f"must be a number, not {_type_name(value)}")
    violations = top.get("hard_violations", list, []) or []
    for i, violation in enumerate(violations):
        if not isinstance(violation, dict):
            problems.add(f"hard_violations[{i}]", f"must be an object, not {_type_name(violation)}")
    explanation = top.get("explanation", list, []) or []
    for i, line in enumerate(explanation):
        if not isinstance(line, str):
            problems.add(f"explanation[{i}]", f"must be a string, not {_type_name(line)}")
    solver = top.get("solver", dict, {})
    name = top.get("name", str, "")
    unplaced = []
    for i, raw in enumerate(top.get("unplaced", list, []) or []):
        obj = _Object(
            raw,
            f"unplaced[{i}]",
            problems,
            ("offering", "verdict", "reason", "competing", "suggestions"),
        )
        offering, verdict, reason = (
            obj.ident("offering"),
            obj.get("verdict", str),
            obj.text("reason"),
        )
        if verdict is not None and verdict not in VERDICTS:
            problems.add(
                obj.at("verdict"), f"'{_shown(verdict)}' is not one of {', '.join(VERDICTS)}"
            )
            verdict = None
        competing = obj.strings("competing")
        suggestions = obj.strings("suggestions", longest=MAX_TEXT)
        if offering is not None and verdict is not None and reason is not None:
            unplaced.append(UnplacedRun(offering, Verdict(verdict), reason, competing, suggestions))
    if problems.items:
        raise problems.error()
    return Plan(
        tuple(assignments),
        PlanStatus(status or "unknown"),
        cost,
        tuple(violations),
        tuple(explanation),
        solver or {},
        name or "",
        tuple(unplaced),
    )


# ----- screening: every value of a file, before any field is read ------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")
_LARGEST = 10**MAX_INTEGER_DIGITS


class _Refused:
    """A number the JSON parser was not allowed to make (NaN, 1e400, 5 000 digits); the screen
    reports it with its path."""

    def __init__(self, why: str) -> None:
        self.why = why


def _screen(data: Any, problems: _Problems) -> None:
    """Report every value no field may hold, with its path: numbers that are not finite or have
    more than MAX_INTEGER_DIGITS digits, text that is too long or has a lone surrogate (half of
    a UTF-16 pair, which no file can encode), nesting deeper than MAX_DEPTH, non-JSON values.
    Iterative: the data may be as deep as a caller made it."""
    todo: list[tuple[str, Any, int]] = [("", data, 0)]
    while todo and len(problems.items) < MAX_PROBLEMS:
        where, value, depth = todo.pop()
        shown = where or "the file"
        if isinstance(value, dict | list | tuple) and depth >= MAX_DEPTH:
            problems.add(shown, f"nests lists and objects more than {MAX_DEPTH} deep")
        elif isinstance(value, dict):
            for key, item in reversed(list(value.items())):
                if not isinstance(key, str):
                    problems.add(shown, f"has a field name that is {_type_name(key)}, not text")
                    continue
                why = _text_problem(key)
                if why:
                    problems.add(f"{where}.{_printable(key)}".lstrip("."), f"field name {why}")
                    continue
                todo.append((f"{where}.{key}".lstrip("."), item, depth + 1))
        elif isinstance(value, list | tuple):
            for i in reversed(range(len(value))):
                todo.append((_label(f"{where}[{i}]", _id_of(value[i])), value[i], depth + 1))
        elif isinstance(value, _Refused):
            problems.add(shown, value.why)
        elif isinstance(value, str):
            why = _text_problem(value)
            if why:
                problems.add(shown, why)
        elif isinstance(value, bool) or value is None:
            pass
        elif isinstance(value, int):
            if not -_LARGEST < value < _LARGEST:
                problems.add(
                    shown, f"has more than {MAX_INTEGER_DIGITS} digits: too large a number"
                )
        elif isinstance(value, float):
            if not math.isfinite(value):
                problems.add(shown, f"is {value}, not a number any field can hold")
            elif not -_LARGEST < value < _LARGEST:
                problems.add(shown, f"is {value:g}: too large a number")
        else:
            problems.add(shown, f"is {_type_name(value)}, which JSON cannot hold")


def _id_of(item: Any) -> str | None:
    """The id that the reader's messages name an item by, when it is one they can quote."""
    if not isinstance(item, dict):
        return None
    ident = item.get("id", item.get("offering"))
    if isinstance(ident, str) and ident.strip() and len(ident) <= MAX_ID:
        return None if _SURROGATE.search(ident) else ident
    return None


def _text_problem(text: str) -> str | None:
    if len(text) > MAX_TEXT:
        return f"is {len(text):,} characters long; at most {MAX_TEXT:,} are allowed"
    surrogate = _SURROGATE.search(text)
    if surrogate:
        return (
            f"has a lone surrogate (\\u{ord(surrogate.group()):04x}), half of a character "
            "pair: not text"
        )
    return None


def _printable(text: str) -> str:
    """``text`` safe to print: surrogates written as escapes, at most 40 characters."""
    return _shown(_SURROGATE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


# ----- writing JSON ----------------------------------------------------------------------------


def plan_to_dict(plan: Plan) -> dict[str, Any]:
    out: dict[str, Any] = {"format": PLAN_FORMAT}
    if plan.name:
        out["name"] = plan.name
    out.update(
        status=plan.status,
        assignments=[
            {
                "offering": a.offering,
                "session": a.session,
                "day": a.day,
                "period": a.period,
                "facility": a.facility,
                "trainer": a.trainer,
            }
            for a in sorted(
                plan.assignments, key=lambda a: (a.day, a.period, a.offering, a.session)
            )
        ],
        cost=dict(plan.cost),
        hard_violations=[dict(v) for v in plan.hard_violations],
        explanation=list(plan.explanation),
        solver=dict(plan.solver),
    )
    if plan.unplaced:
        out["unplaced"] = [
            {
                "offering": u.offering,
                "verdict": u.verdict.value,
                "reason": u.reason,
                "competing": list(u.competing),
                "suggestions": list(u.suggestions),
            }
            for u in plan.unplaced
        ]
    return out


def _slots(slots: frozenset[Slot]) -> list[list[int]]:
    return [list(s) for s in sorted(slots)]


def scenario_to_dict(scenario: Scenario) -> dict[str, Any]:
    """The scenario as JSON data, defaults written out so the file reads on its own."""
    calendar: dict[str, Any] = {
        "days": [d.isoformat() for d in scenario.calendar.days],
        "periods_per_day": scenario.calendar.periods_per_day,
    }
    if scenario.calendar.period_labels:
        calendar["period_labels"] = list(scenario.calendar.period_labels)
    return {
        "format": SCENARIO_FORMAT,
        "name": scenario.name,
        "calendar": calendar,
        "hubs": [{"id": h.id, "name": h.name} for h in scenario.hubs],
        "facilities": [
            {
                "id": f.id,
                "hub": f.hub,
                "kind": f.kind,
                "capacity": f.capacity,
                "capacity_is_hard": f.capacity_is_hard,
                "unavailable": _slots(f.unavailable),
            }
            for f in scenario.facilities
        ],
        "trainers": [
            {
                "id": t.id,
                "hub": t.hub,
                "qualifications": sorted(t.qualifications),
                "unavailable": _slots(t.unavailable),
                "max_periods_per_day": t.max_periods_per_day,
                "max_periods_total": t.max_periods_total,
                "max_periods_per_week": t.max_periods_per_week,
                **({"name": t.name} if t.name else {}),
            }
            for t in scenario.trainers
        ],
        "offerings": [
            {
                "id": o.id,
                "course": o.course,
                "sessions": o.sessions,
                "session_length": o.session_length,
                "min_days": o.min_days,
                "consecutive_days": o.consecutive_days,
                "attendees": o.attendees,
                "trainer": o.trainer,
                "facility_kinds": list(o.facility_kinds),
                "hub": o.hub,
                "unavailable": _slots(o.unavailable),
                "after": list(o.after),
                **({"published": True} if o.published else {}),
            }
            for o in scenario.offerings
        ],
        "cohorts": [
            {"id": c.id, "offerings": list(c.offerings), "unavailable": _slots(c.unavailable)}
            for c in scenario.cohorts
        ],
        "locked": [
            {
                "offering": k.offering,
                "session": k.session,
                "day": k.day,
                "period": k.period,
                "facility": k.facility,
                "trainer": k.trainer,
            }
            for k in scenario.locked
        ],
        "previous_plan": plan_to_dict(scenario.previous_plan) if scenario.previous_plan else None,
        "weights": dict(scenario.weights),
    }


def load_json(content: str | bytes, what: str) -> Any:
    """Parse a scenario or plan file's content (``what`` names it in messages) within the
    limits: at most MAX_FILE_BYTES, UTF-8, nested at most MAX_DEPTH deep (checked before
    parsing, which recurses). NaN, Infinity, 1e400 and integers of more than MAX_INTEGER_DIGITS
    digits are kept aside and reported with their path by the reader."""
    size = len(content.encode("utf-8", "surrogatepass") if isinstance(content, str) else content)
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            [
                f"{what} is {size / 1_048_576:.1f} MB; "
                f"at most {MAX_FILE_BYTES // 1_048_576} MB is read"
            ]
        )
    if isinstance(content, bytes):
        try:
            text = content.decode("utf-8")
        except UnicodeDecodeError as error:
            line = content[: error.start].count(b"\n") + 1
            raise ScenarioError(
                [f"{what} is not UTF-8 text (byte {error.start + 1:,}, line {line:,})"]
            ) from error
    else:
        text = content
    if _nesting(text) > MAX_DEPTH:
        raise ScenarioError(
            [f"{what} nests lists and objects more than {MAX_DEPTH} deep; a scenario needs 6"]
        )
    try:
        return json.loads(
            text, parse_int=_integer, parse_float=_number, parse_constant=_not_a_number
        )
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]
        ) from error


_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def _nesting(text: str) -> int:
    """How deep lists and objects nest in JSON ``text`` (brackets inside strings not counted),
    without recursing and in C loops: a 16 MB file of brackets takes about a second."""
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    return max(itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets)), default=0)


def _integer(text: str) -> int | _Refused:
    digits = len(text.lstrip("-"))
    if digits > MAX_INTEGER_DIGITS:
        return _Refused(f"{text[:12]}… has {digits:,} digits: too large a number")
    return int(text)


def _number(text: str) -> float | _Refused:
    if len(text) > MAX_NUMBER_CHARACTERS:
        return _Refused(f"{text[:12]}… is written with {len(text):,} characters: too long a number")
    value = float(text)
    if not math.isfinite(value):
        return _Refused(f"{text} is too large a number")
    return value


def _not_a_number(text: str) -> _Refused:
    return _Refused(f"{text} is not a number (JSON has no NaN or Infinity)")


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
