"""Published schedules leaving the building, through the command line on a real store: calendar
files read back with icalendar, timetables and attendance sheets read back with pypdf, each
export in the audit trail, and every refusal said in words with nothing written.

The term straddles the change to summer time (Sunday 28 March 2027): a session at 09:00 on
Tuesday 23 March is 09:00 UTC, one at 09:00 on Wednesday 31 March is 08:00 UTC.
"""

from __future__ import annotations

import dataclasses
import sqlite3
import unicodedata
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar, Event
from pypdf import PdfReader

from tests.helpers import builders
from tests.helpers.clock import Clock
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.courses import Course
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRun, CourseRunFields, RunStatus
from trainer_app.domain.records import CompletionFields
from trainer_app.domain.schedules import PERIOD_STARTS, ScheduleOf, period_label
from trainer_app.domain.trainers import Trainer
from trainer_app.scheduling.scenario import Assignment, Plan, Scenario
from trainer_app.services.context import ServiceContext
from trainer_app.services.enrolment import PERIOD_TIMES
from trainer_app.services.planning_scenario import PERIOD_LABELS, trainer_key

pytestmark = pytest.mark.both_stores

LONDON = ZoneInfo("Europe/London")
MONDAY = date(2027, 3, 22)  # the week before the clocks go forward
TODAY = date(2027, 3, 15)
GREEK = "Ιωάννα Παπαδοπούλου"
WELSH_ROOM = "Ystafell Lân Caerdydd"
ARABIC_COHORT = "الدفعة الأولى 2027"
TRAINEES = ("Siobhán Ní Bhriain", "李伟", "Łukasz Nowak", "Zoë Adams", "Priya Raman", "Tom Reed")


@dataclasses.dataclass
class World:
    ctx: ServiceContext
    database: Path
    gown: Course
    asep: Course
    okafor: Trainer
    ioanna: Trainer
    idle: Trainer
    people: dict[str, int]
    cohort_id: int
    asep_run: CourseRun


