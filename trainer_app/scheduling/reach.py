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
    for g in periods:
        out |= 1 << g
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
    p = 0
    while day_bits >> p:
        if (day_bits >> p) & 1 and p >= last:
            last = p + length
            ends.append(last)
        p += 1
    return tuple(ends)


class Reach:
    """Per run: the periods any of its sessions can use, its earliest start and finish."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        P, T = inst.P, inst.T
        self.day_mask = (1 << P) - 1
        self.trainer_free = [free_mask(b) for b in inst.trainer_blocked]
        self.facility_free = [free_mask(b) for b in inst.facility_blocked]
        n = len(inst.offerings)
        self.never = T + 1  # a finish that no plan reaches: the run cannot be placed
        self.earliest = [0] * n  # no session of the run can start before
        self.earliest_because = [-1] * n  # the prerequisite that sets it (-1: none)
        self.finish = [self.never] * n  # the run's last session cannot end before
        self.lock_starts: list[list[int]] = [[] for _ in range(n)]
        self.lock_trainers: list[set[int]] = [set() for _ in range(n)]
        for (o, _s), (g, _f, t) in inst.locks.items():
            self.lock_starts[o].append(g)
            if t is not None:
                self.lock_trainers[o].add(t)
        self._facilities = [self._any_facility(od) for od in inst.offerings]
        self._starts = [mask_of(od.starts) for od in inst.offerings]
        # Runs that must end before each run starts, through any chain (bit p: run p).
        self.ancestors = [0] * n
        for o in self._order():
            self._forward(inst.offerings[o])
            for p in inst.offerings[o].after:
                self.ancestors[o] |= self.ancestors[p] | (1 << p)

    # ----- building ------------------------------------------------------------------------
    def _order(self) -> list[int]:
        """Prerequisites first (an 'after' chain may be thousands of runs long)."""
        offerings = self.inst.offerings
        waiting = {od.index: len(set(od.after)) for od in offerings}
        ready = deque(o for o, count in waiting.items() if count == 0)
        order = []
        while ready:
            o = ready.popleft()
            order.append(o)
            for n in offerings[o].before:
                waiting[n] -= 1
                if waiting[n] == 0:
                    ready.append(n)
        order += [o for o in waiting if o not in set(order)]  # a cycle (validated away)
        return order

    def follows(self, o: int, p: int) -> bool:
        """Run ``o`` must start after run ``p`` ends (directly or through a chain)."""
        return bool((self.ancestors[o] >> p) & 1)

    def _any_facility(self, od: OfferingData) -> int:
        out = 0
        for f in od.facilities:
            out |= whole(self.facility_free[f], od.length)
        return out

    def trainers(self, od: OfferingData) -> list[int]:
        """Candidate trainers, narrowed to the one its locked sessions name."""
        named = self.lock_trainers[od.index]
        return [t for t in od.trainers if t in named] if named else list(od.trainers)

    def can_carry(self, od: OfferingData, t: int) -> bool:
        """Trainer ``t``'s own limits allow a session, and the whole run, at all."""
        inst = self.inst
        total = inst.trainer_total_limit[t]
        week = inst.trainer_week_limit[t]
        return (
            inst.trainer_day_limit[t] >= od.length
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

    def for_trainer(self, od: OfferingData, t: int) -> int:
        if not self.can_carry(od, t):
            return 0
        return self.base(od) & whole(self.trainer_free[t], od.length)

    def usable(self, od: OfferingData) -> int:
        """Starts where some candidate trainer and some suitable facility are free."""
        trainers = 0
        for t in self.trainers(od):
            if self.can_carry(od, t):
                trainers |= whole(self.trainer_free[t], od.length)
        return self.base(od) & trainers

    def day_cap(self, od: OfferingData) -> int:
        limits = [self.inst.trainer_day_limit[t] for t in self.trainers(od)]
        return max(limits, default=0) // od.length

    def _forward(self, od: OfferingData) -> None:
        o = od.index
        before = [(self.finish[p], p) for p in od.after]
        if before:
            finish, because = max(before)
            self.earliest[o], self.earliest_because[o] = finish, because
        if self.earliest[o] >= self.never:
            return
        self.finish[o] = self.earliest_finish(od, self.usable(od), self.day_cap(od))
        locked_ends = [g + od.length for g in self.lock_starts[o]]
        if self.finish[o] < self.never and locked_ends:
            self.finish[o] = max(self.finish[o], *locked_ends)

    # ----- counting ------------------------------------------------------------------------
    def days(self, mask: int) -> list[tuple[int, int]]:
        """(day, that day's bits) for every day with a set bit."""
        P, out, d = self.inst.P, [], 0
        while mask:
            bits = mask & self.day_mask
            if bits:
                out.append((d, bits))
            mask >>= P
            d += 1
        return out

    def earliest_finish(self, od: OfferingData, mask: int, cap: int) -> int:
        """The earliest the run's last session can end using starts in ``mask``, at most
        ``cap`` sessions a day (never: it cannot fit at all)."""
        P, S = self.inst.P, od.sessions
        if cap <= 0:
            return self.never
        days = self.days(mask)
        if od.consecutive:
            start = self.consecutive_block(days, S)
            if start is None:
                return self.never
            last = dict(days)[start + S - 1]
            return (start + S - 1) * P + day_ends(last, od.length)[0]
        count = 0
        for d, bits in days:
            ends = day_ends(bits, od.length)[:cap]
            if count + len(ends) >= S:
                return d * P + ends[S - count - 1]
            count += len(ends)
        return self.never

    @staticmethod
    def consecutive_block(days: list[tuple[int, int]], length: int) -> int | None:
        """The first day of the earliest ``length`` consecutive days that all have a start."""
        run_start, previous = -2, -2
        for d, _bits in days:
            if d != previous + 1:
                run_start = d
            previous = d
            if d - run_start + 1 >= length:
                return run_start
        return None

    def most_sessions(self, od: OfferingData, t: int) -> int:
        """At most how many of the run's sessions trainer ``t`` can deliver (an upper bound:
        each day, each ISO week and the whole term capped by the trainer's limits)."""
        inst = self.inst
        mask = self.for_trainer(od, t)
        L = od.length
        cap = inst.trainer_day_limit[t] // L
        days = self.days(mask)
        if od.consecutive:
            return od.sessions if self.consecutive_block(days, od.sessions) is not None else 0
        weekly: dict[int, int] = {}
        for d, bits in days:
            week = inst.week_of_day[d]
            weekly[week] = weekly.get(week, 0) + min(cap, len(day_ends(bits, L)))
        week_limit, total_limit = inst.trainer_week_limit[t], inst.trainer_total_limit[t]
        if week_limit is not None:
            weekly = {w: min(n, week_limit // L) for w, n in weekly.items()}
        total = sum(weekly.values())
        return total if total_limit is None else min(total, total_limit // L)

    def most_days(self, od: OfferingData) -> int:
        """At most how many distinct days the run can use (one trainer delivers it all)."""
        best = 0
        for t in self.trainers(od):
            best = max(best, len(self.days(self.for_trainer(od, t))))
        return min(best, od.sessions)
