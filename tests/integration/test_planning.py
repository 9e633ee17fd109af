"""Planning from the store: scenario building, saved plans, comparison, locks and publishing."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.calendar import Absence
from trainer_app.domain.errors import DomainError, InUse, StaleEdit, ValidationError
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRunFields, PlanStatus, RunStatus, Unavailability
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import (
    Assignment,
    Lock,
    Plan,
    Scenario,
    ScenarioError,
    scenario_from_dict,
    scenario_to_dict,
)
from trainer_app.scheduling.solver import solve
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.services.planning_scenario import trainer_id_of, trainer_key

pytestmark = pytest.mark.both_stores

SPRING = (date(2027, 1, 4), date(2027, 3, 31))
WEEK = (date(2027, 1, 11), date(2027, 1, 15))  # Monday to Friday


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServiceContext]:
    folder = tmp_path_factory.mktemp("planning")
    ctx = ServiceContext.open(
        Settings.resolve(folder / "demo.db", environ={"TRAINER_APP_DATA_DIR": str(folder)})
    )
    build_demo(ctx, history=False)  # the spring term only, nothing published yet
    yield ctx
    ctx.close()


@pytest.fixture
def small(context: ServiceContext) -> ServiceContext:
    """One hub, one classroom, one qualified trainer, one cohort, two runs of one course."""
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    course = builders.course(context, "GMP-FUND", title="GMP fundamentals")
    builders.trainer(context, hub.id, "Dr Amara Okafor", course)
    cohort = builders.cohort(context)
    for code in ("GMP-FUND-2027-01", "GMP-FUND-2027-02"):
        context.runs.create(
            CourseRunFields(
                code=code,
                course_id=course.id,
                attendees=10,
                hub_id=hub.id,
                cohort_ids=frozenset({cohort.id}),
            )
        )
    return context


def one_session(ctx: ServiceContext, day: int, offering: str = "GMP-FUND-2027-01") -> Plan:
    trainer = trainer_key(ctx.trainers.list()[0].id)
    return Plan((Assignment(offering, 0, day, 0, "LON-CL1", trainer),), status="feasible")


# ----- scenario from the store --------------------------------------------------------------


def test_the_demo_scenario_reads_back_identically(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(*SPRING, name="Spring 2027")
    assert scenario_from_dict(scenario_to_dict(scenario)) == scenario
    assert len(scenario.offerings) == len(demo.runs.list()) == 41
    assert scenario.calendar.period_labels == ("09:00", "11:00", "13:30", "15:30")
    assert scenario.weights == {
        "capacity_overflow": 1,
        "spread_shortfall": 5,
        "cohort_isolated": 2,
        "facility_changes": 1,
        "load_balance": 1,
        "trainer_away": 1,
    }


def test_working_days_leave_out_weekends_and_bank_holidays(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(*SPRING)
    days = scenario.calendar.days
    bank = holidays.country_holidays("GB", subdiv="ENG", years=2027)
    assert date(2027, 3, 26) in bank and date(2027, 3, 29) in bank  # Good Friday, Easter Monday
    assert all(d.weekday() < 5 and d not in bank for d in days)
    every = [SPRING[0] + timedelta(n) for n in range((SPRING[1] - SPRING[0]).days + 1)]
    assert len(days) == sum(1 for d in every if d.weekday() < 5 and d not in bank)
    assert date(2027, 3, 25) in days and date(2027, 3, 30) in days


def test_christmas_closure_makes_every_facility_unavailable(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(date(2026, 12, 21), date(2027, 1, 8))
    index = {d: i for i, d in enumerate(scenario.calendar.days)}
    assert date(2026, 12, 25) not in index and date(2027, 1, 1) not in index
    for closed in (date(2026, 12, 24), date(2026, 12, 31)):
        day = index[closed]
        for facility in scenario.facilities:
            assert {(day, p) for p in range(4)} <= facility.unavailable, facility.id
    open_day = index[date(2027, 1, 5)]
    assert any((open_day, 0) not in f.unavailable for f in scenario.facilities)


def test_leave_weekdays_and_limits_shape_the_trainers(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(*SPRING)
    index = {d: i for i, d in enumerate(scenario.calendar.days)}
    by_name = {t.name: t for t in demo.trainers.list()}
    kavanagh = scenario.trainer_by_id[trainer_key(by_name["Dr Siobhán Kavanagh"].id)]
    assert (index[date(2027, 2, 17)], 2) in kavanagh.unavailable  # annual leave 15–19 Feb
    assert (index[date(2027, 2, 22)], 2) not in kavanagh.unavailable
    assert kavanagh.max_periods_per_day == 3 and kavanagh.max_periods_per_week == 10
    assert {"GMP-FUND", "GOWN", "ASEP"} <= kavanagh.qualifications
    chow = scenario.trainer_by_id[trainer_key(by_name["Mei Lin Chow"].id)]
    assert (index[date(2027, 1, 14)], 0) in chow.unavailable  # works Monday to Wednesday
    assert (index[date(2027, 1, 13)], 0) not in chow.unavailable
    lon_qc = scenario.facility_by_id["LON-QC1"]
    assert (index[date(2027, 1, 15)], 0) in lon_qc.unavailable  # Fridays reserved
    assert scenario.facility_by_id["LON-CR1"].capacity_is_hard


def test_offerings_follow_runs_windows_and_prerequisites(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(*SPRING)
    index = {d: i for i, d in enumerate(scenario.calendar.days)}
    asep = scenario.offering_by_id["ASEP-2027-01"]
    assert asep.course == "ASEP" and asep.sessions == 3 and asep.session_length == 2
    assert asep.facility_kinds == ("cleanroom_grade_b",) and asep.hub == "LON"
    assert set(asep.after) == {"GMP-FUND-2027-01", "GOWN-2027-01", "GOWN-2027-02"}
    assert asep.trainer is not None
    assert demo.trainers.get(trainer_id_of(asep.trainer)).name == "Dr Siobhán Kavanagh"
    assert (index[date(2027, 1, 8)], 0) in asep.unavailable  # window opens 11 Jan
    assert (index[date(2027, 1, 11)], 0) not in asep.unavailable
    cohorts = {c.id: c for c in scenario.cohorts}
    assert "ASEP-2027-01" in cohorts["MSc Cell & Gene Therapy 2027"].offerings
    fellows = cohorts["CAR-T manufacturing fellows 2027"]
    assert (index[date(2027, 1, 29)], 0) in fellows.unavailable  # cohort starts 1 Feb
    refresher = scenario.offering_by_id["GMP-REFR-2027-01"]
    assert refresher.hub is None and refresher.facility_kinds == ("virtual",)


def test_a_hub_filter_keeps_its_runs_and_facilities(demo: ServiceContext) -> None:
    london = next(h for h in demo.hubs.list() if h.code == "LON")
    scenario = demo.planning.build_scenario(*SPRING, hub_ids=[london.id])
    assert {o.hub for o in scenario.offerings} == {"LON", None}
    assert {f.hub for f in scenario.facilities} == {"LON"}
    assert len(scenario.hubs) == 4  # trainers from every hub may still travel


def test_weights_can_be_changed_but_not_invented(demo: ServiceContext) -> None:
    scenario = demo.planning.build_scenario(*WEEK, weights={"late_finish": 3, "trainer_away": 0})
    assert scenario.weight("late_finish") == 3 and scenario.weight("trainer_away") == 0
    with pytest.raises(ValidationError, match="Unknown cost term lateness"):
        demo.planning.build_scenario(*WEEK, weights={"lateness": 1})
    with pytest.raises(ValidationError, match="ends .* before it starts"):
        demo.planning.build_scenario(WEEK[1], WEEK[0])
    with pytest.raises(DomainError, match="no working days"):
        demo.planning.build_scenario(date(2027, 1, 9), date(2027, 1, 10))


def test_export_gives_the_scenario_document(demo: ServiceContext) -> None:
    document = demo.planning.export_scenario(*WEEK, name="One week")
    assert document["format"] == "trainer-app/scenario@1" and document["name"] == "One week"
    assert scenario_from_dict(document) == demo.planning.build_scenario(*WEEK, name="One week")


def test_cancelled_runs_are_left_out(small: ServiceContext) -> None:
    run = small.runs.list()[1]
    fields = CourseRunFields(
        code=run.code,
        course_id=run.course_id,
        attendees=run.attendees,
        hub_id=run.hub_id,
        cohort_ids=run.cohort_ids,
        status=RunStatus.CANCELLED,
    )
    small.runs.update(run.id, run.row_version, fields)
    scenario = small.planning.build_scenario(*WEEK)
    assert [o.id for o in scenario.offerings] == ["GMP-FUND-2027-01"]
    assert small.planning.build_scenario(*WEEK, run_ids=[run.id]).offerings == ()


# ----- saving, comparing, locking, publishing -----------------------------------------------


def test_save_list_get_and_compare(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK, run_ids=[small.runs.list()[0].id])
    a = small.planning.save_plan("Monday", scenario, one_session(small, 0))
    b = small.planning.save_plan("Tuesday", scenario, one_session(small, 1))
    assert a.status is PlanStatus.DRAFT and a.starts_on == WEEK[0] and a.ends_on == WEEK[1]
    assert {p.name for p in small.planning.list_plans()} == {"Monday", "Tuesday"}
    version, stored, plan = small.planning.get_plan(a.id)
    assert version == a and stored == scenario
    assert plan == small.planning.check_plan(scenario, one_session(small, 0)).plan  # as checked
    assert small.runs.list()[0].status is RunStatus.PLANNED
    comparison = small.planning.compare(a.id, b.id)
    assert comparison.moved == 1 and comparison.unchanged == 0
    assert comparison.moves[0].describe() == (
        "GMP-FUND-2027-01 session 1: Mon 11 Jan 2027 09:00, LON-CL1, Dr Amara Okafor → "
        "Tue 12 Jan 2027 09:00, LON-CL1, Dr Amara Okafor"
    )
    assert comparison.difference["total"] == comparison.cost_b["total"] - comparison.cost_a["total"]
    assert small.planning.compare(a.id, a.id).moves == ()


def test_rename_delete_and_locks_of_a_draft(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK)
    saved = small.planning.save_plan("Draft", scenario, one_session(small, 0))
    renamed = small.planning.rename_plan(saved.id, saved.row_version, "Draft A")
    lock = Lock("GMP-FUND-2027-01", 0, 0, 0, "LON-CL1", None)
    locked = small.planning.set_locks(renamed.id, renamed.row_version, [lock])
    assert small.planning.get_plan(locked.id)[1].locked == (lock,)
    entry = small.audit.entries(small.audit.query_ids())[0]
    assert entry.entity_type == "plan_version"
    assert entry.changes[0].new == "GMP-FUND-2027-01 session 1 at Mon 11 Jan 2027 09:00"
    with pytest.raises(ScenarioError, match="only 1 sessions"):
        small.planning.set_locks(locked.id, locked.row_version, [replace(lock, session=3)])
    with pytest.raises(StaleEdit):
        small.planning.set_locks(locked.id, renamed.row_version, [])
    small.planning.delete_plan(locked.id, locked.row_version)
    assert small.planning.list_plans() == []


def test_publish_writes_sessions_and_supersedes(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK, run_ids=[small.runs.list()[0].id])
    first = small.planning.save_plan("First", scenario, one_session(small, 0))
    audited = small.audit.count()
    published = small.planning.publish(first.id, first.row_version)
    assert published.status is PlanStatus.PUBLISHED and published.published_at is not None
    sessions = small.planning.published_sessions(*WEEK)
    assert [
        (s.run_code, s.held_on, s.period, s.facility_code, s.trainer_name) for s in sessions
    ] == [("GMP-FUND-2027-01", date(2027, 1, 11), 0, "LON-CL1", "Dr Amara Okafor")]
    assert small.runs.list()[0].status is RunStatus.PUBLISHED
    kinds = {
        e.entity_type
        for e in small.audit.entries(small.audit.query_ids()[: small.audit.count() - audited])
    }
    assert kinds == {"planned_session", "course_run", "plan_version"}
    with pytest.raises(DomainError, match="is published; only a draft plan"):
        small.planning.publish(published.id, published.row_version)
    with pytest.raises(InUse, match="only draft plans can be deleted"):
        small.planning.delete_plan(published.id, published.row_version)

    second = small.planning.save_plan("Second", scenario, one_session(small, 2))
    small.planning.publish(second.id, second.row_version)
    assert [s.held_on for s in small.planning.published_sessions(*WEEK)] == [date(2027, 1, 13)]
    assert small.planning.get_plan(first.id)[0].status is PlanStatus.SUPERSEDED


def test_publish_refuses_violations_and_stale_versions(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK)
    empty = small.planning.save_plan("Nothing placed", scenario, Plan((), status="partial"))
    with pytest.raises(DomainError, match="Nothing placed cannot be published: it breaks 2 hard"):
        small.planning.publish(empty.id, empty.row_version)
    both = Plan(
        (
            *one_session(small, 0).assignments,
            *one_session(small, 1, "GMP-FUND-2027-02").assignments,
        ),
        status="feasible",
    )
    saved = small.planning.save_plan("Both", scenario, both)
    renamed = small.planning.rename_plan(saved.id, saved.row_version, "Both runs")
    with pytest.raises(StaleEdit, match="Plan Both runs was changed"):
        small.planning.publish(saved.id, saved.row_version)
    assert small.planning.published_sessions(*WEEK) == []
    small.planning.publish(renamed.id, renamed.row_version)
    assert len(small.planning.published_sessions(*WEEK)) == len(both.assignments)


def publish_first_on(ctx: ServiceContext, day: int) -> None:
    first = ctx.runs.list()[0]
    scenario = ctx.planning.build_scenario(*WEEK, run_ids=[first.id])
    saved = ctx.planning.save_plan("First", scenario, one_session(ctx, day))
    ctx.planning.publish(saved.id, saved.row_version)


def test_published_runs_not_being_planned_come_in_locked_and_every_rule_counts_them(
    small: ServiceContext,
) -> None:
    """The trainer taught run 01 in London on Monday (published); run 02 may be anywhere. Had
    the published session only blocked its periods, Manchester on Monday afternoon would look
    free: the one-hub-a-day rule must see it."""
    publish_first_on(small, 0)
    manchester = builders.hub(small, "MAN", "Manchester")
    builders.facility(small, manchester.id, "MAN-CL1", FacilityKind.CLASSROOM, 20)
    second = small.runs.list()[1]
    small.runs.update(second.id, second.row_version, replace(second, hub_id=None))
    scenario = small.planning.build_scenario(*WEEK, run_ids=[second.id])

    context = scenario.offering_by_id["GMP-FUND-2027-01"]
    trainer = trainer_key(small.trainers.list()[0].id)
    assert context.published and context.trainer == trainer
    assert scenario.locked == (Lock("GMP-FUND-2027-01", 0, 0, 0, "LON-CL1", trainer),)
    assert scenario.facility_by_id["LON-CL1"].unavailable == frozenset()
    afternoon_in_manchester = Plan(
        (
            Assignment("GMP-FUND-2027-01", 0, 0, 0, "LON-CL1", trainer),
            Assignment("GMP-FUND-2027-02", 0, 0, 2, "MAN-CL1", trainer),
        )
    )
    rules = {v.rule for v in check(scenario, afternoon_in_manchester).hard_violations}
    assert rules == {"trainer_two_hubs"}

    plan = solve(scenario, time_limit=5, workers=1, seed=1)
    assert check(scenario, plan).valid
    placed = next(a for a in plan.assignments if a.offering == "GMP-FUND-2027-02")
    assert placed.day != 0 or placed.facility == "LON-CL1"
    before = small.planning.published_sessions(*WEEK)
    saved = small.planning.save_plan("Second", scenario, plan)
    assert [r.status for r in small.runs.list()] == [RunStatus.PUBLISHED, RunStatus.PLANNED]
    small.planning.publish(saved.id, saved.row_version)
    after = small.planning.published_sessions(*WEEK)
    assert [s for s in after if s.run_code == "GMP-FUND-2027-01"] == before  # untouched
    assert small.runs.list()[0].status is RunStatus.PUBLISHED
    first_plan = next(p for p in small.planning.list_plans() if p.name == "First")
    assert first_plan.status is PlanStatus.PUBLISHED  # not superseded by the second


def test_a_published_prerequisite_holds_back_the_runs_that_need_it(small: ServiceContext) -> None:
    publish_first_on(small, 2)  # GMP fundamentals on Wednesday
    fundamentals = small.courses.list()[0]
    aseptic = builders.course(small, "ASEP", fundamentals, title="Aseptic processing")
    trainer = small.trainers.list()[0]
    small.trainers.update(
        trainer.id,
        trainer.row_version,
        replace(trainer, qualifications=frozenset({fundamentals.id, aseptic.id})),
    )
    run = small.runs.create(
        CourseRunFields(
            code="ASEP-2027-01",
            course_id=aseptic.id,
            attendees=10,
            cohort_ids=frozenset({small.cohorts.list()[0].id}),
        )
    )
    scenario = small.planning.build_scenario(*WEEK, run_ids=[run.id])
    assert scenario.offering_by_id["ASEP-2027-01"].after == ("GMP-FUND-2027-01",)
    plan = solve(scenario, time_limit=5, workers=1, seed=1)
    assert check(scenario, plan).valid
    asep = next(a for a in plan.assignments if a.offering == "ASEP-2027-01")
    assert (asep.day, asep.period) >= (2, 1)  # after Wednesday 09:00–11:00


def test_a_published_session_that_no_longer_fits_only_blocks_its_periods(
    small: ServiceContext,
) -> None:
    """Leave entered after publishing: the session cannot be a fixed point (planning would be
    refused), so it blocks its trainer, room and cohort as before."""
    publish_first_on(small, 0)
    trainer = small.trainers.list()[0]
    small.trainers.update(
        trainer.id,
        trainer.row_version,
        replace(trainer, leave=(Absence(date(2027, 1, 11), date(2027, 1, 11), "Conference"),)),
    )
    other = small.planning.build_scenario(*WEEK, run_ids=[small.runs.list()[1].id])
    assert "GMP-FUND-2027-01" not in other.offering_by_id and other.locked == ()
    assert (0, 0) in other.facility_by_id["LON-CL1"].unavailable
    assert (0, 0) in other.cohorts[0].unavailable
    assert solve(other, time_limit=3, workers=1).status in ("optimal", "feasible")


def test_deleting_what_published_sessions_use_is_refused(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK)
    both = Plan(
        (*one_session(small, 0).assignments, *one_session(small, 1, "GMP-FUND-2027-02").assignments)
    )
    saved = small.planning.save_plan("Both", scenario, both)
    small.planning.publish(saved.id, saved.row_version)
    trainer = small.trainers.list()[0]
    with pytest.raises(InUse, match="Trainer Dr Amara Okafor is assigned to 2 planned sessions"):
        small.trainers.delete(trainer.id, trainer.row_version)
    facility = small.facilities.list()[0]
    with pytest.raises(InUse, match="is booked for 2 planned sessions"):
        small.facilities.delete(facility.id, facility.row_version)
    run = small.runs.list()[0]
    with pytest.raises(InUse, match="Run GMP-FUND-2027-01 has 1 published session"):
        small.runs.delete(run.id, run.row_version)


def test_replan_keeps_locks_and_weights_moves(small: ServiceContext) -> None:
    scenario = small.planning.build_scenario(*WEEK)
    saved = small.planning.save_plan("Week", scenario, one_session(small, 1))
    lock = Lock("GMP-FUND-2027-01", 0, 1, 0, "LON-CL1", None)
    saved = small.planning.set_locks(saved.id, saved.row_version, [lock])
    again = small.planning.replan_scenario(saved.id)
    assert again.weight("moves") == 10 and again.locked == (lock,)
    assert again.previous_plan is not None
    assert again.previous_plan.assignments == one_session(small, 1).assignments
    shifted = small.planning.build_scenario(date(2027, 1, 12), WEEK[1], previous_plan_id=saved.id)
    assert shifted.previous_plan is not None
    assert [a.day for a in shifted.previous_plan.assignments] == [0]


# ----- schema upgrade ------------------------------------------------------------------------


def test_a_0001_database_with_data_upgrades_to_the_head(tmp_path: Path) -> None:
    from alembic import command

    from trainer_app.persistence.db import SCHEMA_HEAD, alembic_config

    path = tmp_path / "old.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "0001")
    with sqlite3.connect(path) as raw:
        raw.execute(
            "INSERT INTO hubs (code, name, site, address, timezone, row_version) "
            "VALUES ('LON', 'London', '', '', 'Europe/London', 1)"
        )
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    settings = Settings.resolve(path, environ={"TRAINER_APP_DATA_DIR": str(tmp_path)})
    with ServiceContext.open(settings) as ctx:
        assert ctx.schema_revision == SCHEMA_HEAD
        assert [h.code for h in ctx.hubs.list()] == ["LON"]
        assert ctx.upgrade_backup is not None and ctx.upgrade_backup.exists()
        assert ctx.check() == []
        assert ctx.runs.list() == [] and ctx.planning.list_plans() == []


def test_publish_refuses_a_draft_the_store_has_since_overtaken(small: ServiceContext) -> None:
    """Leave entered after the draft was saved: publishing would put the trainer in a room on
    a day off, so it is refused with the reason, and nothing is written."""
    scenario = small.planning.build_scenario(*WEEK, run_ids=[small.runs.list()[0].id])
    draft = small.planning.save_plan("Before the leave", scenario, one_session(small, 0))
    trainer = small.trainers.list()[0]
    small.trainers.update(
        trainer.id,
        trainer.row_version,
        replace(trainer, leave=(Absence(date(2027, 1, 11), date(2027, 1, 11), "Conference"),)),
    )
    with pytest.raises(
        DomainError,
        match=r"the store has changed since it was saved \(GMP-FUND-2027-01 session 0 at Mon 11 "
        r"Jan 2027 09:00 falls on Mon 11 Jan 2027 09:00, when trainer Dr Amara Okafor is "
        r"unavailable\)",
    ):
        small.planning.publish(draft.id, draft.row_version)
    assert small.planning.published_sessions(*WEEK) == []
    assert small.planning.get_plan(draft.id)[0].status is PlanStatus.DRAFT


def test_unavailable_time_comes_with_its_reasons(demo: ServiceContext) -> None:
    """What the Plan page shades: bank holidays, leave, closures (a hub's apply to its
    facilities) and days off, each in words, over the dates asked for."""
    found = demo.planning.unavailable(date(2026, 12, 21), date(2027, 4, 2))

    def reasons(who: Unavailability, key: str, day: date) -> list[str]:
        return [u.reason for u in found if u.who is who and u.key == key and u.covers(day)]

    everyone = Unavailability.EVERYONE
    assert reasons(everyone, "", date(2027, 3, 26)) == ["Bank holiday: Good Friday"]
    assert reasons(everyone, "", date(2026, 12, 25)) == ["Bank holiday: Christmas Day"]
    by_name = {t.name: trainer_key(t.id) for t in demo.trainers.list()}
    kavanagh = by_name["Dr Siobhán Kavanagh"]
    assert reasons(Unavailability.TRAINER, kavanagh, date(2027, 2, 17)) == ["Annual leave"]
    assert reasons(Unavailability.TRAINER, kavanagh, date(2027, 2, 22)) == []
    assert reasons(Unavailability.FACILITY, "LON-CR2", date(2027, 2, 3)) == [
        "Closed: Shutdown for requalification"
    ]
    assert reasons(Unavailability.HUB, "LON", date(2026, 12, 29)) == ["Closed: Christmas shutdown"]
    assert reasons(Unavailability.FACILITY, "LON-CR2", date(2026, 12, 29)) == [
        "Closed: Christmas shutdown"
    ]
    assert reasons(Unavailability.FACILITY, "LON-CL3", date(2027, 1, 11)) == [
        "Closed (open Tue, Wed, Thu)"
    ]
    assert all(date(2026, 12, 21) <= u.starts_on <= u.ends_on <= date(2027, 4, 2) for u in found)


def around(scenario: Scenario, plan: Plan) -> Plan:
    """``plan`` with the published sessions the scenario holds as context, where they are."""
    context = [
        Assignment(lock.offering, lock.session, lock.day, lock.period, lock.facility, lock.trainer)
        for lock in scenario.locked
        if scenario.offering_by_id[lock.offering].published
    ]
    return replace(plan, assignments=(*plan.assignments, *context))


def test_superseded_by_names_the_published_plans_a_draft_replaces(small: ServiceContext) -> None:
    first_run, second_run = small.runs.list()
    both = small.planning.build_scenario(*WEEK, run_ids=[first_run.id, second_run.id])
    plan = Plan(
        (
            *one_session(small, 0).assignments,
            *one_session(small, 1, "GMP-FUND-2027-02").assignments,
        ),
        status="feasible",
    )
    earlier = small.planning.save_plan("Both runs", both, plan)
    small.planning.publish(earlier.id, earlier.row_version)

    # Publishing one of its two runs again leaves it published for the other.
    one = small.planning.build_scenario(*WEEK, run_ids=[first_run.id])
    partial = small.planning.save_plan("First again", one, around(one, one_session(small, 2)))
    assert small.planning.superseded_by(partial.id) == []
    small.planning.publish(partial.id, partial.row_version)
    assert small.planning.get_plan(earlier.id)[0].status is PlanStatus.PUBLISHED

    # Publishing the other run too leaves nothing of it: it is superseded, as said before.
    two = small.planning.build_scenario(*WEEK, run_ids=[second_run.id])
    again = around(two, one_session(small, 3, "GMP-FUND-2027-02"))
    rest = small.planning.save_plan("Second again", two, again)
    assert [v.name for v in small.planning.superseded_by(rest.id)] == ["Both runs"]
    small.planning.publish(rest.id, rest.row_version)
    statuses = {v.name: v.status for v in small.planning.list_plans()}
    assert statuses == {
        "Both runs": PlanStatus.SUPERSEDED,
        "First again": PlanStatus.PUBLISHED,
        "Second again": PlanStatus.PUBLISHED,
    }
