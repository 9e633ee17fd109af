"""Turning the store into a planner ``Scenario`` (trainer-app/scenario@1).

Ids in the scenario are readable and stable, so a plan maps back to the store:

- hub: the hub code (``LON``); facility: the facility code (``LON-CR1``);
- trainer: ``T`` + the trainer's store id (``T7``; names are not unique) — see ``trainer_key``
  and ``trainer_id_of``;
- offering: the run code (``ASEP-2027-01``); its ``course``: the course code (``ASEP``);
- cohort: the cohort name (unique in the store).

Whole days are made unavailable by weekdays, closures and leave. Runs that are not being planned
but have published sessions in the period come in as *published* offerings, every session
locked, so that every rule counts them (a trainer's one hub a day and weekly limits, cohorts,
prerequisites); the few that cannot be expressed that way only block their periods.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

import holidays
from sqlalchemy import or_, select
from sqlalchemy.orm import Session, aliased, selectinload

from trainer_app.domain import dates
from trainer_app.domain.calendar import describe_weekdays
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import RunStatus, Unavailability, Unavailable
from trainer_app.domain.records import EnrolmentStatus
from trainer_app.domain.trainers import PERIODS_PER_DAY
from trainer_app.persistence.models import (
    CohortRow,
    CoursePrerequisiteRow,
    CourseRow,
    CourseRunRow,
    EnrolmentRow,
    FacilityRow,
    HubRow,
    PlannedSessionRow,
    TrainerRow,
)
from trainer_app.scheduling.explain import check_locks
from trainer_app.scheduling.rules import Term
from trainer_app.scheduling.scenario import (
    Calendar,
    Cohort,
    Facility,
    Hub,
    Lock,
    Offering,
    Plan,
    Scenario,
    ScenarioError,
    Slot,
    Trainer,
)

PERIOD_LABELS = ("09:00", "11:00", "13:30", "15:30")
# The store-built scenario balances trainers' load and keeps them at their home hub by default.
DEFAULT_WEIGHTS: Mapping[str, float] = {
    Term.CAPACITY_OVERFLOW: 1,
    Term.SPREAD_SHORTFALL: 5,
    Term.COHORT_ISOLATED: 2,
    Term.FACILITY_CHANGES: 1,
    Term.LOAD_BALANCE: 1,
    Term.TRAINER_AWAY: 1,
}
PLANNABLE = (RunStatus.DRAFT.value, RunStatus.PLANNED.value)


def trainer_key(trainer_id: int) -> str:
    """The scenario id of a trainer: ``T`` + store id."""
    return f"T{trainer_id}"


def trainer_id_of(key: str) -> int:
    """The store id behind a scenario trainer id such as ``T7``."""
    if not (key.startswith("T") and key[1:].isdigit()):
        raise DomainError(f"'{key}' is not a trainer of this database (expected T and a number)")
    return int(key[1:])


def bank_holidays(start: date, end: date) -> dict[date, str]:
    """England's bank holidays from ``start`` to ``end`` inclusive, with their names."""
    years = range(start.year, end.year + 1)
    found = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return {day: str(name) for day, name in sorted(found.items()) if start <= day <= end}


def working_days(start: date, end: date) -> tuple[date, ...]:
    """Monday to Friday from ``start`` to ``end`` inclusive, without England's bank holidays."""
    bank = bank_holidays(start, end)
    count = (end - start).days + 1
    every = (start + timedelta(days=n) for n in range(count))
    return tuple(day for day in every if day.weekday() < 5 and day not in bank)


