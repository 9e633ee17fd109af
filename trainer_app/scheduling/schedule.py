"""A working timetable with occupancy tables, so a placement is checked in constant time.

Used by the greedy construction and to rebuild state after each improvement. The solver's own
cost evaluation lives here too; the independent checker (checker.py) re-derives everything
from the plan alone and the tests hold the two to the same answers.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from trainer_app.scheduling.instance import Instance
from trainer_app.scheduling.rules import Blocker, Face, Rule, Term, enforces

Placement = tuple[int, int, int]  # (global start, facility, trainer)
Key = tuple[int, int]  # (offering, session)


class Schedule:
    """Sessions placed so far and what they occupy."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        T = inst.T
        self.placed: dict[Key, Placement] = {}
        self.facility_busy = [bytearray(T) for _ in inst.facility_ids]
        self.trainer_busy = [bytearray(T) for _ in inst.trainer_ids]
        self.cohort_busy = [bytearray(T) for _ in inst.cohort_ids]
        self.trainer_day = [[0] * inst.D for _ in inst.trainer_ids]
        self.trainer_week = [Counter[int]() for _ in inst.trainer_ids]
        self.trainer_total = [0] * len(inst.trainer_ids)
        self.trainer_day_hub = [dict[int, Counter[int]]() for _ in inst.trainer_ids]
        # Who holds each resource in each period (for conflict-directed repair).
        self.facility_at: dict[tuple[int, int], Key] = {}
        self.trainer_at: dict[tuple[int, int], Key] = {}
        self.cohort_at: dict[tuple[int, int], Key] = {}
        self.trainer_sessions: list[set[Key]] = [set() for _ in inst.trainer_ids]

    def copy_assignment(self) -> dict[Key, Placement]:
        return dict(self.placed)

    # ----- feasibility of one placement ----------------------------------------------------
    def blocker(self, offering: int, start: int, facility: int, trainer: int) -> Blocker | None:
        """Why a session of ``o`` cannot start at ``g`` in ``f`` with ``t`` (None: it can)."""
        return self.time_blocker(offering, start, trainer) or self.facility_blocker(
            offering, start, facility, trainer
        )

    @enforces(
        Rule.OUTSIDE_DAY,
        Rule.UNAVAILABLE,
        Rule.TRAINER_CLASH,
        Rule.COHORT_CLASH,
        Rule.TRAINER_DAY_LIMIT,
        Rule.TRAINER_WEEK_LIMIT,
        Rule.TRAINER_TOTAL_LIMIT,
        face=Face.INCREMENTAL,
    )
    def time_blocker(self, offering: int, start: int, trainer: int) -> Blocker | None:
        """What stops trainer ``t`` and the cohorts of ``o`` starting at ``g`` (any facility)."""
        inst = self.inst
        od = inst.offerings[offering]
        L, P = od.length, inst.P
        d = start // P
        if start % P + L > P:
            return Blocker.DAY
        end = start + L
        if any(inst.trainer_blocked[trainer][start:end]):
            return Blocker.TRAINER_UNAVAILABLE
        if any(self.trainer_busy[trainer][start:end]):
            return Blocker.TRAINER_BUSY
        for c in od.cohorts:
            if any(self.cohort_busy[c][start:end]):
                return Blocker.COHORT_BUSY
        if self.trainer_day[trainer][d] + L > inst.trainer_day_limit[trainer]:
            return Blocker.TRAINER_DAY_LIMIT
        week_limit = inst.trainer_week_limit[trainer]
        if (
            week_limit is not None
            and self.trainer_week[trainer][inst.week_of_day[d]] + L > week_limit
        ):
            return Blocker.TRAINER_WEEK_LIMIT
        total_limit = inst.trainer_total_limit[trainer]
        if total_limit is not None and self.trainer_total[trainer] + L > total_limit:
            return Blocker.TRAINER_TOTAL_LIMIT
        return None

    @enforces(Rule.UNAVAILABLE, Rule.FACILITY_CLASH, Rule.TRAINER_TWO_HUBS, face=Face.INCREMENTAL)
    def facility_blocker(
        self, offering: int, start: int, facility: int, trainer: int
    ) -> Blocker | None:
        """What stops facility ``f`` taking the session at ``g`` (given trainer ``t``)."""
        inst = self.inst
        end = start + inst.offerings[offering].length
        if any(inst.facility_blocked[facility][start:end]):
            return Blocker.FACILITY_UNAVAILABLE
        if any(self.facility_busy[facility][start:end]):
            return Blocker.FACILITY_BUSY
        hubs_today = self.trainer_day_hub[trainer].get(start // inst.P)
        if hubs_today and any(h != inst.facility_hub[facility] for h, n in hubs_today.items() if n):
            return Blocker.TRAINER_OTHER_HUB
        return None

    # ----- changes -------------------------------------------------------------------------
    def place(self, key: Key, placement: Placement) -> None:
        g, f, t = placement
        inst = self.inst
        od = inst.offerings[key[0]]
        L = od.length
        d = g // inst.P
        for q in range(g, g + L):
            self.facility_busy[f][q] += 1
            self.trainer_busy[t][q] += 1
            self.facility_at[(f, q)] = key
            self.trainer_at[(t, q)] = key
            for c in od.cohorts:
                self.cohort_busy[c][q] += 1
                self.cohort_at[(c, q)] = key
        self.trainer_sessions[t].add(key)
        self.trainer_day[t][d] += L
        self.trainer_week[t][inst.week_of_day[d]] += L
        self.trainer_total[t] += L
        self.trainer_day_hub[t].setdefault(d, Counter())[inst.facility_hub[f]] += 1
        self.placed[key] = placement

    def remove(self, key: Key) -> None:
        g, f, t = self.placed.pop(key)
        inst = self.inst
        od = inst.offerings[key[0]]
        L = od.length
        d = g // inst.P
        for q in range(g, g + L):
            self.facility_busy[f][q] -= 1
            self.trainer_busy[t][q] -= 1
            if self.facility_at.get((f, q)) == key:
                del self.facility_at[(f, q)]
            if self.trainer_at.get((t, q)) == key:
                del self.trainer_at[(t, q)]
            for c in od.cohorts:
                self.cohort_busy[c][q] -= 1
                if self.cohort_at.get((c, q)) == key:
                    del self.cohort_at[(c, q)]
        self.trainer_sessions[t].discard(key)
        self.trainer_day[t][d] -= L
        self.trainer_week[t][inst.week_of_day[d]] -= L
        self.trainer_total[t] -= L
        self.trainer_day_hub[t][d][inst.facility_hub[f]] -= 1

    @classmethod
    def of(cls, inst: Instance, assignment: dict[Key, Placement]) -> Schedule:
        schedule = cls(inst)
        for key, placement in assignment.items():
            schedule.place(key, placement)
        return schedule


@dataclass(frozen=True)
class Costs:
    units: dict[str, int]
    total: int  # Σ integer weight × units (in the instance's weight scale)
    unplaced: int  # sessions not placed

    def better_than(self, other: Costs) -> bool:
        return (self.unplaced, self.total) < (other.unplaced, other.total)


@enforces(Rule.UNPLACED, *Term, face=Face.INCREMENTAL)
def evaluate(inst: Instance, assignment: dict[Key, Placement]) -> Costs:
    """Every cost term of a (hard-feasible) assignment, in units and weighted."""
    P = inst.P
    units = dict.fromkeys(inst.weights, 0)
    by_offering: dict[int, list[Placement]] = {}
    for (o, _s), placement in assignment.items():
        by_offering.setdefault(o, []).append(placement)
    loads = [0] * len(inst.trainer_ids)
    for o, placements in by_offering.items():
        od = inst.offerings[o]
        units[Term.SPREAD_SHORTFALL] += max(
            0, od.min_days - len({g // P for g, _, _ in placements})
        )
        units[Term.FACILITY_CHANGES] += len({f for _, f, _ in placements}) - 1
        for g, f, t in placements:
            units[Term.CAPACITY_OVERFLOW] += od.overflow.get(f, 0)
            if inst.trainer_hub[t] != inst.facility_hub[f]:
                units[Term.TRAINER_AWAY] += 1
            if g % P + od.length == P:
                units[Term.LATE_FINISH] += 1
            loads[t] += od.length
    units[Term.LOAD_BALANCE] = max(loads, default=0)
    units[Term.COHORT_ISOLATED] = _isolated(inst, by_offering)
    units[Term.MOVES] = sum(
        1
        for key, before in inst.previous.items()
        if key in assignment and assignment[key] != before
    )
    total = sum(inst.weights[term] * n for term, n in units.items())
    placed = len(assignment)
    return Costs(units, total, sum(o.sessions for o in inst.offerings) - placed)


def _isolated(inst: Instance, by_offering: dict[int, list[Placement]]) -> int:
    P = inst.P
    count = 0
    for offerings in inst.cohort_offerings:
        spans = [
            (g, g + inst.offerings[o].length)
            for o in offerings
            for g, _f, _t in by_offering.get(o, ())
        ]
        covered: Counter[int] = Counter()
        for start, end in spans:
            for q in range(start, end):
                covered[q] += 1
        for start, end in spans:
            before = start % P > 0 and covered[start - 1] > 0
            after = end % P > 0 and covered[end] > 0
            count += not (before or after)
    return count
