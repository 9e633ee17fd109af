"""The solver's view of a scenario: integer indexes, candidate lists and blocked periods.

Times are global period indexes ``g = day * P + period``. A session of length ``L`` starting at
``g`` covers ``g … g+L-1`` and must lie inside one day. Everything here is derived once from the
scenario and shared by the greedy construction, the CP-SAT models and the cost evaluator.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from trainer_app.scheduling.rules import Face, Rule, enforces
from trainer_app.scheduling.scenario import TERMS, Facility, Offering, Scenario, Slot, Trainer


@dataclass
class OfferingData:
    index: int
    id: str
    course: str
    sessions: int
    length: int
    attendees: int
    min_days: int
    consecutive: bool
    trainers: list[int]  # candidate trainer indexes (the fixed one, or the qualified ones)
    facilities: list[int]  # candidate facility indexes (kind, hub, hard capacity)
    overflow: dict[int, int]  # facility index -> attendees above a soft capacity
    starts: list[int]  # global starts allowed by the day, the offering and its cohorts
    cohorts: list[int]
    after: list[int]  # offerings that must end before this one starts
    before: list[int] = field(default_factory=list)  # offerings that must start after this
    deadline: int = 0  # latest end allowed by locked sessions of runs that must follow it


@dataclass
class Instance:
    scenario: Scenario
    P: int  # periods per day
    D: int  # days
    week_of_day: tuple[int, ...]
    hubs: list[str]
    facility_ids: list[str]
    facility_hub: list[int]
    facility_blocked: list[bytearray]  # per facility, per global period: 1 = unavailable
    trainer_ids: list[str]
    trainer_hub: list[int]
    trainer_blocked: list[bytearray]
    trainer_day_limit: list[int]
    trainer_week_limit: list[int | None]
    trainer_total_limit: list[int | None]
    cohort_ids: list[str]
    cohort_offerings: list[list[int]]
    offerings: list[OfferingData]
    locks: dict[tuple[int, int], tuple[int, int | None, int | None]]  # (o, s) -> (g, f, t)
    weights: dict[str, int]  # integer weights (scaled when the scenario gives fractions)
    weight_scale: int
    previous: dict[tuple[int, int], tuple[int, int, int]]  # (o, s) -> (g, f, t)

    @property
    def T(self) -> int:
        return self.P * self.D

    def day(self, start: int) -> int:
        return start // self.P

    def sessions(self) -> list[tuple[int, int]]:
        return [(o.index, s) for o in self.offerings for s in range(o.sessions)]


def _blocked(slots: frozenset[Slot], periods_per_day: int, term_periods: int) -> bytearray:
    out = bytearray(term_periods)
    for day, period in slots:
        out[day * periods_per_day + period] = 1
    return out


def _integer_weights(scenario: Scenario) -> tuple[dict[str, int], int]:
    raw = {term: scenario.weight(term) for term in TERMS}
    scale = 1 if all(float(w).is_integer() for w in raw.values()) else 100
    return {term: round(w * scale) for term, w in raw.items()}, scale


def _deadlines(
    offerings: list[OfferingData],
    scenario: Scenario,
    o_index: dict[str, int],
    periods_per_day: int,
    term_periods: int,
) -> None:
    """A run must end before every run that follows it starts, and those runs' locked sessions
    do not move: so each run has a latest end, through any chain of followers."""
    locked_start: dict[int, int] = {}
    for lock in scenario.locked:
        offering = o_index[lock.offering]
        start = lock.day * periods_per_day + lock.period
        locked_start[offering] = min(locked_start.get(offering, term_periods), start)
    done: dict[int, int] = {}

    def needed(follower: OfferingData) -> int:
        """Time a follower needs: back-to-back sessions, or one a day when consecutive."""
        if follower.consecutive:
            return (follower.sessions - 1) * periods_per_day + follower.length
        return follower.sessions * follower.length

    # Followers first, without recursion: an 'after' chain may be thousands of runs long.
    state: dict[int, int] = {}  # 1 = waiting for its followers' deadlines, 2 = done
    for od in offerings:
        todo = [od.index]
        while todo:
            offering = todo[-1]
            if state.get(offering) == 2:
                todo.pop()
            elif offering not in state:
                state[offering] = 1
                todo.extend(n for n in offerings[offering].before if n not in state)
            else:
                todo.pop()
                latest = term_periods
                for successor in offerings[offering].before:
                    # a follower still waiting is a cycle (validated away): the term end guards it
                    follows = done.get(successor, term_periods) - needed(offerings[successor])
                    latest = min(latest, locked_start.get(successor, term_periods), follows)
                done[offering], state[offering] = latest, 2
        od.deadline = done[od.index]


@enforces(Rule.FIXED_TRAINER, Rule.NOT_QUALIFIED, face=Face.CANDIDATES)
def _candidate_trainers(
    offering: Offering, trainers: list[Trainer], t_index: dict[str, int]
) -> list[int]:
    """The run's named trainer, or every trainer qualified for its course."""
    if offering.trainer is not None:
        return [t_index[offering.trainer]]
    return [i for i, trainer in enumerate(trainers) if offering.course in trainer.qualifications]