def unavailable_times(session: Session, start: date, end: date) -> tuple[Unavailable, ...]:
    """Why trainers, facilities, hubs and cohorts cannot be planned on days from ``start`` to
    ``end``: bank holidays, leave, closures (a hub's apply to its facilities), days off in a
    trainer's or facility's week, and days outside a cohort's course. The same sources as the
    scenario's unavailable periods, in words."""
    out = [
        Unavailable(Unavailability.EVERYONE, "", day, day, f"Bank holiday: {name}")
        for day, name in bank_holidays(start, end).items()
    ]

    def spans(
        who: Unavailability, key: str, absences: Iterable[Any], words: Callable[[str], str]
    ) -> None:
        for a in absences:
            if a.starts_on <= end and a.ends_on >= start:
                first, last = max(a.starts_on, start), min(a.ends_on, end)
                out.append(Unavailable(who, key, first, last, words(a.reason)))

    def days_off(who: Unavailability, key: str, weekdays: str, reason: str) -> None:
        for n in range((end - start).days + 1):
            day = start + timedelta(days=n)
            if day.weekday() < 5 and str(day.weekday()) not in weekdays:
                out.append(Unavailable(who, key, day, day, reason))

    for hub in session.scalars(select(HubRow).order_by(HubRow.code)).unique():
        spans(Unavailability.HUB, hub.code, hub.closures, _closed)
    for facility in session.scalars(select(FacilityRow).order_by(FacilityRow.code)).unique():
        spans(Unavailability.FACILITY, facility.code, facility.hub.closures, _closed)
        spans(Unavailability.FACILITY, facility.code, facility.closures, _closed)
        opens = describe_weekdays(int(d) for d in facility.weekdays)
        days_off(
            Unavailability.FACILITY, facility.code, facility.weekdays, f"Closed (open {opens})"
        )
    for trainer in session.scalars(select(TrainerRow).order_by(TrainerRow.id)).unique():
        key = trainer_key(trainer.id)
        spans(Unavailability.TRAINER, key, trainer.leave, lambda reason: reason or "On leave")
        works = describe_weekdays(int(d) for d in trainer.weekdays)
        days_off(
            Unavailability.TRAINER, key, trainer.weekdays, f"Not a working day (works {works})"
        )
    for cohort in session.scalars(select(CohortRow).order_by(CohortRow.name)):
        if cohort.starts_on is not None and cohort.starts_on > start:
            last = min(end, cohort.starts_on - timedelta(days=1))
            reason = f"Before the cohort starts ({dates.day(cohort.starts_on)})"
            out.append(Unavailable(Unavailability.COHORT, cohort.name, start, last, reason))
        if cohort.ends_on is not None and cohort.ends_on < end:
            first = max(start, cohort.ends_on + timedelta(days=1))
            reason = f"After the cohort ends ({dates.day(cohort.ends_on)})"
            out.append(Unavailable(Unavailability.COHORT, cohort.name, first, end, reason))
    return tuple(out)


def _closed(reason: str) -> str:
    return f"Closed: {reason}" if reason else "Closed"


@dataclass(frozen=True)
class Horizon:
    """The calendar's days with their indices: whole-day and per-period unavailability."""

    days: tuple[date, ...]
    index: Mapping[date, int] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {d: i for i, d in enumerate(self.days)})

    def whole_days(self, closed: Callable[[date], bool]) -> frozenset[Slot]:
        return frozenset(
            (i, p) for i, day in enumerate(self.days) if closed(day) for p in range(PERIODS_PER_DAY)
        )

    def periods(self, day: date, first: int, length: int) -> frozenset[Slot]:
        i = self.index.get(day)
        if i is None:
            return frozenset()
        return frozenset((i, p) for p in range(first, min(first + length, PERIODS_PER_DAY)))


@dataclass
class Occupied:
    """Periods taken by sessions already published for runs outside the scenario."""

    facilities: dict[int, set[Slot]] = field(default_factory=lambda: defaultdict(set))
    trainers: dict[int, set[Slot]] = field(default_factory=lambda: defaultdict(set))
    cohorts: dict[int, set[Slot]] = field(default_factory=lambda: defaultdict(set))


@dataclass(frozen=True)
class ScenarioRequest:
    start: date
    end: date
    hub_ids: frozenset[int] | None = None
    run_ids: frozenset[int] | None = None
    weights: Mapping[str, float] | None = None
    name: str = ""


def build(session: Session, request: ScenarioRequest, previous: Plan | None) -> Scenario:
    """The scenario for ``request`` read in one session (see the module docstring for ids)."""
    if request.end < request.start:
        raise ValidationError.single(
            "end",
            f"The planning period ends ({dates.day(request.end)}) before it starts "
            f"({dates.day(request.start)})",
        )
    horizon = Horizon(working_days(request.start, request.end))
    if not horizon.days:
        raise DomainError(
            f"There are no working days from {dates.day(request.start)} to {dates.day(request.end)}"
        )
    runs = chosen_runs(session, request)
    candidates = published_elsewhere(session, horizon, {r.id for r in runs})
    scenario = _scenario(session, request, horizon, runs, candidates, previous)
    try:
        check_locks(scenario)
    except ScenarioError:
        # A published session that no longer fits (leave or a closure entered since) cannot be
        # a fixed point; such runs only block their periods, as before there was context.
        sound = [
            c
            for c in candidates
            if _locks_hold(_scenario(session, request, horizon, runs, [c], previous))
        ]
        scenario = _scenario(session, request, horizon, runs, sound, previous)
        if not _locks_hold(scenario):
            scenario = _scenario(session, request, horizon, runs, [], previous)
    return scenario


