"""Published sessions as they leave the building: a trainer's, a room's or a cohort's schedule
(for calendars and printed timetables) and the attendance sheet of one session.

A session is placed in teaching periods; the hubs' standard day starts its four periods at
09:00, 11:00, 13:30 and 15:30 (the same times the register, the records and the planner's
calendar show) and each period lasts two hours, so a session of periods 1–2 runs 09:00–13:00
and one of period 4 runs 15:30–17:30. Clock times are the hub's own (Europe/London for every
hub today), so a session stays at 09:00 on both sides of a change to or from summer time.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError

PERIOD_STARTS = (time(9, 0), time(11, 0), time(13, 30), time(15, 30))
PERIOD_LENGTH = timedelta(hours=2)


def period_label(period: int) -> str:
    """``09:00``: when a period starts ("" for a period the standard day does not have)."""
    if 0 <= period < len(PERIOD_STARTS):
        return PERIOD_STARTS[period].strftime("%H:%M")
    return ""


def session_times(
    held_on: date, period: int, length: int, zone: ZoneInfo
) -> tuple[datetime, datetime]:
    """When a session of ``length`` periods from ``period`` starts and ends, on the hub's clock."""
    last = period + length - 1
    if not (0 <= period <= last < len(PERIOD_STARTS)):
        raise DomainError(
            f"A session on {dates.day(held_on)} from period {period + 1} for {length} period(s) "
            f"does not fit the teaching day of {len(PERIOD_STARTS)} periods"
        )
    start = datetime.combine(held_on, PERIOD_STARTS[period], tzinfo=zone)
    end = datetime.combine(held_on, PERIOD_STARTS[last], tzinfo=zone) + PERIOD_LENGTH
    return start, end


class ScheduleOf(enum.StrEnum):
    """Whose schedule: the CLI's ``--trainer``, ``--facility`` and ``--cohort``."""

    TRAINER = "trainer"
    FACILITY = "facility"
    COHORT = "cohort"


@dataclass(frozen=True, kw_only=True)
class ScheduledSession:
    """One published session with everything a calendar entry or a printed line says.

    ``revision`` grows whenever the session is published again or its run changes (it becomes
    the calendar entry's SEQUENCE, so a calendar replaces its copy rather than keeping both)."""

    run_id: int
    run_code: str
    course_code: str
    course_title: str
    course_version: str
    session_index: int  # 0-based
    sessions: int  # how many the run has
    held_on: date
    period: int
    length: int
    starts: datetime  # on the hub's clock, with its zone
    ends: datetime
    facility_code: str
    facility_name: str
    hub_code: str
    hub_name: str
    trainer_name: str
    cohorts: tuple[str, ...] = ()
    cancelled: bool = False
    revision: int = 0

    @property
    def number(self) -> str:
        """``Session 2 of 3``."""
        return f"Session {self.session_index + 1} of {self.sessions}"

    @property
    def clock(self) -> str:
        """``09:00–13:00``."""
        return f"{dates.time_of_day(self.starts)}–{dates.time_of_day(self.ends)}"

    @property
    def hours(self) -> float:
        """Teaching hours (a lunch break between periods is not counted)."""
        return self.length * PERIOD_LENGTH / timedelta(hours=1)

    @property
    def room(self) -> str:
        """``Vector Suite 2 (LON-CR2)``."""
        return f"{self.facility_name} ({self.facility_code})"

    @property
    def place(self) -> str:
        """``Vector Suite 2 (LON-CR2), London Gene Therapy Innovation Hub``: a calendar
        entry's location."""
        return f"{self.room}, {self.hub_name}"

    @property
    def course(self) -> str:
        """``ASEP Aseptic processing``."""
        return f"{self.course_code} {self.course_title}"


@dataclass(frozen=True, kw_only=True)
class Schedule:
    """The published sessions of one trainer, facility or cohort, in time order.

    ``calendar_id`` names the store the sessions come from, so that calendar entries exported
    from two stores never take each other's place ("" when not made for a calendar);
    ``first``/``last`` are the dates asked for (None: from the first session, to the last)."""

    of: ScheduleOf
    name: str  # "Dr Amara Okafor", "Vector Suite 2 (LON-CR2)", "MSc Cell & Gene Therapy 2027"
    sessions: Sequence[ScheduledSession]
    calendar_id: str
    generated_at: datetime  # UTC
    generated_by: str
    first: date | None = None
    last: date | None = None
    database: str = ""

    @property
    def title(self) -> str:
        """``Timetable of Dr Amara Okafor``, ``Timetable of room …``, ``… of cohort …``."""
        prefix = {ScheduleOf.TRAINER: "", ScheduleOf.FACILITY: "room ", ScheduleOf.COHORT: ""}
        suffix = " (cohort)" if self.of is ScheduleOf.COHORT else ""
        return f"Timetable of {prefix[self.of]}{self.name}{suffix}"

    @property
    def span(self) -> str:
        """The dates covered, as asked or else as held: ``14 Sep – 17 Dec 2026``."""
        held = [s.held_on for s in self.sessions]
        first = self.first or (min(held) if held else None)
        last = self.last or (max(held) if held else None)
        return dates.span(first, last)

    def uid(self, session: ScheduledSession) -> str:
        """The calendar entry's identity: the same session of the same run in the same store
        keeps it however often it is exported, moved or re-published."""
        return f"run-{session.run_id}-session-{session.session_index + 1}@{self.calendar_id}"


@dataclass(frozen=True, kw_only=True)
class SheetTrainee:
    name: str
    reference: str
    organisation: str = ""


@dataclass(frozen=True, kw_only=True)
class AttendanceSheet:
    """The paper register of one session: who is enrolled, to sign in and out."""

    session: ScheduledSession
    trainees: Sequence[SheetTrainee]
    generated_at: datetime  # UTC
    generated_by: str
    database: str = ""