@enforces(Rule.FACILITY_KIND, Rule.FACILITY_HUB, Rule.CAPACITY, face=Face.CANDIDATES)
def _candidate_facilities(
    offering: Offering, facilities: list[Facility]
) -> tuple[list[int], dict[int, int]]:
    """Rooms of a kind the run needs, at its hub if it has one, seating it if the capacity is
    hard; and the attendees above a soft capacity, per room."""
    candidates, overflow = [], {}
    for i, facility in enumerate(facilities):
        if offering.facility_kinds and facility.kind not in offering.facility_kinds:
            continue
        if offering.hub is not None and facility.hub != offering.hub:
            continue
        if facility.capacity_is_hard and offering.attendees > facility.capacity:
            continue
        candidates.append(i)
        if not facility.capacity_is_hard and offering.attendees > facility.capacity:
            overflow[i] = offering.attendees - facility.capacity
    return candidates, overflow


@enforces(Rule.OUTSIDE_DAY, Rule.UNAVAILABLE, face=Face.CANDIDATES)
def _allowed_starts(length: int, blocked: bytearray, periods_per_day: int, days: int) -> list[int]:
    """Global starts of a session that fits in its day and misses every period the run or its
    cohorts are unavailable."""
    P = periods_per_day
    return [
        day * P + period
        for day in range(days)
        for period in range(P - length + 1)
        if not any(blocked[day * P + period : day * P + period + length])
    ]


def build_instance(scenario: Scenario) -> Instance:
    cal = scenario.calendar
    P, D = cal.periods_per_day, len(cal.days)
    T = P * D
    hubs = [h.id for h in scenario.hubs]
    hub_index = {h: i for i, h in enumerate(hubs)}
    facilities = list(scenario.facilities)
    trainers = list(scenario.trainers)
    f_index = {f.id: i for i, f in enumerate(facilities)}
    t_index = {t.id: i for i, t in enumerate(trainers)}
    o_index = {o.id: i for i, o in enumerate(scenario.offerings)}
    cohorts = list(scenario.cohorts)
    cohort_blocked = [_blocked(c.unavailable, P, T) for c in cohorts]
    cohorts_of: dict[int, list[int]] = defaultdict(list)
    for ci, cohort in enumerate(cohorts):
        for o_id in dict.fromkeys(cohort.offerings):
            cohorts_of[o_index[o_id]].append(ci)

    offerings: list[OfferingData] = []
    for index, offering in enumerate(scenario.offerings):
        candidate_trainers = _candidate_trainers(offering, trainers, t_index)
        candidate_facilities, overflow = _candidate_facilities(offering, facilities)
        blocked = _blocked(offering.unavailable, P, T)
        for ci in cohorts_of[index]:
            blocked = bytearray(a | b for a, b in zip(blocked, cohort_blocked[ci], strict=True))
        length = offering.session_length
        starts = _allowed_starts(length, blocked, P, D)
        offerings.append(
            OfferingData(
                index=index,
                id=offering.id,
                course=offering.course,
                sessions=offering.sessions,
                length=length,
                attendees=offering.attendees,
                min_days=offering.min_days,
                consecutive=offering.consecutive_days,
                trainers=candidate_trainers,
                facilities=candidate_facilities,
                overflow=overflow,
                starts=starts,
                cohorts=cohorts_of[index],
                after=[o_index[a] for a in dict.fromkeys(offering.after)],
            )
        )
    for od in offerings:
        for pred in od.after:
            offerings[pred].before.append(od.index)

    _deadlines(offerings, scenario, o_index, P, T)
    locks = {
        (o_index[k.offering], k.session): (
            k.day * P + k.period,
            f_index[k.facility] if k.facility else None,
            t_index[k.trainer] if k.trainer else None,
        )
        for k in scenario.locked
    }
    previous: dict[tuple[int, int], tuple[int, int, int]] = {}
    if scenario.previous_plan is not None:
        for assignment in scenario.previous_plan.assignments:
            if (
                assignment.offering in o_index
                and assignment.facility in f_index
                and assignment.trainer in t_index
                and 0 <= assignment.day < D
                and 0 <= assignment.period < P
            ):
                previous[(o_index[assignment.offering], assignment.session)] = (
                    assignment.day * P + assignment.period,
                    f_index[assignment.facility],
                    t_index[assignment.trainer],
                )
    weights, scale = _integer_weights(scenario)
    return Instance(
        scenario=scenario,
        P=P,
        D=D,
        week_of_day=cal.week_of_day,
        hubs=hubs,
        facility_ids=[f.id for f in facilities],
        facility_hub=[hub_index[f.hub] for f in facilities],
        facility_blocked=[_blocked(f.unavailable, P, T) for f in facilities],
        trainer_ids=[t.id for t in trainers],
        trainer_hub=[hub_index[t.hub] for t in trainers],
        trainer_blocked=[_blocked(t.unavailable, P, T) for t in trainers],
        trainer_day_limit=[t.max_periods_per_day or P for t in trainers],
        trainer_week_limit=[t.max_periods_per_week for t in trainers],
        trainer_total_limit=[t.max_periods_total for t in trainers],
        cohort_ids=[c.id for c in cohorts],
        cohort_offerings=[[o_index[o] for o in dict.fromkeys(c.offerings)] for c in cohorts],
        offerings=offerings,
        locks=locks,
        weights=weights,
        weight_scale=scale,
        previous=previous,
    )
