"""Course runs: every rule, with messages naming the course and the trainer."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from tests.helpers import builders
from trainer_app.domain.errors import Duplicate, InUse, StaleEdit, ValidationError
from trainer_app.domain.planning import CourseRunFields, RunStatus
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores


@pytest.fixture
def setup(context: ServiceContext) -> tuple[ServiceContext, CourseRunFields]:
    hub = builders.hub(context)
    gown = builders.course(context, "GOWN", title="Gowning")
    builders.trainer(context, hub.id, "Dr Amara Okafor", gown)
    cohort = builders.cohort(context)
    fields = CourseRunFields(
        code="GOWN-2027-01",
        course_id=gown.id,
        attendees=10,
        hub_id=hub.id,
        cohort_ids=frozenset({cohort.id}),
        earliest=date(2027, 1, 11),
        latest=date(2027, 1, 29),
    )
    return context, fields


def test_a_valid_run_is_created_with_min_days_from_the_course(
    setup: tuple[ServiceContext, CourseRunFields],
) -> None:
    ctx, fields = setup
    run = ctx.runs.create(fields)
    assert run.min_days == 1 and run.course_code == "GOWN" and run.status is RunStatus.DRAFT
    assert ctx.runs.get(run.id) == run
    entry = ctx.audit.entries(ctx.audit.query_ids())[0]
    changes = {c.field: c.new for c in entry.changes}
    assert entry.entity_type == "course_run" and changes["course_id"] == "GOWN"


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"attendees": 0}, "attendees", "between 1 and 1000"),
        ({"attendees": 13}, "attendees", "GOWN (Gowning) takes at most 12 attendees per run; 13"),
        ({"course_id": 999}, "course_id", "course no longer exists"),
        ({"hub_id": 999}, "hub_id", "hub no longer exists"),
        ({"trainer_id": 999}, "trainer_id", "trainer no longer exists"),
        ({"cohort_ids": frozenset({999})}, "cohort_ids", "cohort no longer exists"),
        ({"min_days": 0}, "min_days", "at least 1"),
        ({"min_days": 2}, "min_days", "GOWN has 1 session, so it cannot spread over 2 days"),
        ({"latest": date(2027, 1, 4)}, "latest", "ends (4 Jan 2027) before it starts"),
        ({"code": ""}, "code", "code"),
        ({"status": RunStatus.PUBLISHED}, "status", "by publishing a plan"),
    ],
)
def test_bad_runs_are_refused_naming_the_field(
    setup: tuple[ServiceContext, CourseRunFields],
    change: dict[str, object],
    field: str,
    message: str,
) -> None:
    ctx, fields = setup
    with pytest.raises(ValidationError) as caught:
        ctx.runs.create(replace(fields, **change))  # type: ignore[arg-type]
    assert any(message in m for m in caught.value.for_field(field)), str(caught.value)
    assert ctx.runs.list() == []


def test_a_fixed_trainer_must_be_qualified(setup: tuple[ServiceContext, CourseRunFields]) -> None:
    ctx, fields = setup
    other = builders.trainer(ctx, fields.hub_id or 0, "Dr Kwame Boateng")
    with pytest.raises(ValidationError, match="Dr Kwame Boateng is not qualified to teach GOWN"):
        ctx.runs.create(replace(fields, trainer_id=other.id))
    qualified = next(t for t in ctx.trainers.list() if t.name == "Dr Amara Okafor")
    assert ctx.runs.create(replace(fields, trainer_id=qualified.id)).trainer_id == qualified.id


def test_run_codes_are_unique(setup: tuple[ServiceContext, CourseRunFields]) -> None:
    ctx, fields = setup
    ctx.runs.create(fields)
    with pytest.raises(Duplicate, match="Run code 'GOWN-2027-01' is already used"):
        ctx.runs.create(fields)


def test_a_stale_edit_of_a_run_is_refused(setup: tuple[ServiceContext, CourseRunFields]) -> None:
    ctx, fields = setup
    run = ctx.runs.create(fields)
    ctx.runs.update(run.id, run.row_version, replace(fields, attendees=8))
    with pytest.raises(StaleEdit):
        ctx.runs.update(run.id, run.row_version, replace(fields, attendees=9))
    assert ctx.runs.get(run.id).attendees == 8


def test_cohort_course_and_hub_with_runs_cannot_be_deleted(
    setup: tuple[ServiceContext, CourseRunFields],
) -> None:
    ctx, fields = setup
    ctx.runs.create(fields)
    cohort = ctx.cohorts.list()[0]
    with pytest.raises(InUse, match="attends 1 course run"):
        ctx.cohorts.delete(cohort.id, cohort.row_version)
    course = ctx.courses.list()[0]
    with pytest.raises(InUse, match="Course GOWN .* has 1 course run"):
        ctx.courses.delete(course.id, course.row_version)
    hub = ctx.hubs.list()[0]
    with pytest.raises(InUse, match="1 course run"):
        ctx.hubs.delete(hub.id, hub.row_version)


def test_a_fixed_trainer_cannot_be_deleted(setup: tuple[ServiceContext, CourseRunFields]) -> None:
    ctx, fields = setup
    trainer = ctx.trainers.list()[0]
    ctx.runs.create(replace(fields, trainer_id=trainer.id))
    with pytest.raises(InUse, match="Dr Amara Okafor is the fixed trainer of 1 course run"):
        ctx.trainers.delete(trainer.id, trainer.row_version)


def test_the_run_list_sorts_and_filters_in_sql(
    setup: tuple[ServiceContext, CourseRunFields],
) -> None:
    ctx, fields = setup
    first = ctx.runs.create(fields)
    second = ctx.runs.create(
        replace(fields, code="GOWN-2027-02", hub_id=None, cohort_ids=frozenset())
    )
    assert [c.key for c in ctx.runs.columns] == [
        "code",
        "course",
        "hub",
        "cohorts",
        "attendees",
        "status",
    ]
    assert ctx.runs.query_ids(sort="code", descending=True) == [second.id, first.id]
    assert ctx.runs.query_ids(filters={"hub_id": fields.hub_id or 0}) == [first.id]
    assert ctx.runs.row_cells([second.id])[second.id] == (
        "GOWN-2027-02",
        "GOWN",
        "Any hub",
        0,
        10,
        "Draft",
    )
    assert ctx.runs.query_ids("any hub") == [second.id]
