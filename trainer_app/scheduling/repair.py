"""Place what the greedy left out by making room: iterative forward search with conflict
statistics, after UniTime's CPSolver.

An unplaced run goes where it conflicts with the fewest placed runs (hard rules on its own are
never broken); those runs are taken out and queued to be placed again. A memory of which runs
have pushed which out steers away from cycles. The best state seen (most sessions placed) is
what remains at the end.
"""

from __future__ import annotations

import random
import time
from collections import Counter, deque
from collections.abc import Callable

from trainer_app.scheduling.greedy import DayPlan, Greedy, day_plans, window
from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.schedule import Key, Placement, Schedule

Conflicts = frozenset[int]  # offerings that would have to make room


class Repair:
    def __init__(
        self,
        inst: Instance,
        schedule: Schedule,
        rng: random.Random,
        restore: Callable[[Schedule, int], bool] | None = None,
    ) -> None:
        self.inst = inst
        self.schedule = schedule
        self.rng = rng
        self.greedy = Greedy(inst, schedule, rng)
        # Re-planning: put a run back where the previous plan had it, or as near as it fits.
        self.restore = restore
        self.pushed = Counter[tuple[int, int]]()  # (placed run, run it pushed out)
        self.patience = 200

    def run(
        self, unplaced: list[int], deadline: float, should_stop: Callable[[], bool] | None = None
    ) -> None:
        inst, schedule = self.inst, self.schedule
        best = dict(schedule.placed)
        queue = deque(unplaced)
        waiting = set(unplaced)
        tries = Counter[int]()
        stalls = 0
        while queue and time.monotonic() < deadline and not (should_stop and should_stop()):
            offering = queue.popleft()
            waiting.discard(offering)
            od = inst.offerings[offering]
            blocked_by = [p for p in od.after if not self._placed(p)]
            if blocked_by:
                # Wait for the runs it must follow; give up on it only if they are gone.
                if any(p in waiting for p in blocked_by):
                    queue.append(offering)
                    waiting.add(offering)
                continue
            tries[offering] += 1
            if (self.restore is not None and self.restore(schedule, offering)) or (
                self.greedy.place_offering(offering)
            ):
                placed, ejected = True, set[int]()
            else:
                placed, ejected = self._force(od)
            for victim in ejected:
                if victim not in waiting:
                    queue.append(victim)
                    waiting.add(victim)
            if not placed and tries[offering] < 50:
                queue.append(offering)
                waiting.add(offering)
            if len(schedule.placed) > len(best):
                best = dict(schedule.placed)
                stalls = 0
            else:
                stalls += 1
            if stalls > self.patience + 20 * len(unplaced):
                break
        if len(schedule.placed) < len(best):
            self._restore(best)

    def _placed(self, offering: int) -> bool:
        return (offering, 0) in self.schedule.placed

    def _restore(self, assignment: dict[Key, Placement]) -> None:
        for key in list(self.schedule.placed):
            self.schedule.remove(key)
        for key, placement in assignment.items():
            self.schedule.place(key, placement)

    # ----- making room ---------------------------------------------------------------------
    def ways_in(self, od: OfferingData) -> list[tuple[list[Placement], set[int]]]:
        """For each trainer who could take ``od``, its least-conflicting slots and the runs
        that would have to make room, fewest first."""
        out = []
        for trainer in od.trainers:
            for plan in day_plans(self.inst, od):
                option = self._plan_sessions(od, trainer, plan)
                if option is not None:
                    out.append(option)
        return sorted(out, key=lambda option: len(option[1]))

    def _force(self, od: OfferingData) -> tuple[bool, set[int]]:
        """Place ``od`` at the least-conflicting position; say if it worked and who made room."""
        best: tuple[float, list[Placement], set[int]] | None = None
        trainers = list(od.trainers)
        self.rng.shuffle(trainers)
        named = {
            self.inst.locks[(od.index, s)][2]
            for s in range(od.sessions)
            if (od.index, s) in self.inst.locks
        } - {None}
        if named:
            trainers = [t for t in trainers if t in named]
        candidates = [(t, plan) for t in trainers[:6] for plan in day_plans(self.inst, od)]
        for trainer, plan in candidates:
            option = self._plan_sessions(od, trainer, plan)
            if option is None:
                continue
            placements, victims = option
            score = sum(self._price(od.index, v) for v in victims) + self.rng.random()
            if best is None or score < best[0]:
                best = (score, placements, victims)
        if best is None:
            return False, set()
        _, placements, victims = best
        ejected = self._eject(victims)
        for session, placement in enumerate(placements):
            if self.schedule.blocker(od.index, *placement) is not None:
                # a limit still binds (e.g. the trainer's week); undo this session's siblings
                for earlier in range(session):
                    self.schedule.remove((od.index, earlier))
                return False, ejected
            self.schedule.place((od.index, session), placement)
        for victim in victims:
            self.pushed[(od.index, victim)] += 1
        self.greedy.share(od, -1)
        return True, ejected

    def _price(self, offering: int, victim: int) -> float:
        """How much pushing ``victim`` out costs: more each time ``offering`` did it before, and
        much more for sessions still where a previous plan put them (re-planning moves few)."""
        previous = self.inst.previous
        kept = sum(
            1
            for s in range(self.inst.offerings[victim].sessions)
            if previous.get((victim, s)) is not None
            and self.schedule.placed.get((victim, s)) == previous[(victim, s)]
        )
        return 1 + self.pushed[(offering, victim)] + 10 * kept

    def _eject(self, victims: set[int]) -> set[int]:
        """Take runs out, with every run that must follow them (it could not stay valid)."""
        out: set[int] = set()
        stack = list(victims)
        while stack:
            victim = stack.pop()
            if victim in out or not self._placed(victim):
                continue
            out.add(victim)
            for session in range(self.inst.offerings[victim].sessions):
                if (victim, session) in self.schedule.placed:
                    self.schedule.remove((victim, session))
            self.greedy.share(self.inst.offerings[victim], 1)  # it waits for a trainer again
            stack.extend(self.inst.offerings[victim].before)
        return out

    def _plan_sessions(
        self, od: OfferingData, trainer: int, plan: DayPlan | None = None
    ) -> tuple[list[Placement], set[int]] | None:
        """Slots for every session of ``od`` with ``trainer``, fewest conflicting runs first."""
        inst, P = self.inst, self.inst.P
        earliest, _ = window(inst, self.schedule, od)
        latest = od.deadline  # placed followers may be pushed out too (see below)
        chosen: list[Placement] = []
        victims: set[int] = set()
        days: list[int] = []
        for session in range(od.sessions):
            best: tuple[float, Placement, Conflicts] | None = None
            lock = inst.locks.get((od.index, session))
            for start in [lock[0]] if lock is not None else od.starts:
                day = start // P
                if start < earliest or start + od.length > latest:
                    continue  # a locked session too: it may not come before its prerequisites
                if not self._day_allowed(od, session, day, plan, days, lock is not None):
                    continue
                if any(start < c[0] + od.length and c[0] < start + od.length for c in chosen):
                    continue
                if any(inst.trainer_blocked[trainer][q] for q in range(start, start + od.length)):
                    continue
                new_day = 0 if day in days and len(set(days)) < od.min_days else 0.5
                facilities = (
                    [lock[1]] if lock is not None and lock[1] is not None else (od.facilities)
                )
                for facility in facilities:
                    if any(
                        inst.facility_blocked[facility][q] for q in range(start, start + od.length)
                    ):
                        continue
                    conflicts = self._conflicts(od, start, facility, trainer) - {od.index}
                    score = len(conflicts - victims) * 10 - new_day + self.rng.random() * 0.1
                    if best is None or score < best[0]:
                        best = (score, (start, facility, trainer), conflicts)
            if best is None:
                return None
            chosen.append(best[1])
            days.append(best[1][0] // P)
            victims |= best[2]
        end = max(g + od.length for g, _, _ in chosen)
        victims |= {
            n
            for n in od.before
            for s in range(inst.offerings[n].sessions)
            if (n, s) in self.schedule.placed and self.schedule.placed[(n, s)][0] < end
        }
        with_limits = self._limit_victims(od, trainer, chosen, victims)
        if with_limits is None or any(v in od.after for v in with_limits):
            return None  # cannot push out a run this one must follow
        return chosen, with_limits

    @staticmethod
    def _day_allowed(
        od: OfferingData,
        session: int,
        day: int,
        plan: DayPlan | None,
        days: list[int],
        locked: bool,
    ) -> bool:
        """Sessions go in day order; a consecutive run takes the next day, or its plan's day."""
        if plan is not None:
            return day == plan[session]
        if od.consecutive and days:
            return day == days[-1] + 1
        return locked or not days or day >= days[-1]

    def _limit_victims(
        self, od: OfferingData, trainer: int, chosen: list[Placement], victims: set[int]
    ) -> set[int] | None:
        """Add runs of ``trainer`` to take out until its week and total limits hold."""
        inst, schedule, P = self.inst, self.schedule, self.inst.P
        victims = set(victims)

        def load(weeks: set[int] | None) -> int:
            return sum(
                inst.offerings[k[0]].length
                for k in schedule.trainer_sessions[trainer]
                if k[0] not in victims
                and (weeks is None or inst.week_of_day[schedule.placed[k][0] // P] in weeks)
            )

        checks: list[tuple[int, set[int] | None]] = []
        if inst.trainer_total_limit[trainer] is not None:
            checks.append((inst.trainer_total_limit[trainer], None))  # type: ignore[arg-type]
        week_limit = inst.trainer_week_limit[trainer]
        if week_limit is not None:
            for week in {inst.week_of_day[g // P] for g, _, _ in chosen}:
                checks.append((week_limit, {week}))
        for limit, weeks in checks:
            need = sum(
                od.length
                for g, _, _ in chosen
                if weeks is None or inst.week_of_day[g // P] in weeks
            )
            while load(weeks) + need > limit:
                pool = sorted(
                    {
                        k[0]
                        for k in schedule.trainer_sessions[trainer]
                        if k[0] not in victims
                        and k[0] not in od.after
                        and (weeks is None or inst.week_of_day[schedule.placed[k][0] // P] in weeks)
                    },
                    key=lambda v: (
                        self.pushed[(od.index, v)],
                        not self._another_trainer(v, trainer),
                        inst.offerings[v].sessions,
                        self.rng.random(),
                    ),
                )
                if not pool:
                    return None
                victims.add(pool[0])
        return victims

    def _another_trainer(self, offering: int, trainer: int) -> bool:
        """Some trainer other than ``trainer`` could take all of run ``offering`` within their
        term limit."""
        inst, schedule = self.inst, self.schedule
        od = inst.offerings[offering]
        need = od.sessions * od.length
        for other in od.trainers:
            limit = inst.trainer_total_limit[other]
            if other == trainer or inst.trainer_day_limit[other] < od.length:
                continue
            if limit is None or schedule.trainer_total[other] + need <= limit:
                return True
        return False

    def _conflicts(self, od: OfferingData, start: int, facility: int, trainer: int) -> Conflicts:
        schedule, inst, P = self.schedule, self.inst, self.inst.P
        found: set[int] = set()
        for period in range(start, start + od.length):
            for holder in (
                schedule.facility_at.get((facility, period)),
                schedule.trainer_at.get((trainer, period)),
            ):
                if holder is not None:
                    found.add(holder[0])
            for cohort in od.cohorts:
                holder = schedule.cohort_at.get((cohort, period))
                if holder is not None:
                    found.add(holder[0])
        day = start // P
        same_day = [
            k for k in schedule.trainer_sessions[trainer] if schedule.placed[k][0] // P == day
        ]
        hub = inst.facility_hub[facility]
        for key in same_day:
            if inst.facility_hub[schedule.placed[key][1]] != hub:
                found.add(key[0])
        if schedule.trainer_day[trainer][day] + od.length > inst.trainer_day_limit[trainer]:
            found.update(k[0] for k in same_day)
        return frozenset(found)
