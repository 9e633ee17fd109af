"""Published schedules for whoever needs them outside the window: a trainer's, a room's or a
cohort's sessions (calendar files, printed timetables) and a session's attendance sheet.

Reads only, apart from the store's calendar identity, made (and audited) the first time a
calendar is exported so that every later export gives the same sessions the same identities.
"""

from __future__ import annotations

import difflib
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.audit import Actor
from trainer_app.domain.errors import DomainError, NotFound
from trainer_app.domain.network import DEFAULT_TIMEZONE
from trainer_app.domain.planning import RunStatus
from trainer_app.domain.records import EnrolmentStatus
from trainer_app.domain.schedules import (
    AttendanceSheet,
    Schedule,
    ScheduledSession,
    ScheduleOf,
    SheetTrainee,
    session_times,
)
from trainer_app.domain.text import clean_text, search_key
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AppMeta,
    CohortRow,
    CourseRunCohortRow,
    CourseRunRow,
    EnrolmentRow,
    FacilityRow,
    PlannedSessionRow,
    TraineeRow,
    TrainerRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import Now, now_utc, plural, save_store_setting

CALENDAR_ID_KEY = "calendar_id"
CLOSE_MATCHES = 5

# How each kind is looked up, and where a person finds the names it accepts.
_WHERE_LISTED = {
    ScheduleOf.TRAINER: "a trainer's name as on the Trainers page, or its id",
    ScheduleOf.FACILITY: "a facility's code (LON-CR1) or name as on the Network page, or its id",
    ScheduleOf.COHORT: "a cohort's name as on the Cohorts & trainees page, or its id",
}


class ScheduleService:
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: Callable[[], date] = date.today,
        now: Now = now_utc,
    ) -> None:
        self.store = store
        self.actor = actor
        self.today = today
        self.now = now

    # ----- whose schedule ----------------------------------------------------------------------
    def find(self, of: ScheduleOf, given: str) -> tuple[int, str]:
        """The id and name of the trainer, facility or cohort ``given`` names: by id, by code
        (facilities) or by name, ignoring case and accents. Refused with the close matches
        (or where the names are listed) when there is none, and with each candidate's id when
        several share the name."""
        with reading(self.store) as session:
            candidates = list(_candidates(session, of))
        text = clean_text(given)
        if text.isdigit():
            found = [c for c in candidates if c[0] == int(text)]
            if found:
                return found[0][0], found[0][1]
        wanted = search_key(text)
        exact = [c for c in candidates if wanted in c[2]]
        if len(exact) == 1:
            return exact[0][0], exact[0][1]
        if exact:
            each = ", ".join(f"{name} (id {id_})" for id_, name, _ in exact)
            raise DomainError(
                f"{plural(len(exact), of.value)} are called '{text}': {each}. Give the id"
            )
        raise NotFound(_not_found(of, text, candidates))

    # ----- sessions ----------------------------------------------------------------------------
    def schedule(
        self,
        of: ScheduleOf,
        given: str,
        *,
        first: date | None = None,
        last: date | None = None,
        generated_by: str = "",
        for_calendar: bool = False,
    ) -> Schedule:
        """The published sessions of the trainer, facility or cohort ``given`` names, from
        ``first`` to ``last`` (None: no limit), in time order; sessions of cancelled runs are
        included, marked cancelled (a calendar then shows them called off). ``for_calendar``:
        with the store's calendar identity, made on first use (see `calendar_id`)."""
        if first is not None and last is not None and last < first:
            raise DomainError(
                f"The last day ({dates.day(last)}) is before the first ({dates.day(first)})"
            )
        id_, name = self.find(of, given)
        calendar_id = self.calendar_id() if for_calendar else ""
        with reading(self.store) as session:
            sessions = _sessions(session, of, id_, first, last)
        return Schedule(
            of=of,
            name=name,
            sessions=tuple(sessions),
            calendar_id=calendar_id,
            generated_at=self.now(),
            generated_by=generated_by or self.actor.username,
            first=first,
            last=last,
            database=self.store.display_name,
        )

    def calendar_id(self) -> str:
        """The store's calendar identity (made and audited on first use): the part of each
        calendar entry's UID that keeps two stores' entries apart."""
        with reading(self.store) as session:
            row = session.get(AppMeta, CALENDAR_ID_KEY)
            if row is not None:
                return row.value
        made = f"trainer-app-{uuid.uuid4().hex}"
        with transaction(self.store) as session:
            row = session.get(AppMeta, CALENDAR_ID_KEY)  # another process may have made it
            if row is not None:
                return row.value
            save_store_setting(
                session,
                self.actor,
                CALENDAR_ID_KEY,
                made,
                "Calendar identity",
                old="",
                at=self.now(),
            )
        return made

    # ----- the attendance sheet ----------------------------------------------------------------
    def attendance_sheet(self, run_code: str, number: int | None = None) -> AttendanceSheet:
        """The sheet for session ``number`` (1-based) of the run, with everyone enrolled on it
        (not the waitlist, not those withdrawn), by name. Without a number: the first session
        held ``today`` or later, else the run's last."""
        code = clean_text(run_code).upper()
        with reading(self.store) as session:
            run = session.scalar(select(CourseRunRow).where(CourseRunRow.code == code))
            if run is None:
                raise NotFound(f"There is no course run {code}")
            if run.status == RunStatus.CANCELLED:
                raise DomainError(f"{code} was cancelled: it has no sessions to sign in to")
            sessions = _sessions(session, None, run.id, None, None)
            if not sessions:
                raise DomainError(
                    f"{code} has no published sessions yet: plan and publish it first"
                )
            chosen = _chosen_session(code, sessions, number, self.today())
            trainees = tuple(
                SheetTrainee(name=name, reference=reference, organisation=organisation)
                for name, reference, organisation in session.execute(
                    select(TraineeRow.name, TraineeRow.reference, TraineeRow.organisation)
                    .join(EnrolmentRow, EnrolmentRow.trainee_id == TraineeRow.id)
                    .where(
                        EnrolmentRow.run_id == run.id,
                        EnrolmentRow.status == EnrolmentStatus.ENROLLED.value,
                    )
                    .order_by(TraineeRow.search_key, TraineeRow.reference)
                )
            )
        if not trainees:
            raise DomainError(
                f"Nobody is enrolled on {code} yet, so there is no one to sign in; "
                "enrol trainees first"
            )
        return AttendanceSheet(
            session=chosen,
            trainees=trainees,
            generated_at=self.now(),
            generated_by=self.actor.username,
            database=self.store.display_name,
        )