@pytest.fixture
def world(
    settings: Settings, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[World]:
    """London with a grade B suite and a Welsh-named classroom; ASEP-2027-01 taught by
    Dr Amara Okafor on 23, 24 and 31 March (either side of the change to summer time) for the
    cohort, and GOWN-2027-01 by Ioanna on 25 March."""
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(data_dir))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    ctx = ServiceContext.open(settings, today=Clock(TODAY))
    hub = builders.hub(ctx)
    builders.facility(ctx, hub.id, "LON-CR1", FacilityKind.CLEANROOM_GRADE_B, 6)
    room = builders.facility(ctx, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    ctx.facilities.update(room.id, room.row_version, dataclasses.replace(room, name=WELSH_ROOM))
    gown, asep = builders.gowning_and_aseptic(ctx)
    asep = ctx.courses.update(
        asep.id, asep.row_version, dataclasses.replace(asep, sessions=3, session_length=2)
    )
    okafor = builders.trainer(ctx, hub.id, "Dr Amara Okafor", gown, asep)
    ioanna = builders.trainer(ctx, hub.id, GREEK, gown, asep)
    idle = builders.trainer(ctx, hub.id, "Dr Kofi Mensah", gown, asep)
    cohort = builders.cohort(ctx, ARABIC_COHORT)
    people = {
        name: builders.trainee(ctx, hub.id, f"TR-{n:06d}", name, cohort).id
        for n, name in enumerate(TRAINEES, start=1)
    }
    for trainee_id in people.values():  # Gowning is required before Aseptic processing
        ctx.training.add_completion(
            CompletionFields(
                trainee_id=trainee_id, course_id=gown.id, completed_on=date(2026, 6, 1)
            )
        )
    asep_run = publish(
        ctx, "ASEP-2027-01", asep, okafor, [(1, 0), (2, 1), (9, 0)], "LON-CR1", [cohort.id]
    )
    publish(ctx, "GOWN-2027-01", gown, ioanna, [(3, 2)], "LON-CL1", [])
    yield World(
        ctx, tmp_path / "trainer.db", gown, asep, okafor, ioanna, idle, people, cohort.id, asep_run
    )
    ctx.close()


def publish(
    ctx: ServiceContext,
    code: str,
    course: Course,
    trainer: Trainer,
    sessions: Sequence[tuple[int, int]],
    room: str,
    cohort_ids: list[int],
) -> CourseRun:
    """A run of ``course`` published with sessions at (days after Monday 22 March, period)."""
    run = ctx.runs.create(
        CourseRunFields(
            code=code, course_id=course.id, attendees=4, cohort_ids=frozenset(cohort_ids)
        )
    )
    return publish_again(ctx, run, trainer, sessions, room)


def publish_again(
    ctx: ServiceContext,
    run: CourseRun,
    trainer: Trainer,
    sessions: Sequence[tuple[int, int]],
    room: str,
) -> CourseRun:
    days = [MONDAY + timedelta(days=d) for d, _ in sessions]
    scenario = ctx.planning.build_scenario(min(days), max(days), run_ids=[run.id])
    index = {day: i for i, day in enumerate(scenario.calendar.days)}
    ours = [
        Assignment(run.code, s, index[MONDAY + timedelta(days=d)], p, room, trainer_key(trainer.id))
        for s, (d, p) in enumerate(sessions)
    ]
    saved = ctx.planning.save_plan(run.code, scenario, _holding_published(scenario, ours))
    ctx.planning.publish(saved.id, saved.row_version)
    return next(r for r in ctx.runs.list() if r.code == run.code)


def _holding_published(scenario: Scenario, ours: Sequence[Assignment]) -> Plan:
    published = [
        Assignment(k.offering, k.session, k.day, k.period, k.facility or "", k.trainer or "")
        for k in scenario.locked
        if scenario.offering_by_id[k.offering].published
        and k.offering not in {a.offering for a in ours}
    ]
    return Plan((*ours, *published), status="feasible")


def export(w: World, *words: str) -> int:
    return main(["export", *words, "--database", str(w.database)])


def calendar_of(path: Path) -> Calendar:
    return Calendar.from_ical(path.read_bytes())


def events(path: Path) -> dict[str, Event]:
    return {str(e["UID"]): e for e in calendar_of(path).walk("VEVENT")}


def exports_audited(database: Path) -> list[tuple[str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT entity_label, changes FROM audit_entries WHERE entity_type = 'export' "
            "ORDER BY id"
        ).fetchall()


def pdf_text(path: Path) -> str:
    """The text of every page, ligatures (the shaper's "ﬀ" in "sign-off") spelled out."""
    text = "\n".join(page.extract_text() for page in PdfReader(path).pages)
    return unicodedata.normalize("NFKC", text)


# ----- the clock ---------------------------------------------------------------------------------


def test_periods_keep_the_clock_times_the_rest_of_the_app_shows() -> None:
    labels = tuple(period_label(p) for p in range(len(PERIOD_STARTS)))
    assert labels == PERIOD_TIMES == PERIOD_LABELS == ("09:00", "11:00", "13:30", "15:30")


# ----- calendar files ----------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_trainers_calendar_has_each_session_at_london_time_across_the_clock_change(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "okafor.ics"
    assert export(world, "ical", "--trainer", "dr amara okafor", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == (
        f"Calendar of trainer Dr Amara Okafor: 3 sessions written to {target}"
    )
    calendar = calendar_of(target)
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//trainer-app//")
    assert [str(z["TZID"]) for z in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    found = sorted(calendar.walk("VEVENT"), key=lambda e: e.decoded("DTSTART"))
    assert len(found) == 3
    assert all(e["DTSTART"].params["TZID"] == "Europe/London" for e in found)
    starts = [e.decoded("DTSTART") for e in found]
    ends = [e.decoded("DTEND") for e in found]
    assert starts == [
        datetime(2027, 3, 23, 9, 0, tzinfo=LONDON),
        datetime(2027, 3, 24, 11, 0, tzinfo=LONDON),
        datetime(2027, 3, 31, 9, 0, tzinfo=LONDON),
    ]
    # Two periods: 09:00 to 13:00; from 11:00 over lunch to 15:30.
    assert ends[:2] == [
        datetime(2027, 3, 23, 13, 0, tzinfo=LONDON),
        datetime(2027, 3, 24, 15, 30, tzinfo=LONDON),
    ]
    # Greenwich time before the change, summer time after: the same 09:00 an hour apart in UTC.
    assert starts[0].astimezone(UTC).hour == 9 and starts[2].astimezone(UTC).hour == 8
    first = found[0]
    assert str(first["SUMMARY"]) == "ASEP Aseptic processing (ASEP-2027-01)"
    assert str(first["LOCATION"]) == "Suite LON-CR1 (LON-CR1), London"
    description = str(first["DESCRIPTION"])
    assert "Session 1 of 3 of run ASEP-2027-01" in description
    assert "Trainer: Dr Amara Okafor" in description
    assert f"Cohorts: {ARABIC_COHORT}" in description
    assert str(first["STATUS"]) == "CONFIRMED"
    assert first.decoded("DTSTAMP").tzinfo is not None
    assert str(first["UID"]).startswith(f"run-{world.asep_run.id}-session-1@trainer-app-")


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_names_in_any_script_come_back_from_the_file_as_written(
    world: World, tmp_path: Path
) -> None:
    target = tmp_path / "ioanna.ics"
    assert export(world, "ical", "--trainer", "ιωαννα παπαδοπουλου", "-o", str(target)) == 0
    (event,) = events(target).values()
    assert str(event["LOCATION"]) == f"{WELSH_ROOM} (LON-CL1), London"
    assert f"Trainer: {GREEK}" in str(event["DESCRIPTION"])
    assert event.decoded("DTSTART") == datetime(2027, 3, 25, 13, 30, tzinfo=LONDON)
    assert event.decoded("DTEND") == datetime(2027, 3, 25, 15, 30, tzinfo=LONDON)

    cohort = tmp_path / "cohort.ics"
    assert export(world, "ical", "--cohort", ARABIC_COHORT, "-o", str(cohort)) == 0
    assert all(ARABIC_COHORT in str(e["DESCRIPTION"]) for e in events(cohort).values())
    assert str(calendar_of(cohort)["X-WR-CALNAME"]) == f"Timetable of {ARABIC_COHORT} (cohort)"

    room = tmp_path / "room.ics"
    assert export(world, "ical", "--facility", "ystafell lan caerdydd", "-o", str(room)) == 0
    assert len(events(room)) == 1


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_exporting_again_updates_the_events_instead_of_adding_copies(
    world: World, tmp_path: Path
) -> None:
    before, again, after = (tmp_path / f"{n}.ics" for n in ("before", "again", "after"))
    for target in (before, again):
        assert export(world, "ical", "--facility", "LON-CR1", "-o", str(target)) == 0
    assert events(before).keys() == events(again).keys()
    assert [e["SEQUENCE"] for e in events(before).values()] == [
        e["SEQUENCE"] for e in events(again).values()
    ]

    # The third session moves from Wednesday 31 March to Thursday 1 April, 13:30.
    publish_again(world.ctx, world.asep_run, world.okafor, [(1, 0), (2, 1), (10, 2)], "LON-CR1")
    assert export(world, "ical", "--facility", "LON-CR1", "-o", str(after)) == 0
    old, new = events(before), events(after)
    assert old.keys() == new.keys()  # the same three events, one of them moved
    moved = f"run-{world.asep_run.id}-session-3@"
    (uid,) = [u for u in new if u.startswith(moved)]
    assert old[uid].decoded("DTSTART") == datetime(2027, 3, 31, 9, 0, tzinfo=LONDON)
    assert new[uid].decoded("DTSTART") == datetime(2027, 4, 1, 13, 30, tzinfo=LONDON)
    assert all(new[u]["SEQUENCE"] > old[u]["SEQUENCE"] for u in new)

    # Cancelled: the events stay, called off, so a calendar that has them cancels them too.
    run = world.ctx.runs.get(world.asep_run.id)
    world.ctx.runs.update(
        run.id, run.row_version, dataclasses.replace(run, status=RunStatus.CANCELLED)
    )
    cancelled = tmp_path / "cancelled.ics"
    assert export(world, "ical", "--facility", "LON-CR1", "-o", str(cancelled)) == 0
    gone = events(cancelled)
    assert gone.keys() == new.keys()
    assert {str(e["STATUS"]) for e in gone.values()} == {"CANCELLED"}
    assert all(gone[u]["SEQUENCE"] > new[u]["SEQUENCE"] for u in gone)


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_date_range_limits_the_sessions(world: World, tmp_path: Path) -> None:
    target = tmp_path / "week.ics"
    words = ["--trainer", "Dr Amara Okafor", "--from", "2027-03-22", "--to", "2027-03-28"]
    assert export(world, "ical", *words, "-o", str(target)) == 0
    assert len(events(target)) == 2


# ----- timetables and attendance sheets ----------------------------------------------------------


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_trainers_timetable_prints_each_week_with_its_sessions(
    world: World, tmp_path: Path
) -> None:
    target = tmp_path / "okafor.pdf"
    assert export(world, "timetable", "--trainer", "Dr Amara Okafor", "-o", str(target)) == 0
    reader = PdfReader(target)
    assert len(reader.pages) == 1
    assert reader.metadata is not None and reader.metadata.title.startswith(
        "Timetable of Dr Amara Okafor"
    )
    text = pdf_text(target)
    for expected in (
        "Timetable",
        "Dr Amara Okafor",
        "Week of Mon 22 Mar 2027",
        "Week of Mon 29 Mar 2027",
        "Tue 23 Mar",
        "09:00–13:00",
        "11:00–15:30",
        "ASEP-2027-01",
        "Session 3 of 3",
        "Suite LON-CR1 (LON-CR1)",
        "page 1 of 1",
    ):
        assert expected in text, expected
    assert "GOWN-2027-01" not in text  # Ioanna's


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_rooms_timetable_names_the_trainers(world: World, tmp_path: Path) -> None:
    target = tmp_path / "room.pdf"
    assert export(world, "timetable", "--facility", "lon-cl1", "-o", str(target)) == 0
    text = pdf_text(target)
    assert WELSH_ROOM in text and GREEK in text and "13:30–15:30" in text
    assert "ASEP-2027-01" not in text


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_long_timetable_goes_on_over_pages_with_numbers(world: World, tmp_path: Path) -> None:
    for week in range(1, 9):
        run = world.ctx.runs.create(
            CourseRunFields(code=f"GOWN-2027-W{week}", course_id=world.gown.id, attendees=4)
        )
        publish_again(
            world.ctx, run, world.okafor, [(7 * week + 3, 0)], "LON-CL1"
        )  # a Thursday each week
    target = tmp_path / "long.pdf"
    assert export(world, "timetable", "--trainer", "Dr Amara Okafor", "-o", str(target)) == 0
    pages = PdfReader(target).pages
    assert 2 <= len(pages) <= 4
    assert f"page {len(pages)} of {len(pages)}" in pages[-1].extract_text()


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_attendance_sheet_lists_exactly_those_enrolled(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ctx, people = world.ctx, world.people
    enrolment = ctx.enrolment
    run_id = world.asep_run.id
    for name in TRAINEES[:5]:  # four places: the fifth waits
        enrolment.enrol(run_id, people[name])
    withdrawn = next(e for e in enrolment.roster(run_id) if e.trainee_name == "Łukasz Nowak")
    enrolment.withdraw(withdrawn.id, withdrawn.row_version, "Moved to the May run")
    enrolled = {e.trainee_name for e in enrolment.roster(run_id) if e.status.value == "enrolled"}
    assert enrolled == {"Siobhán Ní Bhriain", "李伟", "Zoë Adams", "Priya Raman"}

    target = tmp_path / "sheet.pdf"
    assert export(world, "attendance", "asep-2027-01", "--session", "2", "-o", str(target)) == 0
    assert capsys.readouterr().out.strip() == (
        f"Attendance sheet of ASEP-2027-01 session 2 of 3 (4 enrolled) written to {target}"
    )
    text = pdf_text(target)
    for expected in (
        "Attendance sheet",
        "ASEP-2027-01 · session 2 of 3",
        "Wed 24 Mar 2027",
        "11:00–15:30",
        "Suite LON-CR1 (LON-CR1), London",
        "Dr Amara Okafor",
        "Time in",
        "Time out",
        "Signature",
        "Trainer sign-off",
        *enrolled,
        *(f"TR-{TRAINEES.index(n) + 1:06d}" for n in enrolled),
    ):
        assert expected in text, expected
    for absent in ("Łukasz Nowak", "Tom Reed", "TR-000003", "TR-000006"):
        assert absent not in text, absent
    assert len(PdfReader(target).pages) == 1


def test_without_a_session_number_the_sheet_is_for_the_next_session(world: World) -> None:
    world.ctx.enrolment.enrol(world.asep_run.id, world.people["Zoë Adams"])
    sheet = world.ctx.schedules.attendance_sheet("ASEP-2027-01")
    assert sheet.session.number == "Session 1 of 3"  # today is 15 March
    world.ctx.schedules.today = lambda: date(2027, 3, 25)
    assert world.ctx.schedules.attendance_sheet("ASEP-2027-01").session.held_on == date(2027, 3, 31)


# ----- refusals ----------------------------------------------------------------------------------


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_refusals_say_why_and_write_nothing(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "x.ics"

    def refused(*words: str) -> str:
        assert export(world, *words) == 1
        assert not target.exists()
        return capsys.readouterr().err.strip()

    assert refused("ical", "--trainer", "Amara Okafr", "-o", str(target)) == (
        "trainer-app: There is no trainer 'Amara Okafr'. Did you mean Dr Amara Okafor? Or give "
        "a trainer's name as on the Trainers page, or its id"
    )
    assert refused("ical", "--trainer", "Nobody At All", "-o", str(target)) == (
        "trainer-app: There is no trainer 'Nobody At All': give a trainer's name as on the "
        "Trainers page, or its id"
    )
    assert "There is no facility 'LON-CR9'. Did you mean Suite LON-CR1 (LON-CR1)" in refused(
        "ical", "--facility", "LON-CR9", "-o", str(target)
    )
    assert refused("ical", "--trainer", "Dr Kofi Mensah", "-o", str(target)) == (
        "trainer-app: Dr Kofi Mensah has no published sessions; nothing was written (sessions "
        "appear here once a plan holding them is published)"
    )
    assert "has no published sessions from 1–30 Apr 2027" in refused(
        "timetable",
        "--trainer",
        str(world.okafor.id),
        "--from",
        "2027-04-01",
        "--to",
        "2027-04-30",
        "-o",
        str(target),
    )
    assert "no session 4; its sessions are 1, 2, 3" in refused(
        "attendance", "ASEP-2027-01", "--session", "4", "-o", str(target)
    )
    assert "Nobody is enrolled on ASEP-2027-01 yet" in refused(
        "attendance", "ASEP-2027-01", "-o", str(target)
    )
    assert refused("attendance", "ASEP-2099-01", "-o", str(target)) == (
        "trainer-app: There is no course run ASEP-2099-01"
    )
    a_file = tmp_path / "not-a-folder"
    a_file.write_text("")
    assert refused("ical", "--trainer", "Dr Amara Okafor", "-o", str(a_file / "x.ics")) == (
        f"trainer-app: Cannot write {a_file / 'x.ics'}: Not a directory; nothing was written"
    )
    assert refused("timetable", "--trainer", "Dr Amara Okafor", "-o", str(tmp_path)) == (
        f"trainer-app: Cannot write {tmp_path}: it is a folder, not a regular file; "
        "nothing was written"
    )
    assert exports_audited(world.database) == []
    left = sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("trainer.db"))
    assert left == ["data", "not-a-folder"]


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_each_export_is_in_the_audit_trail_with_its_count_and_filters(
    world: World, tmp_path: Path
) -> None:
    world.ctx.enrolment.enrol(world.asep_run.id, world.people["Zoë Adams"])
    ics, pdf, sheet = tmp_path / "a.ics", tmp_path / "b.pdf", tmp_path / "c.pdf"
    assert export(world, "ical", "--cohort", ARABIC_COHORT, "-o", str(ics)) == 0
    words = ["--facility", "LON-CR1", "--from", "2027-03-01", "--to", "2027-03-31"]
    assert export(world, "timetable", *words, "-o", str(pdf)) == 0
    assert export(world, "attendance", "ASEP-2027-01", "--session", "3", "-o", str(sheet)) == 0
    audited = exports_audited(world.database)
    assert [label for label, _ in audited] == [
        f"Calendar of cohort {ARABIC_COHORT}",
        "Timetable of facility Suite LON-CR1 (LON-CR1)",
        "Attendance sheet of ASEP-2027-01 session 3 of 3",
    ]
    calendar, timetable, attendance = (changes for _, changes in audited)
    assert str(ics) in calendar and '"records", "old": null, "new": "3"' in calendar
    assert "2027-03-01 to 2027-03-31" in timetable and str(pdf) in timetable
    assert '"new": "31 Mar 2027 09:00\\u201313:00"' in attendance
    # The store's calendar identity was made once, on the first calendar, and audited.
    assert world.ctx.schedules.calendar_id() == world.ctx.schedules.calendar_id()
    with sqlite3.connect(world.database) as connection:
        (made,) = connection.execute(
            "SELECT count(*) FROM audit_entries WHERE entity_label = 'Calendar identity'"
        ).fetchone()
    assert made == 1


def test_the_service_returns_plain_records_in_time_order(world: World) -> None:
    schedule = world.ctx.schedules.schedule(ScheduleOf.COHORT, str(world.cohort_id))
    assert schedule.name == ARABIC_COHORT
    assert [s.held_on for s in schedule.sessions] == sorted(s.held_on for s in schedule.sessions)
    assert [s.number for s in schedule.sessions] == [
        "Session 1 of 3",
        "Session 2 of 3",
        "Session 3 of 3",
    ]
    assert schedule.span == "23–31 Mar 2027"
    assert {s.hours for s in schedule.sessions} == {4.0}
