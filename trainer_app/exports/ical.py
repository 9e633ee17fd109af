"""A published schedule as an iCalendar file (RFC 5545) for Outlook, Google or Apple calendars.

Each session is one event at its hub's clock time, with the time zone's rules in the file
(VTIMEZONE), so 09:00 stays 09:00 across a change to or from summer time. Each event keeps its
UID however often the schedule is exported, and its SEQUENCE grows when the session changes:
importing a newer file updates the events already in a calendar instead of adding copies.
A session of a cancelled run stays in the file as a cancelled event, so it is called off there.
"""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

from icalendar import Calendar, Event

from trainer_app import __version__
from trainer_app.domain.schedules import Schedule, ScheduledSession
from trainer_app.files import replace_atomically

PRODID = f"-//trainer-app//Published schedules {__version__}//EN"


def render_ical(schedule: Schedule) -> bytes:
    """The calendar file's bytes (UTF-8, CRLF line ends, long lines folded)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", schedule.title)
    for session in schedule.sessions:
        calendar.add_component(_event(schedule, session))
    if schedule.sessions:
        first = min(s.held_on for s in schedule.sessions)
        last = max(s.held_on for s in schedule.sessions)
        calendar.add_missing_timezones(first_date=first.replace(month=1, day=1), last_date=last)
    content: bytes = calendar.to_ical()
    return content


def write_ical(schedule: Schedule, path: Path) -> None:
    """Write the schedule's calendar file whole or not at all."""
    content = render_ical(schedule)
    replace_atomically(path, lambda target: target.write_bytes(content))


def _event(schedule: Schedule, session: ScheduledSession) -> Event:
    event = Event()
    event.add("uid", schedule.uid(session))
    event.add("dtstamp", schedule.generated_at.astimezone(UTC))
    event.add("sequence", session.revision)
    event.add("dtstart", session.starts)
    event.add("dtend", session.ends)
    summary = f"{session.course} ({session.run_code})"
    event.add("summary", f"Cancelled: {summary}" if session.cancelled else summary)
    event.add("location", session.place)
    event.add("description", _description(session))
    event.add("categories", [session.course_code])
    event.add("status", "CANCELLED" if session.cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if session.cancelled else "OPAQUE")
    return event


def _description(session: ScheduledSession) -> str:
    lines = [
        f"{session.number} of run {session.run_code}"
        + (" (the run was cancelled)" if session.cancelled else ""),
        f"Course: {session.course_code} {session.course_title}, version {session.course_version}",
        f"Trainer: {session.trainer_name}",
        f"Room: {session.room}",
        f"Cohorts: {', '.join(session.cohorts) if session.cohorts else 'none named'}",
    ]
    return "\n".join(lines)
