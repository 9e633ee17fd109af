"""A lower bound on the total cost of any complete plan: how far a plan can at most be from
the best possible.

Relaxations, each a valid bound on its own share of the cost, summed so that no cost term is
counted twice:

- per run (from reach.py: what the run can reach at all): capacity overflow with the best
  suitable facility; a facility change when no single suitable facility is free for all its
  sessions; spread shortfall when its window has fewer usable days than its ``min_days``; late
  finishes, away sessions and the busiest trainer's load when those terms are weighted;
- per cohort: a small CP-SAT model of the cohort's own runs alone (their usable starts, the
  cohort's one-session-at-a-time rule, prerequisites and consecutive days among them, locked
  sessions) minimising its isolated sessions plus the spread shortfall of the runs it is given
  (each run's spread is given to one cohort only). Its proven bound within a time budget counts;
  a cohort not reached within the budget keeps the per-run spread bounds.

Every relaxation drops constraints and never adds one, so the sum never exceeds the optimum.
The whole model's own bound (exact phase) is combined with this one by the solver.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.reach import Reach, day_ends, mask_of, whole
from trainer_app.scheduling.rules import Term


@dataclass
class Bound:
    total: float  # in the scenario's cost units (weights applied)
    units: dict[str, float] = field(default_factory=dict)  # per term, before weights
    cohorts_solved: int = 0  # cohort models whose optimum was proven
    cohorts_bounded: int = 0  # cohort models that ran (proven or not)
    cohorts: int = 0
    seconds: float = 0.0


def lower_bound(
    inst: Instance,
    *,
    budget: float = 1.0,
    should_stop: Callable[[], bool] | None = None,
    reach: Reach | None = None,
) -> Bound:
    """The bound, spending at most about ``budget`` seconds on the cohort models."""
    started = time.monotonic()
    reach = reach or Reach(inst)
    weights = inst.weights
    units: dict[str, float] = dict.fromkeys(weights, 0)
    spread = {od.index: _spread(reach, od) for od in inst.offerings}
    for od in inst.offerings:
        units[Term.CAPACITY_OVERFLOW] += _overflow(inst, od)
        units[Term.FACILITY_CHANGES] += _facility_changes(reach, od)
        if weights[Term.LATE_FINISH]:
            units[Term.LATE_FINISH] += _late(reach, od)
        if weights[Term.TRAINER_AWAY]:
            units[Term.TRAINER_AWAY] += _away(inst, reach, od)
    if weights[Term.LOAD_BALANCE]:
        units[Term.LOAD_BALANCE] = _peak(inst, reach)
    if weights[Term.CAPACITY_OVERFLOW]:
        units[Term.CAPACITY_OVERFLOW] = max(
            units[Term.CAPACITY_OVERFLOW], _overflow_flow(inst, reach)
        )
    weighted = sum(weights[term] * units[term] for term in units if term != Term.SPREAD_SHORTFALL)

    # Cohorts: isolated sessions, with the spread of the runs each is given.
    given: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    if weights[Term.COHORT_ISOLATED]:
        for cohort, runs in enumerate(inst.cohort_offerings):
            for offering in runs:
                owner.setdefault(offering, cohort)
        for offering, cohort in owner.items():
            given.setdefault(cohort, []).append(offering)
    counted: set[int] = set()
    cohort_total = 0.0
    solved = bounded = 0
    order = sorted(range(len(inst.cohort_offerings)), key=lambda c: _size(inst, c))
    if weights[Term.COHORT_ISOLATED]:
        for i, cohort in enumerate(order):
            mine = given.get(cohort, [])
            static = weights[Term.SPREAD_SHORTFALL] * sum(spread[o] for o in mine)
            static += weights[Term.COHORT_ISOLATED] * _lonely(inst, reach, cohort)
            left = budget - (time.monotonic() - started)
            result = None
            if left > 0 and not (should_stop is not None and should_stop()):
                share = left / (len(order) - i)
                result = _days_model(inst, reach, cohort, mine, share)
                if result is None and _variables(reach, inst, cohort) <= COHORT_MODEL_SIZE:
                    result = _cohort(inst, reach, cohort, mine, share)
            value, proven = result if result is not None else (0.0, False)
            bounded += result is not None
            solved += proven
            cohort_total += max(value, static)
            counted.update(mine)
    spread_units = sum(n for o, n in spread.items() if o not in counted)
    units[Term.SPREAD_SHORTFALL] = spread_units
    total = weighted + weights[Term.SPREAD_SHORTFALL] * spread_units + cohort_total
    return Bound(
        total=total / inst.weight_scale,
        units=units,
        cohorts_solved=solved,
        cohorts_bounded=bounded,
        cohorts=len(inst.cohort_offerings),
        seconds=time.monotonic() - started,
    )


# ----- per run -------------------------------------------------------------------------------


def _overflow(inst: Instance, od: OfferingData) -> int:
    """Each session pays at least the smallest overflow among the facilities it may use."""
    least = min((od.overflow.get(f, 0) for f in od.facilities), default=0)
    total = 0
    for session in range(od.sessions):
        lock = inst.locks.get((od.index, session))
        if lock is not None and lock[1] is not None:
            total += od.overflow.get(lock[1], 0)
        else:
            total += least
    return total


def _fits(reach: Reach, od: OfferingData, mask: int) -> int:
    """At most how many of the run's sessions fit at the starts in ``mask``."""
    cap = reach.day_cap(od)
    return sum(min(cap, len(day_ends(bits, od.length))) for _d, bits in reach.days(mask))