def _locks_hold(scenario: Scenario) -> bool:
    try:
        check_locks(scenario)
    except ScenarioError:
        return False
    return True


def _scenario(
    session: Session,
    request: ScenarioRequest,
    horizon: Horizon,
    runs: Sequence[CourseRunRow],
    context: Sequence[Published],
    previous: Plan | None,
) -> Scenario:
    """The scenario planning ``runs``, with ``context`` runs as published offerings."""
    context_runs = [c.run for c in context]
    # Held here, the hubs stay in the session's identity map: each offering finds its hub
    # there instead of asking the database again (a round trip per run on a server).
    hubs = list(session.scalars(select(HubRow).order_by(HubRow.code)))
    occupied = occupied_elsewhere(session, horizon, {r.id for r in [*runs, *context_runs]})
    graph = _prerequisite_graph(session)
    everything = [*runs, *context_runs]
    busy = _enrolled_elsewhere(session, horizon, runs)
    offerings = tuple(
        replace(o, unavailable=o.unavailable | busy.get(run.id, frozenset()))
        for run, o in ((run, _offering(session, run, horizon, everything, graph)) for run in runs)
    )
    return Scenario(
        calendar=Calendar(horizon.days, PERIODS_PER_DAY, PERIOD_LABELS),
        hubs=tuple(Hub(h.code, h.name) for h in hubs),
        facilities=_facilities(session, horizon, request.hub_ids, occupied),
        trainers=_trainers(session, horizon, occupied),
        # A published run also waits for any run being planned that it requires.
        offerings=offerings
        + tuple(replace(c.offering, after=_after(c.run, runs, graph)) for c in context),
        cohorts=_cohorts(session, horizon, everything, occupied),
        locked=_locks(session, horizon, runs) + tuple(k for c in context for k in c.locks),
        previous_plan=previous,
        weights={**DEFAULT_WEIGHTS, **(request.weights or {})},
        name=request.name,
    )


@dataclass(frozen=True)
class Published:
    """A run outside the scenario with published sessions in it, as a published offering."""

    run: CourseRunRow
    offering: Offering
    locks: tuple[Lock, ...]


def published_elsewhere(
    session: Session, horizon: Horizon, planned: Iterable[int]
) -> list[Published]:
    """Runs not being planned whose published sessions fall in the horizon, as offerings with
    every session locked, so that every rule counts them: a trainer's one hub a day and weekly
    limits, cohorts, and prerequisites. A run whose sessions cannot be expressed that way (two
    trainers, differing lengths, a session on a day outside the horizon's working days) only
    blocks its periods."""
    rows = session.scalars(
        select(PlannedSessionRow)
        .where(
            PlannedSessionRow.held_on.between(horizon.days[0], horizon.days[-1]),
            PlannedSessionRow.run_id.not_in(list(planned)),
        )
        .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period)
    ).all()
    by_run: dict[int, list[PlannedSessionRow]] = defaultdict(list)
    for row in rows:
        by_run[row.run_id].append(row)
    facility_codes = dict(session.execute(select(FacilityRow.id, FacilityRow.code)).all())
    out = []
    for run_id, sessions in sorted(by_run.items()):
        run = session.get(CourseRunRow, run_id)
        if (
            run is None
            or run.status == RunStatus.CANCELLED
            or len({s.trainer_id for s in sessions}) != 1
            or len({s.length for s in sessions}) != 1
            or any(s.held_on not in horizon.index for s in sessions)
            or any(s.period + s.length > PERIODS_PER_DAY for s in sessions)
        ):
            continue
        trainer = trainer_key(sessions[0].trainer_id)
        offering = Offering(
            id=run.code,
            course=run.course.code,
            sessions=len(sessions),
            attendees=run.attendees,
            session_length=sessions[0].length,
            trainer=trainer,
            published=True,
        )
        locks = tuple(
            Lock(
                run.code,
                n,
                horizon.index[s.held_on],
                s.period,
                facility_codes[s.facility_id],
                trainer,
            )
            for n, s in enumerate(sessions)
        )
        out.append(Published(run, offering, locks))
    return out


