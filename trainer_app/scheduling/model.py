"""CP-SAT model that re-places a chosen set of sessions while every other session stays put.

With every session free it is the exact model of the whole scenario (small instances, with a
proof of optimality); with a few dozen free it is the repair step of large-neighbourhood search.
Time is indexed: ``x[s, g]`` says session ``s`` starts at global period ``g``, so days, spread
and cohort compactness are linear; facility, trainer and cohort clashes are optional intervals
under no-overlap constraints, with fixed sessions and unavailable periods as blocking intervals.

Every variable, auxiliary ones included, is hinted with its value in the current timetable, so
the solver starts from the incumbent and any solution it reports is at least as good.
"""

from __future__ import annotations

import itertools
import threading
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from ortools.sat.python import cp_model

from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.rules import Face, Rule, Term, enforces
from trainer_app.scheduling.scenario import PlanStatus
from trainer_app.scheduling.schedule import Key, Placement, Schedule

UNPLACED_PENALTY = 1_000_000  # per session: placing everything that fits comes first


@dataclass
class SubResult:
    assignment: dict[Key, Placement] | None  # None: no solution within the time limit
    status: PlanStatus  # optimal, feasible, infeasible or unknown
    objective: float | None
    bound: float | None


class _Callback(cp_model.CpSolverSolutionCallback):
    """Reports each improving solution (objective, bound) as the solver finds it."""

    def __init__(self, on_solution: Callable[[float, float], None] | None) -> None:
        super().__init__()
        self.on_solution = on_solution

    def on_solution_callback(self) -> None:
        if self.on_solution is not None:
            self.on_solution(self.objective_value, self.best_objective_bound)


