"""Two people saving at the same moment, on SQLite and on a real PostgreSQL server.

The second writer is made to arrive while the first is still inside its transaction (a thread
held on a barrier), so each test fails if the service reads before it locks: without the lock it
would save on top of a version that is already gone (a lost update) or enrol past capacity.
"""

from __future__ import annotations

import dataclasses
import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from tests.integration import test_enrolment
from tests.integration.test_enrolment import MONDAY, World, complete_gown, draft_plan, publish_run
from trainer_app.domain.conflicts import apply_mine
from trainer_app.domain.errors import DomainError, StaleEdit
from trainer_app.domain.planning import RunStatus
from trainer_app.domain.records import EnrolmentStatus
from trainer_app.domain.trainers import TrainerFields
from trainer_app.persistence.models import (
    AuditRow,
    CourseRunRow,
    EnrolmentRow,
    TrainerLeaveRow,
    TrainerRow,
)
from trainer_app.persistence.uow import transaction
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores


def fields_of(trainer: Any) -> TrainerFields:
    """The editable part of a trainer record, as an edit dialog holds it."""
    names = [f.name for f in dataclasses.fields(TrainerFields)]
    return TrainerFields(**{name: getattr(trainer, name) for name in names})


world = test_enrolment.world  # the enrolment tests' hub, courses, trainers and trainees


class Second(threading.Thread):
    """The second person's save, started while the first still holds its transaction."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__(daemon=True)
        self.work = work
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self.work()
        except BaseException as error:  # handed to the test
            self.error = error


def while_first_writes(first: Callable[[Any], None], second: Callable[[], Any], ctx: Any) -> Second:
    """Run ``first(session)`` in a transaction, start ``second`` meanwhile and let it wait on
    the first's lock for a moment before the first commits; returns the finished second."""
    with transaction(ctx.store) as session:
        first(session)
        other = Second(second)
        other.start()
        time.sleep(0.6)
        assert other.is_alive(), "the second writer did not wait for the first"
    other.join(timeout=30)
    assert not other.is_alive()
    return other


def test_an_edit_saved_meanwhile_is_not_lost_and_the_conflict_says_who_and_what(
    world: World,
) -> None:
    ctx = world.ctx
    opened = next(t for t in ctx.trainers.list() if t.name == "Dr Amara Okafor")

    def first(session: Any) -> None:  # Ngozi renames her, not yet committed
        row = session.get(TrainerRow, opened.id, with_for_update=True)
        row.name, row.row_version = "Prof Amara Okafor", row.row_version + 1

    mine = dataclasses.replace(fields_of(opened), email="a.okafor@kcl.ac.uk")
    second = while_first_writes(
        first, lambda: ctx.trainers.update(opened.id, opened.row_version, mine), ctx
    )

    assert isinstance(second.error, StaleEdit)
    now = ctx.trainers.get(opened.id)
    assert (now.name, now.email) == ("Prof Amara Okafor", opened.email)  # nothing of mine saved
    conflict = second.error.conflict
    assert [(f.field, f.i_changed) for f in conflict.fields if f.field == "email"] == [
        ("email", True)
    ]
    assert conflict.current.row_version == now.row_version == opened.row_version + 1


def test_the_conflict_lists_their_fields_and_mine_and_mine_go_on_top(world: World) -> None:
    ctx = world.ctx
    ngozi = ServiceContext.open(ctx.settings, today=world.clock)
    try:
        opened = next(t for t in ctx.trainers.list() if t.name == "Dr Kofi Mensah")
        theirs = dataclasses.replace(
            fields_of(opened), name="Dr Kofi A. Mensah", notes="Leads the aseptic course"
        )
        ngozi.trainers.update(opened.id, opened.row_version, theirs)

        mine = dataclasses.replace(
            fields_of(opened), notes="On sabbatical in February", email="k.mensah@nhsbt.nhs.uk"
        )
        with pytest.raises(StaleEdit) as refused:
            ctx.trainers.update(opened.id, opened.row_version, mine)
        conflict = refused.value.conflict
        assert "was changed by" in str(refused.value) and "Nothing was saved" in str(refused.value)
        rows = {f.field: f for f in conflict.fields}
        assert rows["name"].they_changed and not rows["name"].i_changed
        assert rows["name"].opened == "Dr Kofi Mensah"
        assert rows["name"].theirs == "Dr Kofi A. Mensah"
        assert rows["notes"].clash  # both changed it, to different numbers
        assert rows["email"].i_changed and not rows["email"].they_changed
        assert [f.field for f in conflict.clashes] == ["notes"]

        current = conflict.current
        merged = apply_mine(fields_of(opened), mine, fields_of(current))
        saved = ctx.trainers.update(current.id, current.row_version, merged)
        assert (saved.name, saved.notes, saved.email) == (
            "Dr Kofi A. Mensah",  # theirs kept
            "On sabbatical in February",  # mine, where both changed it
            "k.mensah@nhsbt.nhs.uk",
        )
        with ctx.store.sessions() as session:
            edits = session.scalars(
                select(AuditRow).where(
                    AuditRow.entity_type == "trainer",
                    AuditRow.entity_id == opened.id,
                    AuditRow.action == "update",
                )
            ).all()
        assert len(edits) == 2  # both saves on the trail, none lost
    finally:
        ngozi.close()


