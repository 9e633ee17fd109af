"""Enrolment, attendance, assessment, completion and the training matrix on a real store.

The calendar is fixed: "today" is Monday 11 January 2027 unless a test moves it.
"""

from __future__ import annotations

import dataclasses
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from tests.helpers import builders
from tests.helpers.clock import Clock
from trainer_app.config import Settings
from trainer_app.domain.courses import Course
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRun, CourseRunFields, PlanVersion, RunStatus
from trainer_app.domain.records import (
    AssessmentFields,
    AttendanceFields,
    Completion,
    CompletionFields,
    CompletionSource,
    EnrolmentStatus,
    Mark,
    MatrixStatus,
)
from trainer_app.scheduling.scenario import Assignment, Plan, Scenario
from trainer_app.services.context import ServiceContext
from trainer_app.services.enrolment import Places
from trainer_app.services.matrix import RoleFields
from trainer_app.services.planning_scenario import trainer_key

pytestmark = pytest.mark.both_stores

MONDAY = date(2027, 1, 11)


@dataclasses.dataclass
class World:
    ctx: ServiceContext
    clock: Clock
    gown: Course
    asep: Course
    hub_id: int
    people: list[int]  # trainee ids, Siobhán first


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    clock = Clock(MONDAY)
    ctx = ServiceContext.open(settings, today=clock)
    hub = builders.hub(ctx)
    builders.facility(ctx, hub.id, "LON-CR1", FacilityKind.CLEANROOM_GRADE_B, 6)
    builders.facility(ctx, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    builders.facility(ctx, hub.id, "LON-CL2", FacilityKind.CLASSROOM, 20)
    gown, asep = builders.gowning_and_aseptic(ctx)
    builders.trainer(ctx, hub.id, "Dr Amara Okafor", gown, asep)
    builders.trainer(ctx, hub.id, "Dr Kofi Mensah", gown, asep)
    names = ["Siobhán Ní Bhriain", "李伟", "Łukasz Nowak", "Zoë Adams", "Priya Raman", "Tom Reed"]
    people = [
        builders.trainee(ctx, hub.id, f"TR-{n:06d}", name).id
        for n, name in enumerate(names, start=1)
    ]
    yield World(ctx, clock, gown, asep, hub.id, people)
    ctx.close()


def publish_run(
    w: World,
    code: str,
    course: Course,
    sessions: list[tuple[int, int]],
    room: str = "",
    trainer_index: int = 0,
) -> CourseRun:
    """A run of ``course`` published with sessions at (day offset from Monday 11 Jan, period)."""
    saved = draft_plan(w, code, course, sessions, room, trainer_index)
    w.ctx.planning.publish(saved.id, saved.row_version)
    return next(r for r in w.ctx.runs.list() if r.code == code)


def draft_plan(
    w: World,
    code: str,
    course: Course,
    sessions: list[tuple[int, int]],
    room: str = "",
    trainer_index: int = 0,
) -> PlanVersion:
    """A new run of ``course`` planned, saved as a draft, with sessions at (day offset from
    Monday 11 Jan, period), taught by the ``trainer_index``-th trainer."""
    ctx = w.ctx
    run = ctx.runs.create(CourseRunFields(code=code, course_id=course.id, attendees=4))
    days = [MONDAY + timedelta(days=d) for d, _ in sessions]
    scenario = ctx.planning.build_scenario(min(days), max(days), run_ids=[run.id])
    trainer = trainer_key(sorted(t.id for t in ctx.trainers.list())[trainer_index])
    facility = room or ("LON-CR1" if course.code == "ASEP" else "LON-CL1")
    index = {day: i for i, day in enumerate(scenario.calendar.days)}
    ours = [
        Assignment(code, s, index[MONDAY + timedelta(days=d)], p, facility, trainer)
        for s, (d, p) in enumerate(sessions)
    ]
    return ctx.planning.save_plan(code, scenario, _holding_published(scenario, ours))


def asep_elsewhere(w: World, trainee_id: int) -> Completion:
    """Aseptic processing done at the Catapult on 3 Sep 2026, with its evidence."""
    return w.ctx.training.add_completion(
        CompletionFields(
            trainee_id=trainee_id,
            course_id=w.asep.id,
            completed_on=date(2026, 9, 3),
            source=CompletionSource.EXTERNAL,
            provider="Cell and Gene Therapy Catapult",
            verified_by="Dr Amara Okafor",
            evidence_name="catapult.pdf",
            evidence=b"%PDF-1.4",
        )
    )


def complete_gown(w: World, trainee_id: int, on: date) -> None:
    w.ctx.training.add_completion(
        CompletionFields(
            trainee_id=trainee_id, course_id=w.gown.id, completed_on=on, notes="Paper record"
        )
    )


def _holding_published(scenario: Scenario, ours: Sequence[Assignment]) -> Plan:
    """A plan of ``ours`` that also holds the runs published before as they are."""
    published = [
        Assignment(k.offering, k.session, k.day, k.period, k.facility or "", k.trainer or "")
        for k in scenario.locked
        if scenario.offering_by_id[k.offering].published
    ]
    return Plan((*ours, *published), status="feasible")


def earn(
    w: World,
    code: str,
    course: Course,
    people: list[int],
    day: int = 1,
    theory: Decimal | None = None,
) -> list[int]:
    """Completions earned on a run here: ``people`` enrolled on a one-session run of
    ``course`` (``day`` days after Monday 11 Jan 2027), present and passed; the clock is left
    on that day. Returns the completions' ids, in the order of ``people``."""
    run = publish_run(w, code, course, [(day, 0)])
    for person in people:
        w.ctx.enrolment.enrol(run.id, person)
    w.clock.day = MONDAY + timedelta(days=day)
    (session,) = w.ctx.training.register(run.id).sessions
    w.ctx.training.record_attendance(
        [AttendanceFields(session_id=session.id, trainee_id=p, mark=Mark.PRESENT) for p in people]
    )
    for enrolment in w.ctx.enrolment.roster(run.id):
        w.ctx.training.record_assessment(
            AssessmentFields(
                enrolment_id=enrolment.id,
                assessed_on=w.clock.day,
                assessor="Dr Amara Okafor",
                practical_passed=True,
                theory_score=theory,
            )
        )
    earned = {
        c.trainee_id: c.id
        for p in people
        for c in w.ctx.training.completions_of(p)
        if c.run_code == code
    }
    return [earned[p] for p in people]


# ----- enrolment rules ----------------------------------------------------------------------


def test_a_full_run_takes_a_waitlist_and_a_withdrawal_promotes_the_next(world: World) -> None:
    w = world
    for person in w.people:
        complete_gown(w, person, date(2026, 6, 1))
    run = publish_run(w, "ASEP-2027-01", w.asep, [(7, 0), (8, 0)])
    assert w.ctx.enrolment.facts(run.id).capacity == 4  # course 4, cleanroom 6
    enrolled = w.ctx.enrolment.enrol_many(run.id, w.people[:5])
    assert [e.status for e in enrolled] == [EnrolmentStatus.ENROLLED] * 4 + [
        EnrolmentStatus.WAITLISTED
    ]
    sixth = w.ctx.enrolment.enrol(run.id, w.people[5])
    assert (sixth.status, sixth.position) == (EnrolmentStatus.WAITLISTED, 2)
    classroom = publish_run(w, "GOWN-2027-01", w.gown, [(9, 0)])  # a 20-seat room, nobody yet
    assert w.ctx.enrolment.places([run.id, classroom.id]) == {
        run.id: Places(capacity=4, enrolled=4, waiting=2),
        classroom.id: Places(capacity=w.gown.capacity, enrolled=0, waiting=0),
    }

    first = next(e for e in w.ctx.enrolment.roster(run.id) if e.trainee_id == w.people[0])
    with pytest.raises(ValidationError, match="Say why the trainee is withdrawn"):
        w.ctx.enrolment.withdraw(first.id, first.row_version, "  ")
    changed = w.ctx.enrolment.withdraw(first.id, first.row_version, "Moved to night shift")
    assert [(e.trainee_name, e.status) for e in changed] == [
        ("Siobhán Ní Bhriain", EnrolmentStatus.WITHDRAWN),
        ("Priya Raman", EnrolmentStatus.ENROLLED),
    ]
    roster = w.ctx.enrolment.roster(run.id)
    assert [(e.trainee_name, e.status, e.position) for e in roster if e.position] == [
        ("Tom Reed", EnrolmentStatus.WAITLISTED, 1)
    ]
    entries = w.ctx.audit.entries(w.ctx.audit.query_ids()[:3])
    assert any(e.reason == "Moved to night shift" for e in entries)


def test_refusals_name_the_trainee_and_the_rule(world: World) -> None:
    w = world
    run = publish_run(w, "ASEP-2027-01", w.asep, [(7, 0), (8, 0)])
    siobhan, li = w.people[0], w.people[1]
    with pytest.raises(
        DomainError,
        match=r"^Siobhán Ní Bhriain has not completed Gowning \(GOWN\) — required before ASEP\. "
        r"Nothing was enrolled$",
    ):
        w.ctx.enrolment.enrol(run.id, siobhan)
    complete_gown(w, li, date(2025, 12, 1))  # valid for 12 months: expired 1 Dec 2026
    with pytest.raises(DomainError, match=r"李伟's Gowning \(GOWN\) expired on 1 Dec 2026"):
        w.ctx.enrolment.enrol(run.id, li)
    assert w.ctx.enrolment.roster(run.id) == []

    complete_gown(w, siobhan, date(2026, 12, 1))
    w.ctx.enrolment.enrol(run.id, siobhan)
    with pytest.raises(DomainError, match="Siobhán Ní Bhriain is already enrolled on ASEP-2027-01"):
        w.ctx.enrolment.enrol(run.id, siobhan)

    draft = w.ctx.runs.create(
        CourseRunFields(code="ASEP-2027-02", course_id=w.asep.id, attendees=4)
    )
    with pytest.raises(DomainError, match="ASEP-2027-02 has no published sessions yet"):
        w.ctx.enrolment.enrol(draft.id, siobhan)
    w.ctx.runs.update(
        draft.id, draft.row_version, dataclasses.replace(draft, status=RunStatus.CANCELLED)
    )
    with pytest.raises(DomainError, match="ASEP-2027-02 is cancelled"):
        w.ctx.enrolment.enrol(draft.id, siobhan)


def test_a_cohort_is_enrolled_all_or_nothing_after_a_check(world: World) -> None:
    w = world
    run = publish_run(w, "ASEP-2027-01", w.asep, [(7, 0), (8, 0)])
    for person in w.people[1:]:
        complete_gown(w, person, date(2026, 6, 1))
    verdicts = w.ctx.enrolment.check(run.id, w.people)
    assert [v.ok for v in verdicts] == [False, True, True, True, True, True]
    assert [v.waitlisted for v in verdicts] == [False, False, False, False, False, True]
    with pytest.raises(DomainError, match="has not completed Gowning"):
        w.ctx.enrolment.enrol_many(run.id, w.people)
    assert w.ctx.enrolment.roster(run.id) == []  # nothing enrolled
    w.ctx.enrolment.enrol_many(run.id, [v.trainee_id for v in verdicts if v.ok])
    assert len(w.ctx.enrolment.roster(run.id)) == 5


def test_an_earlier_run_of_the_prerequisite_counts_and_clashes_are_refused(world: World) -> None:
    w = world
    gown = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])  # Tuesday 09:00
    asep = publish_run(w, "ASEP-2027-01", w.asep, [(7, 0), (8, 0)])
    siobhan = w.people[0]
    w.ctx.enrolment.enrol(gown.id, siobhan)
    w.ctx.enrolment.enrol(asep.id, siobhan)  # GOWN ends before ASEP starts
    other = publish_run(w, "GOWN-2027-02", w.gown, [(1, 0)], room="LON-CL2", trainer_index=1)
    with pytest.raises(
        DomainError,
        match=r"Siobhán Ní Bhriain is in GOWN-2027-01 on 12 Jan 2027 09:00, which clashes "
        r"with GOWN-2027-02",
    ):
        w.ctx.enrolment.enrol(other.id, siobhan)