def _facility_changes(reach: Reach, od: OfferingData) -> int:
    """One change at least when no single suitable facility is free for every session."""
    if od.sessions < 2 or not od.facilities:
        return 0
    inst = reach.inst
    locked = {lock[1] for (o, _s), lock in inst.locks.items() if o == od.index and lock[1]}
    if len(locked) > 1:
        return len(locked) - 1
    usable = reach.usable(od)
    for facility in od.facilities:
        if locked and facility not in locked:
            continue
        mask = usable & whole(reach.facility_free[facility], od.length)
        if od.consecutive:
            if reach.consecutive_block(reach.days(mask), od.sessions) is not None:
                return 0
        elif _fits(reach, od, mask) >= od.sessions:
            return 0
    return 1


def _spread(reach: Reach, od: OfferingData) -> int:
    if od.min_days <= 1:
        return 0
    days = od.sessions if od.consecutive else reach.most_days(od)
    return max(0, od.min_days - days)


def _late(reach: Reach, od: OfferingData) -> int:
    """Sessions that can only end in the last period of a day."""
    P = reach.inst.P
    early = mask_of([g for g in range(reach.inst.T) if g % P + od.length < P])
    return max(0, od.sessions - _fits(reach, od, reach.usable(od) & early))


def _away(inst: Instance, reach: Reach, od: OfferingData) -> int:
    """Every session away when no candidate trainer has a suitable facility at home."""
    hubs = {inst.facility_hub[f] for f in od.facilities}
    trainers = reach.trainers(od)
    if trainers and all(inst.trainer_hub[t] not in hubs for t in trainers):
        return od.sessions
    return 0


def _peak(inst: Instance, reach: Reach) -> int:
    """The busiest trainer teaches at least the average, and every run only one can teach."""
    forced = [0] * len(inst.trainer_ids)
    teachers: set[int] = set()
    total = 0
    for od in inst.offerings:
        trainers = reach.trainers(od)
        if not trainers:
            continue
        teachers.update(trainers)
        total += od.sessions * od.length
        if len(trainers) == 1:
            forced[trainers[0]] += od.sessions * od.length
    average = math.ceil(total / len(teachers)) if teachers else 0
    return max([average, *forced])


