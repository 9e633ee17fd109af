"""Local search over a complete or partial timetable: simulated annealing with delta costs.

The field's strongest methods for course timetabling (Bellio, Ceschia, Di Gaspero and Schaerf's
simulated annealing for ITC-2007) make millions of small moves — move one session to another
start and facility, swap two sessions — each judged by its change in cost alone. This module
turns a timetable into integer arrays, runs that search in ``_anneal`` (compiled with numba; one
independent chain per core, the GIL released), and turns the best placement back.

What the kernel may touch: placed sessions of runs that are not locked and not bound to
consecutive days; each keeps its trainer. Everything else (unplaced runs, locked sessions,
consecutive-day runs, a change of trainer) stays where it is here and is left to the CP-SAT
neighbourhoods. Within that, every hard rule is checked before a move and every cost term but
``load_balance`` (which a move keeping trainers cannot change) is kept up to date by deltas.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from trainer_app.scheduling import _anneal
from trainer_app.scheduling.instance import Instance
from trainer_app.scheduling.rules import Face, Rule, Term, enforces
from trainer_app.scheduling.schedule import Key, Placement

Array = np.ndarray[Any, np.dtype[np.int64]]
log = logging.getLogger(__name__)
CHUNK_SECONDS = 0.05  # time between looks at the clock (and at Cancel)
# The first temperature is at least this share of the median worsening of this many sampled
# moves (ITC-2007 comp05 at 120 s, one chain: 316, 433 and 611 from 4, 4 and 2; 320, 326, 341
# from 16, 12 and 8).
STEEP_SHARE = 0.8
WORSENING_SAMPLES = 2_000


def _csr(rows: list[list[int]]) -> tuple[Array, Array]:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    flat = np.array([x for r in rows for x in r], dtype=np.int64)
    return ptr, flat


@dataclass
class Stats:
    proposals: int = 0
    feasible: int = 0
    accepted: int = 0
    seconds: float = 0.0

    @property
    def per_second(self) -> float:
        return self.proposals / self.seconds if self.seconds > 0 else 0.0


class Annealer:
    """One timetable as arrays, ready for any number of independent chains."""

    def __init__(self, inst: Instance, assignment: dict[Key, Placement]) -> None:
        self.inst = inst
        self.assignment = dict(assignment)
        P, T, D = inst.P, inst.T, inst.D
        offerings = inst.offerings
        published = {o.id for o in inst.scenario.offerings if o.published}
        self.trainer = self._trainers(assignment)
        # Every placed session, and the sessions left out of runs the kernel may place.
        self.keys: list[Key] = sorted(
            set(assignment)
            | {
                (od.index, s)
                for od in offerings
                if od.index in self.trainer and self._insertable(od.index)
                for s in range(od.sessions)
            }
        )
        O, F, R = len(offerings), len(inst.facility_ids), len(inst.trainer_ids)  # noqa: E741
        H = max(1, len(inst.hubs))
        W = max(inst.week_of_day, default=0) + 1
        N = len(self.keys)
        s_off = np.array([o for o, _ in self.keys], dtype=np.int64)
        s_len = np.array([offerings[o].length for o, _ in self.keys], dtype=np.int64)
        s_tr = np.array([self.trainer[o] for o, _ in self.keys], dtype=np.int64)
        s_pg = np.full(N, -1, dtype=np.int64)
        s_pf = np.full(N, -1, dtype=np.int64)
        for i, key in enumerate(self.keys):
            before = inst.previous.get(key)
            if before is not None:
                s_pg[i], s_pf[i] = before[0], before[1]
                if before[2] != self.trainer[key[0]]:
                    s_pg[i] = -2  # another trainer than before: moved wherever it goes
        sessions_of: list[list[int]] = [[] for _ in range(O)]
        for i, (offering, _s) in enumerate(self.keys):
            sessions_of[offering].append(i)
        st_ok = np.zeros((O, T), dtype=np.int64)
        fa_ok = np.zeros((O, F), dtype=np.int64)
        over = np.zeros((O, F), dtype=np.int64)
        for od in offerings:
            st_ok[od.index, od.starts] = 1
            fa_ok[od.index, od.facilities] = 1
            for facility, excess in od.overflow.items():
                over[od.index, facility] = excess
        co_ptr, co = _csr([od.cohorts for od in offerings])
        st_ptr, st = _csr([od.starts for od in offerings])
        fa_ptr, fa = _csr([od.facilities for od in offerings])
        pr_ptr, pr = _csr([od.after for od in offerings])
        su_ptr, su = _csr([od.before for od in offerings])
        se_ptr, se = _csr(sessions_of)
        big = 1 << 40
        weights = inst.weights
        # A session left out costs more than any one move can gain elsewhere: enough that the
        # search puts sessions in, not so much that taking one out to put another in is never
        # tried.
        self.out_weight = 200 * max([w for w in weights.values() if w > 0] or [1])
        self.static = (
            P,
            H,
            s_off,
            s_len,
            s_tr,
            s_pg,
            s_pf,
            np.array([od.min_days for od in offerings], dtype=np.int64),
            np.array([od.deadline for od in offerings], dtype=np.int64),
            co_ptr,
            co,
            st_ptr,
            st,
            fa_ptr,
            fa,
            st_ok,
            fa_ok,
            over,
            pr_ptr,
            pr,
            su_ptr,
            su,
            se_ptr,
            se,
            np.array(inst.facility_hub, dtype=np.int64).reshape(F),
            np.array(inst.trainer_hub, dtype=np.int64).reshape(R),
            np.array(inst.trainer_day_limit, dtype=np.int64).reshape(R),
            np.array(
                [big if w is None else w for w in inst.trainer_week_limit], dtype=np.int64
            ).reshape(R),
            np.array(inst.week_of_day, dtype=np.int64).reshape(D),
            np.array(
                [
                    weights[Term.CAPACITY_OVERFLOW],
                    weights[Term.SPREAD_SHORTFALL],
                    weights[Term.COHORT_ISOLATED],
                    weights[Term.FACILITY_CHANGES],
                    weights[Term.TRAINER_AWAY],
                    weights[Term.LATE_FINISH],
                    weights[Term.MOVES],
                    self.out_weight,
                ],
                dtype=np.int64,
            ),
            np.array(
                [big if w is None else w for w in inst.trainer_total_limit], dtype=np.int64
            ).reshape(R),
        )
        fac_at = np.full((F, T), -1, dtype=np.int64)
        for facility, blocked in enumerate(inst.facility_blocked):
            fac_at[facility, np.frombuffer(bytes(blocked), dtype=np.uint8).astype(bool)] = -2
        tr_at = np.full((R, T), -1, dtype=np.int64)
        for trainer, blocked in enumerate(inst.trainer_blocked):
            tr_at[trainer, np.frombuffer(bytes(blocked), dtype=np.uint8).astype(bool)] = -2
        self.empty = (
            np.full(N, -1, dtype=np.int64),
            np.full(N, -1, dtype=np.int64),
            fac_at,
            tr_at,
            np.full((len(inst.cohort_ids), T), -1, dtype=np.int64),
            np.zeros((R, D), dtype=np.int64),
            np.zeros((R, W), dtype=np.int64),
            np.zeros((R, D, H), dtype=np.int64),
            np.zeros((O, D), dtype=np.int64),
            np.zeros(O, dtype=np.int64),
            np.zeros((O, F), dtype=np.int64),
            np.zeros(O, dtype=np.int64),
            np.array([N], dtype=np.int64),  # sessions not placed
            np.arange(N, dtype=np.int64),  # which (the first ``N`` above)
            np.arange(N, dtype=np.int64),  # where each is in that list (-1: placed)
            np.zeros(R, dtype=np.int64),  # periods each trainer teaches in all
            np.diff(se_ptr),  # sessions of each run not placed
            np.array([N], dtype=np.int64),  # sessions of runs not whole
        )
        movable = [i for i, k in enumerate(self.keys) if self._insertable(k[0], k)]
        self.movable = np.array(movable, dtype=np.int64)
        self.is_movable = np.zeros(N, dtype=np.int64)
        self.is_movable[self.movable] = 1
        # A published run is never taken out to make room for another.
        self.ejectable = self.is_movable.copy()
        for i, (offering, _s) in enumerate(self.keys):
            if offerings[offering].id in published:
                self.ejectable[i] = 0

    def _trainers(self, assignment: dict[Key, Placement]) -> dict[int, int]:
        """Each run's trainer: the one teaching it, else (a run left out) the candidate its
        locks name, else the least loaded candidate."""
        inst = self.inst
        trainer = {o: t for (o, _s), (_g, _f, t) in assignment.items()}
        load = [0] * len(inst.trainer_ids)
        for (o, _s), (_g, _f, t) in assignment.items():
            load[t] += inst.offerings[o].length
        for od in inst.offerings:
            if od.index in trainer or not od.trainers:
                continue
            locked = {
                lock[2]
                for s in range(od.sessions)
                if (lock := inst.locks.get((od.index, s))) is not None and lock[2] is not None
            }
            if locked:
                if len(locked) == 1 and next(iter(locked)) in od.trainers:
                    trainer[od.index] = next(iter(locked))
                continue
            trainer[od.index] = min(od.trainers, key=lambda t: (load[t], t))
        return trainer

    @enforces(Rule.LOCK, Rule.CONSECUTIVE_DAYS, face=Face.SEARCH)
    def _insertable(self, offering: int, key: Key | None = None) -> bool:
        """May the kernel move the run's sessions (``key``: this one), or place them?"""
        inst = self.inst
        od = inst.offerings[offering]
        if od.consecutive or not od.starts or not od.facilities or offering not in self.trainer:
            return False
        if key is not None:
            return key not in inst.locks
        return not any((offering, s) in inst.locks for s in range(od.sessions))

    def state(self) -> tuple[tuple[Array, ...], int]:
        """A fresh copy of the state holding the timetable, and its cost (less load_balance).

        Raises ValueError when the timetable breaks a rule the kernel checks (it never should:
        the caller then keeps to the CP-SAT search)."""
        arrays = tuple(a.copy() for a in self.empty)
        cost = self.out_weight * len(self.keys)
        for i, key in enumerate(self.keys):
            if key not in self.assignment:
                continue
            start, facility, _t = self.assignment[key]
            if not _anneal.feasible(i, start, facility, self.static, arrays):
                raise ValueError(
                    f"session {key} at {(start, facility)} breaks a rule the local search checks"
                )
            cost += _anneal.insert(i, start, facility, self.static, arrays)
        return arrays, cost

    def read(self, starts: Array, facilities: Array) -> dict[Key, Placement]:
        """The placed sessions; a run only partly placed, or placed while a run it must follow
        is not, is left out whole."""
        out = {
            k: (int(starts[i]), int(facilities[i]), self.trainer[k[0]])
            for i, k in enumerate(self.keys)
            if starts[i] >= 0
        }
        gone = {o for o, s in self.keys if (o, s) not in out}
        placed = {o for o, _s in out} - gone
        offerings = self.inst.offerings
        orphans = [o for o in placed if any(p not in placed for p in offerings[o].after)]
        while orphans:  # nor a run whose prerequisite is not in, all down the chain
            placed -= set(orphans)
            orphans = [
                n
                for o in orphans
                for n in offerings[o].before
                if n in placed and any(p not in placed for p in offerings[n].after)
            ]
        return {k: v for k, v in out.items() if k[0] in placed}