def chosen_runs(session: Session, request: ScenarioRequest) -> list[CourseRunRow]:
    """The runs given (cancelled ones left out), else every draft or planned run in the window."""
    statement = select(CourseRunRow).where(CourseRunRow.status != RunStatus.CANCELLED.value)
    if request.run_ids is not None:
        statement = statement.where(CourseRunRow.id.in_(request.run_ids))
    else:
        statement = statement.where(
            CourseRunRow.status.in_(PLANNABLE),
            or_(CourseRunRow.earliest.is_(None), CourseRunRow.earliest <= request.end),
            or_(CourseRunRow.latest.is_(None), CourseRunRow.latest >= request.start),
        )
        if request.hub_ids is not None:
            statement = statement.where(
                or_(CourseRunRow.hub_id.is_(None), CourseRunRow.hub_id.in_(request.hub_ids))
            )
    # Their cohorts in one query, not one per run.
    statement = statement.options(selectinload(CourseRunRow.cohort_links))
    return list(session.scalars(statement.order_by(CourseRunRow.code)).unique())


def occupied_elsewhere(session: Session, horizon: Horizon, planned: Iterable[int]) -> Occupied:
    occupied = Occupied()
    rows = session.scalars(
        select(PlannedSessionRow).where(
            PlannedSessionRow.held_on.between(horizon.days[0], horizon.days[-1]),
            PlannedSessionRow.run_id.not_in(list(planned)),
        )
    )
    cohorts_of = _cohorts_of_runs(session)
    for row in rows:
        slots = horizon.periods(row.held_on, row.period, row.length)
        occupied.facilities[row.facility_id] |= slots
        occupied.trainers[row.trainer_id] |= slots
        for cohort_id in cohorts_of.get(row.run_id, ()):
            occupied.cohorts[cohort_id] |= slots
    return occupied


def _cohorts_of_runs(session: Session) -> dict[int, list[int]]:
    out: dict[int, list[int]] = defaultdict(list)
    for run in session.scalars(select(CourseRunRow)).unique():
        out[run.id] = [link.cohort_id for link in run.cohort_links]
    return out


def _facilities(
    session: Session, horizon: Horizon, hub_ids: frozenset[int] | None, occupied: Occupied
) -> tuple[Facility, ...]:
    statement = select(FacilityRow).order_by(FacilityRow.code)
    if hub_ids is not None:
        statement = statement.where(FacilityRow.hub_id.in_(hub_ids))
    out = []
    for row in session.scalars(statement).unique():
        closures = [*row.hub.closures, *row.closures]

        def closed(
            day: date, row: FacilityRow = row, closures: Sequence[object] = closures
        ) -> bool:
            return str(day.weekday()) not in row.weekdays or any(
                c.starts_on <= day <= c.ends_on  # type: ignore[attr-defined]
                for c in closures
            )

        out.append(
            Facility(
                id=row.code,
                hub=row.hub.code,
                kind=row.kind,
                capacity=row.capacity,
                capacity_is_hard=FacilityKind(row.kind).capacity_is_hard,
                unavailable=horizon.whole_days(closed) | occupied.facilities.get(row.id, set()),
            )
        )
    return tuple(out)


def _trainers(session: Session, horizon: Horizon, occupied: Occupied) -> tuple[Trainer, ...]:
    codes = dict(session.execute(select(CourseRow.id, CourseRow.code)).all())
    out = []
    for row in session.scalars(select(TrainerRow).order_by(TrainerRow.id)).unique():

        def away(day: date, row: TrainerRow = row) -> bool:
            return str(day.weekday()) not in row.weekdays or any(
                leave.starts_on <= day <= leave.ends_on for leave in row.leave
            )

        out.append(
            Trainer(
                id=trainer_key(row.id),
                hub=row.hub.code,
                qualifications=frozenset(codes[q.course_id] for q in row.qualification_links),
                unavailable=horizon.whole_days(away) | occupied.trainers.get(row.id, set()),
                max_periods_per_day=row.max_periods_per_day,
                max_periods_per_week=row.max_periods_per_week,
                name=row.name,
            )
        )
    return tuple(out)


def _offering(
    session: Session,
    run: CourseRunRow,
    horizon: Horizon,
    runs: Sequence[CourseRunRow],
    graph: Mapping[int, set[int]],
) -> Offering:
    course = run.course
    hub = session.get(HubRow, run.hub_id) if run.hub_id is not None else None
    return Offering(
        id=run.code,
        course=course.code,
        sessions=course.sessions,
        attendees=run.attendees,
        session_length=course.session_length,
        min_days=min(run.min_days, course.sessions),
        consecutive_days=run.consecutive_days,
        trainer=trainer_key(run.trainer_id) if run.trainer_id is not None else None,
        facility_kinds=(course.facility_kind,),
        hub=hub.code if hub is not None else None,
        unavailable=horizon.whole_days(lambda day: not _in_window(run, day)),
        after=_after(run, runs, graph),
    )


