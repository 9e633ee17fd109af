"""Master-data use cases against a real SQLite file: rules, refusals, audit, concurrency."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from tests.helpers import builders
from trainer_app.domain.audit import AuditAction
from trainer_app.domain.calendar import Absence
from trainer_app.domain.errors import Duplicate, InUse, NotFound, StaleEdit, ValidationError
from trainer_app.domain.network import FacilityKind
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores


def test_duplicate_codes_are_refused_naming_the_owner(context: ServiceContext) -> None:
    builders.course(context, "ASEP", title="Aseptic technique")
    with pytest.raises(
        Duplicate,
        match="Course code 'ASEP' is already used by course ASEP "
        r"\(Aseptic technique\)",
    ) as error:
        builders.course(context, "asep", title="Another")
    assert error.value.field == "code"
    assert len(context.courses.list()) == 1


def test_duplicate_trainee_reference_and_email(context: ServiceContext) -> None:
    hub = builders.hub(context)
    first = builders.trainee(context, hub.id, "TR-000001", "Zoë Clarke")
    context.trainees.update(
        first.id, first.row_version, dataclasses.replace(first, email="zoe@example.org")
    )
    with pytest.raises(Duplicate, match="Reference 'TR-000001' is already used"):
        builders.trainee(context, hub.id, "TR-000001", "Someone Else")
    second = builders.trainee(context, hub.id, "TR-000002", "李伟")
    with pytest.raises(Duplicate, match="E-mail 'zoe@example.org' is already used by trainee Zoë"):
        context.trainees.update(
            second.id, second.row_version, dataclasses.replace(second, email="ZOE@example.org")
        )


def test_trainees_without_email_do_not_clash(context: ServiceContext) -> None:
    hub = builders.hub(context)
    builders.trainee(context, hub.id, "TR-000001", "Łukasz Nowak")
    builders.trainee(context, hub.id, "TR-000002", "Siobhán Ní Bhriain")
    assert context.trainees.count() == 2


def test_a_course_cannot_require_itself(context: ServiceContext) -> None:
    gown = builders.course(context, "GOWN")
    with pytest.raises(ValidationError, match="A course cannot require itself"):
        context.courses.update(
            gown.id, gown.row_version, dataclasses.replace(gown, prerequisites=frozenset({gown.id}))
        )


def test_a_prerequisite_cycle_is_refused_with_its_path(context: ServiceContext) -> None:
    gown = builders.course(context, "GOWN")
    asep = builders.course(context, "ASEP", gown)
    mfill = builders.course(context, "MFILL", asep)
    with pytest.raises(ValidationError, match="cycle: GOWN → MFILL → ASEP → GOWN"):
        context.courses.update(
            gown.id,
            gown.row_version,
            dataclasses.replace(gown, prerequisites=frozenset({mfill.id})),
        )
    assert context.courses.get(gown.id).prerequisites == frozenset()


def test_trainer_qualified_for_a_deleted_course_is_refused(context: ServiceContext) -> None:
    hub = builders.hub(context)
    cryo = builders.course(context, "CRYO")
    context.courses.delete(cryo.id, cryo.row_version)
    audit_before = context.audit.count()
    with pytest.raises(ValidationError, match="refer to a course that no longer exists"):
        builders.trainer(context, hub.id, "Dr Amara Okafor", cryo)
    assert context.trainers.list() == []
    assert context.audit.count() == audit_before


def test_deleting_a_course_that_others_need_is_refused(context: ServiceContext) -> None:
    hub = builders.hub(context)
    gown = builders.course(context, "GOWN")
    builders.course(context, "ASEP", gown)
    builders.trainer(context, hub.id, "Dr Amara Okafor", gown)
    with pytest.raises(InUse) as error:
        context.courses.delete(gown.id, gown.row_version)
    assert str(error.value) == (
        "Course GOWN (Course GOWN) is a prerequisite of ASEP and is a qualification of 1 trainer"
    )
    assert context.courses.get(gown.id).code == "GOWN"


def test_deleting_a_hub_with_data_is_refused(context: ServiceContext) -> None:
    hub = builders.hub(context)
    builders.facility(context, hub.id)
    builders.facility(context, hub.id, "LON-CR2")
    builders.trainer(context, hub.id)
    with pytest.raises(InUse, match="Hub London still has 2 facilities and 1 trainer"):
        context.hubs.delete(hub.id, hub.row_version)


def test_deleting_a_cohort_with_trainees_is_refused(context: ServiceContext) -> None:
    hub = builders.hub(context)
    msc = builders.cohort(context)
    builders.trainee(context, hub.id, "TR-000001", "Zoë Clarke", msc)
    with pytest.raises(InUse, match="still has 1 trainee; remove them from the cohort first"):
        context.cohorts.delete(msc.id, msc.row_version)


def test_a_stale_edit_is_refused_and_changes_nothing(context: ServiceContext) -> None:
    hub = builders.hub(context)
    mine = builders.trainer(context, hub.id)
    theirs = context.trainers.update(
        mine.id, mine.row_version, dataclasses.replace(mine, max_periods_per_day=2)
    )
    with pytest.raises(
        StaleEdit, match="Trainer Dr Amara Okafor was changed by local at .* after you opened it"
    ):
        context.trainers.update(
            mine.id, mine.row_version, dataclasses.replace(mine, name="Dr A. Okafor")
        )
    with pytest.raises(StaleEdit):
        context.trainers.delete(mine.id, mine.row_version)
    assert context.trainers.get(mine.id) == theirs


def test_changing_only_leave_bumps_the_version(context: ServiceContext) -> None:
    hub = builders.hub(context)
    trainer = builders.trainer(context, hub.id)
    leave = (Absence(date(2027, 2, 1), date(2027, 2, 5), "annual leave"),)
    saved = context.trainers.update(
        trainer.id, trainer.row_version, dataclasses.replace(trainer, leave=leave)
    )
    assert saved.row_version == trainer.row_version + 1
    assert saved.leave == leave


def test_every_write_is_audited_with_old_and_new_values(context: ServiceContext) -> None:
    hub = builders.hub(context)
    room = builders.facility(context, hub.id, capacity=6)
    context.facilities.update(
        room.id,
        room.row_version,
        dataclasses.replace(room, capacity=4),
        reason="Requalified for 4 operators",
    )
    history = context.audit.history("facility", room.id)
    assert [e.action for e in history] == [AuditAction.CREATE, AuditAction.UPDATE]
    change = history[1]
    assert [(c.field, c.old, c.new) for c in change.changes] == [("capacity", "6", "4")]
    assert change.reason == "Requalified for 4 operators"
    assert change.actor == "local"
    assert change.occurred_at.utcoffset() is not None
    assert ("hub_id", None, "LON") in [(c.field, c.old, c.new) for c in history[0].changes]


def test_the_trail_can_be_searched_newest_first(context: ServiceContext) -> None:
    """The Audit page's filter box (it failed on the instant column, whatever was typed)."""
    hub = builders.hub(context)
    room = builders.facility(context, hub.id, capacity=6)
    context.facilities.update(room.id, room.row_version, dataclasses.replace(room, capacity=4))
    found = context.audit.entries(context.audit.query_ids("facility"))
    assert [(e.entity_type, e.action) for e in found] == [
        ("facility", AuditAction.UPDATE),
        ("facility", AuditAction.CREATE),
    ]
    assert context.audit.query_ids("2026") == []  # the stored instant is not searched