def _candidates(session: Session, of: ScheduleOf) -> Iterable[tuple[int, str, tuple[str, ...]]]:
    """(id, name as shown, the keys it may be given by) of every trainer, facility or cohort."""
    if of is ScheduleOf.TRAINER:
        for id_, name in session.execute(select(TrainerRow.id, TrainerRow.name)):
            yield id_, name, (search_key(name),)
    elif of is ScheduleOf.FACILITY:
        for id_, code, name in session.execute(
            select(FacilityRow.id, FacilityRow.code, FacilityRow.name)
        ):
            yield id_, f"{name} ({code})", (search_key(code), search_key(name))
    else:
        for id_, name in session.execute(select(CohortRow.id, CohortRow.name)):
            yield id_, name, (search_key(name),)


def _not_found(
    of: ScheduleOf, text: str, candidates: Sequence[tuple[int, str, tuple[str, ...]]]
) -> str:
    """Why ``text`` names nothing, with the names it is close to: those that contain it, then
    those one of whose words (or whole name or code) is spelled nearly alike."""
    wanted = search_key(text)
    near = [name for _, name, keys in candidates if wanted and any(wanted in k for k in keys)]
    for _, name, keys in candidates:
        words = {*keys, *(word for key in keys for word in key.split())}
        if difflib.get_close_matches(wanted, list(words), n=1, cutoff=0.75):
            near.append(name)
    near = list(dict.fromkeys(near))[:CLOSE_MATCHES]
    said = f"There is no {of.value} '{text}'"
    if near:
        return f"{said}. Did you mean {_either(near)}? Or give {_WHERE_LISTED[of]}"
    return f"{said}: give {_WHERE_LISTED[of]}"


