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

Every other try first hands runs to other trainers across the whole term (``reassign_trainers``:
times and rooms kept, only who teaches each run may change), so a run whose trainers are at
their term limits gets in when others can take their common runs. When that cannot work because
the trainers with room are busy at those times, ``hand_loads`` finds, by term limits alone, the
fewest runs to hand on, and the step frees them whole so they can move to times the new trainer
has. A run with no slot at all where its cohorts and a room are free (boxed in, mostly by a
prerequisite placed late) has the runs it follows lifted at once, free to move earlier.

A run whose step freed every placed session over the whole term and was proven infeasible cannot
go in beside the runs placed, however they move: it is not tried again (on a small term that
proof comes in the first step, and the rest of the time is left for what comes after).
"""

from __future__ import annotations

import logging
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

from ortools.sat.python import cp_model

from trainer_app.scheduling.greedy import window
from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.model import SubModel, _watchdog
from trainer_app.scheduling.repair import Repair
from trainer_app.scheduling.scenario import PlanStatus
from trainer_app.scheduling.schedule import Key, Placement, Schedule

log = logging.getLogger(__name__)

Assignment = dict[Key, Placement]

MIN_SESSIONS = 40  # freed sessions per step, adapted between these as steps succeed or time out
MAX_SESSIONS = 320
EARLIER_DAYS = 5  # how much earlier a run that others follow may move in one step
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
        self.proven_out: set[int] = set()  # cannot be placed beside the runs placed

    def unplaced(self) -> list[int]:
        return [od.index for od in self.inst.offerings if (od.index, 0) not in self.current]

    def run(self, deadline: float) -> Assignment:
        while not self.should_stop():
            budget = deadline - time.monotonic()
            ready = [
                o
                for o in self.unplaced()
                if o not in self.proven_out
                and all((p, 0) in self.current for p in self.inst.offerings[o].after)
                and self.inst.offerings[o].trainers
                and self.inst.offerings[o].facilities
                and self.inst.offerings[o].starts
            ]
            if not ready or budget <= 0.1:
                break
            offering = self.rng.choice(ready)
            self.step(offering, STEP_SECONDS, deadline)
        return self.current

    def step(self, offering: int, limit: float, deadline: float) -> bool:
        inst = self.inst
        schedule = Schedule.of(inst, self.current)
        options = time_options(inst, schedule, offering, self.rng, 6)
        # Boxed in: no slots where its cohorts and a room are free, whoever teaches. The
        # runs it follows are then lifted at once, so it can start earlier.
        boxed_in = not options
        if (
            options
            and self.failures[offering] % 2 == 0
            and self.hand_over(offering, options, deadline)
        ):
            return True
        target = self.target + 30 * min(self.failures[offering], 6)
        room = self.make_room(offering, schedule) if options and self.rng.random() < 0.5 else None
        free, days = self.neighbourhood(offering, target, room, lift=boxed_in)
        t0 = time.monotonic()
        sub = SubModel(inst, self.current, free, {offering}, days, costs=False)
        if offering not in sub.placed:
            self.failures[offering] += 1
            return False
        # Placing the run is required, not rewarded: a pure feasibility question, which CP-SAT
        # answers several times faster than maximising the sessions placed.
        sub.m.add(sub.placed[offering] == 1)
        # Search times are heavy-tailed: short steps, longer for a run that keeps failing.
        patience = (0.2 + len(free) / 100) * (1 + min(self.failures[offering], 6) / 2)
        t1 = time.monotonic()
        result = sub.solve(
            time_limit=min(limit, patience, deadline - t1),
            workers=self.workers,
            seed=self.rng.randrange(1 << 30),
            should_stop=self.should_stop,
        )
        self.steps += 1
        log.debug(
            "fill %s%s free=%d days=%d build=%.2f solve=%.2f %s",
            inst.offerings[offering].id,
            f" (room with trainer {room[0]}, {len(room[1])} runs handed)" if room else "",
            len(free),
            len(days),
            t1 - t0,
            time.monotonic() - t1,
            result.status,
        )
        better = result.assignment is not None and len(result.assignment) > len(self.current)
        if (
            result.status == PlanStatus.INFEASIBLE
            and set(self.current) <= sub.free
            and len(sub.days) == inst.D
        ):
            self.proven_out.add(offering)
        if better:
            assert result.assignment is not None
            self.current = result.assignment
            self.on_better(self.current)
        else:
            self.failures[offering] += 1
        if result.status == PlanStatus.UNKNOWN:
            self.target = max(MIN_SESSIONS, int(self.target * 0.8))
        elif not better:
            self.target = min(MAX_SESSIONS, self.target + 20)
        return better

    def hand_over(
        self, offering: int, options: list[list[tuple[int, int]]], deadline: float
    ) -> bool:
        """Insert ``offering`` where its cohorts and a room are free by handing runs to other
        trainers across the term (see ``reassign_trainers``); say whether it worked."""
        inst = self.inst
        found = reassign_trainers(
            inst,
            self.current,
            offering,
            options,
            time_limit=min(1.0, deadline - time.monotonic()),
            workers=self.workers,
            seed=self.rng.randrange(1 << 30),
            should_stop=self.should_stop,
        )
        self.steps += 1
        if found is None or not valid(inst, found):
            log.debug("hand over %s: no", inst.offerings[offering].id)
            return False
        log.debug("hand over %s: placed", inst.offerings[offering].id)
        self.current = found
        self.on_better(found)
        return True

    def waiting_on(self, offering: int) -> set[int]:
        """``offering`` and the left-out runs that follow it, whatever else they follow is
        placed."""
        inst = self.inst
        chosen = {offering}
        frontier = [offering]
        while frontier:
            leader = frontier.pop()
            for follower in inst.offerings[leader].before:
                if follower in chosen or (follower, 0) in self.current:
                    continue
                if all(
                    (a, 0) in self.current or a in chosen for a in inst.offerings[follower].after
                ):
                    chosen.add(follower)
                    frontier.append(follower)
        return chosen

    def make_room(self, offering: int, schedule: Schedule) -> tuple[int, set[int]] | None:
        """When no trainer of ``offering`` has the term's room left for it: the trainer to take
        it and the fewest runs to hand to other trainers so that every trainer's term limit
        holds (``hand_loads``), given ``schedule`` (the current plan's); None when some
        trainer has the room already, or no handing over of whole runs can make it.

        Handing over with times kept (``hand_over``) fails when the trainers with room are busy
        at those times; freeing the runs whole lets them move to a time the new trainer has."""
        inst = self.inst
        od = inst.offerings[offering]
        need = od.sessions * od.length

        def room(trainer: int) -> int | None:
            """Periods left of the trainer's term limit (None: no limit)."""
            limit = inst.trainer_total_limit[trainer]
            return None if limit is None else limit - schedule.trainer_total[trainer]

        if not od.trainers or any((r := room(t)) is None or r >= need for t in od.trainers):
            return None
        return hand_loads(
            inst,
            schedule,
            offering,
            time_limit=0.5,
            seed=self.rng.randrange(1 << 30),
            should_stop=self.should_stop,
        )

    def neighbourhood(
        self,
        offering: int,
        target: int,
        room: tuple[int, set[int]] | None = None,
        *,
        lift: bool = False,
    ) -> tuple[set[Key], set[int]]:
        """Sessions to free and days to use for inserting ``offering``.

        A window of days around where it conflicts least (conflict-directed, as in repair)
        or, at times, around a random day it could take. Freed: the runs standing in the way
        there (whole, so they may change trainer), every session on those days in its
        facilities, with its trainers or for its cohorts (the scarce resource is repacked),
        then sessions sharing a resource with those, in random order, up to ``target``; after
        failures (or at once with ``lift``) also the runs it must follow, free to move up to
        ``EARLIER_DAYS`` earlier with the run placed just after them, and the window widens.
        With ``room`` (see ``make_room``) the run goes to that trainer, and the runs handed on
        are freed whole with what their other trainers teach on their days."""
        inst, current, P = self.inst, self.current, self.inst.P
        od = inst.offerings[offering]
        tries = min(self.failures[offering], 6)
        schedule = Schedule.of(inst, current)
        lifted = self.ancestors(offering, depth=max(tries - 1, int(lift)))
        for key in [k for k in current if k[0] in lifted]:
            # after failures the runs it follows may move too: look for room as if they could
            schedule.remove(key)
        ways = Repair(inst, schedule, self.rng).ways_in(od)
        near = range(inst.D)  # the days it may start on in this step
        if lifted:
            # just after where the runs it follows are now, or may move to (EARLIER_DAYS)
            first = min(g for (p, _s), (g, _f, _t) in current.items() if p in lifted) // P
            near = range(max(0, first - EARLIER_DAYS), first + 2 * EARLIER_DAYS)
            ways = [way for way in ways if way[0][0][0] // P in near] or ways
        core: set[int] = set(lifted)
        trainers = set(od.trainers) if len(od.trainers) <= 3 else set()
        if room is not None:
            trainers = {room[0]}
            core |= room[1]
            ways = [way for way in ways if way[0][0][2] == room[0]]
        ways = ways[:3]
        if ways and self.rng.random() < 0.75:
            placements, victims = self.rng.choice(ways)
            core |= victims
            centre = placements[0][0] // P
            trainers.add(placements[0][2])
        else:
            earliest, latest = window(inst, schedule, od)
            possible = [g for g in od.starts if earliest <= g and g + od.length <= latest]
            centre = (
                self.rng.choice([g for g in possible if g // P in near] or possible or od.starts)
                // P
            )
        reach = 2 + tries
        days = set(range(max(0, centre - reach), min(inst.D, centre + reach + od.sessions)))
        if lifted:
            days |= set(range(near.start, centre))
        for (other, _s), (start, _f, _t) in current.items():
            if other in core:
                days.add(start // P)
        for ancestor in lifted:
            # a run it follows may move earlier, as far as its own window allows
            first = min(g for (p, _s), (g, _f, _t) in current.items() if p == ancestor) // P
            earliest_day = window(inst, schedule, inst.offerings[ancestor])[0] // P
            days |= set(range(max(earliest_day, first - EARLIER_DAYS), first))
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
            for other in ranked:
                if len(free) >= target and group is not mine:
                    break
                free |= {
                    (other, s)
                    for s in range(inst.offerings[other].sessions)
                    if (other, s) in current
                    and current[(other, s)][0] // P in days
                    and (other, s) not in inst.locks
                }
        return self._whole_consecutive(free, days), days

    def _whole_consecutive(self, free: set[Key], days: set[int]) -> set[Key]:
        """A consecutive-days run moves all together or not at all (its days are tied)."""
        inst, current, P = self.inst, self.current, self.inst.P
        out = set(free)
        for offering in {p for p, _s in free}:
            od = inst.offerings[offering]
            if not od.consecutive:
                continue
            keys = {(offering, s) for s in range(od.sessions) if (offering, s) in current}
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

    def ancestors(self, offering: int, depth: int = 2) -> set[int]:
        out: set[int] = set()
        frontier = {offering}
        for _ in range(depth):
            frontier = {p for n in frontier for p in self.inst.offerings[n].after} - out
            out |= frontier
        return out


def valid(inst: Instance, assignment: Assignment) -> bool:
    """Every placement breaks no hard rule given the others (a guard on a model's answer)."""
    schedule = Schedule(inst)
    for key, placement in sorted(assignment.items(), key=lambda item: item[0] not in inst.locks):
        if schedule.blocker(key[0], *placement) is not None:
            return False
        schedule.place(key, placement)
    return True


def hand_loads(
    inst: Instance,
    schedule: Schedule,
    offering: int,
    *,
    time_limit: float,
    seed: int,
    should_stop: Callable[[], bool] | None = None,
) -> tuple[int, set[int]] | None:
    """Who could teach run ``offering`` if whole runs changed hands, judged by the trainers'
    term limits alone (times left aside): that trainer and the runs to hand on, as few as
    possible and preferring trainers free at the run's present times. None when there is no
    such way. CP-SAT on who teaches what: small, whatever the term's length."""
    model = cp_model.CpModel()
    placed: dict[int, list[tuple[int, int]]] = defaultdict(list)  # run -> [(start, trainer)]
    for (other, _s), (start, _f, trainer) in schedule.placed.items():
        placed[other].append((start, trainer))
    locked = {k[0] for k, lock in inst.locks.items() if lock[2] is not None}
    loads: dict[int, list[Any]] = defaultdict(list)
    fixed_load = Counter[int]()
    changes: list[Any] = []
    handed: dict[int, list[Any]] = {}
    for other, sessions in placed.items():
        od = inst.offerings[other]
        held = sessions[0][1]
        load = od.sessions * od.length
        able = [t for t in od.trainers if t != held] if other not in locked else []
        if not able:
            fixed_load[held] += load
            continue
        stay = model.new_bool_var(f"stay[{other}]")
        loads[held].append(load * stay)
        options = [stay]
        for trainer in able:
            lit = model.new_bool_var(f"to[{other},{trainer}]")
            options.append(lit)
            loads[trainer].append(load * lit)
            busy = any(
                inst.trainer_blocked[trainer][q] or schedule.trainer_busy[trainer][q]
                for start, _t in sessions
                for q in range(start, start + od.length)
            )
            changes.append((4 if busy else 1) * lit)
        model.add_exactly_one(options)
        handed[other] = options[1:]
    od = inst.offerings[offering]
    take = {t: model.new_bool_var(f"take[{t}]") for t in od.trainers}
    model.add_exactly_one(take.values())
    for trainer, lit in take.items():
        loads[trainer].append(od.sessions * od.length * lit)
    for trainer, limit in enumerate(inst.trainer_total_limit):
        if limit is not None and loads[trainer]:
            model.add(sum(loads[trainer]) <= limit - fixed_load[trainer])
    model.minimize(sum(changes))
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = seed
    with _watchdog(solver, should_stop):
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    trainer = next(t for t, lit in take.items() if solver.boolean_value(lit))
    runs = {other for other, lits in handed.items() if any(solver.boolean_value(x) for x in lits)}
    return trainer, runs


def time_options(
    inst: Instance, schedule: Schedule, offering: int, rng: random.Random, count: int
) -> list[list[tuple[int, int]]]:
    """Up to ``count`` ways to give each session of run ``offering`` a start and a room where its
    cohorts and the room are free and some qualified trainer is not away, from random first
    days; whoever is to teach it is left open."""
    od, P = inst.offerings[offering], inst.P
    earliest, latest = window(inst, schedule, od)
    starts = [g for g in od.starts if earliest <= g and g + od.length <= latest]
    out: list[list[tuple[int, int]]] = []
    for _ in range(count * 3):
        if len(out) >= count or not starts:
            break
        first = rng.choice(starts)
        chosen: list[tuple[int, int]] = []
        for session in range(od.sessions):
            lock = inst.locks.get((offering, session))
            days = {g // P for g, _f in chosen}
            found = None
            for start in [lock[0]] if lock is not None else starts:
                day = start // P
                if lock is None and (
                    start < first or (chosen and start < chosen[-1][0] + od.length)
                ):
                    continue
                if od.consecutive and chosen and day != chosen[-1][0] // P + 1:
                    continue
                if len(days) < od.min_days and day in days and lock is None:
                    continue
                facility = self_free(
                    inst, schedule, od, start, lock[1] if lock is not None else None
                )
                if facility is not None:
                    found = (start, facility)
                    break
            if found is None:
                break
            chosen.append(found)
        if len(chosen) == od.sessions and chosen not in out:
            out.append(chosen)
    return out


def self_free(
    inst: Instance, schedule: Schedule, od: OfferingData, start: int, room: int | None
) -> int | None:
    """A room for a session of ``od`` at ``start`` if its cohorts are free and a trainer could
    be."""
    end = start + od.length
    if any(any(schedule.cohort_busy[c][start:end]) for c in od.cohorts):
        return None
    if all(any(inst.trainer_blocked[t][start:end]) for t in od.trainers):
        return None
    for facility in [room] if room is not None else od.facilities:
        if not any(inst.facility_blocked[facility][start:end]) and not any(
            schedule.facility_busy[facility][start:end]
        ):
            return facility
    return None


def reassign_trainers(
    inst: Instance,
    current: Assignment,
    offering: int,
    options: list[list[tuple[int, int]]],
    *,
    time_limit: float,
    workers: int,
    seed: int,
    should_stop: Callable[[], bool] | None = None,
) -> Assignment | None:
    """Insert run ``offering`` at one of ``options`` (a (start, facility) per session) by
    handing runs to other qualified trainers across the whole term: every time and room stays,
    only who teaches each run may change. Trainers' term limits bind over the whole term, so a
    rare course's trainers are freed by giving their common runs to others. CP-SAT on trainers
    alone: small, whatever the term's length. None when it finds no way within the time."""
    P = inst.P
    model = cp_model.CpModel()
    runs: dict[int, list[tuple[int, int]]] = defaultdict(list)  # run -> [(start, facility)]
    for (other, _s), (start, facility, _t) in current.items():
        runs[other].append((start, facility))
    held = {p: t for (p, _s), (_g, _f, t) in current.items()}
    pick = [model.new_bool_var(f"option[{k}]") for k in range(len(options))]
    model.add_exactly_one(pick)
    uses: dict[int, list[tuple[Any, int, int, int]]] = defaultdict(
        list
    )  # trainer -> (lit, start, length, facility)
    loads: dict[int, list[Any]] = defaultdict(list)
    choice: dict[int, dict[int, Any]] = {}

    def free_for(trainer: int, sessions: list[tuple[int, int]], length: int) -> bool:
        return inst.trainer_day_limit[trainer] >= length and not any(
            inst.trainer_blocked[trainer][q] for g, _f in sessions for q in range(g, g + length)
        )

    for other, sessions in runs.items():
        od = inst.offerings[other]
        locked = {
            trainer
            for s in range(od.sessions)
            if (lock := inst.locks.get((other, s))) is not None and (trainer := lock[2]) is not None
        }
        able = (
            sorted(locked)
            if locked
            else [t for t in od.trainers if free_for(t, sessions, od.length)]
        )
        if held[other] not in able:
            able = [held[other]]  # keep what the plan has (e.g. a published run)
        choice[other] = {t: model.new_bool_var(f"y[{other},{t}]") for t in able}
        model.add_exactly_one(choice[other].values())
        for trainer, lit in choice[other].items():
            model.add_hint(lit, trainer == held[other])
            loads[trainer].append(od.sessions * od.length * lit)
            for start, facility in sessions:
                uses[trainer].append((lit, start, od.length, facility))
    od = inst.offerings[offering]
    choice[offering] = {}
    named = {
        trainer
        for s in range(od.sessions)
        if (lock := inst.locks.get((offering, s))) is not None and (trainer := lock[2]) is not None
    }
    for trainer in od.trainers:
        if named and trainer not in named:
            continue
        for option, sessions in enumerate(options):
            if not free_for(trainer, sessions, od.length):
                continue
            lit = model.new_bool_var(f"y[{offering},{trainer},{option}]")
            model.add_implication(lit, pick[option])
            choice[offering][trainer * len(options) + option] = lit
            loads[trainer].append(od.sessions * od.length * lit)
            for start, facility in sessions:
                uses[trainer].append((lit, start, od.length, facility))
    if not choice[offering]:
        return None
    model.add_exactly_one(choice[offering].values())
    for trainer, items in uses.items():
        at: dict[int, list[Any]] = defaultdict(list)
        day_load: dict[int, list[Any]] = defaultdict(list)
        week_load: dict[int, list[Any]] = defaultdict(list)
        hubs: dict[int, dict[int, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for lit, start, length, facility in items:
            for period in range(start, start + length):
                at[period].append(lit)
            day_load[start // P].append(length * lit)
            week_load[inst.week_of_day[start // P]].append(length * lit)
            hubs[start // P][inst.facility_hub[facility]].append(lit)
        for lits in at.values():
            if len(lits) > 1:
                model.add_at_most_one(lits)
        for terms in day_load.values():
            if len(terms) > 1:
                model.add(sum(terms) <= inst.trainer_day_limit[trainer])
        week_limit = inst.trainer_week_limit[trainer]
        if week_limit is not None:
            for terms in week_load.values():
                model.add(sum(terms) <= week_limit)
        for by_hub in hubs.values():
            if len(by_hub) > 1:
                where = [model.new_bool_var("") for _ in by_hub]
                model.add_at_most_one(where)
                for here, lits in zip(where, by_hub.values(), strict=True):
                    for lit in lits:
                        model.add_implication(lit, here)
        total = inst.trainer_total_limit[trainer]
        if total is not None:
            model.add(sum(loads[trainer]) <= total)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    with _watchdog(solver, should_stop):
        status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    out: Assignment = {}
    for (other, session), (start, facility, _t) in current.items():
        trainer = next(t for t, lit in choice[other].items() if solver.boolean_value(lit))
        out[(other, session)] = (start, facility, trainer)
    code = next(c for c, lit in choice[offering].items() if solver.boolean_value(lit))
    trainer, option = divmod(code, len(options))
    for session, (start, facility) in enumerate(options[option]):
        out[(offering, session)] = (start, facility, trainer)
    return out