def test_two_people_enrolling_the_last_place_at_once_leave_the_run_within_capacity(
    world: World,
) -> None:
    ctx = world.ctx
    for person in world.people:
        complete_gown(world, person, date(2026, 6, 1))
    run = publish_run(world, "ASEP-2027-01", world.asep, [(7, 0), (8, 0)])
    capacity = ctx.enrolment.facts(run.id).capacity
    for person in world.people[: capacity - 1]:
        ctx.enrolment.enrol(run.id, person)
    last_but_one, last = world.people[capacity - 1], world.people[capacity]

    def first(session: Any) -> None:  # another administrator's enrolment of the last place
        session.get(CourseRunRow, run.id, with_for_update=True)
        session.add(
            EnrolmentRow(
                run_id=run.id,
                trainee_id=last_but_one,
                status=EnrolmentStatus.ENROLLED.value,
                position=None,
                enrolled_at=datetime.now(UTC),
                withdraw_reason="",
                row_version=1,
            )
        )
        session.flush()

    second = while_first_writes(first, lambda: ctx.enrolment.enrol(run.id, last), ctx)

    assert second.error is None, second.error
    assert second.result.status is EnrolmentStatus.WAITLISTED
    places = ctx.enrolment.places([run.id])[run.id]
    assert (places.enrolled, places.waiting) == (capacity, 1)


def test_a_delete_of_a_record_changed_meanwhile_is_refused(world: World) -> None:
    ctx = world.ctx
    ngozi = ServiceContext.open(ctx.settings, today=world.clock)
    try:
        opened = next(t for t in ctx.trainers.list() if t.name == "Dr Kofi Mensah")
        ngozi.trainers.update(
            opened.id,
            opened.row_version,
            dataclasses.replace(fields_of(opened), notes="Moving to Bristol"),
        )
        with pytest.raises(StaleEdit) as refused:
            ctx.trainers.delete(opened.id, opened.row_version)
        assert [f.field for f in refused.value.conflict.fields] == ["notes"]
        assert ctx.trainers.get(opened.id).notes == "Moving to Bristol"
    finally:
        ngozi.close()


def test_a_plan_is_not_published_over_leave_entered_while_it_was_being_published(
    world: World,
) -> None:
    ctx = world.ctx
    saved = draft_plan(world, "GOWN-2027-01", world.gown, [(1, 0)])  # Tuesday morning
    teacher = sorted(ctx.trainers.list(), key=lambda t: t.id)[0]
    tuesday = MONDAY + timedelta(days=1)

    def first(session: Any) -> None:  # a colleague records the trainer's leave, not yet committed
        session.get(TrainerRow, teacher.id, with_for_update=True).row_version += 1
        session.add(
            TrainerLeaveRow(
                trainer_id=teacher.id, starts_on=tuesday, ends_on=tuesday, reason="Jury service"
            )
        )
        session.flush()

    second = while_first_writes(
        first, lambda: ctx.planning.publish(saved.id, saved.row_version), ctx
    )

    assert isinstance(second.error, DomainError), second.result
    words = str(second.error)
    assert "cannot be published: the store has changed since it was saved" in words
    assert "Nothing was published" in words
    run = next(r for r in ctx.runs.list() if r.code == "GOWN-2027-01")
    assert run.status is not RunStatus.PUBLISHED
    assert ctx.planning.published_sessions(MONDAY, MONDAY + timedelta(days=7)) == []