def test_someone_trained_waits_for_the_refresher_window(world: World) -> None:
    w = world
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])
    complete_gown(w, w.people[0], date(2026, 10, 1))  # valid until 1 Oct 2027
    complete_gown(w, w.people[1], date(2026, 2, 15))  # expires 15 Feb 2027: within 60 days
    with pytest.raises(
        DomainError,
        match=r"Siobhán Ní Bhriain already holds a valid GOWN completion \(until 1 Oct "
        r"2027; refresher places open 60 days before it expires\)",
    ):
        w.ctx.enrolment.enrol(run.id, w.people[0])
    assert w.ctx.enrolment.enrol(run.id, w.people[1]).status is EnrolmentStatus.ENROLLED


# ----- attendance, assessment, completion ---------------------------------------------------


def test_attendance_and_results_record_a_completion_with_its_expiry(world: World) -> None:
    w = world
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])  # Tue 12 Jan
    siobhan = w.people[0]
    w.ctx.enrolment.enrol(run.id, siobhan)
    register = w.ctx.training.register(run.id)
    (session,) = register.sessions
    mark = AttendanceFields(session_id=session.id, trainee_id=siobhan, mark=Mark.PRESENT)
    with pytest.raises(DomainError, match="Session 1 of GOWN-2027-01 is on 12 Jan 2027"):
        w.ctx.training.record_attendance([mark])

    w.clock.day = date(2027, 1, 12)
    w.ctx.training.record_attendance([mark])
    (progress,) = w.ctx.training.progress(run.id)
    assert progress.shortfalls == ("no practical assessment yet",)
    enrolment = w.ctx.enrolment.roster(run.id)[0]
    with pytest.raises(ValidationError, match=r"between 0 and 100 % \(got 130 %\)"):
        w.ctx.training.record_assessment(
            AssessmentFields(
                enrolment_id=enrolment.id,
                assessed_on=date(2027, 1, 12),
                assessor="Dr Amara Okafor",
                theory_score=Decimal(130),
            )
        )
    w.ctx.training.record_assessment(
        AssessmentFields(
            enrolment_id=enrolment.id,
            assessed_on=date(2027, 1, 12),
            assessor="Dr Amara Okafor",
            practical_passed=True,
        )
    )
    (completion,) = w.ctx.training.completions_of(siobhan)
    assert (completion.completed_on, completion.expires_on) == (
        date(2027, 1, 12),
        date(2028, 1, 12),
    )
    assert (completion.source, completion.run_code, completion.course_version) == (
        CompletionSource.RUN,
        "GOWN-2027-01",
        "1.0",
    )
    assert w.ctx.training.register(run.id).completed == {siobhan}

    late = dataclasses.replace(mark, mark=Mark.LATE, late_minutes=0)
    with pytest.raises(ValidationError, match="Minutes late must be between 1 and 240"):
        w.ctx.training.record_attendance([late])
    # A correction: she was absent after all. A completed record changes only with a reason
    # (refused without one, and nothing changed); the completion is revoked, never deleted.
    absent = dataclasses.replace(mark, mark=Mark.ABSENT)
    with pytest.raises(ValidationError, match="has completed GOWN-2027-01: say why"):
        w.ctx.training.record_attendance([absent])
    assert [c.id for c in w.ctx.training.completions_of(siobhan)] == [completion.id]
    w.ctx.training.record_attendance([absent], reason="signed in late; left at 10:00")
    assert w.ctx.training.completions_of(siobhan) == []
    (revoked,) = w.ctx.training.completions_of(siobhan, include_revoked=True)
    assert revoked.id == completion.id
    w.ctx.training.record_attendance([dataclasses.replace(mark, mark=Mark.LATE, late_minutes=10)])
    assert [c.id for c in w.ctx.training.completions_of(siobhan)] == [completion.id]