def _overflow_flow(inst: Instance, reach: Reach) -> int:
    """Overflow when the runs share out the facilities' free periods at least cost: a
    transportation problem (sessions may split, times are ignored), solved exactly."""
    from ortools.graph.python import min_cost_flow

    runs = [od for od in inst.offerings if od.facilities]
    scale = math.lcm(*{od.length for od in runs}) if runs else 1
    flow = min_cost_flow.SimpleMinCostFlow()
    facility_node = {f: len(runs) + i for i, f in enumerate(range(len(inst.facility_ids)))}
    sink = len(runs) + len(inst.facility_ids)
    demand = 0
    for run_node, od in enumerate(runs):
        need = od.sessions * od.length
        flow.set_node_supply(run_node, need)
        demand += need
        for facility in od.facilities:
            unit = od.overflow.get(facility, 0) * (scale // od.length)
            flow.add_arc_with_capacity_and_unit_cost(run_node, facility_node[facility], need, unit)
    for facility, node in facility_node.items():
        free = bin(reach.facility_free[facility]).count("1")
        flow.add_arc_with_capacity_and_unit_cost(node, sink, free, 0)
    flow.set_node_supply(sink, -demand)
    if flow.solve() != flow.OPTIMAL:
        return 0  # the facilities cannot hold every session: no complete plan
    cost: float = flow.optimal_cost()
    return math.ceil(cost / scale - 1e-9)


# ----- per cohort ----------------------------------------------------------------------------


COHORT_MODEL_SIZE = 800  # usable starts above which a cohort's model is not worth its time


def _lonely(inst: Instance, reach: Reach, cohort: int) -> int:
    """Sessions of ``cohort`` that are isolated in every plan: each run's sessions beyond
    those that fit at starts where some other session of the cohort could sit just before or
    just after it, the same day."""
    P, T = inst.P, inst.T
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[cohort])]
    usable = {od.index: reach.usable(od) for od in runs}
    inside = mask_of([q for q in range(T) if q % P])  # not the first period of a day
    ends = {od.index: (usable[od.index] << od.length) & inside for od in runs}
    total = 0
    for od in runs:
        before = after = 0
        for other in runs:
            if other.index != od.index or od.sessions > 1:
                before |= ends[other.index]
                after |= usable[other.index]
        length = od.length
        same_day = mask_of([g for g in range(T) if (g + length) % P])
        pairable = usable[od.index] & (before | ((after >> length) & same_day))
        total += max(0, od.sessions - _fits(reach, od, pairable))
    return total


def _variables(reach: Reach, inst: Instance, cohort: int) -> int:
    return sum(
        bin(reach.usable(inst.offerings[o])).count("1") for o in set(inst.cohort_offerings[cohort])
    )


def _size(inst: Instance, cohort: int) -> int:
    return sum(inst.offerings[o].sessions for o in inst.cohort_offerings[cohort])