def _either(names: Sequence[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _sessions(
    session: Session, of: ScheduleOf | None, id_: int, first: date | None, last: date | None
) -> list[ScheduledSession]:
    """Published sessions of a trainer, facility or cohort (``of`` None: of run ``id_``)."""
    statement = (
        select(PlannedSessionRow, CourseRunRow, FacilityRow, TrainerRow.name)
        .join(CourseRunRow, CourseRunRow.id == PlannedSessionRow.run_id)
        .join(FacilityRow, FacilityRow.id == PlannedSessionRow.facility_id)
        .join(TrainerRow, TrainerRow.id == PlannedSessionRow.trainer_id)
        .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period, CourseRunRow.code)
    )
    if of is ScheduleOf.TRAINER:
        statement = statement.where(PlannedSessionRow.trainer_id == id_)
    elif of is ScheduleOf.FACILITY:
        statement = statement.where(PlannedSessionRow.facility_id == id_)
    elif of is ScheduleOf.COHORT:
        statement = statement.where(
            PlannedSessionRow.run_id.in_(
                select(CourseRunCohortRow.run_id).where(CourseRunCohortRow.cohort_id == id_)
            )
        )
    else:
        statement = statement.where(PlannedSessionRow.run_id == id_)
    if first is not None:
        statement = statement.where(PlannedSessionRow.held_on >= first)
    if last is not None:
        statement = statement.where(PlannedSessionRow.held_on <= last)
    rows = session.execute(statement).unique().all()
    run_ids = {run.id for _, run, _, _ in rows}
    cohorts: dict[int, list[str]] = defaultdict(list)
    for run_id, name in session.execute(
        select(CourseRunCohortRow.run_id, CohortRow.name)
        .join(CohortRow, CohortRow.id == CourseRunCohortRow.cohort_id)
        .where(CourseRunCohortRow.run_id.in_(run_ids))
        .order_by(CohortRow.name)
    ):
        cohorts[run_id].append(name)
    counts = dict(
        session.execute(
            select(PlannedSessionRow.run_id, func.count())
            .where(PlannedSessionRow.run_id.in_(run_ids))
            .group_by(PlannedSessionRow.run_id)
        ).all()
    )
    return [
        _scheduled(planned, run, facility, trainer, counts[run.id], tuple(cohorts[run.id]))
        for planned, run, facility, trainer in rows
    ]


def _scheduled(
    planned: PlannedSessionRow,
    run: CourseRunRow,
    facility: FacilityRow,
    trainer: str,
    count: int,
    cohorts: tuple[str, ...],
) -> ScheduledSession:
    zone = ZoneInfo(facility.hub.timezone or DEFAULT_TIMEZONE)
    starts, ends = session_times(planned.held_on, planned.period, planned.length, zone)
    return ScheduledSession(
        run_id=run.id,
        run_code=run.code,
        course_code=run.course.code,
        course_title=run.course.title,
        course_version=run.course.version,
        session_index=planned.session_index,
        sessions=count,
        held_on=planned.held_on,
        period=planned.period,
        length=planned.length,
        starts=starts,
        ends=ends,
        facility_code=facility.code,
        facility_name=facility.name,
        hub_code=facility.hub.code,
        hub_name=facility.hub.name,
        trainer_name=trainer,
        cohorts=cohorts,
        cancelled=run.status == RunStatus.CANCELLED,
        # Publishing replaces a run's session rows (ids only grow) and the run's own version
        # grows with every change to it (cancelling, too): their sum only ever grows.
        revision=planned.id + run.row_version + planned.row_version - 1,
    )


def _chosen_session(
    code: str, sessions: Sequence[ScheduledSession], number: int | None, today: date
) -> ScheduledSession:
    if number is None:
        coming = [s for s in sessions if s.held_on >= today]
        return coming[0] if coming else sessions[-1]
    by_number = {s.session_index + 1: s for s in sessions}
    if number not in by_number:
        numbers = ", ".join(str(n) for n in sorted(by_number))
        raise NotFound(f"{code} has no session {number}; its sessions are {numbers}")
    return by_number[number]