def test_a_run_with_attendance_keeps_its_sessions(world: World) -> None:
    w = world
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])
    w.ctx.enrolment.enrol(run.id, w.people[0])
    w.clock.day = date(2027, 1, 12)
    (session,) = w.ctx.training.register(run.id).sessions
    w.ctx.training.record_attendance(
        [AttendanceFields(session_id=session.id, trainee_id=w.people[0], mark=Mark.PRESENT)]
    )
    with pytest.raises(DomainError, match="GOWN-2027-01 already has attendance recorded"):
        publish_run_again(w, run)
    assert [
        s.held_on for s in w.ctx.planning.published_sessions(MONDAY, MONDAY + timedelta(7))
    ] == [date(2027, 1, 12)]


def test_moving_a_run_onto_another_run_of_its_trainees_is_refused(world: World) -> None:
    w = world
    gown = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])  # Tue 12 Jan
    doc = builders.course(w.ctx, "DOC", title="GMP documentation")
    builders.trainer(w.ctx, w.hub_id, "Hannah Eriksen", doc)
    other = publish_run(w, "DOC-2027-01", doc, [(3, 0)], room="LON-CL2", trainer_index=2)
    siobhan = w.people[0]
    w.ctx.enrolment.enrol(gown.id, siobhan)
    w.ctx.enrolment.enrol(other.id, siobhan)
    with pytest.raises(DomainError) as refused:
        publish_run_again(w, gown)  # to Thu 14 Jan 09:00, when she is in DOC-2027-01
    assert str(refused.value) == (
        "Plan Moved cannot be published: enrolled trainees would be in two places at once — "
        "Siobhán Ní Bhriain (GOWN-2027-01 on 14 Jan 2027 09:00 clashes with DOC-2027-01)."
        " Withdraw them from one of the runs or plan again. Nothing was published"
    )
    held = w.ctx.planning.published_sessions(MONDAY, MONDAY + timedelta(7))
    assert [(s.run_code, s.held_on) for s in held if s.run_code == "GOWN-2027-01"] == [
        ("GOWN-2027-01", date(2027, 1, 12))
    ]
    # the planner itself keeps the run off her other run's periods
    scenario = w.ctx.planning.build_scenario(MONDAY, MONDAY + timedelta(days=4), run_ids=[gown.id])
    thursday = scenario.calendar.days.index(date(2027, 1, 14))
    assert (thursday, 0) in scenario.offering_by_id["GOWN-2027-01"].unavailable
    assert (thursday, 1) not in scenario.offering_by_id["GOWN-2027-01"].unavailable
    (place,) = w.ctx.enrolment.roster(other.id)
    w.ctx.enrolment.withdraw(place.id, place.row_version, "Moved to the February run")
    publish_run_again(w, gown)  # nobody would clash now


