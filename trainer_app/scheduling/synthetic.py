"""Synthetic UK training-network scenarios for benchmarks and property tests.

Deterministic for a (size, seed): hubs, facilities of the six kinds, trainers with
qualifications (every course has at least three qualified trainers), cohorts following course
prerequisites, leave and closures. Feasibility is guaranteed by construction: a hidden timetable
is planted first, obeying every hard rule, and the limits, leave and closures are then drawn
around it. The calendar is sized so that the busiest kind of facility is about 60–75 % used.

``tight=True`` makes terms like the hardest real ones, still with the planted plan: one
facility of each kind per hub and most runs tied to a hub (so a cleanroom is one room), longer
sessions, two to four qualified trainers per course and term limits at or just above what the
planted plan gives each trainer, leave at the start of term, narrow windows for runs and more
days off for cohorts. A complete plan exists; finding it is the planner's job.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from trainer_app.scheduling.scenario import (
    Assignment,
    Calendar,
    Cohort,
    Facility,
    Hub,
    Lock,
    Offering,
    Plan,
    PlanStatus,
    Scenario,
    Slot,
    Trainer,
)

PERIODS = 4
LABELS = ("09:00", "11:00", "13:30", "15:30")
START = date(2027, 1, 11)
UTILISATION = 0.68
TIGHT_PLANTED = 0.9  # a tight term keeps the calendar once this share of the drafts is planted

HUBS = (
    ("LON", "London (KCL, Royal Free, UCL)"),
    ("MAN", "Manchester"),
    ("SHE", "Sheffield"),
    ("BRI", "Bristol"),
    ("EDI", "Edinburgh"),
    ("CAR", "Cardiff"),
    ("NEW", "Newcastle"),
    ("BEL", "Belfast"),
)

# kind: (capacity range, hard capacity, share of facilities)
KINDS = {
    "cleanroom_grade_b": ((4, 8), True, 0.17),
    "cleanroom_grade_c": ((4, 8), True, 0.17),
    "qc_laboratory": ((6, 10), True, 0.17),
    "training_laboratory": ((8, 12), True, 0.17),
    "classroom": ((12, 24), False, 0.22),
    "virtual": ((30, 40), False, 0.10),
}


@dataclass(frozen=True)
class _Course:
    code: str
    kind: str
    sessions: tuple[int, int]
    length: int
    requires: tuple[str, ...] = ()


COURSES = (
    _Course("GMP1", "classroom", (1, 2), 1),
    _Course("DOCS", "virtual", (1, 1), 1),
    _Course("GOWN", "cleanroom_grade_c", (1, 2), 1, ("GMP1",)),
    _Course("ENVM", "cleanroom_grade_c", (2, 3), 1, ("GOWN",)),
    _Course("ASEP", "cleanroom_grade_b", (2, 4), 2, ("GOWN",)),
    _Course("FILL", "cleanroom_grade_b", (1, 2), 2, ("ASEP",)),
    _Course("QCMB", "qc_laboratory", (2, 3), 2, ("GMP1",)),
    _Course("QCAN", "qc_laboratory", (1, 2), 1, ("DOCS",)),
    _Course("CELL", "training_laboratory", (2, 5), 2, ("GMP1",)),
    _Course("CRYO", "training_laboratory", (1, 2), 1, ("CELL",)),
    _Course("DEVI", "classroom", (1, 1), 1, ("DOCS",)),
    _Course("VALI", "classroom", (2, 3), 1, ("GMP1",)),
    _Course("DATA", "virtual", (1, 2), 1, ("DOCS",)),
    _Course("ATMP", "virtual", (2, 3), 1),
)
_COURSE = {c.code: c for c in COURSES}


@dataclass
class _Draft:
    """An offering before it is planted, and where it was planted."""

    id: str
    course: _Course
    sessions: int
    attendees: int
    cohort: str | None
    after: tuple[str, ...]
    consecutive: bool
    placed: list[Assignment] = field(default_factory=list)
    length: int = 0  # periods per session; the course's unless a tight term lengthens it

    def __post_init__(self) -> None:
        self.length = self.length or self.course.length


def generate(
    sessions: int,
    seed: int,
    *,
    hubs: int = 6,
    trainers: int = 40,
    facilities: int = 30,
    days: int | None = None,
    tight: bool = False,
) -> Scenario:
    """A feasible, tight scenario of about ``sessions`` sessions (deterministic per seed)."""
    return generate_with_plan(
        sessions, seed, hubs=hubs, trainers=trainers, facilities=facilities, days=days, tight=tight
    )[0]


def generate_with_plan(
    sessions: int,
    seed: int,
    *,
    hubs: int = 6,
    trainers: int = 40,
    facilities: int = 30,
    days: int | None = None,
    tight: bool = False,
) -> tuple[Scenario, Plan]:
    """``generate``'s scenario and the hidden timetable planted in it (a valid plan)."""
    hub_list = tuple(Hub(code, name) for code, name in HUBS[: max(1, min(hubs, len(HUBS)))])
    drafted = _network(sessions, seed, hub_list, trainers, facilities, tight)
    length = days or _days_needed(*drafted)
    for _ in range(12):
        rng = random.Random(f"{sessions}/{seed}/{length}" + ("/tight" if tight else ""))
        facility_list, trainer_list, drafts, cohorts = _network(
            sessions, seed, hub_list, trainers, facilities, tight
        )
        calendar = _calendar(length)
        planter = _Planter(rng, calendar, facility_list, trainer_list, cohorts, tight)
        planted = [d for d in drafts if planter.plant(d)]
        placed = sum(d.sessions for d in planted)
        # Lengthen the calendar until nearly everything drafted fits: tight, yet feasible.
        share = TIGHT_PLANTED if tight else 0.97
        if days is not None or placed >= share * sum(d.sessions for d in drafts):
            break
        length = math.ceil(length * 1.08)
    kept = {d.id for d in planted}
    cohort_list = tuple(
        Cohort(
            c,
            tuple(o for o in offered if o in kept),
            planter.free_slots(rng, "cohort", c, 12 if tight else 3),
        )
        for c, offered in cohorts.items()
    )
    scenario = Scenario(
        calendar=calendar,
        hubs=hub_list,
        facilities=tuple(
            Facility(
                f.id, f.hub, f.kind, f.capacity, f.capacity_is_hard, planter.closures(rng, f.id)
            )
            for f in facility_list
        ),
        trainers=tuple(planter.limits(rng, t) for t in trainer_list),
        offerings=tuple(_offering(rng, d, kept, planter, tight) for d in planted),
        cohorts=tuple(c for c in cohort_list if c.offerings),
        locked=tuple(_locks(rng, planted)),
        name=f"Synthetic {'tight ' if tight else ''}network, {sessions} sessions, seed {seed}",
    )
    plan = Plan(tuple(a for d in planted for a in d.placed), PlanStatus.FEASIBLE, name="planted")
    return scenario, plan


