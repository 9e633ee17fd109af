"""A fast first timetable: place offerings one by one, hardest first, earliest fitting slot.

It never breaks a hard rule; what it cannot place it leaves out and says which rules got in the
way most often, so the explanation can name them. Local search improves the result afterwards.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping

from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.rules import Blocker, Face, Rule, enforces
from trainer_app.scheduling.schedule import Key, Placement, Schedule


def chain_freedom(inst: Instance) -> list[float]:
    """How freely each run can be placed (trainers × facilities × starts per period it needs),
    or the least free run that must follow it, if lower: the first runs of a chain that ends
    in a hard run go early, so the hard run finds room after them."""
    own = [
        max(1, len(od.trainers))
        * max(1, len(od.facilities))
        * max(1, len(od.starts))
        / (od.sessions * od.length)
        for od in inst.offerings
    ]
    done: dict[int, float] = {}
    for od in inst.offerings:  # followers first, without recursion (chains may be long)
        stack = [od.index]
        while stack:
            offering = stack[-1]
            waiting = [n for n in inst.offerings[offering].before if n not in done]
            if waiting and offering not in done:
                stack.extend(n for n in waiting if n not in stack)
                if stack[-1] != offering:
                    continue
            stack.pop()
            if offering not in done:
                done[offering] = min(
                    [own[offering], *(done.get(n, own[n]) for n in inst.offerings[offering].before)]
                )
    return [done[od.index] for od in inst.offerings]


def offering_order(
    inst: Instance, rng: random.Random, priority: Mapping[int, float] | None = None
) -> list[int]:
    """Predecessors before successors; among the ready ones, the most constrained first.

    ``priority`` puts runs earlier (higher first): squeaky-wheel reordering raises the runs a
    previous attempt left out."""
    remaining = {od.index: len(set(od.after)) for od in inst.offerings}
    noise = {od.index: rng.random() for od in inst.offerings}
    priority = priority or {}

    freedom = chain_freedom(inst)

    def difficulty(od: OfferingData) -> tuple[float, ...]:
        locked = any((od.index, s) in inst.locks for s in range(od.sessions))
        return (
            not locked,
            -priority.get(od.index, 0.0),
            freedom[od.index],
            noise[od.index],
        )

    # Runs with locked sessions go first, whatever they follow: their slots are promised.
    order: list[int] = sorted(
        (
            od.index
            for od in inst.offerings
            if any((od.index, s) in inst.locks for s in range(od.sessions))
        ),
        key=lambda o: noise[o],
    )
    for offering in order:
        for successor in inst.offerings[offering].before:
            remaining[successor] -= 1
    ready = [o for o, n in remaining.items() if n == 0 and o not in order]
    while ready:
        ready.sort(key=lambda o: difficulty(inst.offerings[o]))
        offering = ready.pop(0)
        order.append(offering)
        for successor in inst.offerings[offering].before:
            remaining[successor] -= 1
            if remaining[successor] == 0 and successor not in order:
                ready.append(successor)
    return order


def tighten_deadlines(inst: Instance) -> None:
    """Lower each run's latest end to what the runs that must follow it leave: a follower
    needs one start per session, each allowed by its own days and deadline, so the run it
    follows must end by the follower's ``sessions``-th latest allowed start (through any
    chain). Implied by the hard rules, so no plan is lost; the greedy then keeps early runs of
    a long chain early enough for the narrow windows of the last ones."""
    offerings = inst.offerings
    order: list[int] = []
    seen: set[int] = set()
    for od in offerings:  # followers before the runs they follow, without recursion
        stack = [(od.index, False)]
        while stack:
            offering, expanded = stack.pop()
            if expanded:
                order.append(offering)
            elif offering not in seen:
                seen.add(offering)
                stack.append((offering, True))
                stack.extend((n, False) for n in offerings[offering].before if n not in seen)
    for offering in order:
        od = offerings[offering]
        for successor in od.before:
            follower = offerings[successor]
            starts = sorted(
                {
                    g
                    for g in follower.starts
                    if g + follower.length <= follower.deadline and _someone_free(inst, follower, g)
                },
                reverse=True,
            )
            latest = starts[follower.sessions - 1] if len(starts) >= follower.sessions else 0
            od.deadline = min(od.deadline, latest)


def _someone_free(inst: Instance, od: OfferingData, start: int) -> bool:
    """Some candidate trainer and some candidate facility are available all session long."""
    end = start + od.length
    return any(not any(inst.trainer_blocked[t][start:end]) for t in od.trainers) and any(
        not any(inst.facility_blocked[f][start:end]) for f in od.facilities
    )


DayPlan = dict[int, int]  # session -> the day it must take


def day_plans(inst: Instance, od: OfferingData) -> list[DayPlan | None]:
    """For a consecutive-days run with locked sessions, every way to give each session a day
    (the block of days must contain the locked ones); otherwise one plan: decide as you go."""
    locked = {
        s: inst.locks[(od.index, s)][0] // inst.P
        for s in range(od.sessions)
        if (od.index, s) in inst.locks
    }
    if not od.consecutive or not locked or len(set(locked.values())) != len(locked):
        return [None]
    plans: list[DayPlan | None] = []
    first = max(0, max(locked.values()) - od.sessions + 1)
    for block in range(first, min(*locked.values(), inst.D - od.sessions) + 1):
        days = range(block, block + od.sessions)
        free_days = [d for d in days if d not in locked.values()]
        unlocked = [s for s in range(od.sessions) if s not in locked]
        plans.append({**locked, **dict(zip(unlocked, free_days, strict=True))})
    return plans


@enforces(Rule.AFTER, face=Face.INCREMENTAL)
def window(inst: Instance, schedule: Schedule, od: OfferingData) -> tuple[int, int]:
    """Earliest start after placed predecessors; latest end before placed successors and
    before the locked sessions of any run that must follow."""
    earliest, latest = 0, od.deadline
    for prerequisite in od.after:
        earlier = inst.offerings[prerequisite]
        for session in range(earlier.sessions):
            if (prerequisite, session) in schedule.placed:
                earliest = max(
                    earliest, schedule.placed[(prerequisite, session)][0] + earlier.length
                )
    for successor in od.before:
        for session in range(inst.offerings[successor].sessions):
            if (successor, session) in schedule.placed:
                latest = min(latest, schedule.placed[(successor, session)][0])
            lock = inst.locks.get((successor, session))
            if lock is not None:  # a promised slot is a deadline even before it is placed
                latest = min(latest, lock[0])
    return earliest, latest


def able_trainers(inst: Instance, od: OfferingData) -> list[int]:
    """Candidate trainers whose daily limit leaves room for one of the run's sessions."""
    return [t for t in od.trainers if inst.trainer_day_limit[t] >= od.length]