def test_two_runs_moved_together_onto_one_trainee_are_refused(world: World) -> None:
    w = world
    gown = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])
    doc = builders.course(w.ctx, "DOC", title="GMP documentation")
    builders.trainer(w.ctx, w.hub_id, "Hannah Eriksen", doc)
    other = publish_run(w, "DOC-2027-01", doc, [(2, 0)], room="LON-CL2", trainer_index=2)
    for run in (gown, other):
        w.ctx.enrolment.enrol(run.id, w.people[0])
    span = (MONDAY, MONDAY + timedelta(days=4))
    scenario = w.ctx.planning.build_scenario(*span, run_ids=[gown.id, other.id])
    trainers = sorted(t.id for t in w.ctx.trainers.list())
    both_on_thursday = Plan(
        (
            Assignment("GOWN-2027-01", 0, 3, 0, "LON-CL1", trainer_key(trainers[0])),
            Assignment("DOC-2027-01", 0, 3, 0, "LON-CL2", trainer_key(trainers[2])),
        ),
        status="feasible",
    )
    saved = w.ctx.planning.save_plan("Both", scenario, both_on_thursday)
    with pytest.raises(DomainError) as refused:
        w.ctx.planning.publish(saved.id, saved.row_version)
    told = "Siobhán Ní Bhriain (GOWN-2027-01 on 14 Jan 2027 09:00 clashes with DOC-2027-01)."
    assert f"two places at once — {told} Withdraw" in str(refused.value)  # once, not twice