def _enrolled_elsewhere(
    session: Session, horizon: Horizon, runs: Sequence[CourseRunRow]
) -> dict[int, frozenset[Slot]]:
    """For each run being planned, the periods its enrolled trainees spend on other runs that
    are not being planned: it cannot go there without putting someone in two places. (Two runs
    planned together that share a trainee are not kept apart here; publishing refuses them.)"""
    planned = [run.id for run in runs]
    mine, theirs = aliased(EnrolmentRow), aliased(EnrolmentRow)
    enrolled = EnrolmentStatus.ENROLLED.value
    rows = session.execute(
        select(
            mine.run_id,
            PlannedSessionRow.held_on,
            PlannedSessionRow.period,
            PlannedSessionRow.length,
        )
        .select_from(mine)
        .join(theirs, (theirs.trainee_id == mine.trainee_id) & (theirs.run_id != mine.run_id))
        .join(PlannedSessionRow, PlannedSessionRow.run_id == theirs.run_id)
        .where(
            mine.run_id.in_(planned),
            theirs.run_id.not_in(planned),
            mine.status == enrolled,
            theirs.status == enrolled,
            PlannedSessionRow.held_on.between(horizon.days[0], horizon.days[-1]),
        )
        .distinct()
    )
    busy: dict[int, frozenset[Slot]] = defaultdict(frozenset)
    for run_id, day, period, length in rows:
        busy[run_id] |= horizon.periods(day, period, length)
    return busy


def _in_window(run: CourseRunRow, day: date) -> bool:
    return (run.earliest is None or day >= run.earliest) and (
        run.latest is None or day <= run.latest
    )


def _after(
    run: CourseRunRow, runs: Sequence[CourseRunRow], graph: Mapping[int, set[int]]
) -> tuple[str, ...]:
    """Runs of a (direct or indirect) prerequisite attended by one of this run's cohorts."""
    required = _requires(graph, run.course_id)
    mine = {link.cohort_id for link in run.cohort_links}
    return tuple(
        sorted(
            other.code
            for other in runs
            if other.course_id in required
            and mine & {link.cohort_id for link in other.cohort_links}
        )
    )


def _prerequisite_graph(session: Session) -> dict[int, set[int]]:
    graph: dict[int, set[int]] = defaultdict(set)
    for course, requires in session.execute(
        select(CoursePrerequisiteRow.course_id, CoursePrerequisiteRow.requires_id)
    ):
        graph[course].add(requires)
    return graph


def _requires(graph: Mapping[int, set[int]], course_id: int) -> set[int]:
    found: set[int] = set()
    stack = [course_id]
    while stack:
        for required in graph.get(stack.pop(), set()) - found:
            found.add(required)
            stack.append(required)
    return found


def _cohorts(
    session: Session, horizon: Horizon, runs: Sequence[CourseRunRow], occupied: Occupied
) -> tuple[Cohort, ...]:
    attending: dict[int, list[str]] = defaultdict(list)
    for run in runs:
        for link in run.cohort_links:
            attending[link.cohort_id].append(run.code)
    rows = session.scalars(select(CohortRow).where(CohortRow.id.in_(attending))).all()
    out = []
    for row in sorted(rows, key=lambda r: r.name):

        def absent(day: date, row: CohortRow = row) -> bool:
            return bool(
                (row.starts_on and day < row.starts_on) or (row.ends_on and day > row.ends_on)
            )

        out.append(
            Cohort(
                id=row.name,
                offerings=tuple(sorted(attending[row.id])),
                unavailable=horizon.whole_days(absent) | occupied.cohorts.get(row.id, set()),
            )
        )
    return tuple(out)


def _locks(session: Session, horizon: Horizon, runs: Sequence[CourseRunRow]) -> tuple[Lock, ...]:
    """Published sessions marked locked stay where they are when their run is planned again."""
    codes = {run.id: run.code for run in runs}
    rows = session.scalars(
        select(PlannedSessionRow)
        .where(PlannedSessionRow.run_id.in_(codes), PlannedSessionRow.locked.is_(True))
        .order_by(PlannedSessionRow.run_id, PlannedSessionRow.session_index)
    )
    locks = []
    for row in rows:
        day = horizon.index.get(row.held_on)
        if day is None:
            continue
        facility = session.get(FacilityRow, row.facility_id)
        locks.append(
            Lock(
                offering=codes[row.run_id],
                session=row.session_index,
                day=day,
                period=row.period,
                facility=facility.code if facility is not None else None,
                trainer=trainer_key(row.trainer_id),
            )
        )
    return tuple(locks)