@dataclass
class Cooling:
    """Temperatures, in the instance's cost units, over a run of the search."""

    first: float
    last: float
    keep_facility: float = 0.6
    sibling_facility: float = 0.2
    kempe_share: float = 0.3
    kempe_limit: int = 16


def default_temperatures(inst: Instance) -> Cooling:
    """Start where a worsening by four times the smallest weight is accepted a third of the
    time (measured best on course-timetabling terms between 1 and 10), end where no worsening
    is accepted."""
    active = [w for w in inst.weights.values() if w > 0] or [1]
    unit = min(active)
    return Cooling(first=4.0 * unit, last=0.05 * unit)


def calibrated_temperatures(annealer: Annealer, arrays: tuple[Array, ...], seed: int) -> Cooling:
    """``default_temperatures``, started hotter where the landscape is steeper: at least
    ``STEEP_SHARE`` of the median worsening of a sample of moves from the start. Where a
    typical move costs far more than four units (many cohorts sharing each run, as in
    ITC-2007's comp05 and comp12: medians 14 and 9 against 3–6 elsewhere), a start at four
    units freezes the timetable's shape at once and the search ends in whichever valley it
    began in. The sample is made and undone on ``arrays`` (``annealer.state()``), which are left
    as they were."""
    cooling = default_temperatures(annealer.inst)
    sample = _anneal.worsenings(
        annealer.static, arrays, annealer.movable, _anneal.new_rng(seed), WORSENING_SAMPLES
    )
    if len(sample):
        cooling.first = max(cooling.first, STEEP_SHARE * float(np.median(sample)))
    return cooling