def publish_run_again(w: World, run: CourseRun) -> None:
    """``run`` moved to Thursday 14 Jan 09:00 in LON-CL1 and published."""
    scenario = w.ctx.planning.build_scenario(MONDAY, MONDAY + timedelta(days=4), run_ids=[run.id])
    trainer = trainer_key(sorted(t.id for t in w.ctx.trainers.list())[0])
    plan = _holding_published(scenario, [Assignment(run.code, 0, 3, 0, "LON-CL1", trainer)])
    saved = w.ctx.planning.save_plan("Moved", scenario, plan)
    w.ctx.planning.publish(saved.id, saved.row_version)


def test_external_training_needs_evidence_and_who_verified_it(world: World) -> None:
    w = world
    fields = CompletionFields(
        trainee_id=w.people[2],
        course_id=w.gown.id,
        completed_on=date(2026, 9, 3),
        source=CompletionSource.EXTERNAL,
    )
    with pytest.raises(ValidationError) as refused:
        w.ctx.training.add_completion(fields)
    assert {e.field for e in refused.value.errors} == {"provider", "verified_by", "evidence"}
    with pytest.raises(ValidationError, match="cannot be dated in the future"):
        w.ctx.training.add_completion(dataclasses.replace(fields, completed_on=date(2027, 2, 1)))
    done = w.ctx.training.add_completion(
        dataclasses.replace(
            fields,
            provider="Cell and Gene Therapy Catapult",
            verified_by="Dr Amara Okafor",
            evidence_name="catapult-gowning.pdf",
            evidence=b"%PDF-1.4 evidence",
        )
    )
    assert done.expires_on == date(2027, 9, 3)
    assert w.ctx.training.evidence(done.id) == ("catapult-gowning.pdf", b"%PDF-1.4 evidence")


