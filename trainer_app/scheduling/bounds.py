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
        units["capacity_overflow"] += _overflow(inst, od)
        units["facility_changes"] += _facility_changes(reach, od)
        if weights["late_finish"]:
            units["late_finish"] += _late(reach, od)
        if weights["trainer_away"]:
            units["trainer_away"] += _away(inst, reach, od)
    if weights["load_balance"]:
        units["load_balance"] = _peak(inst, reach)
    if weights["capacity_overflow"]:
        units["capacity_overflow"] = max(units["capacity_overflow"], _overflow_flow(inst, reach))
    weighted = sum(weights[t] * units[t] for t in units if t not in ("spread_shortfall",))

    # Cohorts: isolated sessions, with the spread of the runs each is given.
    given: dict[int, list[int]] = {}
    owner: dict[int, int] = {}
    if weights["cohort_isolated"]:
        for c, runs in enumerate(inst.cohort_offerings):
            for o in runs:
                owner.setdefault(o, c)
        for o, c in owner.items():
            given.setdefault(c, []).append(o)
    counted: set[int] = set()
    cohort_total = 0.0
    solved = bounded = 0
    order = sorted(range(len(inst.cohort_offerings)), key=lambda c: _size(inst, c))
    if weights["cohort_isolated"]:
        for i, c in enumerate(order):
            mine = given.get(c, [])
            static = weights["spread_shortfall"] * sum(spread[o] for o in mine)
            static += weights["cohort_isolated"] * _lonely(inst, reach, c)
            left = budget - (time.monotonic() - started)
            result = None
            if left > 0 and not (should_stop is not None and should_stop()):
                share = left / (len(order) - i)
                result = _days_model(inst, reach, c, mine, share)
                if result is None and _variables(reach, inst, c) <= COHORT_MODEL_SIZE:
                    result = _cohort(inst, reach, c, mine, share)
            value, proven = result if result is not None else (0.0, False)
            bounded += result is not None
            solved += proven
            cohort_total += max(value, static)
            counted.update(mine)
    spread_units = sum(n for o, n in spread.items() if o not in counted)
    units["spread_shortfall"] = spread_units
    total = weighted + weights["spread_shortfall"] * spread_units + cohort_total
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
    for s in range(od.sessions):
        lock = inst.locks.get((od.index, s))
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
    for f in od.facilities:
        if locked and f not in locked:
            continue
        mask = usable & whole(reach.facility_free[f], od.length)
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
    for i, od in enumerate(runs):
        need = od.sessions * od.length
        flow.set_node_supply(i, need)
        demand += need
        for f in od.facilities:
            unit = od.overflow.get(f, 0) * (scale // od.length)
            flow.add_arc_with_capacity_and_unit_cost(i, facility_node[f], need, unit)
    for f, node in facility_node.items():
        free = bin(reach.facility_free[f]).count("1")
        flow.add_arc_with_capacity_and_unit_cost(node, sink, free, 0)
    flow.set_node_supply(sink, -demand)
    if flow.solve() != flow.OPTIMAL:
        return 0  # the facilities cannot hold every session: no complete plan
    cost: float = flow.optimal_cost()
    return math.ceil(cost / scale - 1e-9)


# ----- per cohort ----------------------------------------------------------------------------


COHORT_MODEL_SIZE = 800  # usable starts above which a cohort's model is not worth its time


def _lonely(inst: Instance, reach: Reach, c: int) -> int:
    """Sessions of cohort ``c`` that are isolated in every plan: each run's sessions beyond
    those that fit at starts where some other session of the cohort could sit just before or
    just after it, the same day."""
    P, T = inst.P, inst.T
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[c])]
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
        L = od.length
        same_day = mask_of([g for g in range(T) if (g + L) % P])
        pairable = usable[od.index] & (before | ((after >> L) & same_day))
        total += max(0, od.sessions - _fits(reach, od, pairable))
    return total


def _variables(reach: Reach, inst: Instance, c: int) -> int:
    return sum(
        bin(reach.usable(inst.offerings[o])).count("1") for o in set(inst.cohort_offerings[c])
    )


def _size(inst: Instance, c: int) -> int:
    return sum(inst.offerings[o].sessions for o in inst.cohort_offerings[c])