class _Chain(threading.Thread):
    def __init__(
        self,
        annealer: Annealer,
        seed: int,
        deadline: float,
        schedule: Cooling,
        should_stop: Callable[[], bool],
    ) -> None:
        super().__init__(name=f"anneal-{seed}", daemon=True)
        self.annealer = annealer
        self.seed = seed
        self.deadline = deadline
        self.schedule = schedule
        self.should_stop = should_stop
        self.arrays, self.cost = annealer.state()
        self.best = np.array([int(self.arrays[17][0]), self.cost], dtype=np.int64)
        self.best_g = self.arrays[0].copy()
        self.best_f = self.arrays[1].copy()
        self.stats = Stats()
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self._run()
        except BaseException as error:  # handed to the caller, raised there
            self.error = error

    def _run(self) -> None:
        annealer, cooling = self.annealer, self.schedule
        rng = _anneal.new_rng(self.seed)
        counts = np.zeros(8, dtype=np.int64)
        chain = np.zeros(max(1, cooling.kempe_limit), dtype=np.int64)
        side = np.zeros(2 * len(chain) + 2, dtype=np.int64)
        started = time.monotonic()
        span = max(1e-3, self.deadline - started)
        chunk = 2_000
        while True:
            now = time.monotonic()
            if now >= self.deadline or self.should_stop():
                break
            frac = (now - started) / span
            ratio = cooling.last / cooling.first
            t_first = cooling.first * ratio**frac
            t_end = cooling.first * ratio ** min(1.0, frac + CHUNK_SECONDS / span)
            self.cost = _anneal.anneal(
                annealer.static,
                self.arrays,
                annealer.movable,
                annealer.is_movable,
                annealer.ejectable,
                self.best_g,
                self.best_f,
                rng,
                chunk,
                t_first,
                t_end,
                self.cost,
                self.best,
                cooling.keep_facility,
                cooling.sibling_facility,
                cooling.kempe_share,
                chain,
                side,
                counts,
            )
            took = time.monotonic() - now
            chunk = max(100, min(chunk * 4, int(chunk * CHUNK_SECONDS / max(took, 1e-6))))
        self.stats = Stats(
            int(counts[0]),
            int(counts[1] + counts[3] + counts[5]),
            int(counts[2] + counts[4] + counts[6]),
            time.monotonic() - started,
        )