def _network(
    sessions: int, seed: int, hubs: tuple[Hub, ...], trainers: int, facilities: int, tight: bool
) -> tuple[list[Facility], list[Trainer], list[_Draft], dict[str, list[str]]]:
    rng = random.Random(
        f"{sessions}/{seed}/{len(hubs)}/{trainers}/{facilities}" + ("/tight" if tight else "")
    )
    if not tight:
        return (
            _facilities(rng, hubs, facilities),
            _trainers(rng, hubs, trainers),
            *_drafts(rng, hubs, sessions),
        )
    facility_list = _facilities_per_hub(rng, hubs, facilities)
    drafts, cohorts = _drafts(rng, hubs, sessions, tight=True)
    return facility_list, _few_trainers(rng, hubs, trainers, drafts), drafts, cohorts


def _facilities(rng: random.Random, hubs: tuple[Hub, ...], count: int) -> list[Facility]:
    kinds = list(KINDS)
    # Every kind at least once, then in proportion to its share.
    chosen = kinds[: min(count, len(kinds))]
    chosen += rng.choices(kinds, weights=[k[2] for k in KINDS.values()], k=count - len(chosen))
    out: list[Facility] = []
    for i, kind in enumerate(sorted(chosen, key=kinds.index)):
        (low, high), hard, _ = KINDS[kind]
        hub = hubs[i % len(hubs)].id
        # The first of each kind is the largest, so every group fits somewhere.
        capacity = high if not out or out[-1].kind != kind else rng.randint(low, high)
        out.append(Facility(f"{hub}-{kind[:2].upper()}{i:02d}", hub, kind, capacity, hard))
    return out