# ----- the matrix ---------------------------------------------------------------------------


def test_the_matrix_shows_each_standing_and_flags_a_new_course_version(world: World) -> None:
    w = world
    ctx = w.ctx
    ctx.matrix.save_role(
        RoleFields(name="Cleanroom operator", requirements=frozenset({(w.gown.id, None)}))
    )
    roles = ["Cleanroom operator", "cleanroom  OPERATOR", "Cleanroom operator", "", "QA", ""]
    for person, role in zip(w.people, roles, strict=True):
        trainee = ctx.trainees.get(person)
        ctx.trainees.update(person, trainee.row_version, dataclasses.replace(trainee, role=role))
    complete_gown(w, w.people[0], date(2026, 6, 1))  # valid to 1 Jun 2027
    complete_gown(w, w.people[1], date(2026, 2, 20))  # expires 20 Feb 2027: expiring
    complete_gown(w, w.people[3], date(2025, 1, 5))  # expired, not required (no role)
    matrix = ctx.matrix.matrix()
    rows = {p.name: i for i, p in enumerate(matrix.people)}
    column = [c.code for c in matrix.courses].index("GOWN")

    def status(name: str) -> MatrixStatus | None:
        cell = matrix.cells.get((rows[name], column))
        return cell.status if cell else None

    assert status("Siobhán Ní Bhriain") is MatrixStatus.VALID
    assert status("李伟") is MatrixStatus.EXPIRING
    assert status("Łukasz Nowak") is MatrixStatus.MISSING
    assert status("Zoë Adams") is MatrixStatus.EXPIRED
    assert (rows["Zoë Adams"], column) not in matrix.required
    assert status("Priya Raman") is None
    assert [d.name for d in ctx.matrix.due_for_refresher()] == ["李伟"]

    gown = ctx.courses.get(w.gown.id)  # the SOP was revised
    ctx.courses.update(gown.id, gown.row_version, dataclasses.replace(gown, version="2.0"))
    again = ctx.matrix.matrix()
    cell = again.cells[(rows["Siobhán Ní Bhriain"], column)]
    assert (cell.status, cell.version) == (MatrixStatus.RETRAIN, "1.0")


