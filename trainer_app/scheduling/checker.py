"""The independent checker: every hard rule and every cost term, recomputed from a plan alone.

It shares nothing with the solver but the scenario types (and the words its messages use for
facility kinds), so a solver bug cannot hide in both. The rules are those of
docs/scenario-format.md, to the letter. Messages name trainers by name where the scenario gives
one, and facility kinds by their labels.

Everything is evaluated per *scope* (one session, one offering, one facility-day, one
trainer-day, one trainer-week, one trainer, one cohort-day). A scope's violations and cost units
depend only on the sessions indexed under it, so moving one session changes only the scopes it
leaves and enters: ``Placement`` re-evaluates just those, which is what makes "where could this
go?" fast (see moves.py). A full ``check`` is the sum over all scopes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from trainer_app.domain import dates
from trainer_app.scheduling.scenario import (
    TERMS,
    Assignment,
    Cohort,
    Facility,
    Offering,
    Plan,
    Scenario,
    Trainer,
)
from trainer_app.scheduling.wording import kind_words, kinds_words

Key = tuple[str, int]  # (offering id, session index)
Scope = tuple[Any, ...]
Units = dict[str, int]


@dataclass(frozen=True)
class Violation:
    """One broken hard rule, in a coordinator's words."""

    rule: str
    message: str
    offering: str | None = None
    session: int | None = None
    day: int | None = None
    period: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """As printed by ``trainer-app check``: empty location fields left out."""
        out: dict[str, Any] = {"rule": self.rule, "message": self.message}
        for name in ("offering", "session", "day", "period"):
            value = getattr(self, name)
            if value is not None:
                out[name] = value
        return out


@dataclass(frozen=True)
class CheckResult:
    """Hard violations, units per cost term (every term) and weighted cost (active terms)."""

    hard_violations: tuple[Violation, ...]
    units: dict[str, int | float]
    cost: dict[str, float]

    @property
    def valid(self) -> bool:
        return not self.hard_violations

    def to_dict(self) -> dict[str, Any]:
        """The JSON printed by ``trainer-app check``."""
        return {
            "valid": self.valid,
            "cost": dict(self.cost),
            "units": dict(self.units),
            "hard_violations": [v.to_dict() for v in self.hard_violations],
        }


def check(scenario: Scenario, plan: Plan) -> CheckResult:
    """Every hard violation and every cost term of ``plan`` against ``scenario``."""
    placement = Placement(scenario, plan)
    violations, units = placement.evaluate(placement.all_scopes())
    units["load_balance"] = placement.peak_load()
    return result(scenario, [*placement.reference_violations, *violations], units)


def result(scenario: Scenario, violations: Iterable[Violation], units: Units) -> CheckResult:
    """A CheckResult with the weighted cost of ``units`` (every term present, total last)."""
    all_units: dict[str, int | float] = {term: units.get(term, 0) for term in TERMS}
    return CheckResult(tuple(violations), all_units, weighted(scenario, all_units))


def weighted(scenario: Scenario, units: dict[str, int | float]) -> dict[str, float]:
    """Weight × units for every term with a weight above 0, plus ``total``."""
    cost = {t: scenario.weight(t) * units.get(t, 0) for t in TERMS if scenario.weight(t) > 0}
    cost["total"] = sum(cost.values())
    return cost


@dataclass(frozen=True, slots=True)
class Session:
    """A placed session with its references resolved; ``end`` is exclusive, clipped to the day."""

    assignment: Assignment
    offering: Offering
    facility: Facility
    trainer: Trainer
    end: int

    @property
    def key(self) -> Key:
        return self.assignment.key

    @property
    def day(self) -> int:
        return self.assignment.day

    @property
    def start(self) -> int:
        return self.assignment.period

    @property
    def name(self) -> str:
        return f"{self.offering.id} session {self.assignment.session}"


