"""What each run can reach at all, whatever else is planned.

Facts drawn from the scenario alone — qualifications, facility kinds and capacities, leave and
closures, trainers' limits, prerequisite chains and locked sessions — never from a plan. What is
out of reach here is out of reach in every plan: the explanations use it as the proof that a run
cannot be placed, the lower bounds as a relaxation of the whole problem.

Periods are bits of a Python int (bit ``g`` = global period ``g``), so "some trainer is free for
the whole session" over a term of 250 periods is a handful of shifts and ors.
"""

from __future__ import annotations

from collections import deque
from functools import lru_cache

from trainer_app.scheduling.instance import Instance, OfferingData


def free_mask(blocked: bytearray) -> int:
    """Bit ``q`` set when period ``q`` is not blocked."""
    return int("".join("0" if b else "1" for b in reversed(blocked)) or "0", 2)


def mask_of(periods: list[int]) -> int:
    out = 0
    for period in periods:
        out |= 1 << period
    return out


def whole(mask: int, length: int) -> int:
    """Bit ``g`` set when bits ``g … g+length-1`` of ``mask`` are all set."""
    out = mask
    for k in range(1, length):
        out &= mask >> k
    return out


@lru_cache(maxsize=4096)
def day_ends(day_bits: int, length: int) -> tuple[int, ...]:
    """Ends (within the day) of the most sessions of ``length`` that fit at the allowed starts
    of one day, earliest first: the k-th is the earliest any k disjoint sessions can end."""
    ends: list[int] = []
    last = 0
    period = 0
    while day_bits >> period:
        if (day_bits >> period) & 1 and period >= last:
            last = period + length
            ends.append(last)
        period += 1
    return tuple(ends)