def test_saving_without_changes_writes_no_audit_entry(context: ServiceContext) -> None:
    hub = builders.hub(context)
    count = context.audit.count()
    same = context.hubs.update(hub.id, hub.row_version, hub)
    assert same.row_version == hub.row_version
    assert context.audit.count() == count


def test_a_number_written_another_way_is_not_a_change(context: ServiceContext) -> None:
    """CPD hours stored as 0.0 and saved back from the dialog as 0: the trail recorded
    "CPD hours 0.0 → 0" on every save of the course."""
    gown = builders.course(context, "GOWN")
    saved = context.courses.update(
        gown.id,
        gown.row_version,
        dataclasses.replace(gown, title="Gowning", cpd_hours=Decimal("0")),
    )
    saved = context.courses.update(
        saved.id, saved.row_version, dataclasses.replace(saved, cpd_hours=Decimal("1.50"))
    )
    history = context.audit.history("course", gown.id)
    assert [[(c.field, c.old, c.new) for c in e.changes] for e in history[1:]] == [
        [("title", "Course GOWN", "Gowning")],
        [("cpd_hours", "0", "1.5")],
    ]


def test_delete_then_restore_under_the_same_id(context: ServiceContext) -> None:
    hub = builders.hub(context)
    msc = builders.cohort(context)
    zoe = builders.trainee(context, hub.id, "TR-000001", "Zoë Clarke", msc)
    deleted = context.trainees.delete(zoe.id, zoe.row_version, reason="Entered twice")
    with pytest.raises(NotFound, match="Trainee .* no longer exists"):
        context.trainees.get(zoe.id)
    restored = context.trainees.create(deleted, restore_id=zoe.id)
    assert restored.id == zoe.id and restored.cohort_ids == {msc.id}
    actions = [e.action for e in context.audit.history("trainee", zoe.id)]
    assert actions == [AuditAction.CREATE, AuditAction.DELETE, AuditAction.CREATE]


def test_a_failed_save_rolls_back_completely(context: ServiceContext) -> None:
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CR1")
    other = builders.facility(context, hub.id, "LON-CR2", FacilityKind.CLASSROOM, 30)
    before = (context.facilities.get(other.id), context.audit.count())
    with pytest.raises(Duplicate):
        context.facilities.update(
            other.id, other.row_version, dataclasses.replace(other, code="LON-CR1", capacity=10)
        )
    assert (context.facilities.get(other.id), context.audit.count()) == before


def test_lists_filter_accent_insensitively_and_sort_in_sql(context: ServiceContext) -> None:
    hub = builders.hub(context)
    bri = builders.hub(context, "BRI", "Bristol")
    msc = builders.cohort(context)
    a = builders.trainee(context, hub.id, "TR-000001", "Łukasz Wiśniewski", msc)
    b = builders.trainee(context, bri.id, "TR-000002", "Zoë Clarke")
    c = builders.trainee(context, hub.id, "TR-000003", "Ana Zoe Lopes")
    assert context.trainees.query_ids("lukasz") == [a.id]
    assert context.trainees.query_ids("ZOE") == [c.id, b.id]
    assert context.trainees.query_ids("zoe", filters={"hub_id": bri.id}) == [b.id]
    assert context.trainees.query_ids(filters={"cohort_id": msc.id}) == [a.id]
    assert context.trainees.query_ids("%") == []
    assert context.trainees.query_ids("zoe", sort="hub") == [b.id, c.id]  # BRI before LON
    assert context.facilities.query_ids("lon", sort="hub") == []
    by_ref_desc = context.trainees.query_ids(sort="reference", descending=True)
    assert by_ref_desc == [c.id, b.id, a.id]
    cells = context.trainees.row_cells([b.id])[b.id]
    assert cells[:2] == ("Zoë Clarke", "TR-000002") and "BRI" in cells