def _cohort(
    inst: Instance, reach: Reach, c: int, given: list[int], time_limit: float
) -> tuple[float, bool] | None:
    """Least isolated sessions of cohort ``c`` plus spread shortfall of its ``given`` runs
    (weighted), over its own runs alone: (bound, proven optimal); None when the cohort's runs
    cannot all be placed (no complete plan) or nothing was proven."""
    from ortools.sat.python import cp_model

    P, T = inst.P, inst.T
    weights = inst.weights
    m = cp_model.CpModel()
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[c])]
    starts: dict[int, dict[int, Any]] = {}
    covering: dict[int, list[Any]] = {}
    for od in runs:
        mask = reach.usable(od)
        if not mask:
            return None
        xs = {}
        g = 0
        while mask >> g:
            if (mask >> g) & 1:
                xs[g] = m.new_bool_var(f"n[{od.index},{g}]")
                for q in range(g, g + od.length):
                    covering.setdefault(q, []).append(xs[g])
            g += 1
        m.add(sum(xs.values()) == od.sessions)
        for (o, _s), (lg, _f, _t) in inst.locks.items():
            if o == od.index:
                if lg not in xs:
                    return None
                m.add(xs[lg] == 1)
        by_day: dict[int, list[Any]] = {}
        for g, v in xs.items():
            by_day.setdefault(g // P, []).append(v)
        cap = reach.day_cap(od)
        for items in by_day.values():
            if len(items) > cap:
                m.add(sum(items) <= cap)
        if od.consecutive:
            _consecutive(m, od, by_day)
        starts[od.index] = xs
    for items in covering.values():
        if len(items) > 1:
            m.add(sum(items) <= 1)
    _order(m, runs, starts, inst, T, reach)
    terms = []
    if weights["spread_shortfall"]:
        for o in given:
            od = inst.offerings[o]
            if od.min_days <= 1 or od.consecutive:
                continue
            by_day = {}
            for g, v in starts[o].items():
                by_day.setdefault(g // P, []).append(v)
            used = []
            for d, items in by_day.items():
                day = m.new_bool_var(f"day[{o},{d}]")
                m.add(day <= sum(items))
                used.append(day)
            short = m.new_int_var(0, od.min_days, f"short[{o}]")
            m.add(short >= od.min_days - sum(used))
            terms.append(weights["spread_shortfall"] * short)
        fixed = sum(
            max(0, inst.offerings[o].min_days - inst.offerings[o].sessions)
            for o in given
            if inst.offerings[o].consecutive
        )
        terms.append(m.new_constant(weights["spread_shortfall"] * fixed))

    def occupied(q: int) -> Any:
        return sum(covering.get(q, []))

    for od in runs:
        for g, v in starts[od.index].items():
            near = []
            if g % P:
                near.append(occupied(g - 1))
            if (g + od.length) % P:
                near.append(occupied(g + od.length))
            if not near or not any(covering.get(q) for q in (g - 1, g + od.length)):
                terms.append(weights["cohort_isolated"] * v)
                continue
            iso = m.new_bool_var(f"iso[{od.index},{g}]")
            m.add(iso >= v - sum(near))
            terms.append(weights["cohort_isolated"] * iso)
    return _minimum(m, terms, time_limit)


PATTERN_STEPS = 3_000  # ways of filling a day explored, above which the day model is not used


def _patterns(
    bits: list[int], lengths: list[int], caps: list[int], P: int, later: list[int]
) -> dict[tuple[int, ...], int] | None:
    """Every way to fill one day with the cohort's sessions at their allowed starts: sessions
    per run → the fewest isolated among the ways giving those counts (None: too many ways).
    ``later[r]`` has bit ``q`` set when run ``q`` must come after run ``r``: no session of
    ``r`` then follows one of ``q`` in the day."""
    out: dict[tuple[int, ...], int] = {}
    steps = 0
    runs = range(len(bits))

    def fill(p: int, counts: list[int], placed: list[tuple[int, int]], seen: int) -> bool:
        nonlocal steps
        steps += 1
        if steps > PATTERN_STEPS:
            return False
        if p >= P:
            lonely = sum(
                1
                for i, (start, end) in enumerate(placed)
                if not (i > 0 and placed[i - 1][1] == start)
                and not (i + 1 < len(placed) and placed[i + 1][0] == end)
            )
            key = tuple(counts)
            out[key] = min(out.get(key, lonely), lonely)
            return True
        if not fill(p + 1, counts, placed, seen):
            return False
        for r in runs:
            if (
                (bits[r] >> p) & 1
                and p + lengths[r] <= P
                and counts[r] < caps[r]
                and not later[r] & seen
            ):
                counts[r] += 1
                placed.append((p, p + lengths[r]))
                ok = fill(p + lengths[r], counts, placed, seen | (1 << r))
                placed.pop()
                counts[r] -= 1
                if not ok:
                    return False
        return True

    return out if fill(0, [0] * len(bits), [], 0) else None


def _days_model(
    inst: Instance, reach: Reach, c: int, given: list[int], time_limit: float
) -> tuple[float, bool] | None:
    """The cohort's model by days: each day takes one way of filling it (its sessions, their
    isolated ones), days alike are counted together; every run gets all its sessions.
    Prerequisites, locks and the order of days are dropped (a relaxation), so it is small and
    its bound strong. None when a day has too many ways or the runs cannot all fit."""
    from ortools.sat.python import cp_model

    P, weights = inst.P, inst.weights
    runs = [inst.offerings[o] for o in dict.fromkeys(inst.cohort_offerings[c])]
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
    for d in range(inst.D):
        key = tuple((u >> (d * P)) & reach.day_mask for u in usable)
        if any(key):
            alike[key] = alike.get(key, 0) + 1
    m = cp_model.CpModel()
    sessions: list[list[Any]] = [[] for _ in runs]
    days_used: list[list[Any]] = [[] for _ in runs]
    terms: list[Any] = []
    for k, (key, count) in enumerate(alike.items()):
        patterns = _patterns(list(key), lengths, caps, P, later)
        if patterns is None:
            return None
        chosen = []
        for j, (counts, lonely) in enumerate(patterns.items()):
            n = m.new_int_var(0, count, f"n[{k},{j}]")
            chosen.append(n)
            if lonely:
                terms.append(weights["cohort_isolated"] * lonely * n)
            for r, per_day in enumerate(counts):
                if per_day:
                    sessions[r].append(per_day * n)
                    days_used[r].append(n)
            for a, b in pairs:
                if counts[a] and counts[b]:
                    shared[(a, b)].append(n)
        m.add(sum(chosen) == count)
    for items in shared.values():  # a run and one it must follow share a day at most once
        if len(items) > 0:
            m.add(sum(items) <= 1)
    for r, od in enumerate(runs):
        if not sessions[r]:
            return None
        m.add(sum(sessions[r]) == od.sessions)
    if weights["spread_shortfall"]:
        for r, od in enumerate(runs):
            if od.index not in given or od.min_days <= 1:
                continue
            short = m.new_int_var(0, od.min_days, f"short[{r}]")
            m.add(short >= od.min_days - sum(days_used[r]))
            terms.append(weights["spread_shortfall"] * short)
    return _minimum(m, terms, time_limit)


def _consecutive(m: Any, od: OfferingData, by_day: dict[int, list[Any]]) -> None:
    """One session a day on ``sessions`` consecutive days (calendar positions)."""
    S = od.sessions
    for items in by_day.values():
        m.add(sum(items) <= 1)
    firsts = [d for d in by_day if all(d + k in by_day for k in range(S))]
    block = {d: m.new_bool_var(f"block[{od.index},{d}]") for d in firsts}
    m.add(sum(block.values()) == 1)
    for d, items in by_day.items():
        m.add(sum(items) == sum(block[d0] for d0 in block if d0 <= d < d0 + S))


def _order(
    m: Any,
    runs: list[OfferingData],
    starts: dict[int, dict[int, Any]],
    inst: Instance,
    T: int,
    reach: Reach,
) -> None:
    """A run after another of the cohort (through any chain) starts after that one's last
    session ends."""
    first: dict[int, Any] = {}
    last: dict[int, Any] = {}
    for od in runs:
        for p, p_starts in starts.items():
            if not reach.follows(od.index, p):
                continue
            o = od.index
            if o not in first:
                first[o] = m.new_int_var(0, T, f"first[{o}]")
                for g, v in starts[o].items():
                    m.add(first[o] <= g).only_enforce_if(v)
            if p not in last:
                length = inst.offerings[p].length
                last[p] = m.new_int_var(0, T, f"last[{p}]")
                for g, v in p_starts.items():
                    m.add(last[p] >= g + length).only_enforce_if(v)
            m.add(first[o] >= last[p])


def _minimum(m: Any, terms: list[Any], time_limit: float) -> tuple[float, bool] | None:
    """Minimise ``terms`` in the CP-SAT model ``m`` within ``time_limit`` on one worker: (the
    proven lower bound, whether it is the optimum), or None when infeasible or nothing proved."""
    from ortools.sat.python import cp_model

    m.minimize(sum(terms))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.01, time_limit)
    solver.parameters.num_workers = 1
    status = solver.solve(m)
    if status == cp_model.INFEASIBLE:
        return None
    if status == cp_model.OPTIMAL:
        return solver.objective_value, True
    bound = solver.best_objective_bound
    if not math.isfinite(bound):
        return None
    return max(0.0, math.ceil(bound - 1e-6)), False