class Reach:
    """Per run: the periods any of its sessions can use, its earliest start and finish."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        P, T = inst.P, inst.T
        self.day_mask = (1 << P) - 1
        self.trainer_free = [free_mask(b) for b in inst.trainer_blocked]
        self.facility_free = [free_mask(b) for b in inst.facility_blocked]
        count = len(inst.offerings)
        self.never = T + 1  # a finish that no plan reaches: the run cannot be placed
        self.earliest = [0] * count  # no session of the run can start before
        self.earliest_because = [-1] * count  # the prerequisite that sets it (-1: none)
        self.finish = [self.never] * count  # the run's last session cannot end before
        self.lock_starts: list[list[int]] = [[] for _ in range(count)]
        self.lock_trainers: list[set[int]] = [set() for _ in range(count)]
        for (offering, _s), (start, _f, trainer) in inst.locks.items():
            self.lock_starts[offering].append(start)
            if trainer is not None:
                self.lock_trainers[offering].add(trainer)
        self._facilities = [self._any_facility(od) for od in inst.offerings]
        self._starts = [mask_of(od.starts) for od in inst.offerings]
        # Runs that must end before each run starts, through any chain (bit p: run p).
        self.ancestors = [0] * count
        for offering in self._order():
            self._forward(inst.offerings[offering])
            for prerequisite in inst.offerings[offering].after:
                self.ancestors[offering] |= self.ancestors[prerequisite] | (1 << prerequisite)

    # ----- building ------------------------------------------------------------------------
    def _order(self) -> list[int]:
        """Prerequisites first (an 'after' chain may be thousands of runs long)."""
        offerings = self.inst.offerings
        waiting = {od.index: len(set(od.after)) for od in offerings}
        ready = deque(o for o, count in waiting.items() if count == 0)
        order = []
        while ready:
            offering = ready.popleft()
            order.append(offering)
            for successor in offerings[offering].before:
                waiting[successor] -= 1
                if waiting[successor] == 0:
                    ready.append(successor)
        order += [o for o in waiting if o not in set(order)]  # a cycle (validated away)
        return order

    def follows(self, offering: int, prerequisite: int) -> bool:
        """Run ``offering`` must start after run ``prerequisite`` ends (directly or through a
        chain)."""
        return bool((self.ancestors[offering] >> prerequisite) & 1)

    def _any_facility(self, od: OfferingData) -> int:
        out = 0
        for facility in od.facilities:
            out |= whole(self.facility_free[facility], od.length)
        return out

    def trainers(self, od: OfferingData) -> list[int]:
        """Candidate trainers, narrowed to the one its locked sessions name."""
        named = self.lock_trainers[od.index]
        return [t for t in od.trainers if t in named] if named else list(od.trainers)

    def can_carry(self, od: OfferingData, trainer: int) -> bool:
        """The ``trainer``'s own limits allow a session, and the whole run, at all."""
        inst = self.inst
        total = inst.trainer_total_limit[trainer]
        week = inst.trainer_week_limit[trainer]
        return (
            inst.trainer_day_limit[trainer] >= od.length
            and (week is None or week >= od.length)
            and (total is None or total >= od.sessions * od.length)
        )

    def window_mask(self, od: OfferingData) -> int:
        """Starts between its earliest start and its latest end."""
        first, last = self.earliest[od.index], od.deadline - od.length
        if last < first:
            return 0
        return ((1 << (last + 1)) - 1) & ~((1 << first) - 1)

    def base(self, od: OfferingData) -> int:
        """Starts the run, its cohorts and some suitable facility allow, inside its window."""
        return self._starts[od.index] & self._facilities[od.index] & self.window_mask(od)

    def for_trainer(self, od: OfferingData, trainer: int) -> int:
        if not self.can_carry(od, trainer):
            return 0
        return self.base(od) & whole(self.trainer_free[trainer], od.length)

    def usable(self, od: OfferingData) -> int:
        """Starts where some candidate trainer and some suitable facility are free."""
        trainers = 0
        for trainer in self.trainers(od):
            if self.can_carry(od, trainer):
                trainers |= whole(self.trainer_free[trainer], od.length)
        return self.base(od) & trainers

    def day_cap(self, od: OfferingData) -> int:
        limits = [self.inst.trainer_day_limit[t] for t in self.trainers(od)]
        return max(limits, default=0) // od.length

    def _forward(self, od: OfferingData) -> None:
        offering = od.index
        before = [(self.finish[p], p) for p in od.after]
        if before:
            finish, because = max(before)
            self.earliest[offering], self.earliest_because[offering] = finish, because
        if self.earliest[offering] >= self.never:
            return
        self.finish[offering] = self.earliest_finish(od, self.usable(od), self.day_cap(od))
        locked_ends = [g + od.length for g in self.lock_starts[offering]]
        if self.finish[offering] < self.never and locked_ends:
            self.finish[offering] = max(self.finish[offering], *locked_ends)

    # ----- counting ------------------------------------------------------------------------
    def days(self, mask: int) -> list[tuple[int, int]]:
        """(day, that day's bits) for every day with a set bit."""
        P, out, day = self.inst.P, [], 0
        while mask:
            bits = mask & self.day_mask
            if bits:
                out.append((day, bits))
            mask >>= P
            day += 1
        return out

    def earliest_finish(self, od: OfferingData, mask: int, cap: int) -> int:
        """The earliest the run's last session can end using starts in ``mask``, at most
        ``cap`` sessions a day (never: it cannot fit at all)."""
        P, sessions = self.inst.P, od.sessions
        if cap <= 0:
            return self.never
        days = self.days(mask)
        if od.consecutive:
            start = self.consecutive_block(days, sessions)
            if start is None:
                return self.never
            last = dict(days)[start + sessions - 1]
            return (start + sessions - 1) * P + day_ends(last, od.length)[0]
        count = 0
        for day, bits in days:
            ends = day_ends(bits, od.length)[:cap]
            if count + len(ends) >= sessions:
                return day * P + ends[sessions - count - 1]
            count += len(ends)
        return self.never

    @staticmethod
    def consecutive_block(days: list[tuple[int, int]], length: int) -> int | None:
        """The first day of the earliest ``length`` consecutive days that all have a start."""
        run_start, previous = -2, -2
        for day, _bits in days:
            if day != previous + 1:
                run_start = day
            previous = day
            if day - run_start + 1 >= length:
                return run_start
        return None

    def most_sessions(self, od: OfferingData, trainer: int) -> int:
        """At most how many of the run's sessions ``trainer`` can deliver (an upper bound:
        each day, each ISO week and the whole term capped by the trainer's limits)."""
        inst = self.inst
        mask = self.for_trainer(od, trainer)
        length = od.length
        cap = inst.trainer_day_limit[trainer] // length
        days = self.days(mask)
        if od.consecutive:
            return od.sessions if self.consecutive_block(days, od.sessions) is not None else 0
        weekly: dict[int, int] = {}
        for day, bits in days:
            week = inst.week_of_day[day]
            weekly[week] = weekly.get(week, 0) + min(cap, len(day_ends(bits, length)))
        week_limit, total_limit = (
            inst.trainer_week_limit[trainer],
            inst.trainer_total_limit[trainer],
        )
        if week_limit is not None:
            weekly = {w: min(n, week_limit // length) for w, n in weekly.items()}
        total = sum(weekly.values())
        return total if total_limit is None else min(total, total_limit // length)

    def most_days(self, od: OfferingData) -> int:
        """At most how many distinct days the run can use (one trainer delivers it all)."""
        best = 0
        for trainer in self.trainers(od):
            best = max(best, len(self.days(self.for_trainer(od, trainer))))
        return min(best, od.sessions)