@dataclass
class Result:
    assignment: dict[Key, Placement]
    cost: int  # kernel cost: every term but load_balance, and out_weight per session left out
    start_cost: int
    stats: Stats
    left_out: int = 0  # sessions of runs the kernel could not place whole (left out)
    start_left_out: int = 0


def anneal(
    inst: Instance,
    assignment: dict[Key, Placement],
    *,
    seconds: float,
    chains: int = 1,
    seed: int = 0,
    cooling: Cooling | None = None,
    should_stop: Callable[[], bool] | None = None,
    on_progress: Callable[[int], None] | None = None,
) -> Result | None:
    """Improve ``assignment`` for ``seconds`` with ``chains`` independent annealing runs; the
    best placement any of them found (never worse than the start). None when there is nothing
    the kernel may move or the timetable is outside what it checks. ``on_progress`` hears the
    best cost so far of a timetable placing every session it holds (every term but
    load_balance), about four times a second while it falls."""
    annealer = Annealer(inst, assignment)
    if len(annealer.movable) == 0:
        return None
    try:
        arrays, _ = annealer.state()  # for the sample of moves that sets the first temperature
    except ValueError:
        return None
    stop = should_stop or (lambda: False)
    deadline = time.monotonic() + seconds
    prepare()
    if not _ready.wait(timeout=max(0.0, seconds * 0.5)) or stop():
        return None  # still compiling (first run after an install): leave it to CP-SAT
    if _failed:
        raise _failed[0]
    if cooling is None:
        cooling = calibrated_temperatures(annealer, arrays, seed)
    runs = [_Chain(annealer, seed * 7919 + k, deadline, cooling, stop) for k in range(chains)]
    start_cost = runs[0].cost
    start_out = int(runs[0].best[0])
    for run in runs:
        run.start()
    reported = start_cost
    while any(run.is_alive() for run in runs):
        next(run for run in runs if run.is_alive()).join(timeout=0.25)
        complete = [int(run.best[1]) for run in runs if run.best[0] == 0]
        best_now = min(complete, default=reported)
        if on_progress is not None and best_now < reported:
            reported = best_now
            on_progress(best_now)
    for run in runs:
        run.join()
        if run.error is not None:
            raise run.error
    best = min(runs, key=lambda r: (int(r.best[0]), int(r.best[1])))
    stats = Stats(
        sum(r.stats.proposals for r in runs),
        sum(r.stats.feasible for r in runs),
        sum(r.stats.accepted for r in runs),
        max(r.stats.seconds for r in runs),
    )
    return Result(
        annealer.read(best.best_g, best.best_f),
        int(best.best[1]),
        start_cost,
        stats,
        int(best.best[0]),
        start_out,
    )