def _cohort(
    inst: Instance, reach: Reach, cohort: int, given: list[int], time_limit: float
) -> tuple[float, bool] | None:
    """Least isolated sessions of ``cohort`` plus spread shortfall of its ``given`` runs
    (weighted), over its own runs alone: (bound, proven optimal); None when the cohort's runs
    cannot all be placed (no complete plan) or nothing was proven."""
    from ortools.sat.python import cp_model

    P, T = inst.P, inst.T
    weights = inst.weights
    model = cp_model.CpModel()
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[cohort])]
    starts: dict[int, dict[int, Any]] = {}
    covering: dict[int, list[Any]] = {}
    for od in runs:
        mask = reach.usable(od)
        if not mask:
            return None
        run_starts = {}
        start = 0
        while mask >> start:
            if (mask >> start) & 1:
                run_starts[start] = model.new_bool_var(f"n[{od.index},{start}]")
                for covered in range(start, start + od.length):
                    covering.setdefault(covered, []).append(run_starts[start])
            start += 1
        model.add(sum(run_starts.values()) == od.sessions)
        for (offering, _s), (locked_start, _f, _t) in inst.locks.items():
            if offering == od.index:
                if locked_start not in run_starts:
                    return None
                model.add(run_starts[locked_start] == 1)
        by_day: dict[int, list[Any]] = {}
        for start, lit in run_starts.items():
            by_day.setdefault(start // P, []).append(lit)
        cap = reach.day_cap(od)
        for items in by_day.values():
            if len(items) > cap:
                model.add(sum(items) <= cap)
        if od.consecutive:
            _consecutive(model, od, by_day)
        starts[od.index] = run_starts
    for items in covering.values():
        if len(items) > 1:
            model.add(sum(items) <= 1)
    _order(model, runs, starts, inst, T, reach)
    terms = []
    if weights[Term.SPREAD_SHORTFALL]:
        for offering in given:
            od = inst.offerings[offering]
            if od.min_days <= 1 or od.consecutive:
                continue
            by_day = {}
            for start, lit in starts[offering].items():
                by_day.setdefault(start // P, []).append(lit)
            used = []
            for day, items in by_day.items():
                uses_day = model.new_bool_var(f"day[{offering},{day}]")
                model.add(uses_day <= sum(items))
                used.append(uses_day)
            short = model.new_int_var(0, od.min_days, f"short[{offering}]")
            model.add(short >= od.min_days - sum(used))
            terms.append(weights[Term.SPREAD_SHORTFALL] * short)
        fixed = sum(
            max(0, inst.offerings[o].min_days - inst.offerings[o].sessions)
            for o in given
            if inst.offerings[o].consecutive
        )
        terms.append(model.new_constant(weights[Term.SPREAD_SHORTFALL] * fixed))

    def occupied(period: int) -> Any:
        return sum(covering.get(period, []))

    for od in runs:
        for start, lit in starts[od.index].items():
            near = []
            if start % P:
                near.append(occupied(start - 1))
            if (start + od.length) % P:
                near.append(occupied(start + od.length))
            if not near or not any(covering.get(q) for q in (start - 1, start + od.length)):
                terms.append(weights[Term.COHORT_ISOLATED] * lit)
                continue
            iso = model.new_bool_var(f"iso[{od.index},{start}]")
            model.add(iso >= lit - sum(near))
            terms.append(weights[Term.COHORT_ISOLATED] * iso)
    return _minimum(model, terms, time_limit)


PATTERN_STEPS = 3_000  # ways of filling a day explored, above which the day model is not used


def _patterns(
    bits: list[int], lengths: list[int], caps: list[int], periods_per_day: int, later: list[int]
) -> dict[tuple[int, ...], int] | None:
    """Every way to fill one day with the cohort's sessions at their allowed starts: sessions
    per run → the fewest isolated among the ways giving those counts (None: too many ways).
    ``later[r]`` has bit ``q`` set when run ``q`` must come after run ``r``: no session of
    ``r`` then follows one of ``q`` in the day."""
    out: dict[tuple[int, ...], int] = {}
    steps = 0
    runs = range(len(bits))

    def fill(period: int, counts: list[int], placed: list[tuple[int, int]], seen: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > PATTERN_STEPS:
            return False
        if period >= periods_per_day:
            lonely = sum(
                1
                for i, (start, end) in enumerate(placed)
                if not (i > 0 and placed[i - 1][1] == start)
                and not (i + 1 < len(placed) and placed[i + 1][0] == end)
            )
            key = tuple(counts)
            out[key] = min(out.get(key, lonely), lonely)
            return True
        if not fill(period + 1, counts, placed, seen):
            return False
        for r in runs:
            if (
                (bits[r] >> period) & 1
                and period + lengths[r] <= periods_per_day
                and counts[r] < caps[r]
                and not later[r] & seen
            ):
                counts[r] += 1
                placed.append((period, period + lengths[r]))
                ok = fill(period + lengths[r], counts, placed, seen | (1 << r))
                placed.pop()
                counts[r] -= 1
                if not ok:
                    return False
        return True

    return out if fill(0, [0] * len(bits), [], 0) else None


def _days_model(
    inst: Instance, reach: Reach, cohort: int, given: list[int], time_limit: float
) -> tuple[float, bool] | None:
    """The cohort's model by days: each day takes one way of filling it (its sessions, their
    isolated ones), days alike are counted together; every run gets all its sessions.
    Prerequisites, locks and the order of days are dropped (a relaxation), so it is small and
    its bound strong. None when a day has too many ways or the runs cannot all fit."""
    from ortools.sat.python import cp_model

    P, weights = inst.P, inst.weights
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[cohort])]
    usable = [reach.usable(od) for od in runs]
    lengths = [od.length for od in runs]
    caps = [1 if od.consecutive else reach.day_cap(od) for od in runs]
    pairs = [
        (a, b)
        for a, first in enumerate(runs)
        for b, then in enumerate(runs)
        if reach.follows(then.index, first.index)
    ]
    later = [0] * len(runs)
    for a, b in pairs:
        later[a] |= 1 << b
    shared: dict[tuple[int, int], list[Any]] = {pair: [] for pair in pairs}
    alike: dict[tuple[int, ...], int] = {}
    for day in range(inst.D):
        key = tuple((u >> (day * P)) & reach.day_mask for u in usable)
        if any(key):
            alike[key] = alike.get(key, 0) + 1
    model = cp_model.CpModel()
    sessions: list[list[Any]] = [[] for _ in runs]
    days_used: list[list[Any]] = [[] for _ in runs]
    terms: list[Any] = []
    for k, (key, count) in enumerate(alike.items()):
        patterns = _patterns(list(key), lengths, caps, P, later)
        if patterns is None:
            return None
        chosen = []
        for j, (counts, lonely) in enumerate(patterns.items()):
            taken = model.new_int_var(0, count, f"n[{k},{j}]")
            chosen.append(taken)
            if lonely:
                terms.append(weights[Term.COHORT_ISOLATED] * lonely * taken)
            for r, per_day in enumerate(counts):
                if per_day:
                    sessions[r].append(per_day * taken)
                    days_used[r].append(taken)
            for a, b in pairs:
                if counts[a] and counts[b]:
                    shared[(a, b)].append(taken)
        model.add(sum(chosen) == count)
    for items in shared.values():  # a run and one it must follow share a day at most once
        if len(items) > 0:
            model.add(sum(items) <= 1)
    for r, od in enumerate(runs):
        if not sessions[r]:
            return None
        model.add(sum(sessions[r]) == od.sessions)
    if weights[Term.SPREAD_SHORTFALL]:
        for r, od in enumerate(runs):
            if od.index not in given or od.min_days <= 1:
                continue
            short = model.new_int_var(0, od.min_days, f"short[{r}]")
            model.add(short >= od.min_days - sum(days_used[r]))
            terms.append(weights[Term.SPREAD_SHORTFALL] * short)
    return _minimum(model, terms, time_limit)


def _consecutive(model: Any, od: OfferingData, by_day: dict[int, list[Any]]) -> None:
    """One session a day on ``sessions`` consecutive days (calendar positions)."""
    sessions = od.sessions
    for items in by_day.values():
        model.add(sum(items) <= 1)
    firsts = [d for d in by_day if all(d + k in by_day for k in range(sessions))]
    block = {d: model.new_bool_var(f"block[{od.index},{d}]") for d in firsts}
    model.add(sum(block.values()) == 1)
    for day, items in by_day.items():
        model.add(sum(items) == sum(block[d0] for d0 in block if d0 <= day < d0 + sessions))


def _order(
    model: Any,
    runs: list[OfferingData],
    starts: dict[int, dict[int, Any]],
    inst: Instance,
    term_periods: int,
    reach: Reach,
) -> None:
    """A run after another of the cohort (through any chain) starts after that one's last
    session ends."""
    first: dict[int, Any] = {}
    last: dict[int, Any] = {}
    for od in runs:
        for prerequisite, prerequisite_starts in starts.items():
            if not reach.follows(od.index, prerequisite):
                continue
            offering = od.index
            if offering not in first:
                first[offering] = model.new_int_var(0, term_periods, f"first[{offering}]")
                for start, lit in starts[offering].items():
                    model.add(first[offering] <= start).only_enforce_if(lit)
            if prerequisite not in last:
                length = inst.offerings[prerequisite].length
                last[prerequisite] = model.new_int_var(0, term_periods, f"last[{prerequisite}]")
                for start, lit in prerequisite_starts.items():
                    model.add(last[prerequisite] >= start + length).only_enforce_if(lit)
            model.add(first[offering] >= last[prerequisite])


def _minimum(model: Any, terms: list[Any], time_limit: float) -> tuple[float, bool] | None:
    """Minimise ``terms`` in the CP-SAT ``model`` within ``time_limit`` on one worker: (the
    proven lower bound, whether it is the optimum), or None when infeasible or nothing proved."""
    from ortools.sat.python import cp_model

    model.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = 1
    status = solver.solve(model)
    if status == cp_model.INFEASIBLE:
        return None
    if status == cp_model.OPTIMAL:
        return solver.objective_value, True
    bound = solver.best_objective_bound
    if not math.isfinite(bound):
        return None
    return max(0.0, math.ceil(bound - 1e-6)), False
