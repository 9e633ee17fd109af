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
from trainer_app.scheduling.rules import Face, Rule, Term, enforces
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

    rule: Rule
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
    units[Term.LOAD_BALANCE] = placement.peak_load()
    return result(scenario, [*placement.reference_violations, *violations], units)


def result(scenario: Scenario, violations: Iterable[Violation], units: Units) -> CheckResult:
    """A CheckResult with the weighted cost of ``units`` (every term present, total last)."""
    all_units: dict[str, int | float] = {term.value: units.get(term, 0) for term in TERMS}
    return CheckResult(tuple(violations), all_units, weighted(scenario, all_units))


def weighted(scenario: Scenario, units: dict[str, int | float]) -> dict[str, float]:
    """Weight × units for every term with a weight above 0, plus ``total``."""
    cost = {t.value: scenario.weight(t) * units.get(t, 0) for t in TERMS if scenario.weight(t) > 0}
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
    @enforces(Rule.DUPLICATE_ASSIGNMENT, face=Face.CHECKER)
    def _read(self, assignment: Assignment) -> None:
        session = self.resolve(assignment)
        if session is None:
            return
        if assignment.key in self.index.by_key:
            self.reference_violations.append(
                Violation(
                    Rule.DUPLICATE_ASSIGNMENT,
                    f"{session.name} is assigned more than once (again at "
                    f"{self.label(assignment.day, assignment.period)}); the first is kept",
                    assignment.offering,
                    assignment.session,
                    assignment.day,
                    assignment.period,
                )
            )
            return
        self.add(session)

    @enforces(Rule.UNKNOWN_REFERENCE, face=Face.CHECKER)
    def resolve(self, assignment: Assignment) -> Session | None:
        """The assignment with its references looked up, or None (reported) if any is unknown."""
        s = self.scenario
        offering = s.offering_by_id.get(assignment.offering)
        facility = s.facility_by_id.get(assignment.facility)
        trainer = s.trainer_by_id.get(assignment.trainer)
        problems = []
        if offering is None:
            problems.append(f"offering '{assignment.offering}' is not in the scenario")
        elif not 0 <= assignment.session < offering.sessions:
            problems.append(f"{assignment.offering} has no session {assignment.session}")
        if not 0 <= assignment.day < len(s.calendar.days):
            problems.append(f"day {assignment.day} is outside the calendar")
        if not 0 <= assignment.period < self.periods:
            problems.append(f"period {assignment.period} is outside the day")
        if facility is None:
            problems.append(f"facility '{assignment.facility}' is not in the scenario")
        if trainer is None:
            problems.append(f"trainer '{assignment.trainer}' is not in the scenario")
        if problems or offering is None or facility is None or trainer is None:
            if offering is not None and 0 <= assignment.session < offering.sessions:
                self.misplaced.add(assignment.key)
            self.reference_violations.append(
                Violation(
                    Rule.UNKNOWN_REFERENCE,
                    f"Assignment of {assignment.offering} session {assignment.session}: "
                    + "; ".join(problems),
                    assignment.offering,
                    assignment.session,
                )
            )
            return None
        end = min(assignment.period + offering.session_length, self.periods)
        return Session(assignment, offering, facility, trainer, end)

    def _lists(self, session: Session) -> Iterator[list[Session]]:
        ix, day = self.index, session.day
        yield ix.by_offering[session.offering.id]
        yield ix.by_facility_day[session.facility.id, day]
        yield ix.by_trainer_day[session.trainer.id, day]
        yield ix.by_trainer_week[session.trainer.id, self.week[day]]
        for cohort in self.cohorts_of[session.offering.id]:
            yield ix.by_cohort_day[cohort.id, day]

    def add(self, session: Session) -> None:
        """Index a placed session."""
        self.index.by_key[session.key] = session
        self.index.load[session.trainer.id] += session.offering.session_length
        for items in self._lists(session):
            items.append(session)

    def remove(self, session: Session) -> None:
        """Take a placed session out of every index."""
        del self.index.by_key[session.key]
        self.index.load[session.trainer.id] -= session.offering.session_length
        for items in self._lists(session):
            items.remove(session)

    def replace(self, old: Session, new: Session) -> None:
        """Move one session: ``old`` out, ``new`` (same key) in."""
        self.remove(old)
        self.add(new)

    # ----- scopes ------------------------------------------------------------------------------
    def scopes_of(self, session: Session) -> set[Scope]:
        """Every scope whose result can change when ``s`` appears or disappears."""
        day, oid = session.day, session.offering.id
        scopes: set[Scope] = {
            ("session", session.key),
            ("offering", oid),
            ("facility_day", session.facility.id, day),
            ("trainer_day", session.trainer.id, day),
            ("trainer_week", session.trainer.id, self.week[day]),
            ("trainer", session.trainer.id),
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

    @enforces(Term.LOAD_BALANCE, face=Face.CHECKER)
    def peak_load(self) -> int:
        """The load_balance units: the most periods any trainer teaches."""
        return max(self.index.load.values(), default=0)

    # ----- helpers the rules share ---------------------------------------------------------------
    def label(self, day: int, period: int) -> str:
        return self.scenario.calendar.label(day, period)

    def at(self, session: Session) -> str:
        return self.label(session.day, session.start)

    def where(self, session: Session) -> str:
        """ "ASEP-01 session 1 at Tue 12 Jan 09:00"."""
        return f"{session.name} at {self.at(session)}"


_Sink = list[Violation]


def _violation(rule: Rule, message: str, session: Session) -> Violation:
    return Violation(
        rule, message, session.offering.id, session.assignment.session, session.day, session.start
    )


# ----- session scope ---------------------------------------------------------------------------


def _session_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    s = placement.index.by_key.get(args[0])
    if s is None:
        return
    for rule in _SESSION_RULES:
        found = rule(placement, s)
        if found is not None:
            out.append(_violation(found[0], found[1], s))
    out.extend(_unavailable(placement, s))
    _session_costs(placement, s, units)


@enforces(Rule.OUTSIDE_DAY, face=Face.CHECKER)
def _outside_day(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    if session.start + session.offering.session_length <= placement.periods:
        return None
    return Rule.OUTSIDE_DAY, (
        f"{placement.where(session)} needs {session.offering.session_length} periods and runs "
        f"past the end of the day"
    )


@enforces(Rule.FACILITY_KIND, face=Face.CHECKER)
def _facility_kind(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    kinds = session.offering.facility_kinds
    if not kinds or session.facility.kind in kinds:
        return None
    return Rule.FACILITY_KIND, (
        f"{placement.where(session)} is in {session.facility.id}, a "
        f"{kind_words(session.facility.kind)}; it needs a {kinds_words(kinds)}"
    )


@enforces(Rule.FACILITY_HUB, face=Face.CHECKER)
def _facility_hub(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    if session.offering.hub is None or session.facility.hub == session.offering.hub:
        return None
    return Rule.FACILITY_HUB, (
        f"{placement.where(session)} is in {session.facility.id} at hub "
        f"{session.facility.hub}; {session.offering.id} must be at hub {session.offering.hub}"
    )


@enforces(Rule.FIXED_TRAINER, Rule.NOT_QUALIFIED, face=Face.CHECKER)
def _trainer_rule(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    fixed = session.offering.trainer
    if fixed is not None:
        if session.trainer.id == fixed:
            return None
        return Rule.FIXED_TRAINER, (
            f"{placement.where(session)} is taught by {session.trainer.shown}; "
            f"{session.offering.id} must be taught by {_trainer(placement, fixed)}"
        )
    if session.offering.course in session.trainer.qualifications:
        return None
    return Rule.NOT_QUALIFIED, (
        f"Trainer {session.trainer.shown} teaches {placement.where(session)} but is not "
        f"qualified for {session.offering.course}"
    )


def _trainer(placement: Placement, ident: str) -> str:
    """A trainer by name (by id when the scenario gives no name, or does not know the id)."""
    trainer = placement.scenario.trainer_by_id.get(ident)
    return trainer.shown if trainer is not None else ident


@enforces(Rule.CAPACITY, face=Face.CHECKER)
def _capacity(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    f = session.facility
    if not f.capacity_is_hard or session.offering.attendees <= f.capacity:
        return None
    return Rule.CAPACITY, (
        f"{placement.where(session)} has {session.offering.attendees} attendees; "
        f"{f.id} holds {f.capacity}"
    )


@enforces(Rule.LOCK, face=Face.CHECKER)
def _lock(placement: Placement, session: Session) -> tuple[Rule, str] | None:
    lock = placement.scenario.lock_by_session.get(session.key)
    a = session.assignment
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
            lock.trainer and f"with {_trainer(placement, lock.trainer)}",
        )
        if x
    )
    return Rule.LOCK, (
        f"{session.name} is locked at {placement.label(lock.day, lock.period)} {wanted}".rstrip()
        + f" but placed at {placement.at(session)} in {a.facility} with {session.trainer.shown}"
    )


_SESSION_RULES = (_outside_day, _facility_kind, _facility_hub, _trainer_rule, _capacity, _lock)


@enforces(Rule.UNAVAILABLE, face=Face.CHECKER)
def _unavailable(placement: Placement, session: Session) -> Iterator[Violation]:
    whose: list[tuple[str, frozenset[tuple[int, int]]]] = [
        (f"facility {session.facility.id}", session.facility.unavailable),
        (f"trainer {session.trainer.shown}", session.trainer.unavailable),
        (f"offering {session.offering.id}", session.offering.unavailable),
        *((f"cohort {c.id}", c.unavailable) for c in placement.cohorts_of[session.offering.id]),
    ]
    for who, slots in whose:
        if not slots:
            continue
        hit = next(
            (q for q in range(session.start, session.end) if (session.day, q) in slots), None
        )
        if hit is not None:
            yield _violation(
                Rule.UNAVAILABLE,
                f"{placement.where(session)} falls on {placement.label(session.day, hit)}, "
                f"when {who} is unavailable",
                session,
            )


@enforces(
    Term.CAPACITY_OVERFLOW, Term.TRAINER_AWAY, Term.MOVES, Term.LATE_FINISH, face=Face.CHECKER
)
def _session_costs(placement: Placement, session: Session, units: Units) -> None:
    if not session.facility.capacity_is_hard:
        units[Term.CAPACITY_OVERFLOW] += max(
            0, session.offering.attendees - session.facility.capacity
        )
    if session.trainer.hub != session.facility.hub:
        units[Term.TRAINER_AWAY] += 1
    a = session.assignment
    before = placement.previous.get(session.key)
    if before is not None and (before.day, before.period, before.facility, before.trainer) != (
        a.day,
        a.period,
        a.facility,
        a.trainer,
    ):
        units[Term.MOVES] += 1
    if a.period + session.offering.session_length == placement.periods:
        units[Term.LATE_FINISH] += 1


# ----- offering scope --------------------------------------------------------------------------


@enforces(Rule.TRAINER_CHANGES, Term.SPREAD_SHORTFALL, Term.FACILITY_CHANGES, face=Face.CHECKER)
def _offering_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    offering = placement.scenario.offering_by_id[args[0]]
    sessions = sorted(placement.index.by_offering.get(offering.id, ()), key=lambda s: s.key)
    out.extend(_unplaced(placement, offering))
    if not sessions:
        return
    trainers = sorted({s.trainer.id for s in sessions})
    if len(trainers) > 1:
        names = ", ".join(sorted(_trainer(placement, t) for t in trainers))
        out.append(
            Violation(
                Rule.TRAINER_CHANGES,
                f"{offering.id} is taught by {names}; one trainer must teach all its sessions",
                offering.id,
            )
        )
    if offering.consecutive_days:
        out.extend(_consecutive(placement, offering, sessions))
    out.extend(_after(placement, offering, sessions))
    days = {s.day for s in sessions}
    units[Term.SPREAD_SHORTFALL] += max(0, offering.min_days - len(days))
    units[Term.FACILITY_CHANGES] += len({s.facility.id for s in sessions}) - 1


@enforces(Rule.UNPLACED, face=Face.CHECKER)
def _unplaced(placement: Placement, offering: Offering) -> Iterator[Violation]:
    for i in range(offering.sessions):
        key = (offering.id, i)
        if key in placement.index.by_key or key in placement.misplaced:
            continue
        lock = placement.scenario.lock_by_session.get(key)
        locked = f" (it is locked at {placement.label(lock.day, lock.period)})" if lock else ""
        yield Violation(
            Rule.UNPLACED, f"{offering.id} session {i} is not placed{locked}", offering.id, i
        )


@enforces(Rule.CONSECUTIVE_DAYS, face=Face.CHECKER)
def _consecutive(
    placement: Placement, offering: Offering, sessions: list[Session]
) -> Iterator[Violation]:
    # Judged on what is placed: distinct days spanning no more days than there are sessions,
    # so a partial plan is only faulted for what no completion could mend.
    days = sorted(s.day for s in sessions)
    if len(set(days)) == len(days) and days[-1] - days[0] < offering.sessions:
        return
    shown = ", ".join(
        dates.weekday_day(placement.scenario.calendar.days[d], year=False) for d in days
    )
    yield Violation(
        Rule.CONSECUTIVE_DAYS,
        f"{offering.id} must take one day per session on consecutive days; its sessions fall on "
        f"{shown}",
        offering.id,
    )


@enforces(Rule.AFTER, face=Face.CHECKER)
def _after(
    placement: Placement, offering: Offering, sessions: list[Session]
) -> Iterator[Violation]:
    first = min(sessions, key=lambda s: (s.day, s.start))
    start = first.day * placement.periods + first.start
    for before_id in dict.fromkeys(offering.after):
        before = placement.index.by_offering.get(before_id)
        if not before:
            yield _violation(
                Rule.AFTER,
                f"{offering.id} must come after {before_id}, which has no placed session",
                first,
            )
            continue
        last = max(before, key=lambda s: s.day * placement.periods + s.end)
        if last.day * placement.periods + last.end > start:
            yield _violation(
                Rule.AFTER,
                f"{offering.id} must come after {before_id}, but {first.name} starts at "
                f"{placement.at(first)} before {last.name} (at {placement.at(last)}) ends",
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
    placement: Placement, sessions: list[Session], rule: Rule, who: str, verb: str
) -> Iterator[Violation]:
    for a, b in _overlaps(sessions):
        yield _violation(
            rule,
            f"{who} {verb} {a.name} and {b.name} at the same time on {placement.at(b)}",
            b,
        )


@enforces(Rule.FACILITY_CLASH, face=Face.CHECKER)
def _facility_day_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    sessions = placement.index.by_facility_day.get((args[0], args[1]), [])
    out.extend(_clashes(placement, sessions, Rule.FACILITY_CLASH, f"Facility {args[0]}", "holds"))


@enforces(Rule.TRAINER_CLASH, Rule.TRAINER_TWO_HUBS, Rule.TRAINER_DAY_LIMIT, face=Face.CHECKER)
def _trainer_day_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = placement.scenario.trainer_by_id[args[0]]
    day = args[1]
    sessions = placement.index.by_trainer_day.get((trainer.id, day), [])
    out.extend(
        _clashes(placement, sessions, Rule.TRAINER_CLASH, f"Trainer {trainer.shown}", "teaches")
    )
    if not sessions:
        return
    when = dates.weekday_day(placement.scenario.calendar.days[day])
    hubs = sorted({s.facility.hub for s in sessions})
    if len(hubs) > 1:
        out.append(
            Violation(
                Rule.TRAINER_TWO_HUBS,
                f"Trainer {trainer.shown} is expected at {' and '.join(hubs)} on {when}",
                day=day,
            )
        )
    taught = sum(s.offering.session_length for s in sessions)
    if trainer.max_periods_per_day is not None and taught > trainer.max_periods_per_day:
        out.append(
            Violation(
                Rule.TRAINER_DAY_LIMIT,
                f"Trainer {trainer.shown} teaches {taught} periods on {when}; the limit is "
                f"{trainer.max_periods_per_day}",
                day=day,
            )
        )


@enforces(Rule.TRAINER_WEEK_LIMIT, face=Face.CHECKER)
def _trainer_week_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = placement.scenario.trainer_by_id[args[0]]
    limit = trainer.max_periods_per_week
    sessions = placement.index.by_trainer_week.get((trainer.id, args[1]), [])
    taught = sum(s.offering.session_length for s in sessions)
    if limit is not None and taught > limit:
        first = min(s.day for s in sessions)
        out.append(
            Violation(
                Rule.TRAINER_WEEK_LIMIT,
                f"Trainer {trainer.shown} teaches {taught} periods in the week of "
                f"{dates.weekday_day(placement.scenario.calendar.days[first])}; "
                f"the limit is {limit}",
            )
        )


@enforces(Rule.TRAINER_TOTAL_LIMIT, face=Face.CHECKER)
def _trainer_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    trainer = placement.scenario.trainer_by_id[args[0]]
    taught = placement.index.load.get(trainer.id, 0)
    if trainer.max_periods_total is not None and taught > trainer.max_periods_total:
        out.append(
            Violation(
                Rule.TRAINER_TOTAL_LIMIT,
                f"Trainer {trainer.shown} teaches {taught} periods in all; the limit is "
                f"{trainer.max_periods_total}",
            )
        )


@enforces(Rule.COHORT_CLASH, Term.COHORT_ISOLATED, face=Face.CHECKER)
def _cohort_day_scope(placement: Placement, args: Scope, out: _Sink, units: Units) -> None:
    sessions = placement.index.by_cohort_day.get((args[0], args[1]), [])
    out.extend(_clashes(placement, sessions, Rule.COHORT_CLASH, f"Cohort {args[0]}", "attends"))
    covered: dict[int, int] = defaultdict(int)
    for s in sessions:
        for q in range(s.start, s.end):
            covered[q] += 1
    for s in sessions:
        before = s.start > 0 and covered.get(s.start - 1, 0) > 0
        after = s.end < placement.periods and covered.get(s.end, 0) > 0
        if not (before or after):
            units[Term.COHORT_ISOLATED] += 1


_EVALUATORS = {
    "session": _session_scope,
    "offering": _offering_scope,
    "facility_day": _facility_day_scope,
    "trainer_day": _trainer_day_scope,
    "trainer_week": _trainer_week_scope,
    "trainer": _trainer_scope,
    "cohort_day": _cohort_day_scope,
}