_warm = threading.Lock()
_ready = threading.Event()
_failed: list[BaseException] = []
_compile_seconds: list[float] = []


def prepare() -> None:
    """Start compiling the kernel (or loading it from the cache) in the background, once per
    process; ``anneal`` waits for it. The first run after an install compiles for several
    seconds; the planner's other phases go on meanwhile."""
    with _warm:
        if _compile_seconds:
            return
        _compile_seconds.append(-1.0)
        threading.Thread(target=_compile, name="anneal-compile", daemon=True).start()


def _compile() -> None:
    started = time.monotonic()
    try:
        try:
            _tiny_run()
        except Exception as error:
            # A compiled file in the cache that cannot be read (written when the machine
            # stopped, or damaged on disk) is not worth failing a plan for: forget it, compile.
            if not _anneal.forget_cache():
                raise
            log.warning("The planner's compiled search was damaged in the cache (%s)", error)
            _tiny_run()
    except BaseException as error:  # handed to the caller, raised there
        _failed.append(error)
    _compile_seconds[0] = time.monotonic() - started
    _ready.set()


def warm_up() -> float:
    """Compile (or load) the kernel now; the seconds it took (once per process)."""
    prepare()
    _ready.wait()
    if _failed:
        raise _failed[0]
    return _compile_seconds[0]


def _tiny_run() -> None:
    """Run every kernel function once on a two-session timetable (types as in real use)."""
    from datetime import date

    from trainer_app.scheduling.instance import build_instance
    from trainer_app.scheduling.scenario import (
        Calendar,
        Cohort,
        Facility,
        Hub,
        Offering,
        Scenario,
        Trainer,
    )

    scenario = Scenario(
        calendar=Calendar((date(2027, 1, 4),), 3),
        hubs=(Hub("h", "h"),),
        facilities=(Facility("f", "h", "classroom", 10, False),),
        trainers=(Trainer("t", "h", frozenset({"w"})),),
        offerings=(Offering("w", "w", 2, 5),),
        cohorts=(Cohort("c", ("w",)),),
    )
    inst = build_instance(scenario)
    annealer = Annealer(inst, {(0, 0): (0, 0, 0)})
    arrays, cost = annealer.state()
    counts = np.zeros(8, dtype=np.int64)
    chain = np.zeros(4, dtype=np.int64)
    best = np.array([1, cost], dtype=np.int64)
    _anneal.anneal(
        annealer.static, arrays, annealer.movable, annealer.is_movable, annealer.ejectable,
        arrays[0].copy(), arrays[1].copy(), _anneal.new_rng(1), 10, 1.0, 0.1, cost, best,
        0.5, 0.2, 0.3, chain, np.zeros(10, dtype=np.int64), counts,
    )  # fmt: skip
    _anneal.worsenings(annealer.static, arrays, annealer.movable, _anneal.new_rng(1), 4)


def rate_hint(stats: Stats) -> str:
    return f"{stats.per_second:,.0f} moves/s" if math.isfinite(stats.per_second) else "?"