def _trainers(rng: random.Random, hubs: tuple[Hub, ...], count: int) -> list[Trainer]:
    qualified: list[set[str]] = [set() for _ in range(count)]
    for course in COURSES:
        for trainer in rng.sample(range(count), min(count, 3 + rng.randint(0, 3))):
            qualified[trainer].add(course.code)
    for courses in qualified:
        courses.update(rng.sample([c.code for c in COURSES], 2))
    return [
        Trainer(f"T{i + 1:02d}", hubs[i % len(hubs)].id, frozenset(q))
        for i, q in enumerate(qualified)
    ]


def _facilities_per_hub(rng: random.Random, hubs: tuple[Hub, ...], count: int) -> list[Facility]:
    """One facility of each physical kind per hub, kind by kind, as far as ``count`` goes, and
    one virtual room for about every ten: a run tied to a hub has one room of its kind."""
    physical = [
        "classroom",
        "cleanroom_grade_c",
        "training_laboratory",
        "cleanroom_grade_b",
        "qc_laboratory",
    ]
    virtual = max(1, count // 10)
    out: list[Facility] = []
    for i in range(count):
        if i < count - virtual:
            hub, kind = hubs[i % len(hubs)].id, physical[(i // len(hubs)) % len(physical)]
        else:
            hub, kind = hubs[(count - 1 - i) % len(hubs)].id, "virtual"
        (low, high), hard, _ = KINDS[kind]
        capacity = high if i < len(hubs) * len(physical) else rng.randint(low, high)
        out.append(Facility(f"{hub}-{kind[:2].upper()}{i:02d}", hub, kind, capacity, hard))
    return out


def _few_trainers(
    rng: random.Random, hubs: tuple[Hub, ...], count: int, drafts: list[_Draft]
) -> list[Trainer]:
    """Qualified trainers per course in proportion to its teaching, never fewer than two; the
    two who teach a rarely taught course teach a common one as well, so who takes the common
    runs decides whether the rare ones still find a trainer within their term limits."""
    demand: dict[str, int] = defaultdict(int)
    for draft in drafts:
        demand[draft.course.code] += draft.sessions * draft.length
    total = sum(demand.values()) or 1
    qualified: list[set[str]] = [set() for _ in range(count)]
    common = sorted(COURSES, key=lambda c: -demand[c.code])[: len(COURSES) // 2]
    for course in COURSES:
        share = round(1.1 * count * demand[course.code] / total) + rng.randint(-1, 1)
        chosen = rng.sample(range(count), min(count, max(2, share)))
        for trainer in chosen:
            qualified[trainer].add(course.code)
        if len(chosen) == 2:
            for trainer in chosen:
                qualified[trainer].add(rng.choice(common).code)
    for courses in qualified:
        if not courses:
            courses.add(rng.choice(common).code)
    return [
        Trainer(f"T{i + 1:02d}", hubs[i % len(hubs)].id, frozenset(q))
        for i, q in enumerate(qualified)
    ]


def _drafts(
    rng: random.Random, hubs: tuple[Hub, ...], target: int, *, tight: bool = False
) -> tuple[list[_Draft], dict[str, list[str]]]:
    """Offerings (in prerequisite order per cohort) adding up to about ``target`` sessions."""
    drafts: list[_Draft] = []
    cohorts: dict[str, list[str]] = {}
    total = 0
    while total < target:
        cohort = f"{hubs[len(cohorts) % len(hubs)].id}-C{len(cohorts) + 1:03d}"
        size = rng.randint(4, 6)  # a cohort small enough for one cleanroom group
        path = _course_path(rng, rng.randint(4, 12))
        cohorts[cohort] = []
        by_course: dict[str, str] = {}
        for course in path:
            number = sum(1 for d in drafts if d.course.code == course.code) + 1
            count = rng.randint(*course.sessions)
            draft = _Draft(
                f"{course.code}-2027-{number:02d}",
                course,
                count,
                size,
                cohort,
                tuple(by_course[r] for r in course.requires if r in by_course),
                count > 1 and rng.random() < 0.2,
            )
            if tight:  # longer sessions: half a day or more, some a whole day
                draft.length = rng.choices((1, 2, 3, 4), (7, 73, 16, 4))[0]
            by_course[course.code] = draft.id
            cohorts[cohort].append(draft.id)
            drafts.append(draft)
            total += count
            if total >= target:
                break
    return drafts, cohorts


def _course_path(rng: random.Random, size: int) -> list[_Course]:
    """Courses closed under prerequisites, prerequisites first."""
    wanted: list[str] = []

    def need(code: str) -> None:
        for r in _COURSE[code].requires:
            need(r)
        if code not in wanted:
            wanted.append(code)

    for course in rng.sample(COURSES, len(COURSES)):
        if len(wanted) >= size:
            break
        need(course.code)
    return [_COURSE[c] for c in wanted]


def _days_needed(
    facilities: list[Facility],
    trainers: list[Trainer],
    drafts: list[_Draft],
    cohorts: dict[str, list[str]],
) -> int:
    """A first guess at the calendar: resource use at UTILISATION, or a cohort's own load."""
    demand: dict[str, int] = defaultdict(int)
    for draft in drafts:
        demand[draft.course.kind] += draft.sessions * draft.length
    supply: dict[str, int] = defaultdict(int)
    for facility in facilities:
        supply[facility.kind] += PERIODS
    per_kind = max(demand[k] / (supply[k] * UTILISATION) for k in demand)
    teaching = sum(demand.values()) / (len(trainers) * 3 * UTILISATION)
    sessions = {d.id: d.sessions for d in drafts}
    cohort = max(sum(sessions[o] for o in offered) for offered in cohorts.values())
    return max(10, math.ceil(max(per_kind, teaching, cohort)))


def _calendar(days: int) -> Calendar:
    out: list[date] = []
    day = START
    while len(out) < days:
        if day.weekday() < 5 and day not in _BANK_HOLIDAYS:
            out.append(day)
        day += timedelta(days=1)
    return Calendar(tuple(out), PERIODS, LABELS)


_BANK_HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2027-03-26",
        "2027-03-29",
        "2027-05-03",
        "2027-05-31",
        "2027-08-30",
        "2027-12-27",
        "2027-12-28",
        "2028-01-03",
        "2028-04-14",
        "2028-04-17",
        "2028-05-01",
        "2028-05-29",
    )
)


class _Planter:
    """Plants each offering greedily, obeying every hard rule; remembers what it used."""

    def __init__(
        self,
        rng: random.Random,
        calendar: Calendar,
        facilities: list[Facility],
        trainers: list[Trainer],
        cohorts: dict[str, list[str]],
        tight: bool = False,
    ) -> None:
        self.rng = rng
        self.days = len(calendar.days)
        self.facilities = facilities
        self.trainers = trainers
        self.tight = tight
        self.day_limit = {t.id: rng.choice((2, 3, 3, 4) if tight else (3, 4)) for t in trainers}
        self.busy: set[tuple[str, str, int, int]] = set()  # (what, id, day, period)
        self.taught: dict[tuple[str, int], int] = defaultdict(int)
        self.hub_on: dict[tuple[str, int], str] = {}
        self.end_of: dict[str, int] = {}
        self.leave: dict[str, frozenset[tuple[int, int]]] = {}
        if tight:
            self._book_leave()

    def _book_leave(self) -> None:
        """Leave decided before planting: for about half the trainers the first days of term,
        for some a week or two later on."""
        for trainer in self.trainers:
            days: set[int] = set()
            if self.rng.random() < 0.45:
                days.update(range(min(self.days, self.rng.randint(1, 5))))
            if self.rng.random() < 0.3:
                first = self.rng.randrange(self.days)
                days.update(range(first, min(self.days, first + self.rng.randint(3, 10))))
            slots = frozenset((d, q) for d in days for q in range(PERIODS))
            self.leave[trainer.id] = slots
            self.busy.update(("trainer", trainer.id, d, q) for d, q in slots)

    def plant(self, draft: _Draft) -> bool:
        earliest = max((self.end_of.get(a, 0) for a in draft.after), default=0)
        suitable = [f for f in self.facilities if f.kind == draft.course.kind]
        suitable = [f for f in suitable if not f.capacity_is_hard or f.capacity >= draft.attendees]
        teachers = [t for t in self.trainers if draft.course.code in t.qualifications]
        if not suitable or not teachers:
            return False
        for _ in range(40):
            facility = self.rng.choice(suitable)
            # Mostly a trainer from the facility's hub, sometimes one who travels.
            weights = [6 if t.hub == facility.hub else 1 for t in teachers]
            trainer = self.rng.choices(teachers, weights)[0]
            placed = self._try(draft, facility, trainer, earliest)
            if placed:
                self._commit(draft, placed)
                return True
        return False

    def _try(
        self, draft: _Draft, facility: Facility, trainer: Trainer, earliest: int
    ) -> list[Assignment] | None:
        length = draft.length
        first_day = earliest // PERIODS
        if first_day >= self.days:
            return None
        day = min(self.days - 1, first_day + int(self.rng.expovariate(1 / 6)))
        placed: list[Assignment] = []
        used: set[tuple[str, str, int, int]] = set()
        for session in range(draft.sessions):
            slot = self._slot(draft, facility, trainer, day, length, earliest, used)
            if slot is None:
                return None
            placed.append(Assignment(draft.id, session, slot[0], slot[1], facility.id, trainer.id))
            used.update(self._cells(draft, facility, trainer, slot[0], slot[1], length))
            day = slot[0] + 1
            if draft.consecutive and session + 1 < draft.sessions and day >= self.days:
                return None
        return placed

    def _slot(
        self,
        draft: _Draft,
        facility: Facility,
        trainer: Trainer,
        day: int,
        length: int,
        earliest: int,
        used: set[tuple[str, str, int, int]],
    ) -> tuple[int, int] | None:
        last = day + 1 if draft.consecutive else self.days
        for candidate_day in range(day, min(last, self.days)):
            if self.hub_on.get((trainer.id, candidate_day), facility.hub) != facility.hub:
                continue
            if self.taught[trainer.id, candidate_day] + length > self.day_limit[trainer.id]:
                continue
            for period in self.rng.sample(range(PERIODS - length + 1), PERIODS - length + 1):
                if candidate_day * PERIODS + period < earliest:
                    continue
                cells = self._cells(draft, facility, trainer, candidate_day, period, length)
                if not any(c in self.busy or c in used for c in cells):
                    return candidate_day, period
        return None

    @staticmethod
    def _cells(
        draft: _Draft, facility: Facility, trainer: Trainer, day: int, period: int, length: int
    ) -> list[tuple[str, str, int, int]]:
        cells = []
        for covered in range(period, period + length):
            cells.append(("facility", facility.id, day, covered))
            cells.append(("trainer", trainer.id, day, covered))
            if draft.cohort:
                cells.append(("cohort", draft.cohort, day, covered))
        return cells

    def _commit(self, draft: _Draft, placed: list[Assignment]) -> None:
        length = draft.length
        facility = next(f for f in self.facilities if f.id == placed[0].facility)
        trainer = next(t for t in self.trainers if t.id == placed[0].trainer)
        for assignment in placed:
            self.busy.update(
                self._cells(draft, facility, trainer, assignment.day, assignment.period, length)
            )
            self.taught[assignment.trainer, assignment.day] += length
            self.hub_on[assignment.trainer, assignment.day] = facility.hub
        self.end_of[draft.id] = max(a.day * PERIODS + a.period + length for a in placed)
        draft.placed = placed

    # ----- what is drawn around the planted timetable ------------------------------------------
    def free_slots(
        self, rng: random.Random, what: str, ident: str, most: int = 3
    ) -> frozenset[tuple[int, int]]:
        """A few whole days (leave, closures, exams) on which ``ident`` is not planted."""
        free = [
            d
            for d in range(self.days)
            if not any((what, ident, d, q) in self.busy for q in range(PERIODS))
        ]
        choices = (0, 1, 2, 3) if most == 3 else tuple(range(most + 1))
        days = rng.sample(free, min(len(free), rng.choice(choices)))
        return frozenset((d, q) for d in days for q in range(PERIODS))

    def closures(self, rng: random.Random, facility: str) -> frozenset[tuple[int, int]]:
        return self.free_slots(rng, "facility", facility) if rng.random() < 0.3 else frozenset()

    def limits(self, rng: random.Random, trainer: Trainer) -> Trainer:
        load = sum(v for (t, _), v in self.taught.items() if t == trainer.id)
        if self.tight:  # leave as booked, the term limit at or just above the planted load
            return Trainer(
                trainer.id,
                trainer.hub,
                trainer.qualifications,
                self.leave[trainer.id],
                self.day_limit[trainer.id],
                max(load, 1) + rng.choice((0, 0, 0, 1, 2, 4, 8, 16)),
            )
        return Trainer(
            trainer.id,
            trainer.hub,
            trainer.qualifications,
            self.free_slots(rng, "trainer", trainer.id) if rng.random() < 0.5 else frozenset(),
            self.day_limit[trainer.id],
            max(8, math.ceil(load * 1.25)),
        )


def _offering(
    rng: random.Random, draft: _Draft, kept: set[str], planter: _Planter, tight: bool = False
) -> Offering:
    first = draft.placed[0]
    facility = next(f for f in planter.facilities if f.id == first.facility)
    days = len({a.day for a in draft.placed})
    if tight:
        return _tight_offering(rng, draft, kept, planter, facility.hub, days)
    return _run(rng, draft, kept, facility.hub, days, named=0.1, at_hub=0.3)


def _tight_offering(
    rng: random.Random, draft: _Draft, kept: set[str], planter: _Planter, hub: str, days: int
) -> Offering:
    """Most runs tied to their hub, and a window of dates around where the run was planted."""
    first_day = min(a.day for a in draft.placed)
    last_day = max(a.day for a in draft.placed)
    opens = max(0, first_day - rng.randint(4, 25))
    closes = min(planter.days - 1, last_day + rng.randint(4, 25))
    outside = frozenset(
        (day, q)
        for day in range(planter.days)
        if not opens <= day <= closes
        for q in range(PERIODS)
    )
    return _run(rng, draft, kept, hub, days, named=0.15, at_hub=0.85, unavailable=outside)


def _run(
    rng: random.Random,
    draft: _Draft,
    kept: set[str],
    hub: str,
    days: int,
    *,
    named: float,
    at_hub: float,
    unavailable: frozenset[Slot] = frozenset(),
) -> Offering:
    """The run as planted: its minimum days at most the days it took (sometimes one more), its
    planted trainer named with probability ``named``, tied to its hub with ``at_hub``."""
    return Offering(
        draft.id,
        draft.course.code,
        draft.sessions,
        draft.attendees,
        draft.length,
        min(draft.sessions, days + rng.choice((0, 0, 1))) if draft.sessions > 1 else 1,
        draft.consecutive,
        draft.placed[0].trainer if rng.random() < named else None,
        (draft.course.kind,),
        hub if rng.random() < at_hub else None,
        unavailable,
        tuple(a for a in draft.after if a in kept),
    )


def _locks(rng: random.Random, planted: list[_Draft]) -> list[Lock]:
    return [
        Lock(a.offering, a.session, a.day, a.period, a.facility, a.trainer)
        for d in planted
        for a in d.placed
        if rng.random() < 0.02
    ]
