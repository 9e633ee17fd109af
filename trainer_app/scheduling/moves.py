"""What moving one session would do: the drag-and-drop check and "where could this go?".

Both answer from the checker alone. ``try_move`` compares two full checks; ``candidates``
re-evaluates only the checker scopes the session leaves and enters, which gives exactly the
same differences (tests compare it with full checks) at a small fraction of the cost.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from dataclasses import dataclass

from trainer_app.scheduling.checker import (
    CheckResult,
    Placement,
    Scope,
    Session,
    Units,
    Violation,
    check,
    weighted,
)
from trainer_app.scheduling.rules import Rule, Term, change_words
from trainer_app.scheduling.scenario import TERMS, Assignment, Plan, PlanStatus, Scenario


@dataclass(frozen=True)
class MoveResult:
    """The plan after one move, whether it keeps the plan's hard rules, and the cost change."""

    plan: Plan
    ok: bool
    new_violations: tuple[Violation, ...]
    cost_delta: dict[str, float]
    before: CheckResult
    after: CheckResult


@dataclass(frozen=True)
class Candidate:
    """A free slot for a session, its cost change (per active term and total) and why."""

    day: int
    period: int
    facility: str
    trainer: str
    cost_delta: dict[str, float]
    reasons: tuple[str, ...]

    @property
    def total(self) -> float:
        return self.cost_delta["total"]


class Candidates(list[Candidate]):
    """The best free slots, best first; ``ruled_out`` counts the other slots per hard rule."""

    def __init__(self, best: list[Candidate], ruled_out: Counter[str], considered: int) -> None:
        super().__init__(best)
        self.ruled_out = dict(ruled_out)
        self.considered = considered


def try_move(
    scenario: Scenario,
    plan: Plan,
    offering: str,
    session: int,
    day: int,
    period: int,
    facility: str | None = None,
    trainer: str | None = None,
) -> MoveResult:
    """Move one session (facility and trainer default to its current ones) and judge the move."""
    current = _current(plan, offering, session)
    facility = facility or (current.facility if current else None)
    trainer = trainer or (current.trainer if current else None)
    if facility is None or trainer is None:
        raise ValueError(f"{offering} session {session} is not placed: name a facility and trainer")
    moved = Assignment(offering, session, day, period, facility, trainer)
    rest = tuple(a for a in plan.assignments if a is not current)
    before = check(scenario, plan)
    after_plan = dataclasses.replace(plan, assignments=(*rest, moved))
    after = check(scenario, after_plan)
    new = _new_violations(before.hard_violations, after.hard_violations)
    after_plan = dataclasses.replace(
        after_plan,
        status=_status(after),
        cost=after.cost,
        hard_violations=tuple(v.to_dict() for v in after.hard_violations),
    )
    delta = {t: after.cost.get(t, 0.0) - before.cost.get(t, 0.0) for t in after.cost}
    return MoveResult(after_plan, not new, new, delta, before, after)


def _current(plan: Plan, offering: str, session: int) -> Assignment | None:
    return next((a for a in plan.assignments if a.key == (offering, session)), None)


def _new_violations(
    before: tuple[Violation, ...], after: tuple[Violation, ...]
) -> tuple[Violation, ...]:
    """Violations in ``after`` beyond those already in ``before`` (compared by rule and words)."""
    left = Counter((v.rule, v.message) for v in before)
    new = []
    for v in after:
        if left[v.rule, v.message] > 0:
            left[v.rule, v.message] -= 1
        else:
            new.append(v)
    return tuple(new)


def _status(result: CheckResult) -> PlanStatus:
    if result.valid:
        return PlanStatus.FEASIBLE
    if all(v.rule == Rule.UNPLACED for v in result.hard_violations):
        return PlanStatus.PARTIAL
    return PlanStatus.UNKNOWN


