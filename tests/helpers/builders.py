"""Small factories for master data, so tests state only what matters to them."""

from __future__ import annotations

import dataclasses

from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.courses import Course, CourseFields
from trainer_app.domain.network import Facility, FacilityFields, FacilityKind, Hub, HubFields
from trainer_app.domain.people import Cohort, CohortFields, Trainee, TraineeFields
from trainer_app.domain.trainers import Trainer, TrainerFields
from trainer_app.services.context import ServiceContext


def hub(ctx: ServiceContext, code: str = "LON", name: str = "London") -> Hub:
    return ctx.hubs.create(HubFields(code=code, name=name, site="Guy's Campus"))


def facility(
    ctx: ServiceContext,
    hub_id: int,
    code: str = "LON-CR1",
    kind: FacilityKind = FacilityKind.CLEANROOM_GRADE_B,
    capacity: int = 6,
) -> Facility:
    return ctx.facilities.create(
        FacilityFields(hub_id=hub_id, code=code, name=f"Suite {code}", kind=kind, capacity=capacity)
    )


def course(ctx: ServiceContext, code: str, *requires: Course, title: str = "") -> Course:
    return ctx.courses.create(
        CourseFields(
            code=code,
            title=title or f"Course {code}",
            prerequisites=frozenset(c.id for c in requires),
        )
    )


def trainer(
    ctx: ServiceContext, hub_id: int, name: str = "Dr Amara Okafor", *qualified: Course
) -> Trainer:
    return ctx.trainers.create(
        TrainerFields(name=name, hub_id=hub_id, qualifications=frozenset(c.id for c in qualified))
    )


def cohort(ctx: ServiceContext, name: str = "MSc Cell & Gene Therapy 2027") -> Cohort:
    return ctx.cohorts.create(CohortFields(name=name, programme="MSc"))


def trainee(
    ctx: ServiceContext,
    hub_id: int,
    reference: str = "TR-000001",
    name: str = "Siobhán Ní Bhriain",
    *cohorts: Cohort,
) -> Trainee:
    return ctx.trainees.create(
        TraineeFields(
            reference=reference,
            name=name,
            hub_id=hub_id,
            cohort_ids=frozenset(c.id for c in cohorts),
        )
    )


def gowning_and_aseptic(ctx: ServiceContext) -> tuple[Course, Course]:
    """Gowning (12 months, practical) and Aseptic processing after it (4 places, 2 sessions
    in a grade B cleanroom, theory pass mark 80 %): the pair the training-record tests use."""
    gown = course(ctx, "GOWN", title="Gowning")
    gown = ctx.courses.update(
        gown.id,
        gown.row_version,
        dataclasses.replace(
            gown, validity_months=12, practical_required=True, facility_kind=FacilityKind.CLASSROOM
        ),
    )
    asep = course(ctx, "ASEP", gown, title="Aseptic processing")
    asep = ctx.courses.update(
        asep.id,
        asep.row_version,
        dataclasses.replace(
            asep, capacity=4, pass_mark=80, sessions=2, facility_kind=FacilityKind.CLEANROOM_GRADE_B
        ),
    )
    return gown, asep


SHARED_PASSWORD = "a long passphrase"  # the accounts of ``bristol_with_amara``


def bristol_with_amara(context: ServiceContext) -> tuple[ServiceContext, Hub]:
    """A new store's administrator (ana, Dr Ana Silva) signed in, the Bristol hub and its
    coordinator Amara Okafor (amara), both with ``SHARED_PASSWORD``."""
    context.users.create_first_administrator(
        AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), SHARED_PASSWORD
    )
    admin = context.signed_in(context.users.sign_in("ana", SHARED_PASSWORD))
    bristol = hub(admin, "BRI", "Bristol")
    admin.users.create(
        AccountFields("amara", "Amara Okafor", Role.COORDINATOR, frozenset({bristol.id})),
        SHARED_PASSWORD,
    )
    return admin, bristol


def rename_trainer(context: ServiceContext, trainer_id: int, name: str) -> None:
    """Rename a trainer as an edit dialog would (from the version read now)."""
    trainer = context.trainers.get(trainer_id)
    context.trainers.update(
        trainer_id, trainer.row_version, dataclasses.replace(trainer, name=name)
    )
