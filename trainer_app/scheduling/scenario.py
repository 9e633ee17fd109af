"""The planner's public input and output: ``trainer-app/scenario@1`` and ``trainer-app/plan@1``.

Plain, immutable data with strict JSON reading: a missing or unknown field, a wrong type or a
reference to an id that does not exist is an error that names the item and the field. See
docs/scenario-format.md and resources/schemas/.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError

SCENARIO_FORMAT = "trainer-app/scenario@1"
PLAN_FORMAT = "trainer-app/plan@1"

Slot = tuple[int, int]  # (day index, period index)

# Soft-cost terms: name -> (default weight, what one unit is). The first four are on by default;
# the others cost nothing unless a scenario gives them a weight.
TERMS: dict[str, tuple[float, str]] = {
    "capacity_overflow": (1, "attendee above a soft facility capacity, per session"),
    "spread_shortfall": (5, "day an offering's sessions fall short of its min_days"),
    "cohort_isolated": (2, "session of a cohort with no same-cohort session just before or after"),
    "facility_changes": (1, "distinct facility beyond the first used by an offering"),
    "trainer_away": (0, "session taught by a trainer away from their home hub"),
    "load_balance": (0, "teaching period of the busiest trainer (the peak load)"),
    "moves": (0, "session placed differently from previous_plan"),
    "late_finish": (0, "session ending in the last period of a day"),
}
STATUSES = ("optimal", "feasible", "partial", "infeasible", "unknown")


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
class Plan:
    assignments: tuple[Assignment, ...]
    status: str = "unknown"
    cost: Mapping[str, float] = field(default_factory=dict)
    hard_violations: tuple[Mapping[str, Any], ...] = ()
    explanation: tuple[str, ...] = ()
    solver: Mapping[str, Any] = field(default_factory=dict)
    name: str = ""


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
        return float(self.weights.get(term, TERMS[term][0]))

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

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}" if where else message)


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
                problems.add(where, f"unknown field '{key}'{hint}")

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
            self.problems.add(f"{self.where}.{key}", f"must be {expected}, not {_type_name(value)}")
            return None if default is ... else default
        return value

    def count(
        self, key: str, default: Any = ..., *, minimum: int = 1, nullable: bool = False
    ) -> int | None:
        value = self.get(key, int, default, nullable=nullable)
        if isinstance(value, int) and value < minimum:
            self.problems.add(f"{self.where}.{key}", f"must be at least {minimum} (got {value})")
            return None
        return value if isinstance(value, int) else None

    def ident(self, key: str = "id", *, nullable: bool = False, default: Any = ...) -> str | None:
        value = self.get(key, str, default, nullable=nullable)
        if isinstance(value, str) and not value.strip():
            self.problems.add(f"{self.where}.{key}", "must not be empty")
            return None
        return value if isinstance(value, str) else None

    def strings(self, key: str) -> tuple[str, ...]:
        values = self.get(key, list, [])
        out = []
        for i, value in enumerate(values or []):
            if isinstance(value, str) and value:
                out.append(value)
            else:
                self.problems.add(f"{self.where}.{key}[{i}]", "must be a non-empty string")
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
    return {
        bool: "true/false",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


def _label(where: str, ident: str | None) -> str:
    return f"{where} ({ident})" if ident else where


def _unique(items: Sequence[Any], what: str, problems: _Problems) -> None:
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            problems.add(what, f"id '{item.id}' is used twice")
        seen.add(item.id)


class _Reader:
    def __init__(self) -> None:
        self.problems = _Problems()
        self.days = 0
        self.periods = 0

    def slots(self, obj: _Object, key: str = "unavailable") -> frozenset[Slot]:
        values = obj.get(key, list, [])
        out: set[Slot] = set()
        for i, pair in enumerate(values or []):
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

    def items(self, data: Mapping[str, Any], key: str, required: bool) -> list[Any]:
        if key not in data:
            if required:
                self.problems.add("", f"missing required field '{key}'")
            return []
        value = data[key]
        if not isinstance(value, list):
            self.problems.add(key, f"must be a list, not {_type_name(value)}")
            return []
        return value

    # ----- sections ------------------------------------------------------------------------
    def calendar(self, data: Any) -> Calendar | None:
        obj = _Object(data, "calendar", self.problems, ("days", "periods_per_day", "period_labels"))
        raw_days = obj.get("days", list) or []
        days: list[date] = []
        for i, text in enumerate(raw_days):
            try:
                days.append(date.fromisoformat(text))
            except (TypeError, ValueError):
                self.problems.add(f"calendar.days[{i}]", f"'{text}' is not a date (YYYY-MM-DD)")
        for i in range(1, len(days)):
            if days[i] <= days[i - 1]:
                self.problems.add(
                    f"calendar.days[{i}]", f"{days[i]} does not come after {days[i - 1]}"
                )
        if obj.ok and "days" in obj.data and not raw_days:
            self.problems.add("calendar.days", "must list at least one day")
        periods = obj.count("periods_per_day")
        labels = obj.get("period_labels", list, None, nullable=True)
        if labels is not None and periods is not None and len(labels) != periods:
            self.problems.add(
                "calendar.period_labels", f"has {len(labels)} labels for {periods} periods a day"
            )
        if not days or periods is None:
            return None
        self.days, self.periods = len(days), periods
        return Calendar(tuple(days), periods, tuple(map(str, labels)) if labels else None)

    def hub(self, data: Any, i: int) -> Hub | None:
        obj = _Object(data, f"hubs[{i}]", self.problems, ("id", "name"))
        ident = obj.ident()
        name = obj.get("name", str, ident or "")
        return Hub(ident, name) if ident else None

    def facility(self, data: Any, i: int) -> Facility | None:
        obj = _Object(
            data,
            f"facilities[{i}]",
            self.problems,
            ("id", "hub", "kind", "capacity", "capacity_is_hard", "unavailable"),
        )
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        hub, kind = obj.ident("hub"), obj.ident("kind")
        capacity = obj.count("capacity")
        hard = obj.get("capacity_is_hard", bool, False)
        slots = self.slots(obj)
        if None in (ident, hub, kind, capacity):
            return None
        return Facility(ident, hub, kind, capacity, hard, slots)  # type: ignore[arg-type]

    def trainer(self, data: Any, i: int) -> Trainer | None:
        obj = _Object(
            data,
            f"trainers[{i}]",
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
        per_day = obj.count("max_periods_per_day", None, nullable=True)
        total = obj.count("max_periods_total", None, nullable=True)
        per_week = obj.count("max_periods_per_week", None, nullable=True)
        name = obj.get("name", str, "")
        if ident is None or hub is None:
            return None
        return Trainer(ident, hub, qualifications, slots, per_day, total, per_week, name)

    def offering(self, data: Any, i: int) -> Offering | None:
        obj = _Object(
            data,
            f"offerings[{i}]",
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
        sessions = obj.count("sessions")
        length = obj.count("session_length", 1)
        if length is not None and self.periods and length > self.periods:
            self.problems.add(
                f"{obj.where}.session_length",
                f"a session of {length} periods is longer than a day ({self.periods} periods)",
            )
            length = None
        min_days = obj.count("min_days", 1)
        consecutive = obj.get("consecutive_days", bool, False)
        attendees = obj.count("attendees", minimum=0)
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

    def cohort(self, data: Any, i: int) -> Cohort | None:
        obj = _Object(data, f"cohorts[{i}]", self.problems, ("id", "offerings", "unavailable"))
        ident = obj.ident()
        obj.where = _label(obj.where, ident)
        if "offerings" not in obj.data and obj.ok:
            self.problems.add(obj.where, "missing required field 'offerings'")
        offerings = obj.strings("offerings")
        slots = self.slots(obj)
        return Cohort(ident, offerings, slots) if ident else None

    def lock(self, data: Any, i: int) -> Lock | None:
        obj = _Object(
            data,
            f"locked[{i}]",
            self.problems,
            ("offering", "session", "day", "period", "facility", "trainer"),
        )
        offering = obj.ident("offering")
        obj.where = _label(obj.where, offering)
        session = obj.count("session", minimum=0)
        day, period = obj.count("day", minimum=0), obj.count("period", minimum=0)
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
                self.problems.add("weights", f"unknown cost term '{term}' ({hint})")
            elif isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                self.problems.add(f"weights.{term}", "must be a number of at least 0")
            else:
                out[term] = value
        return out


def scenario_from_dict(data: Any) -> Scenario:
    """Read a scenario; raise ScenarioError listing every problem (nothing half-read)."""
    reader = _Reader()
    problems = reader.problems
    if not isinstance(data, dict):
        raise ScenarioError([f"a scenario must be a JSON object, not {_type_name(data)}"])
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
        raise ScenarioError(problems.items or ["calendar is unusable"])

    def read(key: str, one: Callable[[Any, int], Any], required: bool) -> tuple[Any, ...]:
        return tuple(
            x
            for i, raw in enumerate(reader.items(data, key, required))
            if (x := one(raw, i)) is not None
        )

    hubs = read("hubs", reader.hub, True)
    facilities = read("facilities", reader.facility, True)
    trainers = read("trainers", reader.trainer, True)
    offerings = read("offerings", reader.offering, True)
    cohorts = read("cohorts", reader.cohort, False)
    locked = read("locked", reader.lock, False)
    weights = reader.weights(data.get("weights"))
    previous = None
    if data.get("previous_plan") is not None:
        try:
            previous = plan_from_dict(data["previous_plan"])
        except ScenarioError as error:
            problems.items.extend(f"previous_plan: {p}" for p in error.problems)
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
    _check_references(scenario, problems)
    if problems.items:
        raise ScenarioError(problems.items)
    return scenario


def _check_references(s: Scenario, problems: _Problems) -> None:
    hubs, trainers, facilities = s.hub_by_id, s.trainer_by_id, s.facility_by_id
    offerings = s.offering_by_id
    for f in s.facilities:
        if f.hub not in hubs:
            problems.add(f"facility {f.id}", f"hub '{f.hub}' is not in hubs")
    for t in s.trainers:
        if t.hub not in hubs:
            problems.add(f"trainer {t.id}", f"hub '{t.hub}' is not in hubs")
    for o in s.offerings:
        if o.trainer is not None and o.trainer not in trainers:
            problems.add(f"offering {o.id}", f"trainer '{o.trainer}' is not in trainers")
        if o.hub is not None and o.hub not in hubs:
            problems.add(f"offering {o.id}", f"hub '{o.hub}' is not in hubs")
        for other in o.after:
            if other == o.id:
                problems.add(f"offering {o.id}", "cannot come after itself")
            elif other not in offerings:
                problems.add(f"offering {o.id}", f"after: '{other}' is not in offerings")
    for c in s.cohorts:
        for o_id in c.offerings:
            if o_id not in offerings:
                problems.add(f"cohort {c.id}", f"offering '{o_id}' is not in offerings")
    seen: set[tuple[str, int]] = set()
    for lock in s.locked:
        where = f"locked session {lock.session} of {lock.offering}"
        offering = offerings.get(lock.offering)
        if offering is None:
            problems.add(where, f"offering '{lock.offering}' is not in offerings")
            continue
        if lock.session >= offering.sessions:
            problems.add(
                where, f"{lock.offering} has only {offering.sessions} sessions (numbered from 0)"
            )
        if (lock.offering, lock.session) in seen:
            problems.add(where, "is locked twice")
        seen.add((lock.offering, lock.session))
        if lock.period + offering.session_length > s.calendar.periods_per_day:
            problems.add(
                where,
                f"a {offering.session_length}-period session starting in period "
                f"{lock.period} runs past the end of the day",
            )
        if lock.facility is not None and lock.facility not in facilities:
            problems.add(where, f"facility '{lock.facility}' is not in facilities")
        if lock.trainer is not None and lock.trainer not in trainers:
            problems.add(where, f"trainer '{lock.trainer}' is not in trainers")
    for o in s.offerings:
        if not o.published:
            continue
        loose = [
            n
            for n in range(o.sessions)
            if (held := s.lock_by_session.get((o.id, n))) is None
            or held.facility is None
            or held.trainer is None
        ]
        if loose:
            problems.add(
                f"offering {o.id}",
                f"is published, so every session must be locked with its facility and trainer "
                f"(session {loose[0]} is not)",
            )
    cycle = find_after_cycle(s.offerings)
    if cycle:
        problems.add(
            "offerings",
            "'after' forms a cycle: " + " → ".join(cycle) + " (each must come after the next)",
        )


def find_after_cycle(offerings: Sequence[Offering]) -> list[str] | None:
    """A cycle of 'after' references (o1 after o2 after … after o1), or None."""
    graph = {o.id: [a for a in o.after if a != o.id] for o in offerings}
    state: dict[str, int] = {}  # 1 = on the path, 2 = done

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in graph.get(node, ()):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt] if nxt in path else [node, nxt]
            if nxt not in state and nxt in graph:
                found = visit(nxt, [*path, nxt])
                if found:
                    return found
        state[node] = 2
        return None

    for start in graph:
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return None


def plan_from_dict(data: Any) -> Plan:
    """Read a plan (for ``check`` or as a previous plan)."""
    problems = _Problems()
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
        ),
    )
    if not top.ok:
        raise ScenarioError(problems.items)
    fmt = top.get("format", str)
    if fmt is not None and fmt != PLAN_FORMAT:
        raise ScenarioError([f"format is '{fmt}'; a plan must be '{PLAN_FORMAT}'"])
    status = top.get("status", str, "unknown")
    if status not in STATUSES:
        problems.add("status", f"'{status}' is not one of {', '.join(STATUSES)}")
    assignments = []
    for i, raw in enumerate(top.get("assignments", list) or []):
        obj = _Object(
            raw,
            f"assignments[{i}]",
            problems,
            ("offering", "session", "day", "period", "facility", "trainer"),
        )
        values = (
            obj.ident("offering"),
            obj.count("session", minimum=0),
            obj.count("day", minimum=0),
            obj.count("period", minimum=0),
            obj.ident("facility"),
            obj.ident("trainer"),
        )
        if None not in values:
            assignments.append(Assignment(*values))  # type: ignore[arg-type]
    cost = top.get("cost", dict, {})
    violations = top.get("hard_violations", list, [])
    explanation = top.get("explanation", list, [])
    solver = top.get("solver", dict, {})
    if problems.items:
        raise ScenarioError(problems.items)
    return Plan(
        tuple(assignments),
        status or "unknown",
        cost or {},
        tuple(violations or ()),
        tuple(str(e) for e in explanation or ()),
        solver or {},
        top.get("name", str, ""),
    )


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
    return out


def _slots(slots: frozenset[Slot]) -> list[list[int]]:
    return [list(s) for s in sorted(slots)]


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    """The scenario as JSON data, defaults written out so the file reads on its own."""
    calendar: dict[str, Any] = {
        "days": [d.isoformat() for d in s.calendar.days],
        "periods_per_day": s.calendar.periods_per_day,
    }
    if s.calendar.period_labels:
        calendar["period_labels"] = list(s.calendar.period_labels)
    return {
        "format": SCENARIO_FORMAT,
        "name": s.name,
        "calendar": calendar,
        "hubs": [{"id": h.id, "name": h.name} for h in s.hubs],
        "facilities": [
            {
                "id": f.id,
                "hub": f.hub,
                "kind": f.kind,
                "capacity": f.capacity,
                "capacity_is_hard": f.capacity_is_hard,
                "unavailable": _slots(f.unavailable),
            }
            for f in s.facilities
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
            for t in s.trainers
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
            for o in s.offerings
        ],
        "cohorts": [
            {"id": c.id, "offerings": list(c.offerings), "unavailable": _slots(c.unavailable)}
            for c in s.cohorts
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
            for k in s.locked
        ],
        "previous_plan": plan_to_dict(s.previous_plan) if s.previous_plan else None,
        "weights": dict(s.weights),
    }


def load_json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScenarioError(
            [f"{what} is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"]
        ) from error


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