def trainer_capacity(inst: Instance) -> list[float]:
    """Periods each trainer can teach over the term: their total limit, or what their days
    (less leave, at most their daily limit) hold."""
    P = inst.P
    out: list[float] = []
    for trainer in range(len(inst.trainer_ids)):
        blocked = inst.trainer_blocked[trainer]
        days = sum(
            min(inst.trainer_day_limit[trainer], P - sum(blocked[d * P : d * P + P]))
            for d in range(inst.D)
        )
        total = inst.trainer_total_limit[trainer]
        out.append(float(days if total is None else min(total, days)))
    return out


class Greedy:
    def __init__(self, inst: Instance, schedule: Schedule, rng: random.Random) -> None:
        self.inst = inst
        self.schedule = schedule
        self.rng = rng
        self.reasons: dict[int, Counter[str]] = {}
        self.capacity = trainer_capacity(inst)
        # Expected demand on each trainer from runs not placed yet, shared among the trainers
        # qualified for each: a trainer many runs can only have is kept for them.
        self.demand = [0.0] * len(inst.trainer_ids)
        for od in inst.offerings:
            if (od.index, 0) not in schedule.placed:
                self.share(od, 1)

    def share(self, od: OfferingData, sign: int) -> None:
        """Add (sign 1) or take away (-1) what run ``od`` may need from each trainer."""
        able = able_trainers(self.inst, od)
        if able:
            part = sign * od.sessions * od.length / len(able)
            for trainer in able:
                self.demand[trainer] += part

    def run(self, order: list[int], should_stop: Callable[[], bool] | None = None) -> list[int]:
        """Place offerings in ``order``; return those left unplaced."""
        unplaced: list[int] = []
        for offering in order:
            if should_stop is not None and should_stop():
                unplaced.extend(x for x in order if x not in unplaced and not self._has(x))
                break
            if not self.place_offering(offering):
                unplaced.append(offering)
        return unplaced

    def _has(self, offering: int) -> bool:
        return (offering, 0) in self.schedule.placed

    def place_offering(self, offering: int) -> bool:
        inst = self.inst
        od = inst.offerings[offering]
        reasons = self.reasons.setdefault(offering, Counter())
        locked = any((offering, s) in inst.locks for s in range(od.sessions))
        missing = [p for p in od.after if not self._has(p)]
        if missing and not locked:
            reasons[Blocker.AFTER_UNPLACED] += 1
            return False
        if not od.trainers:
            reasons["no_trainer"] += 1
            return False
        if not od.facilities:
            reasons["no_facility"] += 1
            return False
        earliest, latest = window(inst, self.schedule, od)
        plans = day_plans(inst, od)
        for trainer in self._trainer_order(od):
            for plan in plans:
                if self._place_with(od, trainer, earliest, latest, reasons, plan) is not None:
                    self.share(od, -1)
                    return True
        return False

    def _trainer_order(self, od: OfferingData) -> list[int]:
        locked = {
            self.inst.locks[(od.index, s)][2]
            for s in range(od.sessions)
            if (od.index, s) in self.inst.locks
        }
        locked.discard(None)
        if locked:
            return [t for t in od.trainers if t in locked] or sorted(locked)  # type: ignore[arg-type]
        load = self.schedule.trainer_total
        able = able_trainers(self.inst, od)
        own = od.sessions * od.length / max(1, len(able))

        def pressure(trainer: int) -> float:
            free = self.capacity[trainer] - load[trainer]
            return (self.demand[trainer] - own + od.sessions * od.length) / max(1.0, free)

        return sorted(able, key=lambda t: (pressure(t), self.rng.random()))

    @enforces(Rule.TRAINER_CHANGES, Rule.CONSECUTIVE_DAYS, Rule.LOCK, face=Face.INCREMENTAL)
    def _place_with(
        self,
        od: OfferingData,
        trainer: int,
        earliest: int,
        latest: int,
        reasons: Counter[str],
        plan: DayPlan | None = None,
    ) -> list[Key] | None:
        inst, schedule = self.inst, self.schedule
        offering, P = od.index, inst.P
        done: list[Key] = []
        used_days: list[int] = []
        used_facilities: list[int] = []
        sessions = sorted(range(od.sessions), key=lambda s: (offering, s) not in inst.locks)
        for session in sessions:
            lock = inst.locks.get((offering, session))
            if lock is not None:
                found = None
                if earliest <= lock[0] and lock[0] + od.length <= latest:
                    found = self._locked(od, lock, trainer, reasons, used_facilities)
                else:
                    reasons[Blocker.AFTER_UNPLACED] += 1
            else:
                after_day = used_days[-1] + 1 if od.consecutive and used_days else None
                if plan is not None:
                    after_day = plan[session]
                found = self._first_fit(
                    od, trainer, earliest, latest, used_days, used_facilities, after_day, reasons
                )
            if found is None:
                for key in done:
                    schedule.remove(key)
                return None
            schedule.place((offering, session), found)
            done.append((offering, session))
            used_days.append(found[0] // P)
            if found[1] not in used_facilities:
                used_facilities.append(found[1])
        return done

    def _locked(
        self,
        od: OfferingData,
        lock: tuple[int, int | None, int | None],
        trainer: int,
        reasons: Counter[str],
        used: list[int],
    ) -> Placement | None:
        start, locked_facility, locked_trainer = lock
        if locked_trainer is not None and locked_trainer != trainer:
            reasons[Blocker.LOCK_TRAINER] += 1
            return None
        facilities = (
            [locked_facility]
            if locked_facility is not None
            else self._facility_order(od, trainer, used)
        )
        for facility in facilities:
            why = self.schedule.blocker(od.index, start, facility, trainer)
            if why is None:
                return (start, facility, trainer)
            reasons[why] += 1
        return None

    def _facility_order(self, od: OfferingData, trainer: int, used: list[int]) -> list[int]:
        home = self.inst.trainer_hub[trainer]
        hub = self.inst.facility_hub
        return sorted(
            od.facilities, key=lambda f: (f not in used, hub[f] != home, od.overflow.get(f, 0))
        )

    def _first_fit(
        self,
        od: OfferingData,
        trainer: int,
        earliest: int,
        latest: int,
        used_days: list[int],
        used_facilities: list[int],
        exact_day: int | None,
        reasons: Counter[str],
    ) -> Placement | None:
        P = self.inst.P
        facilities = self._facility_order(od, trainer, used_facilities)
        spread = len(set(used_days)) < od.min_days
        passes = (True, False) if spread else (False,)
        for want_new_day in passes:
            for start in od.starts:
                if start < earliest or start + od.length > latest:
                    continue
                day = start // P
                if exact_day is not None and day != exact_day:
                    continue
                if want_new_day and day in used_days:
                    continue
                if used_days and not od.consecutive and day < used_days[-1]:
                    continue
                why = self.schedule.time_blocker(od.index, start, trainer)
                if why is not None:
                    reasons[why] += 1
                    continue
                for facility in facilities:
                    why = self.schedule.facility_blocker(od.index, start, facility, trainer)
                    if why is None:
                        return (start, facility, trainer)
                    reasons[why] += 1
        return None
