"""Complete the timetable: put in the runs the greedy and the repair left out, by re-solving
with CP-SAT the part of the term that competes with each of them.

On tight terms (a scarce facility kind, trainers at their limits, long prerequisite chains)
the greedy's choices block a few runs that a complete plan would hold, and local repair cycles
among the same few moves. Each step here takes one left-out run whose prerequisites are placed,
with the left-out runs that wait on it, and frees whole runs that compete with it: those in its
facilities, its cohorts or with its possible trainers while it could take place, the runs it
must follow (so they can move earlier) and, because a trainer's limit for the term counts every
week, runs of its trainers at any time (so they can pass to another trainer). CP-SAT then
places as many sessions as it can, with no costs in the model; a step is kept when it places
more. Runs that keep failing are taken up again with wider neighbourhoods.
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter
from collections.abc import Callable

from trainer_app.scheduling.greedy import window
from trainer_app.scheduling.instance import Instance
from trainer_app.scheduling.model import SubModel
from trainer_app.scheduling.repair import Repair
from trainer_app.scheduling.schedule import Key, Placement, Schedule

log = logging.getLogger(__name__)

Assignment = dict[Key, Placement]

MIN_SESSIONS = 40  # freed sessions per step, adapted between these as steps succeed or time out
MAX_SESSIONS = 320
STEP_SECONDS = 4.0  # at most per CP-SAT step; less for small neighbourhoods


class Fill:
    """Insert left-out runs into ``assignment`` (a valid partial plan) until none is left,
    time runs out or ``should_stop`` says so; ``on_better`` hears of each plan placing more."""

    def __init__(
        self,
        inst: Instance,
        assignment: Assignment,
        rng: random.Random,
        workers: int,
        should_stop: Callable[[], bool],
        on_better: Callable[[Assignment], object],
    ) -> None:
        self.inst = inst
        self.current = assignment
        self.rng = rng
        self.workers = workers
        self.should_stop = should_stop
        self.on_better = on_better
        self.target = 60
        self.failures = Counter[int]()
        self.steps = 0

    def unplaced(self) -> list[int]:
        return [od.index for od in self.inst.offerings if (od.index, 0) not in self.current]

    def run(self, deadline: float) -> Assignment:
        while not self.should_stop():
            budget = deadline - time.monotonic()
            ready = [
                o
                for o in self.unplaced()
                if all((p, 0) in self.current for p in self.inst.offerings[o].after)
                and self.inst.offerings[o].trainers
                and self.inst.offerings[o].facilities
                and self.inst.offerings[o].starts
            ]
            if not ready or budget <= 0.1:
                break
            o = self.rng.choice(ready)
            self.step(o, STEP_SECONDS, deadline)
        return self.current

    def step(self, o: int, limit: float, deadline: float) -> bool:
        inst = self.inst
        free, days = self.neighbourhood(o, self.target + 30 * min(self.failures[o], 6))
        t0 = time.monotonic()
        sub = SubModel(inst, self.current, free, {o}, days, costs=False)
        if o not in sub.placed:
            self.failures[o] += 1
            return False
        # Placing the run is required, not rewarded: a pure feasibility question, which CP-SAT
        # answers several times faster than maximising the sessions placed.
        sub.m.add(sub.placed[o] == 1)
        # Search times are heavy-tailed: short steps, longer for a run that keeps failing.
        patience = (0.2 + len(free) / 100) * (1 + min(self.failures[o], 6) / 2)
        t1 = time.monotonic()
        result = sub.solve(
            time_limit=min(limit, patience, deadline - t1),
            workers=self.workers,
            seed=self.rng.randrange(1 << 30),
            should_stop=self.should_stop,
        )
        self.steps += 1
        log.debug(
            "fill %s free=%d days=%d build=%.2f solve=%.2f %s",
            inst.offerings[o].id,
            len(free),
            len(days),
            t1 - t0,
            time.monotonic() - t1,
            result.status,
        )
        better = result.assignment is not None and len(result.assignment) > len(self.current)
        if better:
            assert result.assignment is not None
            self.current = result.assignment
            self.on_better(self.current)
        else:
            self.failures[o] += 1
        if result.status == "unknown":
            self.target = max(MIN_SESSIONS, int(self.target * 0.8))
        elif not better:
            self.target = min(MAX_SESSIONS, self.target + 20)
        return better

    def waiting_on(self, o: int) -> set[int]:
        """``o`` and the left-out runs that follow it, whatever else they follow is placed."""
        inst = self.inst
        chosen = {o}
        frontier = [o]
        while frontier:
            p = frontier.pop()
            for n in inst.offerings[p].before:
                if n in chosen or (n, 0) in self.current:
                    continue
                if all((a, 0) in self.current or a in chosen for a in inst.offerings[n].after):
                    chosen.add(n)
                    frontier.append(n)
        return chosen

    def neighbourhood(self, o: int, target: int) -> tuple[set[Key], set[int]]:
        """Sessions to free and days to use for inserting ``o``.

        A window of days around where ``o`` conflicts least (conflict-directed, as in repair)
        or, at times, around a random day it could take. Freed: the runs standing in the way
        there (whole, so they may change trainer), every session on those days in ``o``'s
        facilities, with its trainers or for its cohorts (the scarce resource is repacked),
        then sessions sharing a resource with those, in random order, up to ``target``; after
        failures also the runs ``o`` must follow, and the window widens."""
        inst, current, P = self.inst, self.current, self.inst.P
        od = inst.offerings[o]
        tries = min(self.failures[o], 6)
        schedule = Schedule.of(inst, current)
        lifted = self.ancestors(o, depth=tries - 1) if tries > 1 else set()
        for key in [k for k in current if k[0] in lifted]:
            # after failures the runs it follows may move too: look for room as if they could
            schedule.remove(key)
        ways = Repair(inst, schedule, self.rng).ways_in(od)[:3]
        core: set[int] = set(lifted)
        trainers = set(od.trainers) if len(od.trainers) <= 3 else set()
        if ways and self.rng.random() < 0.75:
            placements, victims = self.rng.choice(ways)
            core |= victims
            centre = placements[0][0] // P
            trainers.add(placements[0][2])
        else:
            earliest, latest = window(inst, schedule, od)
            possible = [g // P for g in od.starts if earliest <= g and g + od.length <= latest]
            centre = self.rng.choice(possible or od.starts) // P
        reach = 2 + tries
        days = set(range(max(0, centre - reach), min(inst.D, centre + reach + od.sessions)))
        for (p, _s), (g, _f, _t) in current.items():
            if p in core:
                days.add(g // P)
        mine = self._users(current, days, set(od.facilities), trainers, set(od.cohorts))
        theirs = self._users(
            current,
            days,
            {f for p in core | mine for f in inst.offerings[p].facilities},
            {t for p in core | mine for t in inst.offerings[p].trainers},
            {c for p in core | mine for c in inst.offerings[p].cohorts},
        )
        free = {k for k in current if k[0] in core and k not in inst.locks}
        for group in (mine, theirs - mine):
            ranked = sorted(group)
            self.rng.shuffle(ranked)
            for p in ranked:
                if len(free) >= target and group is not mine:
                    break
                free |= {
                    (p, s)
                    for s in range(inst.offerings[p].sessions)
                    if (p, s) in current
                    and current[(p, s)][0] // P in days
                    and (p, s) not in inst.locks
                }
        return self._whole_consecutive(free, days), days

    def _whole_consecutive(self, free: set[Key], days: set[int]) -> set[Key]:
        """A consecutive-days run moves all together or not at all (its days are tied)."""
        inst, current, P = self.inst, self.current, self.inst.P
        out = set(free)
        for o in {p for p, _s in free}:
            od = inst.offerings[o]
            if not od.consecutive:
                continue
            keys = {(o, s) for s in range(od.sessions) if (o, s) in current}
            if not all(current[k][0] // P in days for k in keys):
                out -= keys
        return out

    def _users(
        self,
        current: Assignment,
        days: set[int],
        facilities: set[int],
        trainers: set[int],
        cohorts: set[int],
    ) -> set[int]:
        """Runs with a session on ``days`` in one of ``facilities``, with one of ``trainers``
        or for one of ``cohorts``."""
        inst, P = self.inst, self.inst.P
        return {
            p
            for (p, _s), (g, f, t) in current.items()
            if g // P in days
            and (
                f in facilities
                or t in trainers
                or not cohorts.isdisjoint(inst.offerings[p].cohorts)
            )
        }

    def ancestors(self, o: int, depth: int = 2) -> set[int]:
        out: set[int] = set()
        frontier = {o}
        for _ in range(depth):
            frontier = {p for n in frontier for p in self.inst.offerings[n].after} - out
            out |= frontier
        return out