def candidates(
    scenario: Scenario, plan: Plan, offering: str, session: int, limit: int = 20
) -> Candidates:
    """Every free slot for one placed session, ranked by total cost change (best first).

    A slot is (day, period, facility) with a facility of a suitable kind and hub; the trainer
    stays. A slot is free when moving there adds no hard violation; the others are counted per
    rule in ``ruled_out``.
    """
    placement = Placement(scenario, plan)
    old = placement.index.by_key.get((offering, session))
    if old is None:
        raise ValueError(f"{offering} session {session} is not placed")
    search = _Search(placement, old)
    found: list[Candidate] = []
    ruled_out: Counter[str] = Counter()
    considered = 0
    for new in _slots(placement, old):
        considered += 1
        violations, units = search.evaluate(new)
        if violations:
            ruled_out.update({v.rule for v in violations})
        else:
            found.append(search.candidate(new, units))
    found.sort(key=lambda c: (c.total, c.day, c.period, c.facility))
    return Candidates(found[:limit], ruled_out, considered)


def _slots(placement: Placement, old: Session) -> list[Session]:
    scenario, offering = placement.scenario, old.offering
    periods = placement.periods
    suitable = [
        f
        for f in scenario.facilities
        if (not offering.facility_kinds or f.kind in offering.facility_kinds)
        and (offering.hub is None or f.hub == offering.hub)
    ]
    a = old.assignment
    return [
        Session(
            Assignment(a.offering, a.session, day, period, f.id, a.trainer),
            offering,
            f,
            old.trainer,
            period + offering.session_length,
        )
        for day in range(len(scenario.calendar.days))
        for period in range(periods - offering.session_length + 1)
        for f in suitable
        if (day, period, f.id) != (a.day, a.period, a.facility)
    ]


class _Search:
    """Evaluates moves of one session by re-checking only the scopes it leaves and enters."""

    def __init__(self, placement: Placement, old: Session) -> None:
        self.placement = placement
        self.old = old
        self.old_scopes = placement.scopes_of(old)
        self.cache: dict[Scope, tuple[list[Violation], Units]] = {}
        self.peak = placement.peak_load()

    def _before(self, scopes: set[Scope]) -> tuple[Counter[tuple[str, str]], Units]:
        seen: Counter[tuple[str, str]] = Counter()
        units: Units = Counter()
        for scope in scopes:
            if scope not in self.cache:
                self.cache[scope] = self.placement.evaluate([scope])
            violations, scope_units = self.cache[scope]
            seen.update((v.rule, v.message) for v in violations)
            units.update(scope_units)
        return seen, units

    def evaluate(self, new: Session) -> tuple[list[Violation], dict[str, int]]:
        """The hard violations the move adds and its change in units per term."""
        scopes = self.old_scopes | self.placement.scopes_of(new)
        seen, before = self._before(scopes)
        self.placement.replace(self.old, new)
        try:
            violations, after = self.placement.evaluate(sorted(scopes, key=repr))
            peak = self.placement.peak_load()
        finally:
            self.placement.replace(new, self.old)
        added = []
        for v in violations:
            if seen[v.rule, v.message] > 0:
                seen[v.rule, v.message] -= 1
            else:
                added.append(v)
        delta = {t.value: after.get(t, 0) - before.get(t, 0) for t in TERMS}
        delta[Term.LOAD_BALANCE] = peak - self.peak
        return added, delta

    def candidate(self, new: Session, units: dict[str, int]) -> Candidate:
        scenario = self.placement.scenario
        cost = weighted(scenario, dict(units))
        a = new.assignment
        return Candidate(
            a.day, a.period, a.facility, a.trainer, cost, tuple(self._reasons(new, units))
        )

    def _reasons(self, new: Session, units: dict[str, int]) -> list[str]:
        others = {
            s.facility.id
            for s in self.placement.index.by_offering[new.offering.id]
            if s.key != new.key
        }
        reasons = []
        if others == {new.facility.id}:
            reasons.append("same facility as the other sessions")
        for term in TERMS:
            change = units.get(term, 0)
            if change and self.placement.scenario.weight(term) > 0:
                reasons.append(change_words(term, change))
        return reasons or ["no change in cost"]