@dataclass
class _Indexes:
    by_key: dict[Key, Session] = field(default_factory=dict)
    by_offering: dict[str, list[Session]] = field(default_factory=lambda: defaultdict(list))
    by_facility_day: dict[tuple[str, int], list[Session]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_trainer_day: dict[tuple[str, int], list[Session]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_trainer_week: dict[tuple[str, int], list[Session]] = field(
        default_factory=lambda: defaultdict(list)
    )
    by_cohort_day: dict[tuple[str, int], list[Session]] = field(
        default_factory=lambda: defaultdict(list)
    )
    load: dict[str, int] = field(default_factory=lambda: defaultdict(int))


class Placement:
    """A plan's placed sessions, indexed by every scope a rule or cost term looks at.

    ``replace`` moves one session (updating the indexes) so that ``evaluate`` of the touched
    scopes gives the difference a move makes without a full check.
    """

    def __init__(self, scenario: Scenario, plan: Plan) -> None:
        self.scenario = scenario
        self.periods = scenario.calendar.periods_per_day
        self.week = scenario.calendar.week_of_day
        self.cohorts_of: dict[str, tuple[Cohort, ...]] = {o.id: () for o in scenario.offerings}
        for cohort in scenario.cohorts:
            for offering_id in dict.fromkeys(cohort.offerings):
                self.cohorts_of[offering_id] += (cohort,)
        self.successors: dict[str, list[str]] = defaultdict(list)
        for offering in scenario.offerings:
            for before in dict.fromkeys(offering.after):
                self.successors[before].append(offering.id)
        self.previous: dict[Key, Assignment] = {}
        if scenario.previous_plan is not None:
            for a in scenario.previous_plan.assignments:
                self.previous.setdefault(a.key, a)
        self.index = _Indexes()
        self.misplaced: set[Key] = set()  # sessions whose only assignments have bad references
        self.reference_violations: list[Violation] = []
        for assignment in plan.assignments:
            self._read(assignment)

    # ----- building ----------------------------------------------------------------------------
    def _read(self, a: Assignment) -> None:
        session = self.resolve(a)
        if session is None:
            return
        if a.key in self.index.by_key:
            self.reference_violations.append(
                Violation(
                    "duplicate_assignment",
                    f"{session.name} is assigned more than once (again at "
                    f"{self.scenario.calendar.label(a.day, a.period)}); the first is kept",
                    a.offering,
                    a.session,
                    a.day,
                    a.period,
                )
            )
            return
        self.add(session)

    def resolve(self, a: Assignment) -> Session | None:
        """The assignment with its references looked up, or None (reported) if any is unknown."""
        s = self.scenario
        offering = s.offering_by_id.get(a.offering)
        facility = s.facility_by_id.get(a.facility)
        trainer = s.trainer_by_id.get(a.trainer)
        problems = []
        if offering is None:
            problems.append(f"offering '{a.offering}' is not in the scenario")
        elif not 0 <= a.session < offering.sessions:
            problems.append(f"{a.offering} has no session {a.session}")
        if not 0 <= a.day < len(s.calendar.days):
            problems.append(f"day {a.day} is outside the calendar")
        if not 0 <= a.period < self.periods:
            problems.append(f"period {a.period} is outside the day")
        if facility is None:
            problems.append(f"facility '{a.facility}' is not in the scenario")
        if trainer is None:
            problems.append(f"trainer '{a.trainer}' is not in the scenario")
        if problems or offering is None or facility is None or trainer is None:
            if offering is not None and 0 <= a.session < offering.sessions:
                self.misplaced.add(a.key)
            self.reference_violations.append(
                Violation(
                    "unknown_reference",
                    f"Assignment of {a.offering} session {a.session}: " + "; ".join(problems),
                    a.offering,
                    a.session,
                )
            )
            return None
        end = min(a.period + offering.session_length, self.periods)
        return Session(a, offering, facility, trainer, end)

    def _lists(self, s: Session) -> Iterator[list[Session]]:
        ix, day = self.index, s.day
        yield ix.by_offering[s.offering.id]
        yield ix.by_facility_day[s.facility.id, day]
        yield ix.by_trainer_day[s.trainer.id, day]
        yield ix.by_trainer_week[s.trainer.id, self.week[day]]
        for cohort in self.cohorts_of[s.offering.id]:
            yield ix.by_cohort_day[cohort.id, day]

    def add(self, s: Session) -> None:
        """Index a placed session."""
        self.index.by_key[s.key] = s
        self.index.load[s.trainer.id] += s.offering.session_length
        for items in self._lists(s):
            items.append(s)

    def remove(self, s: Session) -> None:
        """Take a placed session out of every index."""
        del self.index.by_key[s.key]
        self.index.load[s.trainer.id] -= s.offering.session_length
        for items in self._lists(s):
            items.remove(s)

    def replace(self, old: Session, new: Session) -> None:
        """Move one session: ``old`` out, ``new`` (same key) in."""
        self.remove(old)
        self.add(new)

    # ----- scopes ------------------------------------------------------------------------------
    def scopes_of(self, s: Session) -> set[Scope]:
        """Every scope whose result can change when ``s`` appears or disappears."""
        day, oid = s.day, s.offering.id
        scopes: set[Scope] = {
            ("session", s.key),
            ("offering", oid),
            ("facility_day", s.facility.id, day),
            ("trainer_day", s.trainer.id, day),
            ("trainer_week", s.trainer.id, self.week[day]),
            ("trainer", s.trainer.id),
        }
        scopes.update(("offering", later) for later in self.successors.get(oid, ()))
        scopes.update(("cohort_day", c.id, day) for c in self.cohorts_of[oid])
        return scopes

    def all_scopes(self) -> list[Scope]:
        """Every scope of the plan, in a stable order (offerings in scenario order first)."""
        ix = self.index
        return [
            *(("offering", o.id) for o in self.scenario.offerings),
            *(("session", key) for key in ix.by_key),
            *(("facility_day", *k) for k, v in ix.by_facility_day.items() if v),
            *(("trainer_day", *k) for k, v in ix.by_trainer_day.items() if v),
            *(("trainer_week", *k) for k, v in ix.by_trainer_week.items() if v),
            *(("trainer", t.id) for t in self.scenario.trainers),
            *(("cohort_day", *k) for k, v in ix.by_cohort_day.items() if v),
        ]

    def evaluate(self, scopes: Iterable[Scope]) -> tuple[list[Violation], Units]:
        """The violations and cost units (all terms but load_balance) of the given scopes."""
        violations: list[Violation] = []
        units: Units = defaultdict(int)
        for scope in scopes:
            _EVALUATORS[scope[0]](self, scope[1:], violations, units)
        return violations, units

    def peak_load(self) -> int:
        """The load_balance units: the most periods any trainer teaches."""
        return max(self.index.load.values(), default=0)

    # ----- helpers the rules share ---------------------------------------------------------------
    def label(self, day: int, period: int) -> str:
        return self.scenario.calendar.label(day, period)

    def at(self, s: Session) -> str:
        return self.label(s.day, s.start)


_Sink = list[Violation]


def _violation(rule: str, message: str, s: Session) -> Violation:
    return Violation(rule, message, s.offering.id, s.assignment.session, s.day, s.start)


# ----- session scope ---------------------------------------------------------------------------


def _session_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    s = p.index.by_key.get(args[0])
    if s is None:
        return
    for rule in _SESSION_RULES:
        found = rule(p, s)
        if found is not None:
            out.append(_violation(found[0], found[1], s))
    out.extend(_unavailable(p, s))
    _session_costs(p, s, units)


def _outside_day(p: Placement, s: Session) -> tuple[str, str] | None:
    if s.start + s.offering.session_length <= p.periods:
        return None
    return "outside_day", (
        f"{s.name} at {p.at(s)} needs {s.offering.session_length} periods and runs past the end "
        f"of the day"
    )


def _facility_kind(p: Placement, s: Session) -> tuple[str, str] | None:
    kinds = s.offering.facility_kinds
    if not kinds or s.facility.kind in kinds:
        return None
    return "facility_kind", (
        f"{s.name} at {p.at(s)} is in {s.facility.id}, a {kind_words(s.facility.kind)}; it "
        f"needs a {kinds_words(kinds)}"
    )


def _facility_hub(p: Placement, s: Session) -> tuple[str, str] | None:
    if s.offering.hub is None or s.facility.hub == s.offering.hub:
        return None
    return "facility_hub", (
        f"{s.name} at {p.at(s)} is in {s.facility.id} at hub {s.facility.hub}; "
        f"{s.offering.id} must be at hub {s.offering.hub}"
    )


def _trainer_rule(p: Placement, s: Session) -> tuple[str, str] | None:
    fixed = s.offering.trainer
    if fixed is not None:
        if s.trainer.id == fixed:
            return None
        return "fixed_trainer", (
            f"{s.name} at {p.at(s)} is taught by {s.trainer.shown}; {s.offering.id} must be "
            f"taught by {_trainer(p, fixed)}"
        )
    if s.offering.course in s.trainer.qualifications:
        return None
    return "not_qualified", (
        f"Trainer {s.trainer.shown} teaches {s.name} at {p.at(s)} but is not qualified for "
        f"{s.offering.course}"
    )


def _trainer(p: Placement, ident: str) -> str:
    """A trainer by name (by id when the scenario gives no name, or does not know the id)."""
    trainer = p.scenario.trainer_by_id.get(ident)
    return trainer.shown if trainer is not None else ident


def _capacity(p: Placement, s: Session) -> tuple[str, str] | None:
    f = s.facility
    if not f.capacity_is_hard or s.offering.attendees <= f.capacity:
        return None
    return "capacity", (
        f"{s.name} at {p.at(s)} has {s.offering.attendees} attendees; {f.id} holds {f.capacity}"
    )


def _lock(p: Placement, s: Session) -> tuple[str, str] | None:
    lock = p.scenario.lock_by_session.get(s.key)
    a = s.assignment
    if lock is None or (
        (lock.day, lock.period) == (a.day, a.period)
        and lock.facility in (None, a.facility)
        and lock.trainer in (None, a.trainer)
    ):
        return None
    wanted = " ".join(
        x
        for x in (
            lock.facility and f"in {lock.facility}",
            lock.trainer and f"with {_trainer(p, lock.trainer)}",
        )
        if x
    )
    return "lock", (
        f"{s.name} is locked at {p.label(lock.day, lock.period)} {wanted}".rstrip()
        + f" but placed at {p.at(s)} in {a.facility} with {s.trainer.shown}"
    )


_SESSION_RULES = (_outside_day, _facility_kind, _facility_hub, _trainer_rule, _capacity, _lock)


def _unavailable(p: Placement, s: Session) -> Iterator[Violation]:
    whose: list[tuple[str, frozenset[tuple[int, int]]]] = [
        (f"facility {s.facility.id}", s.facility.unavailable),
        (f"trainer {s.trainer.shown}", s.trainer.unavailable),
        (f"offering {s.offering.id}", s.offering.unavailable),
        *((f"cohort {c.id}", c.unavailable) for c in p.cohorts_of[s.offering.id]),
    ]
    for who, slots in whose:
        if not slots:
            continue
        hit = next((q for q in range(s.start, s.end) if (s.day, q) in slots), None)
        if hit is not None:
            yield _violation(
                "unavailable",
                f"{s.name} at {p.at(s)} falls on {p.label(s.day, hit)}, when {who} is unavailable",
                s,
            )


def _session_costs(p: Placement, s: Session, units: Units) -> None:
    if not s.facility.capacity_is_hard:
        units["capacity_overflow"] += max(0, s.offering.attendees - s.facility.capacity)
    if s.trainer.hub != s.facility.hub:
        units["trainer_away"] += 1
    a = s.assignment
    before = p.previous.get(s.key)
    if before is not None and (before.day, before.period, before.facility, before.trainer) != (
        a.day,
        a.period,
        a.facility,
        a.trainer,
    ):
        units["moves"] += 1
    if a.period + s.offering.session_length == p.periods:
        units["late_finish"] += 1


# ----- offering scope --------------------------------------------------------------------------


def _offering_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    offering = p.scenario.offering_by_id[args[0]]
    sessions = sorted(p.index.by_offering.get(offering.id, ()), key=lambda s: s.key)
    out.extend(_unplaced(p, offering))
    if not sessions:
        return
    trainers = sorted({s.trainer.id for s in sessions})
    if len(trainers) > 1:
        names = ", ".join(sorted(_trainer(p, t) for t in trainers))
        out.append(
            Violation(
                "trainer_changes",
                f"{offering.id} is taught by {names}; one trainer must teach all its sessions",
                offering.id,
            )
        )
    if offering.consecutive_days:
        out.extend(_consecutive(p, offering, sessions))
    out.extend(_after(p, offering, sessions))
    days = {s.day for s in sessions}
    units["spread_shortfall"] += max(0, offering.min_days - len(days))
    units["facility_changes"] += len({s.facility.id for s in sessions}) - 1


def _unplaced(p: Placement, offering: Offering) -> Iterator[Violation]:
    for i in range(offering.sessions):
        key = (offering.id, i)
        if key in p.index.by_key or key in p.misplaced:
            continue
        lock = p.scenario.lock_by_session.get(key)
        locked = f" (it is locked at {p.label(lock.day, lock.period)})" if lock else ""
        yield Violation(
            "unplaced", f"{offering.id} session {i} is not placed{locked}", offering.id, i
        )


def _consecutive(p: Placement, offering: Offering, sessions: list[Session]) -> Iterator[Violation]:
    # Judged on what is placed: distinct days spanning no more days than there are sessions,
    # so a partial plan is only faulted for what no completion could mend.
    days = sorted(s.day for s in sessions)
    if len(set(days)) == len(days) and days[-1] - days[0] < offering.sessions:
        return
    shown = ", ".join(dates.weekday_day(p.scenario.calendar.days[d], year=False) for d in days)
    yield Violation(
        "consecutive_days",
        f"{offering.id} must take one day per session on consecutive days; its sessions fall on "
        f"{shown}",
        offering.id,
    )


def _after(p: Placement, offering: Offering, sessions: list[Session]) -> Iterator[Violation]:
    first = min(sessions, key=lambda s: (s.day, s.start))
    start = first.day * p.periods + first.start
    for before_id in dict.fromkeys(offering.after):
        before = p.index.by_offering.get(before_id)
        if not before:
            yield _violation(
                "after",
                f"{offering.id} must come after {before_id}, which has no placed session",
                first,
            )
            continue
        last = max(before, key=lambda s: s.day * p.periods + s.end)
        if last.day * p.periods + last.end > start:
            yield _violation(
                "after",
                f"{offering.id} must come after {before_id}, but {first.name} starts at "
                f"{p.at(first)} before {last.name} (at {p.at(last)}) ends",
                first,
            )


# ----- resource scopes -------------------------------------------------------------------------


def _overlaps(sessions: list[Session]) -> Iterator[tuple[Session, Session]]:
    """Pairs of sessions sharing a period (all on one day), earlier first."""
    ordered = sorted(sessions, key=lambda s: (s.start, s.key))
    for i, a in enumerate(ordered):
        for b in ordered[i + 1 :]:
            if b.start >= a.end:
                break
            yield a, b


def _clashes(
    p: Placement, sessions: list[Session], rule: str, who: str, verb: str
) -> Iterator[Violation]:
    for a, b in _overlaps(sessions):
        yield _violation(
            rule,
            f"{who} {verb} {a.name} and {b.name} at the same time on {p.at(b)}",
            b,
        )


def _facility_day_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    sessions = p.index.by_facility_day.get((args[0], args[1]), [])
    out.extend(_clashes(p, sessions, "facility_clash", f"Facility {args[0]}", "holds"))


def _trainer_day_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = p.scenario.trainer_by_id[args[0]]
    day = args[1]
    sessions = p.index.by_trainer_day.get((trainer.id, day), [])
    out.extend(_clashes(p, sessions, "trainer_clash", f"Trainer {trainer.shown}", "teaches"))
    if not sessions:
        return
    when = dates.weekday_day(p.scenario.calendar.days[day])
    hubs = sorted({s.facility.hub for s in sessions})
    if len(hubs) > 1:
        out.append(
            Violation(
                "trainer_two_hubs",
                f"Trainer {trainer.shown} is expected at {' and '.join(hubs)} on {when}",
                day=day,
            )
        )
    taught = sum(s.offering.session_length for s in sessions)
    if trainer.max_periods_per_day is not None and taught > trainer.max_periods_per_day:
        out.append(
            Violation(
                "trainer_day_limit",
                f"Trainer {trainer.shown} teaches {taught} periods on {when}; the limit is "
                f"{trainer.max_periods_per_day}",
                day=day,
            )
        )


def _trainer_week_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = p.scenario.trainer_by_id[args[0]]
    limit = trainer.max_periods_per_week
    sessions = p.index.by_trainer_week.get((trainer.id, args[1]), [])
    taught = sum(s.offering.session_length for s in sessions)
    if limit is not None and taught > limit:
        first = min(s.day for s in sessions)
        out.append(
            Violation(
                "trainer_week_limit",
                f"Trainer {trainer.shown} teaches {taught} periods in the week of "
                f"{dates.weekday_day(p.scenario.calendar.days[first])}; the limit is {limit}",
            )
        )


def _trainer_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = p.scenario.trainer_by_id[args[0]]
    taught = p.index.load.get(trainer.id, 0)
    if trainer.max_periods_total is not None and taught > trainer.max_periods_total:
        out.append(
            Violation(
                "trainer_total_limit",
                f"Trainer {trainer.shown} teaches {taught} periods in all; the limit is "
                f"{trainer.max_periods_total}",
            )
        )


def _cohort_day_scope(p: Placement, args: Scope, out: _Sink, units: Units) -> None:
    sessions = p.index.by_cohort_day.get((args[0], args[1]), [])
    out.extend(_clashes(p, sessions, "cohort_clash", f"Cohort {args[0]}", "attends"))
    covered: dict[int, int] = defaultdict(int)
    for s in sessions:
        for q in range(s.start, s.end):
            covered[q] += 1
    for s in sessions:
        before = s.start > 0 and covered.get(s.start - 1, 0) > 0
        after = s.end < p.periods and covered.get(s.end, 0) > 0
        if not (before or after):
            units["cohort_isolated"] += 1


_EVALUATORS = {
    "session": _session_scope,
    "offering": _offering_scope,
    "facility_day": _facility_day_scope,
    "trainer_day": _trainer_day_scope,
    "trainer_week": _trainer_week_scope,
    "trainer": _trainer_scope,
    "cohort_day": _cohort_day_scope,
}
