"""The planner: a greedy first timetable, then CP-SAT — exact when the scenario is small,
large-neighbourhood search (free a few days or a few related runs, re-solve, keep if better)
when it is not. Anytime: every improvement is reported and the best plan is always returned.
"""

from __future__ import annotations

import logging
import math
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from trainer_app.scheduling.bounds import lower_bound
from trainer_app.scheduling.explain import (
    check_locks,
    conflicting_runs,
    explain,
)
from trainer_app.scheduling.feasibility import Fill
from trainer_app.scheduling.greedy import Greedy, offering_order, tighten_deadlines, window
from trainer_app.scheduling.instance import Instance, OfferingData, build_instance
from trainer_app.scheduling.model import UNPLACED_PENALTY, SubModel
from trainer_app.scheduling.reach import Reach
from trainer_app.scheduling.repair import Repair
from trainer_app.scheduling.rules import Rule, Term
from trainer_app.scheduling.scenario import Assignment, Plan, PlanStatus, Scenario
from trainer_app.scheduling.schedule import Costs, Key, Placement, Schedule, evaluate

if TYPE_CHECKING:
    from trainer_app.scheduling import local_search

log = logging.getLogger(__name__)

EXACT_SIZE = 50_000  # (start × trainer) choices up to which the whole scenario is one model
NEIGHBOURHOOD_SESSIONS = 40  # sessions freed per local-search step, adapted as it runs
# Re-planning puts back displaced runs in ever wider neighbourhoods: (days either side of where
# they were, sessions of competing runs that may move, links of following runs that may move).
# The first step moves nothing else: wherever a displaced run still fits as the term stands
# (CP-SAT proves it in a tenth of a second where the steps that move others can find no first
# solution in seconds on a dense term).
MEND_STEPS = ((10, 0, 0), (3, 80, 1), (5, 150, 1_000))
# Building the whole-scenario model takes a good part of this on a small scenario's largest
# sizes, and the build is not within the solver's own time limit: with less left, it is skipped.
MIN_EXACT_SECONDS = 0.5
BOUND_SHARE = 0.1  # of the time limit, at most, for the lower bound's cohort models
CORE_BUDGET = 1.0  # seconds, at most, to look for infeasible cores around runs left out
REORDER_SHARE = 0.3  # of the time left for greedy restarts while some runs are left out
# ... and at most this long: when restarts have not placed everything by then, CP-SAT insertion
# usually does within a second or two (ITC-2007 comp05 and comp14 spent 90 s of 300 in restarts
# that never completed them, and their left-out run was then placed in about a second).
REORDER_SECONDS = 5.0
REORDER_STALE = 25  # restarts in a row that found nothing better end the restarts
FILL_SHARE = 0.85  # of the time left after them for CP-SAT insertion of left-out runs
# Of the time left, for putting in left-out runs: annealing first (it usually places them within
# seconds when it can), then CP-SAT (the exact model until complete on small terms, or LNS).
ANNEAL_INSERT_SHARE = 0.15
INSERT_SHARE = 0.4
ANNEAL_SHARE = 0.85  # of the time left then, for simulated annealing
ANNEAL_SHARE_SMALL = 0.8  # the same when the exact model follows
EXACT_FIRST_SIZE = 2_000  # (start × trainer) choices up to which the exact model goes first


@dataclass(frozen=True)
class Progress:
    elapsed: float
    cost: float | None
    bound: float | None
    placed_sessions: int
    total_sessions: int
    message: str


ProgressCallback = Callable[[Progress], None]


