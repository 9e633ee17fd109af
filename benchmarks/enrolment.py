"""Enrolling a 200-person cohort on one run (target ≤ 0.5 s), with every rule checked.

The cohort has done the prerequisite (imported completions); the run is published with a
virtual room for 200. Baseline in the same run: inserting the same 200 enrolment rows and their
audit entries with no rule checked, so the report is a ratio (the price of the rules).

Run: .venv/bin/python benchmarks/enrolment.py
"""

from __future__ import annotations

import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

from benchmarks._common import settings_for
from trainer_app.domain.courses import CourseFields
from trainer_app.domain.network import FacilityFields, FacilityKind, HubFields
from trainer_app.domain.people import CohortFields, TraineeFields
from trainer_app.domain.planning import CourseRunFields
from trainer_app.domain.records import CompletionFields
from trainer_app.domain.trainers import TrainerFields
from trainer_app.scheduling.scenario import Assignment, Plan
from trainer_app.services.context import ServiceContext

COHORT = 200
START = date(2027, 2, 1)


def prepare(ctx: ServiceContext) -> tuple[list[int], list[int]]:
    """Two published runs of a refresher and 400 trainees who have done its prerequisite:
    returns the runs' ids and the trainees' ids."""
    hub = ctx.hubs.create(HubFields(code="STE", name="Stevenage", site="Catapult"))
    ctx.facilities.create(
        FacilityFields(
            hub_id=hub.id,
            code="STE-VR1",
            name="Virtual room",
            kind=FacilityKind.VIRTUAL,
            capacity=300,
        )
    )
    fund = ctx.courses.create(CourseFields(code="GMP-FUND", title="GMP fundamentals"))
    refresher = ctx.courses.create(
        CourseFields(
            code="GMP-REFR",
            title="GMP refresher",
            capacity=300,
            facility_kind=FacilityKind.VIRTUAL,
            prerequisites=frozenset({fund.id}),
        )
    )
    trainer = ctx.trainers.create(
        TrainerFields(
            name="Ruth Abernethy", hub_id=hub.id, qualifications=frozenset({refresher.id})
        )
    )
    cohort = ctx.cohorts.create(CohortFields(name="Industry upskilling 2027"))
    ids = ctx.trainees.bulk_create(
        [
            TraineeFields(
                reference=f"TR-{n:06d}",
                name=f"Trainee {n}",
                hub_id=hub.id,
                cohort_ids=frozenset({cohort.id}),
            )
            for n in range(1, 2 * COHORT + 1)
        ]
    )
    ctx.training.add_completions(
        [
            CompletionFields(trainee_id=t, course_id=fund.id, completed_on=date(2025, 5, 1))
            for t in ids
        ]
    )
    runs = []
    for code in ("GMP-REFR-2027-01", "GMP-REFR-2027-02"):
        run = ctx.runs.create(CourseRunFields(code=code, course_id=refresher.id, attendees=COHORT))
        scenario = ctx.planning.build_scenario(START, START, run_ids=[run.id])
        published = [
            Assignment(k.offering, k.session, k.day, k.period, k.facility or "", k.trainer or "")
            for k in scenario.locked
        ]
        plan = Plan(
            (
                Assignment(code, 0, 0, len(runs) * 2, "STE-VR1", f"T{trainer.id}"),
                *published,
            ),
            status="feasible",
        )
        saved = ctx.planning.save_plan(code, scenario, plan)
        ctx.planning.publish(saved.id, saved.row_version)
        runs.append(run.id)
    return runs, ids


def enrol_cohort(ctx: ServiceContext, run_id: int, trainee_ids: list[int]) -> float:
    """Seconds to enrol these trainees on the run at once, every rule checked."""
    started = time.perf_counter()
    enrolled = ctx.enrolment.enrol_many(run_id, trainee_ids)
    elapsed = time.perf_counter() - started
    assert len(enrolled) == len(trainee_ids)
    return elapsed


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        settings = settings_for(Path(folder) / "enrol.db")
        with ServiceContext.open(settings, today=lambda: START - timedelta(days=14)) as ctx:
            runs, ids = prepare(ctx)
            rules = enrol_cohort(ctx, runs[0], ids[:COHORT])
            baseline = _bare_insert(ctx, runs[1], ids[COHORT:])
    print(
        f"enrol a {COHORT}-person cohort, every rule checked: {rules * 1000:.0f} ms (target ≤ 500)"
    )
    print(f"baseline (same rows and audit entries, no rules): {baseline * 1000:.0f} ms")
    print(f"ratio: {rules / baseline:.1f}×")


def _bare_insert(ctx: ServiceContext, run_id: int, trainees: list[int]) -> float:
    from trainer_app.domain.audit import AuditAction
    from trainer_app.persistence.models import EnrolmentRow
    from trainer_app.persistence.uow import transaction
    from trainer_app.services.base import now_utc, write_audit

    started = time.perf_counter()
    with transaction(ctx.store) as session:
        for trainee in trainees:
            row = EnrolmentRow(
                run_id=run_id,
                trainee_id=trainee,
                status="enrolled",
                position=None,
                enrolled_at=now_utc(),
                withdraw_reason="",
                row_version=1,
            )
            session.add(row)
            session.flush()
            write_audit(
                session, ctx.actor, AuditAction.CREATE, "enrolment", row.id, "x", [], at=now_utc()
            )
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