def test_the_training_record_holds_the_whole_history(world: World) -> None:
    w = world
    run = publish_run(w, "GOWN-2027-01", w.gown, [(1, 0)])
    siobhan = w.people[0]
    w.ctx.enrolment.enrol(run.id, siobhan)
    w.clock.day = date(2027, 1, 13)
    (session,) = w.ctx.training.register(run.id).sessions
    w.ctx.training.record_attendance(
        [AttendanceFields(session_id=session.id, trainee_id=siobhan, mark=Mark.PRESENT)]
    )
    enrolment = w.ctx.enrolment.roster(run.id)[0]
    w.ctx.training.record_assessment(
        AssessmentFields(
            enrolment_id=enrolment.id,
            assessed_on=date(2027, 1, 12),
            assessor="Dr Amara Okafor",
            practical_passed=True,
            comments="Good aseptic discipline",
        )
    )
    w.ctx.training.add_completion(
        CompletionFields(
            trainee_id=siobhan,
            course_id=w.asep.id,
            completed_on=date(2024, 3, 4),
            course_version="0.9",
        )
    )
    record = w.ctx.matrix.training_record(siobhan)
    assert (record.name, record.reference, record.hub) == (
        "Siobhán Ní Bhriain",
        "TR-000001",
        "LON · London",
    )
    first, second = record.entries
    assert (first.course_code, first.course_version, first.run_code) == ("ASEP", "0.9", "")
    assert second.run_code == "GOWN-2027-01"
    assert [s.mark for s in second.sessions] == [Mark.PRESENT]
    assert second.assessments[0].comments == "Good aseptic discipline"
    assert second.completion is not None and second.completion.expires_on == date(2028, 1, 12)
    assert record.attendance_rate == 1.0


def test_a_course_from_an_older_schema_gets_the_default_completion_rule(tmp_path: Path) -> None:
    from alembic import command

    from trainer_app.persistence.db import alembic_config

    path = tmp_path / "old.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0002")
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO courses (code, title, version, category, description, learning_outcomes,"
            " sessions, session_length, facility_kind, capacity, cpd_hours, row_version) VALUES "
            "('GOWN', 'Gowning', '1.0', 'cleanroom', '', '[]', 1, 1, 'classroom', 12, "
            "0, 1)"
        )
    settings = Settings.resolve(path, environ={"TRAINER_APP_DATA_DIR": str(tmp_path)})
    with ServiceContext.open(settings) as ctx:
        (course,) = ctx.courses.list()
        assert (course.min_attendance, course.pass_mark, course.practical_required) == (
            90,
            None,
            False,
        )


def test_every_completion_without_a_run_is_in_the_record(world: World) -> None:
    """Imported history and training held elsewhere are each an entry of their own (two of
    them once collapsed into one, so the record and its exports lost training)."""
    w = world
    li = w.people[1]
    complete_gown(w, li, date(2026, 6, 1))
    asep_elsewhere(w, li)
    record = w.ctx.matrix.training_record(li)
    assert [(e.course_code, e.completion and e.completion.source) for e in record.entries] == [
        ("GOWN", CompletionSource.IMPORTED),
        ("ASEP", CompletionSource.EXTERNAL),
    ]