class _Run:
    def __init__(
        self,
        scenario: Scenario,
        time_limit: float,
        workers: int,
        seed: int,
        on_progress: ProgressCallback | None,
        should_stop: Callable[[], bool] | None,
    ) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + time_limit
        self.time_limit = time_limit
        # Kept at the end, while runs are left out, to prove why (explain.py's infeasible cores):
        # the search stops that much earlier so the plan still comes within the time limit.
        self.explain_reserve = min(CORE_BUDGET, 0.05 * time_limit)
        self.inst: Instance = build_instance(scenario)
        self.workers = workers or max(1, os.cpu_count() or 1)
        self.seed = seed
        self.rng = random.Random(seed)
        self.on_progress = on_progress
        self.external_stop = should_stop
        self.best: dict[Key, Placement] = {}
        self.best_cost: Costs | None = None
        self.bound: float | None = None
        self.proven = False
        self.history: list[tuple[float, float]] = []
        self.steps = 0
        self.improvements = 0
        self.reasons: dict[int, object] = {}
        self.conflict: list[int] | None = None
        self.reach: Reach | None = None  # what each run can reach at all (bounds, verdicts)
        self.bound_seconds = 0.0
        self.anneal_stats: local_search.Stats | None = None

    # ----- time and reporting --------------------------------------------------------------
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def remaining(self) -> float:
        """Seconds left for the search (less the explanations' reserve while runs are out)."""
        left = self.deadline - time.monotonic()
        if self.best_cost is None or self.best_cost.unplaced:
            left -= self.explain_reserve
        return left

    def explaining_time(self) -> float:
        """What is left of the reserve for proving why runs are out (none after a cancel)."""
        if self.external_stop and self.external_stop():
            return 0.0
        return max(0.0, min(self.explain_reserve, self.deadline - time.monotonic()))

    def stop(self) -> bool:
        return self.remaining() <= 0 or bool(self.external_stop and self.external_stop())

    def cost_value(self, costs: Costs) -> float:
        return costs.total / self.inst.weight_scale

    def report(self, message: str) -> None:
        if self.best_cost is not None:
            self.history.append((round(self.elapsed(), 3), self.cost_value(self.best_cost)))
        if self.on_progress is None:
            return
        total = sum(o.sessions for o in self.inst.offerings)
        cost = self.cost_value(self.best_cost) if self.best_cost else None
        self.on_progress(Progress(self.elapsed(), cost, self.bound, len(self.best), total, message))

    def offer(self, assignment: dict[Key, Placement], message: str) -> bool:
        costs = evaluate(self.inst, assignment)
        if self.best_cost is None or costs.better_than(self.best_cost):
            self.best, self.best_cost = assignment, costs
            self.improvements += 1
            self.report(message)
            return True
        return False

    # ----- phases --------------------------------------------------------------------------
    def construct(self) -> None:
        """A complete plan first: greedy timetable and conflict-directed repair, restarted
        with the runs left out moved forward (squeaky wheel) while that helps, then CP-SAT
        insertion of whatever is still left out (``fill``).

        When re-planning, the previous plan's runs that are still valid stay where they were
        and only the others are placed afresh (no restarts: they would move kept runs).
        """
        tighten_deadlines(self.inst)
        self.attempt(None, self.deadline)
        if not self.inst.previous:
            self.reorder()
        if self.best_cost is not None and self.best_cost.unplaced and not self.stop():
            self.fill()

    def attempt(self, priority: Mapping[int, float] | None, deadline: float) -> None:
        """One greedy timetable in priority order, then repair of whatever it left out, until
        ``deadline`` at the latest."""
        schedule = Schedule(self.inst)
        order = offering_order(self.inst, self.rng, priority)
        kept = self.keep_previous(schedule, order)
        rest = [o for o in order if o not in kept]
        if self.inst.previous:
            rest = [o for o in rest if not self.restore_near(schedule, o)]
            self.offer(without_orphans(self.inst, schedule.placed), "previous plan kept")
            self.mend(dict(schedule.placed))
            schedule = Schedule.of(self.inst, self.best)
            rest = [o for o in order if (o, 0) not in self.best]
        greedy = Greedy(self.inst, schedule, self.rng)
        unplaced = greedy.run(rest, self.external_stop)
        if self.offer(without_orphans(self.inst, schedule.placed), "first timetable"):
            self.reasons = dict(greedy.reasons)
        if unplaced and not self.stop():
            budget = min(
                self.remaining() * 0.5,
                2.0 + 0.01 * len(self.inst.offerings),
                deadline - time.monotonic(),
            )
            restore = self.restore_near if self.inst.previous else None
            repair = Repair(self.inst, schedule, self.rng, restore)
            repair.run(unplaced, time.monotonic() + budget, self.stop)
            orphans = drop_orphans(self.inst, schedule)
            if orphans and not self.stop():
                repair.run(orphans, time.monotonic() + budget / 2, self.stop)
                drop_orphans(self.inst, schedule)
            if self.offer(schedule.copy_assignment(), "room made for left-out runs"):
                self.reasons = dict(greedy.reasons)

    def reorder(self) -> None:
        """Squeaky wheel: start again with the runs left out (and the runs they follow) earlier
        in the order, for a share of the time, keeping the best plan; given up sooner when
        ``REORDER_STALE`` restarts in a row found nothing better (a small term has few orders
        to try, each in milliseconds)."""
        deadline = time.monotonic() + min(self.remaining() * REORDER_SHARE, REORDER_SECONDS)
        priority: dict[int, float] = {}
        stale, improvements = 0, self.improvements
        while (
            self.best_cost is not None
            and self.best_cost.unplaced
            and time.monotonic() < deadline
            and stale < REORDER_STALE
            and not self.stop()
        ):
            for offering in self.unplaced():
                priority[offering] = priority.get(offering, 0.0) + 1
                for prerequisite in self.inst.offerings[offering].after:
                    priority[prerequisite] = priority.get(prerequisite, 0.0) + 0.5
            self.attempt(priority, deadline)
            self.steps += 1
            stale = 0 if self.improvements > improvements else stale + 1
            improvements = self.improvements

    def fill(self) -> None:
        """Complete the plan: CP-SAT inserts each left-out run into the part of the term that
        competes with it (see feasibility.py), for most of the time left; cost comes after."""
        fill = Fill(
            self.inst,
            renumber(self.inst, self.best),
            self.rng,
            self.workers,
            self.stop,
            lambda assignment: self.offer(assignment, "left-out run placed"),
        )
        fill.run(time.monotonic() + self.remaining() * FILL_SHARE)
        self.steps += fill.steps

    def mend(self, current: dict[Key, Placement]) -> None:
        """Re-planning: put back the runs the previous plan can no longer hold while moving as
        few other sessions as possible (minimal perturbation, after UniTime CPSolver's MPP).

        ``current`` is the previous plan as far as it still holds, including runs whose
        prerequisite is displaced. CP-SAT inserts the displaced runs, hinted with where they
        were, into the sessions they compete with (same trainer, cohort or facility) on the
        days around, together with the runs waiting on them; each step widens the reach.
        """
        inst = self.inst
        deadline = time.monotonic() + self.remaining() * 0.6
        for reach, target, depth in MEND_STEPS:
            displaced = {od.index for od in inst.offerings if (od.index, 0) not in current}
            budget = deadline - time.monotonic()
            if not displaced or self.stop() or budget <= 0.05:
                return
            free, days = self.around_previous(current, displaced, reach, target, depth)
            sub = SubModel(inst, current, free, displaced, days, guide=inst.previous)
            result = sub.solve(
                time_limit=budget / 2 if depth < len(inst.offerings) else budget,
                workers=self.workers,
                seed=self.rng.randrange(1 << 30),
                should_stop=self.stop,
            )
            self.steps += 1
            log.debug(
                "mend reach=%d free=%d %s %s", reach, len(free), result.status, result.objective
            )
            if result.assignment is not None:
                current = result.assignment
                self.offer(without_orphans(inst, current), "displaced runs put back")

    def around_previous(
        self,
        current: dict[Key, Placement],
        displaced: set[int],
        reach: int,
        target: int,
        depth: int,
    ) -> tuple[set[Key], set[int]]:
        """What may move to make room for ``displaced`` runs: the runs following them up to
        ``depth`` links, and sessions of the runs they compete with on the days within
        ``reach`` of where they were, nearest first, up to ``target``; and the days to use."""
        inst, P = self.inst, self.inst.P
        was = sorted(
            {
                placement[0] // P
                for o in displaced
                for s in range(inst.offerings[o].sessions)
                if (placement := inst.previous.get((o, s))) is not None
            }
        ) or [self.rng.randrange(inst.D)]
        days = {d for w in was for d in range(max(0, w - reach), min(inst.D, w + reach + 1))}
        waiting: set[int] = set()
        frontier = set(displaced)
        for _ in range(depth):
            frontier = {n for o in frontier for n in inst.offerings[o].before} - waiting
            waiting |= frontier
        free = {k for k in current if k[0] in waiting and k not in inst.locks}
        days |= {current[k][0] // P for k in free}
        rivals = set().union(*(self._neighbours(o) for o in displaced)) - displaced - waiting

        def distance(key: Key) -> int:
            day = current[key][0] // P
            return min(abs(day - w) for w in was)

        candidates = sorted(
            (
                k
                for k in current
                if k[0] in rivals and current[k][0] // P in days and k not in inst.locks
            ),
            key=distance,
        )
        budget = len(free) + target
        for key in candidates:
            if len(free) >= budget:
                break
            od = inst.offerings[key[0]]
            if od.consecutive:
                keys = {(od.index, s) for s in range(od.sessions)}
                if all(k in current and current[k][0] // P in days for k in keys):
                    free |= {k for k in keys if k not in inst.locks}
            else:
                free.add(key)
        return free, days

    def keep_previous(self, schedule: Schedule, order: list[int]) -> set[int]:
        """Keep the previous plan's runs. First every session that is still valid goes back
        exactly where it was (for all runs, so none takes another's old slot); then each run's
        other sessions are repaired. A run that cannot be kept is placed afresh later."""
        if not self.inst.previous:
            return set()
        stale = {o: s for o in order if (s := self._reseat(schedule, o)) is not None}
        return {o for o, sessions in stale.items() if self._complete(schedule, o, sessions)}

    def restore_near(self, schedule: Schedule, offering: int) -> bool:
        """Put run ``offering`` back as the previous plan had it, repairing what no longer fits;
        all or nothing."""
        stale = self._reseat(schedule, offering)
        return stale is not None and self._complete(schedule, offering, stale)

    def _reseat(self, schedule: Schedule, offering: int) -> list[int] | None:
        """Place run ``offering``'s sessions that still fit exactly where the previous plan had
        them; return the others (None when the previous plan did not hold the whole run)."""
        inst = self.inst
        od = inst.offerings[offering]
        before = [inst.previous.get((offering, s)) for s in range(od.sessions)]
        if None in before or len({p[2] for p in before if p is not None}) != 1:
            return None
        stale = []
        for session, placement in enumerate(before):
            assert placement is not None
            if self._still_fits(schedule, od, session, placement):
                schedule.place((offering, session), placement)
            else:
                stale.append(session)
        return stale

    def _complete(self, schedule: Schedule, offering: int, stale: list[int]) -> bool:
        """Re-place ``stale`` sessions: as near as they fit with the run's trainer, else the
        whole run at its old times and rooms with another free trainer. All or nothing."""
        inst = self.inst
        od = inst.offerings[offering]
        if stale and not od.consecutive:
            before = [inst.previous[(offering, s)] for s in range(od.sessions)]
            self._move_nearby(schedule, od, stale, before)
        placed = [(offering, s) for s in range(od.sessions) if (offering, s) in schedule.placed]
        if stale and len(placed) < od.sessions:
            placed = self._other_trainer(schedule, od, placed)
        if len(placed) == od.sessions:
            return True
        for key in placed:
            schedule.remove(key)
        return False

    def _other_trainer(self, schedule: Schedule, od: OfferingData, placed: list[Key]) -> list[Key]:
        """Keep every session's time and room and hand the run to another qualified trainer
        who is free then: a bounded change, instead of moving the run elsewhere."""
        inst = self.inst
        for key in placed:
            schedule.remove(key)
        before = [inst.previous[(od.index, s)] for s in range(od.sessions)]
        earliest, latest = window(inst, schedule, od)
        if any(g < earliest or g + od.length > latest for g, _f, _t in before):
            return []  # a run it follows (or that follows it) has moved: the old times are gone
        for trainer in od.trainers:
            if trainer == before[0][2]:
                continue
            done: list[Key] = []
            for session, (start, facility, _t) in enumerate(before):
                lock = inst.locks.get((od.index, session))
                if (lock is not None and lock[2] is not None) or (
                    schedule.blocker(od.index, start, facility, trainer) is not None
                ):
                    break
                schedule.place((od.index, session), (start, facility, trainer))
                done.append((od.index, session))
            if len(done) == od.sessions:
                return done
            for key in done:
                schedule.remove(key)
        return []

    def _still_fits(
        self, schedule: Schedule, od: OfferingData, session: int, placement: Placement
    ) -> bool:
        start, facility, trainer = placement
        earliest, latest = window(self.inst, schedule, od)
        lock = self.inst.locks.get((od.index, session))
        return (
            start in od.starts
            and facility in od.facilities
            and trainer in od.trainers
            and earliest <= start
            and start + od.length <= latest
            and (
                lock is None
                or (lock[0] == start and lock[1] in (None, facility) and lock[2] in (None, trainer))
            )
            and schedule.blocker(od.index, start, facility, trainer) is None
        )

    def _move_nearby(
        self,
        schedule: Schedule,
        od: OfferingData,
        stale: list[int],
        before: Sequence[Placement | None],
    ) -> list[Key]:
        """Re-place ``stale`` sessions with the run's trainer, as close as possible in time."""
        moved: list[Key] = []
        earliest, latest = window(self.inst, schedule, od)
        for session in stale:
            was_start, was_facility, trainer = before[session]  # type: ignore[misc]
            if (od.index, session) in self.inst.locks or trainer not in od.trainers:
                return moved
            options = sorted(
                (g for g in od.starts if earliest <= g and g + od.length <= latest),
                key=lambda g: abs(g - was_start),
            )
            found = None
            for start in options:
                if schedule.time_blocker(od.index, start, trainer) is not None:
                    continue
                facilities = sorted(od.facilities, key=lambda f: f != was_facility)
                facility = next(
                    (
                        f
                        for f in facilities
                        if schedule.facility_blocker(od.index, start, f, trainer) is None
                    ),
                    None,
                )
                if facility is not None:
                    found = (start, facility, trainer)
                    break
            if found is None:
                return moved
            schedule.place((od.index, session), found)
            moved.append((od.index, session))
        return moved

    def at_bound(self) -> bool:
        """Nothing left to gain: every session placed at a cost equal to the lower bound."""
        if self.bound is None or self.best_cost is None or self.best_cost.unplaced:
            return False
        return self.cost_value(self.best_cost) <= self.bound + 1e-9

    def unplaced(self) -> set[int]:
        return {o.index for o in self.inst.offerings if (o.index, 0) not in self.best}

    def exact(self, budget: float, until_complete: bool = False) -> None:
        """The whole scenario as one CP-SAT model (it places the most it can first, then
        minimises cost). ``until_complete``: stop at the first plan placing every run (the
        local search then lowers its cost faster than the model would)."""
        inst = self.inst
        complete: list[bool] = []
        free = {
            (o.index, s)
            for o in inst.offerings
            for s in range(o.sessions)
            if (o.index, s) in self.best
        }
        sub = SubModel(inst, self.best, free, self.unplaced())

        def improved(objective: float, bound: float) -> None:
            if objective < UNPLACED_PENALTY and until_complete:
                complete.append(True)
            known = self.best_cost
            if known is not None and not known.unplaced and objective >= known.total:
                return  # not better than the plan in hand: nothing to report
            if objective < UNPLACED_PENALTY and self.on_progress is not None:
                self.bound = max(self.bound or 0.0, max(0.0, bound) / inst.weight_scale)
                total = sum(o.sessions for o in inst.offerings)
                cost = objective / inst.weight_scale
                self.history.append((round(self.elapsed(), 3), cost))
                self.on_progress(
                    Progress(
                        self.elapsed(),
                        cost,
                        self.bound,
                        total,
                        total,
                        "exact model: better timetable",
                    )
                )

        result = sub.solve(
            time_limit=budget,
            workers=self.workers,
            seed=self.seed,
            should_stop=lambda: self.stop() or bool(complete),
            on_solution=improved,
        )
        if result.bound is not None and result.bound < UNPLACED_PENALTY:
            self.bound = max(self.bound or 0.0, result.bound / inst.weight_scale)
        if result.assignment is not None:
            self.offer(result.assignment, "exact model")
            # The model places the most it can first, then minimises cost: its optimum is
            # final even when some runs cannot be placed at all.
            self.proven = result.status == PlanStatus.OPTIMAL
            if self.proven and self.best_cost is not None:
                self.bound = self.cost_value(self.best_cost)
            if self.proven and self.unplaced():
                self.conflict = conflicting_runs(
                    inst,
                    time_limit=max(0.5, min(5.0, self.remaining())),
                )

    def improve(self) -> None:
        """After the first timetable: put in what it left out, then lower the cost.

        Simulated annealing first (local_search: millions of moves and swaps judged by their
        change in cost, putting in left-out sessions by taking out those in their way). Runs
        still left out then go to CP-SAT (the exact model on a small scenario, stopped at the
        first complete plan; else neighbourhoods that may insert them), and annealing goes on
        from there. On a small scenario the exact model then starts from the annealed timetable
        and may prove it optimal; large-neighbourhood search takes the rest of the time (it may
        change trainers and move what annealing leaves alone).
        """
        from trainer_app.scheduling import local_search  # numba loads when planning

        local_search.prepare()  # compiles meanwhile the first time
        inst = self.inst
        size = sum(o.sessions * len(o.starts) * max(1, len(o.trainers)) for o in inst.offerings)
        small = size <= EXACT_SIZE
        if size <= EXACT_FIRST_SIZE and not self.stop():
            self.exact(self.remaining() * 0.3)  # a tiny scenario is often proven at once
            if self.proven:
                return
        share = ANNEAL_SHARE_SMALL if small else ANNEAL_SHARE
        if not self.stop():
            self.anneal(self.remaining() * (ANNEAL_INSERT_SHARE if self.unplaced() else share))
        if self.unplaced() and not self.stop():
            if small and self.remaining() >= MIN_EXACT_SECONDS:
                self.exact(self.remaining() * 0.6, until_complete=True)  # stops when complete
            if self.unplaced() and not self.proven and not self.stop():
                self.search(until=time.monotonic() + self.remaining() * INSERT_SHARE)
            if not self.unplaced() and not self.stop():
                self.anneal(self.remaining() * share)
        if small and self.remaining() >= MIN_EXACT_SECONDS and not self.proven:
            self.exact(self.remaining() * 0.7)
        if not self.stop() and not self.proven:
            self.search()

    def anneal(self, budget: float) -> None:
        """Simulated annealing over the placed sessions (see local_search)."""
        from trainer_app.scheduling import local_search  # numba loads when planning

        if budget < 0.2 or self.best_cost is None:
            return
        inst = self.inst
        peak = self.best_cost.units[Term.LOAD_BALANCE] * inst.weights[Term.LOAD_BALANCE]

        def heard(kernel_cost: int) -> None:
            if self.on_progress is not None:
                total = sum(o.sessions for o in inst.offerings)
                cost = (kernel_cost + peak) / inst.weight_scale
                self.history.append((round(self.elapsed(), 3), cost))
                self.on_progress(
                    Progress(self.elapsed(), cost, self.bound, total, total, "local search")
                )

        result = local_search.anneal(
            inst,
            self.best,
            seconds=budget,
            chains=self.workers,
            seed=self.seed,
            should_stop=self.stop,
            on_progress=heard if self.on_progress is not None else None,
        )
        if result is None:
            return
        self.anneal_stats = result.stats
        log.debug(
            "anneal %.1fs %s -> %s, %s",
            result.stats.seconds,
            result.start_cost,
            result.cost,
            local_search.rate_hint(result.stats),
        )
        self.offer(without_orphans(inst, result.assignment), "improved (local search)")

    def search(self, until: float | None = None) -> None:
        """Large-neighbourhood search until ``until``, time runs out or the user stops it."""
        target = NEIGHBOURHOOD_SESSIONS
        while not self.stop() and not self.at_bound():
            if until is not None and (time.monotonic() >= until or not self.unplaced()):
                return
            free, insert, days, kind = self.neighbourhood(target)
            if not free and not insert:
                continue
            budget = min(self.remaining(), 0.4 + target / 200)
            if budget <= 0.05:
                break
            sub = SubModel(self.inst, self.best, free, insert, days)
            result = sub.solve(
                time_limit=budget,
                workers=self.workers,
                seed=self.rng.randrange(1 << 30),
                should_stop=self.stop,
            )
            self.steps += 1
            log.debug(
                "step %d %s free=%d days=%d %s objective=%s t=%.2f",
                self.steps,
                kind,
                len(free),
                len(days or ()),
                result.status,
                result.objective,
                self.elapsed(),
            )
            if result.assignment is not None:
                self.offer(result.assignment, f"improved ({kind})")
            if result.status == PlanStatus.OPTIMAL:
                target = min(target + 10, 400)
            elif result.status == PlanStatus.UNKNOWN:
                target = max(12, int(target * 0.7))
            if self.steps % 10 == 0:
                self.report("searching")

    def neighbourhood(self, target: int) -> tuple[set[Key], set[int], set[int] | None, str]:
        inst = self.inst
        unplaced = [
            o for o in self.unplaced() if all((p, 0) in self.best for p in inst.offerings[o].after)
        ]
        roll = self.rng.random()
        moved = self.moved_runs()
        if moved and roll < 0.5:
            seed = self.rng.choice(moved)
            free = self.related(seed, target)
            days = self.days_around(free) | self.previous_days(seed)
            return free, set(), days, "moved back"
        roll = self.rng.random()
        if unplaced and roll < 0.5:
            offering = self.rng.choice(unplaced)
            free = self.related(offering, target)
            return free, {offering}, self.days_around(free, offering), "insert"
        if roll < 0.7:
            free, _, days = self.window(target)
            return free, set(), days, "days"
        seed = self.rng.choice(
            [o.index for o in inst.offerings if (o.index, 0) in self.best] or [0]
        )
        free = self.related(seed, target)
        return free, set(), self.days_around(free), "related runs"

    def moved_runs(self) -> list[int]:
        """Re-planning: runs with a session away from where the previous plan had it."""
        if not self.inst.previous or not self.inst.weights[Term.MOVES]:
            return []
        return sorted(
            {
                k[0]
                for k, before in self.inst.previous.items()
                if k in self.best and self.best[k] != before
            }
        )

    def previous_days(self, offering: int) -> set[int]:
        inst, P = self.inst, self.inst.P
        return {
            inst.previous[(offering, s)][0] // P
            for s in range(inst.offerings[offering].sessions)
            if (offering, s) in inst.previous
        }

    def movable(self, key: Key) -> bool:
        return key in self.best and key not in self.inst.locks

    def window(self, target: int) -> tuple[set[Key], set[int], set[int]]:
        inst, P = self.inst, self.inst.P
        per_day = max(1.0, len(self.best) / inst.D)
        span = max(1, min(inst.D, math.ceil(target / per_day)))
        first = self.rng.randrange(0, inst.D - span + 1)
        days = set(range(first, first + span))
        free = {k for k, (g, _, _) in self.best.items() if g // P in days and self.movable(k)}
        for offering in {o for o, _ in free}:
            od = inst.offerings[offering]
            keys = {(offering, s) for s in range(od.sessions)}
            if od.consecutive and not keys <= free:
                free -= keys
        return free, set(), days

    def days_around(self, free: set[Key], inserted: int | None = None) -> set[int]:
        """The days the freed sessions use, widened a little; a window for an inserted run.

        Bounding the days keeps the model small: its size grows with sessions × days.
        """
        inst, P = self.inst, self.inst.P
        used = sorted({self.best[k][0] // P for k in free if k in self.best})
        days: set[int] = set()
        for day in used:
            days.update(range(max(0, day - 2), min(inst.D, day + 3)))
        if inserted is not None:
            od = inst.offerings[inserted]
            possible = sorted({g // P for g in od.starts})
            span = max(6, 2 * od.sessions)
            if possible:
                first = self.rng.choice(possible)
                days.update(d for d in possible if first <= d < first + span)
        return days

    def related(self, seed: int, target: int) -> set[Key]:
        """Runs sharing a cohort, a trainer or a facility with ``seed``, up to ``target``."""
        inst = self.inst
        chosen = [seed]
        pool = self._neighbours(seed)
        self.rng.shuffle(pool)
        count = inst.offerings[seed].sessions
        for other in pool:
            if count >= target:
                break
            if other not in chosen:
                chosen.append(other)
                count += inst.offerings[other].sessions
        return {
            (o, s)
            for o in chosen
            for s in range(inst.offerings[o].sessions)
            if self.movable((o, s))
        }

    def _neighbours(self, seed: int) -> list[int]:
        inst = self.inst
        od = inst.offerings[seed]
        cohorts = set(od.cohorts)
        trainers = set(od.trainers)
        facilities = set(od.facilities)
        out = []
        for other in inst.offerings:
            if other.index == seed:
                continue
            if (
                cohorts & set(other.cohorts)
                or trainers & set(other.trainers)
                or facilities & set(other.facilities)
            ):
                out.append(other.index)
        return out

    # ----- result --------------------------------------------------------------------------
    def plan(self) -> Plan:
        inst, scenario = self.inst, self.inst.scenario
        assignment = renumber(inst, self.best)
        costs = evaluate(inst, assignment)
        unplaced = self.unplaced()
        placed_any = bool(assignment)
        if unplaced and placed_any:
            status = PlanStatus.PARTIAL
        elif unplaced:
            status = PlanStatus.INFEASIBLE if self.best_cost is not None else PlanStatus.UNKNOWN
        else:
            at_bound = self.bound is not None and self.cost_value(costs) <= self.bound + 1e-9
            status = PlanStatus.OPTIMAL if self.proven or at_bound else PlanStatus.FEASIBLE
        cost = {
            term: costs.units[term] * scenario.weight(term)
            for term in costs.units
            if scenario.weight(term) > 0
        }
        cost["total"] = sum(cost.values())
        verdicts, explanation = explain(
            inst,
            sorted(unplaced),
            self.reasons,
            assignment,
            self.conflict,
            self.reach,
            core_budget=0.0 if self.proven else self.explaining_time(),
        )
        bound = round(self.bound, 6) if self.bound is not None else None
        return Plan(
            assignments=assignments_of(inst, assignment),
            status=status,
            cost=cost,
            hard_violations=tuple(
                {
                    "rule": Rule.UNPLACED.value,
                    "offering": inst.offerings[o].id,
                    "session": s,
                    "message": f"{inst.offerings[o].id} session {s} is not placed",
                }
                for o in sorted(unplaced)
                for s in range(inst.offerings[o].sessions)
            ),
            explanation=tuple(explanation),
            solver={
                "engine": (
                    "greedy and repair, CP-SAT completion, simulated annealing, "
                    "CP-SAT (exact or large-neighbourhood search)"
                ),
                "elapsed_seconds": round(self.elapsed(), 3),
                "time_limit_seconds": self.time_limit,
                "workers": self.workers,
                "seed": self.seed,
                "lower_bound": bound,
                "lower_bound_seconds": round(self.bound_seconds, 3),
                "proven_optimal": status == PlanStatus.OPTIMAL,
                "proven_best_partial": self.proven and bool(unplaced),
                "search_steps": self.steps,
                "improvements": self.improvements,
                "cost_over_time": [list(p) for p in self.history],
            },
            name=scenario.name,
            unplaced=tuple(verdicts),
        )


def assignments_of(inst: Instance, assignment: dict[Key, Placement]) -> tuple[Assignment, ...]:
    """The solver's placements as the plan's assignments (ids, day and period)."""
    return tuple(
        Assignment(
            inst.offerings[o].id,
            s,
            g // inst.P,
            g % inst.P,
            inst.facility_ids[f],
            inst.trainer_ids[t],
        )
        for (o, s), (g, f, t) in sorted(assignment.items())
    )


def without_orphans(inst: Instance, assignment: dict[Key, Placement]) -> dict[Key, Placement]:
    """The assignment less any run whose prerequisite is not in it (transitively)."""
    copy = Schedule.of(inst, assignment)
    drop_orphans(inst, copy)
    return copy.copy_assignment()


def drop_orphans(inst: Instance, schedule: Schedule) -> list[int]:
    """Take out runs placed while a run they must follow is not (kept runs from a previous plan
    can outlive a prerequisite that no longer fits); return them."""
    dropped: list[int] = []
    published = {o.id for o in inst.scenario.offerings if o.published}  # they stay, always
    changed = True
    while changed:
        changed = False
        for od in inst.offerings:
            placed = [(od.index, s) for s in range(od.sessions) if (od.index, s) in schedule.placed]
            if (
                placed
                and od.id not in published
                and any((p, 0) not in schedule.placed for p in od.after)
            ):
                for key in placed:
                    schedule.remove(key)
                dropped.append(od.index)
                changed = True
    return dropped


def renumber(inst: Instance, assignment: dict[Key, Placement]) -> dict[Key, Placement]:
    """Number each run's unlocked sessions in time order (0 = first), as people expect.

    Sessions of a run are interchangeable, so this changes no cost — except against a previous
    plan, where sessions keep the numbers that move the fewest of them.
    """
    out: dict[Key, Placement] = {}
    by_offering: dict[int, list[tuple[int, Placement]]] = {}
    for (offering, session), placement in assignment.items():
        by_offering.setdefault(offering, []).append((session, placement))
    for offering, items in by_offering.items():
        keep = [
            (s, p)
            for s, p in items
            if (offering, s) in inst.locks or (offering, s) in inst.previous
        ]
        free = sorted(
            (
                s
                for s, p in items
                if (offering, s) not in inst.locks and (offering, s) not in inst.previous
            )
        )
        placements = sorted(
            p
            for s, p in items
            if (offering, s) not in inst.locks and (offering, s) not in inst.previous
        )
        for session, placement in keep:
            out[(offering, session)] = placement
        for session, placement in zip(free, placements, strict=True):
            out[(offering, session)] = placement
    return out


def solve(
    scenario: Scenario,
    *,
    time_limit: float = 30.0,
    workers: int = 0,
    seed: int = 0,
    on_progress: ProgressCallback | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Plan:
    """Plan ``scenario`` within ``time_limit`` seconds; always returns the best plan found.

    ``workers`` 0 uses every core. ``should_stop`` is polled (cooperative cancel); the best plan
    so far is returned when it says yes. Raises ScenarioError when a locked session breaks a
    hard rule (nothing is planned then).
    """
    check_locks(scenario)
    run = _Run(scenario, time_limit, workers, seed, on_progress, should_stop)
    run.reach = Reach(run.inst)
    run.report("starting")
    run.construct()
    found = lower_bound(
        run.inst,
        budget=min(BOUND_SHARE * time_limit, max(0.0, run.remaining()) * 0.5),
        should_stop=run.stop,
        reach=run.reach,
    )
    run.bound = max(run.bound or 0.0, found.total)
    run.bound_seconds = found.seconds
    run.report("lower bound")
    run.improve()
    plan = run.plan()
    run.report("done")
    return plan