@contextmanager
def _watchdog(solver: cp_model.CpSolver, should_stop: Callable[[], bool] | None) -> Iterator[None]:
    """Stop the search within 0.1 s of ``should_stop`` saying so (Cancel in the GUI)."""
    if should_stop is None:
        yield
        return
    done = threading.Event()

    def watch() -> None:
        while not done.wait(0.1):
            if should_stop():
                solver.stop_search()
                return

    thread = threading.Thread(target=watch, name="cp-sat-watchdog", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()


def isolated_sessions(inst: Instance, assignment: dict[Key, Placement]) -> set[tuple[int, Key]]:
    """(cohort, session) pairs that are isolated in ``assignment`` (for hints)."""
    P = inst.P
    covered: dict[int, Counter[int]] = defaultdict(Counter)
    for (o, _s), (g, _f, _t) in assignment.items():
        for c in inst.offerings[o].cohorts:
            for q in range(g, g + inst.offerings[o].length):
                covered[c][q] += 1
    out = set()
    for key, (g, _f, _t) in assignment.items():
        end = g + inst.offerings[key[0]].length
        for c in inst.offerings[key[0]].cohorts:
            before = g % P > 0 and covered[c][g - 1] > 0
            after = end % P > 0 and covered[c][end] > 0
            if not (before or after):
                out.add((c, key))
    return out


class SubModel:
    """Build once, solve once. ``free`` sessions move; ``insert`` offerings may be added."""

    def __init__(
        self,
        inst: Instance,
        current: dict[Key, Placement],
        free: set[Key],
        insert: set[int],
        days: set[int] | None = None,
        guide: dict[Key, Placement] | None = None,
        *,
        costs: bool = True,
    ) -> None:
        """``guide`` hints where inserted runs should go (re-planning: where they were).
        Without ``costs`` the model only places as many sessions as it can (feasibility)."""
        self.inst = inst
        self.with_costs = costs
        self.m = cp_model.CpModel()
        self.current = current
        self.insert = self._insertable(set(insert), current)
        self.free = {k for k in free if k in current} | {
            (o, s) for o in self.insert for s in range(inst.offerings[o].sessions)
        }
        self.hinted = {
            k: v for k, v in (guide or {}).items() if k[0] in self.insert and k not in current
        } | current
        self.days = days if days is not None else set(range(inst.D))
        self.fixed = {k: v for k, v in current.items() if k not in self.free}
        self.occupied = Schedule.of(inst, self.fixed)
        self.x: dict[Key, dict[int, Any]] = {}
        self.z: dict[Key, dict[int, Any]] = {}
        self.y: dict[int, dict[int, Any]] = {}
        self.placed: dict[int, Any] = {}
        self.start: dict[Key, Any] = {}
        self.interval: dict[Key, Any] = {}
        self.trainer_of: dict[int, int | None] = {}
        self.teaching: dict[tuple[Key, int, int], Any] = {}
        self.by_cohort: dict[int, list[Key]] = defaultdict(list)
        self.cost_terms: dict[str, list[Any]] = defaultdict(list)
        self.unplaced_terms: list[Any] = []
        self.feasible = True
        self._build()

    # ----- variables with hints ------------------------------------------------------------
    def _bool(self, name: str, hint: bool) -> Any:
        var = self.m.new_bool_var(name)
        self.m.add_hint(var, bool(hint))
        return var

    def _int(self, lo: int, hi: int, name: str, hint: int) -> Any:
        var = self.m.new_int_var(lo, hi, name)
        self.m.add_hint(var, min(hi, max(lo, hint)))
        return var

    def now(self, key: Key) -> Placement | None:
        """Where a free session is in the current timetable; for an inserted run where the
        guide puts it (None without one)."""
        return self.hinted.get(key)

    # ----- which sessions and offerings take part ------------------------------------------
    def _insertable(self, wanted: set[int], current: dict[Key, Placement]) -> set[int]:
        """Runs that can be added: they have options, and what they follow is placed or added."""
        offerings = self.inst.offerings
        chosen = {
            o
            for o in wanted
            if offerings[o].trainers and offerings[o].facilities and offerings[o].starts
        }
        while True:
            keep = {
                o
                for o in chosen
                if all((p, 0) in current or p in chosen for p in offerings[o].after)
            }
            if keep == chosen:
                return keep
            chosen = keep

    def offerings_in_play(self) -> list[OfferingData]:
        return [self.inst.offerings[o] for o in sorted({o for o, _ in self.free})]

    def free_sessions(self, offering: int) -> list[int]:
        return sorted(s for (oo, s) in self.free if oo == offering)

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        for od in self.offerings_in_play():
            self._offering_variables(od)
            if not self.feasible:
                return
        self._facility_constraints()
        self._trainer_constraints()
        self._cohort_constraints()
        self._order_constraints()
        if self.with_costs:
            self._costs()

    def _bounds(self, od: OfferingData) -> tuple[int, int]:
        """Earliest start and latest end allowed by fixed sessions of linked offerings."""
        earliest, latest = 0, od.deadline
        for (o, _s), (g, _f, _t) in self.fixed.items():
            if o in od.after:
                earliest = max(earliest, g + self.inst.offerings[o].length)
            if o in od.before:
                latest = min(latest, g)
        return earliest, latest

    @enforces(Rule.LOCK, Rule.COHORT_CLASH, Rule.AFTER, face=Face.MODEL)
    def _offering_variables(self, od: OfferingData) -> None:
        m, inst = self.m, self.inst
        o, L, P = od.index, od.length, inst.P
        optional = o in self.insert
        placed = self._bool(f"placed[{o}]", (o, 0) in self.hinted) if optional else 1
        self.placed[o] = placed
        if optional:
            self.unplaced_terms.append(od.sessions * (1 - placed))
        trainers = self._trainers(od)
        earliest, latest = self._bounds(od)
        cohorts_busy = [self.occupied.cohort_busy[c] for c in od.cohorts]
        for s in self.free_sessions(o):
            key = (o, s)
            lock = inst.locks.get(key)
            starts = [
                g
                for g in od.starts
                if earliest <= g
                and g + L <= latest
                and g // P in self.days
                and not any(busy[q] for busy in cohorts_busy for q in range(g, g + L))
            ]
            if lock is not None:
                starts = [g for g in starts if g == lock[0]]
            if len(trainers) == 1:
                t = trainers[0]
                blocked, busy = inst.trainer_blocked[t], self.occupied.trainer_busy[t]
                starts = [
                    g for g in starts if not any(blocked[q] or busy[q] for q in range(g, g + L))
                ]
            facilities = [lock[1]] if lock is not None and lock[1] is not None else od.facilities
            if not starts or not facilities:
                if not optional:
                    self.feasible = False
                    return
                m.add(placed == 0)
                starts, facilities = od.starts[:1], od.facilities[:1]
            now = self.now(key)
            xs = {g: self._bool(f"x[{o},{s},{g}]", now is not None and now[0] == g) for g in starts}
            m.add(sum(xs.values()) == placed)
            self.x[key] = xs
            start = self._int(
                min(starts), max(starts), f"start[{o},{s}]", now[0] if now else min(starts)
            )
            link = m.add(start == sum(g * v for g, v in xs.items()))
            if optional:
                link.only_enforce_if(placed)
                self.interval[key] = m.new_optional_fixed_size_interval_var(
                    start, L, placed, f"i[{o},{s}]"
                )
            else:
                self.interval[key] = m.new_fixed_size_interval_var(start, L, f"i[{o},{s}]")
            self.start[key] = start
            self.z[key] = {
                f: self._bool(f"z[{o},{s},{f}]", now is not None and now[1] == f)
                for f in facilities
            }
            m.add(sum(self.z[key].values()) == placed)
            for c in od.cohorts:
                self.by_cohort[c].append(key)

    @enforces(Rule.TRAINER_CHANGES, Rule.LOCK, face=Face.MODEL)
    def _trainers(self, od: OfferingData) -> list[int]:
        """The trainer is fixed when some sessions of the run stay put; else a choice."""
        o, inst = od.index, self.inst
        fixed = {t for (oo, _), (_, _, t) in self.fixed.items() if oo == o}
        if fixed:
            self.trainer_of[o] = next(iter(fixed))
            return list(fixed)
        self.trainer_of[o] = None
        trainers = list(od.trainers)
        lock_trainers = {
            inst.locks[(o, s)][2]
            for s in range(od.sessions)
            if (o, s) in inst.locks and inst.locks[(o, s)][2] is not None
        }
        if lock_trainers:
            trainers = [t for t in trainers if t in lock_trainers]
        now = next((t for (oo, _), (_, _, t) in self.hinted.items() if oo == o), None)
        self.y[o] = {t: self._bool(f"y[{o},{t}]", t == now) for t in trainers}
        self.m.add(sum(self.y[o].values()) == self.placed[o])
        return trainers

    # ----- resources -----------------------------------------------------------------------
    def _blockers(self, blocked: list[int], label: str) -> list[Any]:
        """Fixed intervals covering runs of consecutive blocked periods."""
        out = []
        for _, run in itertools.groupby(enumerate(blocked), key=lambda p: p[1] - p[0]):
            periods = [q for _, q in run]
            out.append(
                self.m.new_fixed_size_interval_var(
                    periods[0], len(periods), f"b[{label},{periods[0]}]"
                )
            )
        return out

    def _window(self, keys: list[Key]) -> range:
        starts = [g for k in keys for g in self.x[k]]
        longest = max(self.inst.offerings[o].length for o, _ in keys)
        return range(min(starts), min(self.inst.T, max(starts) + longest))

    def _no_overlap(
        self, items: list[tuple[Key, Any]], static: bytearray | None, busy: bytearray, label: str
    ) -> None:
        window = self._window([k for k, _ in items])
        blocked = [q for q in window if busy[q] or (static is not None and static[q])]
        intervals = [i for _, i in items] + self._blockers(blocked, label)
        if len(intervals) > 1:
            self.m.add_no_overlap(intervals)

    @enforces(Rule.FACILITY_CLASH, Rule.UNAVAILABLE, face=Face.MODEL)
    def _facility_constraints(self) -> None:
        m, inst = self.m, self.inst
        by_facility: dict[int, list[tuple[Key, Any]]] = defaultdict(list)
        for key, zs in self.z.items():
            L = inst.offerings[key[0]].length
            for f, lit in zs.items():
                interval = m.new_optional_fixed_size_interval_var(
                    self.start[key], L, lit, f"if[{key},{f}]"
                )
                by_facility[f].append((key, interval))
        for f, items in by_facility.items():
            self._no_overlap(
                items, inst.facility_blocked[f], self.occupied.facility_busy[f], f"f{f}"
            )

    @enforces(Rule.TRAINER_CLASH, Rule.UNAVAILABLE, face=Face.MODEL)
    def _trainer_constraints(self) -> None:
        m, inst = self.m, self.inst
        by_trainer: dict[int, list[tuple[Key, Any]]] = defaultdict(list)
        for key in self.x:
            o = key[0]
            L = inst.offerings[o].length
            fixed_t = self.trainer_of[o]
            if fixed_t is not None:
                by_trainer[fixed_t].append((key, self.interval[key]))
                continue
            for t, lit in self.y[o].items():
                interval = m.new_optional_fixed_size_interval_var(
                    self.start[key], L, lit, f"it[{key},{t}]"
                )
                by_trainer[t].append((key, interval))
        for t, items in by_trainer.items():
            self._no_overlap(items, inst.trainer_blocked[t], self.occupied.trainer_busy[t], f"t{t}")
            self._trainer_days(t, [k for k, _ in items])

    def day_of(self, key: Key, day: int) -> Any:
        """1 when session ``key`` falls on day ``d`` (a linear expression over x)."""
        P = self.inst.P
        return sum(v for g, v in self.x[key].items() if g // P == day)

    def teaches_on(self, key: Key, trainer: int, day: int) -> Any:
        """1 when ``trainer`` teaches session ``key`` on ``day``."""
        offering = key[0]
        if self.trainer_of[offering] is not None:
            return self.day_of(key, day) if self.trainer_of[offering] == trainer else 0
        lit = self.teaching.get((key, trainer, day))
        if lit is None:
            now = self.now(key)
            hint = now is not None and now[2] == trainer and now[0] // self.inst.P == day
            lit = self._bool(f"w[{key},{trainer},{day}]", hint)
            on_day, chosen = self.day_of(key, day), self.y[offering][trainer]
            self.m.add(lit <= chosen)
            self.m.add(lit <= on_day)
            self.m.add(lit >= chosen + on_day - 1)
            self.teaching[(key, trainer, day)] = lit
        return lit

    @enforces(
        Rule.TRAINER_DAY_LIMIT, Rule.TRAINER_WEEK_LIMIT, Rule.TRAINER_TOTAL_LIMIT, face=Face.MODEL
    )
    def _trainer_days(self, trainer: int, keys: list[Key]) -> None:
        m, inst, P = self.m, self.inst, self.inst.P
        days: dict[int, list[Key]] = defaultdict(list)
        for key in keys:
            for d in {g // P for g in self.x[key]}:
                days[d].append(key)
        limit, week_limit = inst.trainer_day_limit[trainer], inst.trainer_week_limit[trainer]
        needs_load = limit < P or week_limit is not None
        weeks: dict[int, list[Any]] = defaultdict(list)
        for d, day_keys in days.items():
            if needs_load:
                load = [
                    inst.offerings[k[0]].length * self.teaches_on(k, trainer, d) for k in day_keys
                ]
                if limit < P:
                    m.add(sum(load) + self.occupied.trainer_day[trainer][d] <= limit)
                weeks[inst.week_of_day[d]].extend(load)
            self._one_hub(trainer, d, day_keys)
        if week_limit is not None:
            for week, terms in weeks.items():
                m.add(sum(terms) + self.occupied.trainer_week[trainer][week] <= week_limit)
        total_limit = inst.trainer_total_limit[trainer]
        if total_limit is not None:
            m.add(self.trainer_load(trainer, keys) <= total_limit)

    def trainer_load(self, trainer: int, keys: Iterable[Key]) -> Any:
        terms = []
        for key in keys:
            o = key[0]
            L = self.inst.offerings[o].length
            if self.trainer_of[o] is None:
                if trainer in self.y[o]:
                    terms.append(L * self.y[o][trainer])
            elif self.trainer_of[o] == trainer:
                terms.append(L * self.placed[o])
        return sum(terms) + self.occupied.trainer_total[trainer]

    @enforces(Rule.TRAINER_TWO_HUBS, face=Face.MODEL)
    def _one_hub(self, trainer: int, day: int, keys: list[Key]) -> None:
        inst, m = self.inst, self.m
        fixed_hubs = {
            h for h, n in self.occupied.trainer_day_hub[trainer].get(day, {}).items() if n
        }
        hubs_of = {k: {inst.facility_hub[f] for f in self.z[k]} for k in keys}
        all_hubs = set().union(*hubs_of.values()) | fixed_hubs
        if len(all_hubs) <= 1:
            return
        if fixed_hubs:
            home = min(fixed_hubs)
            for k in keys:
                away = [lit for f, lit in self.z[k].items() if inst.facility_hub[f] != home]
                if away:
                    m.add(self.teaches_on(k, trainer, day) + sum(away) <= 1)
            return
        at_now = {
            inst.facility_hub[f]
            for k in keys
            if (now := self.now(k)) is not None
            for (g, f, tt) in [now]
            if tt == trainer and g // inst.P == day
        }
        at = {h: self._bool(f"a[{trainer},{day},{h}]", h in at_now) for h in all_hubs}
        m.add(sum(at.values()) <= 1)
        for k in keys:
            teaches = self.teaches_on(k, trainer, day)
            for h in hubs_of[k]:
                here = [lit for f, lit in self.z[k].items() if inst.facility_hub[f] == h]
                m.add(teaches + sum(here) - 1 <= at[h])

    @enforces(Rule.COHORT_CLASH, face=Face.MODEL)
    def _cohort_constraints(self) -> None:
        for c, keys in self.by_cohort.items():
            items = [(k, self.interval[k]) for k in keys]
            self._no_overlap(items, None, self.occupied.cohort_busy[c], f"c{c}")

    @enforces(Rule.AFTER, face=Face.MODEL)
    def _order_constraints(self) -> None:
        m, inst = self.m, self.inst
        for od in self.offerings_in_play():
            o = od.index
            keys = [(o, s) for s in self.free_sessions(o)]
            when: list[Any] = [self.placed[o]] if o in self.insert else []
            movable = [k for k in keys if k not in inst.locks and k not in inst.previous]
            for a, b in itertools.pairwise(movable):  # identical sessions: number them in order
                m.add(self.start[a] < self.start[b]).only_enforce_if(when)
            if od.consecutive:
                self._consecutive(od, keys, when)
            for p in od.after:
                if o in self.insert and p in self.insert:
                    m.add(self.placed[o] <= self.placed[p])  # never a run without its prerequisite
                for k in keys:
                    for pk in [(p, s) for s in self.free_sessions(p)]:
                        lits = when + ([self.placed[p]] if p in self.insert else [])
                        m.add(
                            self.start[k] >= self.start[pk] + inst.offerings[p].length
                        ).only_enforce_if(lits)

    @enforces(Rule.CONSECUTIVE_DAYS, face=Face.MODEL)
    def _consecutive(self, od: OfferingData, keys: list[Key], when: list[Any]) -> None:
        """One day each, on consecutive calendar positions: distinct days spanning S−1.

        Holds across fixed, locked and free sessions of the run alike."""
        m, P = self.m, self.inst.P
        days: list[Any] = [
            m.new_constant(g // P) for (o, _), (g, _, _) in self.fixed.items() if o == od.index
        ]
        for k in keys:
            lo = min(self.x[k]) // P
            hi = max(self.x[k]) // P
            day = m.new_int_var(lo, hi, f"dayof[{k}]")
            m.add(day == sum((g // P) * v for g, v in self.x[k].items())).only_enforce_if(when)
            days.append(day)
        if len(days) < 2:
            return
        first = m.new_int_var(0, self.inst.D, f"first[{od.index}]")
        last = m.new_int_var(0, self.inst.D, f"last[{od.index}]")
        m.add_min_equality(first, days)
        m.add_max_equality(last, days)
        m.add_all_different(days).only_enforce_if(when)
        m.add(last - first == od.sessions - 1).only_enforce_if(when)

    # ----- soft costs ----------------------------------------------------------------------
    def _costs(self) -> None:
        weights = self.inst.weights
        for od in self.offerings_in_play():
            keys = [(od.index, s) for s in self.free_sessions(od.index)]
            for k in keys:
                self._session_costs(od, k)
            if od.min_days > 1 and weights[Term.SPREAD_SHORTFALL]:
                self._spread(od, keys)
            if weights[Term.FACILITY_CHANGES] and len(od.facilities) > 1:
                self._facility_changes(od, keys)
        if weights[Term.COHORT_ISOLATED]:
            self._isolation()
        if weights[Term.LOAD_BALANCE]:
            self._peak_load()

    @enforces(Term.CAPACITY_OVERFLOW, Term.LATE_FINISH, face=Face.MODEL)
    def _session_costs(self, od: OfferingData, key: Key) -> None:
        P, terms = self.inst.P, self.cost_terms
        terms[Term.CAPACITY_OVERFLOW].extend(
            od.overflow[f] * lit for f, lit in self.z[key].items() if f in od.overflow
        )
        terms[Term.LATE_FINISH].extend(v for g, v in self.x[key].items() if g % P + od.length == P)
        if self.inst.weights[Term.TRAINER_AWAY]:
            self._away(key)
        if self.inst.weights[Term.MOVES] and key in self.inst.previous:
            self._moves(key)

    @enforces(Term.SPREAD_SHORTFALL, face=Face.MODEL)
    def _spread(self, od: OfferingData, keys: list[Key]) -> None:
        m, P, o = self.m, self.inst.P, od.index
        fixed_days = {g // P for (oo, _), (g, _, _) in self.fixed.items() if oo == o}
        now_days = {now[0] // P for k in keys if (now := self.now(k)) is not None}
        used = []
        for d in sorted({g // P for k in keys for g in self.x[k]} - fixed_days):
            lit = self._bool(f"day[{o},{d}]", d in now_days)
            m.add(lit <= sum(self.day_of(k, d) for k in keys))
            used.append(lit)
        slack = od.min_days * (1 - self.placed[o]) if o in self.insert else 0
        current = max(0, od.min_days - len(fixed_days | now_days)) if now_days else 0
        short = self._int(0, od.min_days, f"short[{o}]", current)
        m.add(short >= od.min_days - len(fixed_days) - sum(used) - slack)
        self.cost_terms[Term.SPREAD_SHORTFALL].append(short)

    @enforces(Term.FACILITY_CHANGES, face=Face.MODEL)
    def _facility_changes(self, od: OfferingData, keys: list[Key]) -> None:
        m, o = self.m, od.index
        fixed = {f for (oo, _), (_, f, _) in self.fixed.items() if oo == o}
        now = {n[1] for k in keys if (n := self.now(k)) is not None}
        used = []
        for f in od.facilities:
            lits = [self.z[k][f] for k in keys if f in self.z[k]]
            if f in fixed or not lits:
                continue
            u = self._bool(f"used[{o},{f}]", f in now)
            for lit in lits:
                m.add(u >= lit)
            used.append(u)
        base = len(fixed) - 1 if fixed else -self.placed[o]
        self.cost_terms[Term.FACILITY_CHANGES].append(sum(used) + base)

    @enforces(Term.TRAINER_AWAY, face=Face.MODEL)
    def _away(self, key: Key) -> None:
        inst, m = self.inst, self.m
        o = key[0]
        fixed_t = self.trainer_of[o]
        if fixed_t is not None:
            home = inst.trainer_hub[fixed_t]
            self.cost_terms[Term.TRAINER_AWAY].extend(
                lit for f, lit in self.z[key].items() if inst.facility_hub[f] != home
            )
            return
        now = self.now(key)
        hint = now is not None and inst.facility_hub[now[1]] != inst.trainer_hub[now[2]]
        away = self._bool(f"away[{key}]", hint)
        for t, y in self.y[o].items():
            far = [
                lit for f, lit in self.z[key].items() if inst.facility_hub[f] != inst.trainer_hub[t]
            ]
            if far:
                m.add(away >= y + sum(far) - 1)
        self.cost_terms[Term.TRAINER_AWAY].append(away)

    @enforces(Term.MOVES, face=Face.MODEL)
    def _moves(self, key: Key) -> None:
        m, o = self.m, key[0]
        g0, f0, t0 = self.inst.previous[key]
        now = self.now(key)
        moved = self._bool(f"moved[{key}]", now is not None and now != (g0, f0, t0))
        placed = self.placed[o]  # a session left out is not "moved" (it counts as unplaced)
        m.add(moved >= placed - self.x[key].get(g0, 0))
        m.add(moved >= placed - self.z[key].get(f0, 0))
        if self.trainer_of[o] is None:
            m.add(moved >= placed - self.y[o].get(t0, 0))
        elif self.trainer_of[o] != t0:
            m.add(moved >= placed)
        if o in self.insert:
            m.add(moved <= placed)
        self.cost_terms[Term.MOVES].append(moved)

    @enforces(Term.COHORT_ISOLATED, face=Face.MODEL)
    def _isolation(self) -> None:
        """cohort_isolated for every session of an affected cohort on the free sessions' days."""
        inst, m, P = self.inst, self.m, self.inst.P
        isolated_now = isolated_sessions(inst, self.current)
        for c, keys in self.by_cohort.items():
            covering: dict[int, list[Any]] = defaultdict(list)
            for k in keys:
                L = inst.offerings[k[0]].length
                for g, v in self.x[k].items():
                    for q in range(g, g + L):
                        covering[q].append(v)
            covered_now = {
                q
                for k in keys
                if (now := self.now(k)) is not None
                for q in range(now[0], now[0] + inst.offerings[k[0]].length)
            }
            occupancy: dict[int, Any] = {}

            def occ(
                period: int,
                cohort: int = c,
                covering: dict[int, list[Any]] = covering,
                occupancy: dict[int, Any] = occupancy,
                covered_now: set[int] = covered_now,
            ) -> Any:
                """1 when some session of the cohort covers the period (one variable per period)."""
                if period not in occupancy:
                    if self.occupied.cohort_busy[cohort][period] or not covering.get(period):
                        occupancy[period] = 1 if self.occupied.cohort_busy[cohort][period] else 0
                    else:
                        var = self._bool(f"occ[{cohort},{period}]", period in covered_now)
                        m.add(var == sum(covering[period]))
                        occupancy[period] = var
                return occupancy[period]

            def neighbours(start: int, length: int) -> list[Any]:
                out = []
                if start % P:
                    out.append(occ(start - 1))
                if (start + length) % P:
                    out.append(occ(start + length))
                return out

            for k in keys:
                L = inst.offerings[k[0]].length
                iso = self._bool(f"iso[{c},{k}]", (c, k) in isolated_now)
                for g, v in self.x[k].items():
                    m.add(iso >= v - sum(neighbours(g, L)))
                self.cost_terms[Term.COHORT_ISOLATED].append(iso)
            days = {g // P for k in keys for g in self.x[k]}
            for fk, (g, _, _) in self.fixed.items():
                od = inst.offerings[fk[0]]
                if c not in od.cohorts or g // P not in days:
                    continue
                iso = self._bool(f"iso[{c},{fk}]", (c, fk) in isolated_now)
                m.add(iso >= 1 - sum(neighbours(g, od.length)))
                self.cost_terms[Term.COHORT_ISOLATED].append(iso)

    @enforces(Term.LOAD_BALANCE, face=Face.MODEL)
    def _peak_load(self) -> None:
        inst = self.inst
        keys = list(self.x)
        now = Schedule.of(inst, self.current).trainer_total
        peak = self._int(0, inst.T, "peak", max(now, default=0))
        for t in range(len(inst.trainer_ids)):
            self.m.add(peak >= self.trainer_load(t, keys))
        self.cost_terms[Term.LOAD_BALANCE].append(peak)

    # ----- solving -------------------------------------------------------------------------
    @enforces(Rule.UNPLACED, face=Face.MODEL)
    def objective(self) -> Any:
        weights = self.inst.weights
        total = [
            weights[term] * sum(items) for term, items in self.cost_terms.items() if weights[term]
        ]
        return sum(total) + UNPLACED_PENALTY * sum(self.unplaced_terms)

    def solve(
        self,
        *,
        time_limit: float,
        workers: int,
        seed: int,
        should_stop: Callable[[], bool] | None = None,
        on_solution: Callable[[float, float], None] | None = None,
    ) -> SubResult:
        if not self.feasible:
            return SubResult(None, PlanStatus.INFEASIBLE, None, None)
        self.m.minimize(self.objective())
        solver = cp_model.CpSolver()
        params = solver.parameters
        params.max_time_in_seconds = max(0.05, time_limit)
        params.num_workers = workers
        params.random_seed = seed
        # Full presolve costs seconds on these models and loses the hint; a light one pays off.
        params.max_presolve_iterations = 1
        params.cp_model_probing_level = 0
        params.symmetry_level = 0
        with _watchdog(solver, should_stop):
            status = solver.solve(self.m, _Callback(on_solution))
        name = {
            cp_model.OPTIMAL: PlanStatus.OPTIMAL,
            cp_model.FEASIBLE: PlanStatus.FEASIBLE,
            cp_model.INFEASIBLE: PlanStatus.INFEASIBLE,
        }.get(status, PlanStatus.UNKNOWN)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return SubResult(None, name, None, None)
        return SubResult(
            self._read(solver), name, solver.objective_value, solver.best_objective_bound
        )

    def _read(self, solver: cp_model.CpSolver) -> dict[Key, Placement]:
        assignment = dict(self.fixed)
        for key, xs in self.x.items():
            o = key[0]
            if o in self.insert and not solver.boolean_value(self.placed[o]):
                continue
            g = next(g for g, v in xs.items() if solver.boolean_value(v))
            f = next(f for f, v in self.z[key].items() if solver.boolean_value(v))
            trainer = self.trainer_of[o]
            t = (
                trainer
                if trainer is not None
                else next(t for t, v in self.y[o].items() if solver.boolean_value(v))
            )
            assignment[key] = (g, f, t)
        return assignment
