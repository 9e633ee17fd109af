"""Course runs: which course, for which cohorts, how many, where, by whom and when."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from trainer_app.domain.audit import RecordType
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.planning import CourseRun, CourseRunFields, RunStatus
from trainer_app.persistence.models import (
    CohortRow,
    CourseRow,
    CourseRunCohortRow,
    CourseRunRow,
    HubRow,
    PlannedSessionRow,
    TrainerRow,
)
from trainer_app.services.base import (
    Column,
    CrudService,
    ListQueries,
    Unique,
    existing,
    exists,
    plural,
    sync_links,
)

COHORT_COUNT = (
    select(func.count())
    .where(CourseRunCohortRow.run_id == CourseRunRow.id)
    .correlate(CourseRunRow)
    .scalar_subquery()
)


class RunService(CrudService[CourseRunFields, CourseRun, CourseRunRow], ListQueries):
    entity_type = RecordType.COURSE_RUN
    noun = "Run"
    row_class = CourseRunRow
    loaded_with = (CourseRunRow.cohort_links,)
    fields_class = CourseRunFields
    base_row = CourseRunRow
    unique = (Unique("code", CourseRunRow.code, "Run code"),)
    columns_spec = (
        Column("code", "Run", CourseRunRow.code),
        Column("course", "Course", CourseRow.code, joined=True),
        Column("hub", "Hub", func.coalesce(HubRow.code, "Any hub"), joined=True),
        Column("cohorts", "Cohorts", COHORT_COUNT, numeric=True),
        Column("attendees", "Attendees", CourseRunRow.attendees, numeric=True),
        Column(
            "status",
            "Status",
            case({s.value: s.label for s in RunStatus}, value=CourseRunRow.status),
        ),
    )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(CourseRow, CourseRow.id == CourseRunRow.course_id).outerjoin(
            HubRow, HubRow.id == CourseRunRow.hub_id
        )

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        for key, column in (
            ("hub_id", CourseRunRow.hub_id),
            ("course_id", CourseRunRow.course_id),
            ("trainer_id", CourseRunRow.trainer_id),
        ):
            if key in filters:
                statement = statement.where(column == filters[key])
        if "cohort_id" in filters:
            statement = statement.where(
                CourseRunRow.id.in_(
                    select(CourseRunCohortRow.run_id).where(
                        CourseRunCohortRow.cohort_id == filters["cohort_id"]
                    )
                )
            )
        return statement

    # ----- rules -----------------------------------------------------------------------------
    def _validate(
        self, session: Session, fields: CourseRunFields, entity_id: int | None
    ) -> CourseRunFields:
        clean = fields.validated()
        errors: list[FieldError] = []
        course = session.get(CourseRow, clean.course_id)
        if course is None:
            errors.append(FieldError("course_id", "The chosen course no longer exists"))
        if clean.hub_id is not None and not exists(session, HubRow, clean.hub_id):
            errors.append(FieldError("hub_id", "The chosen hub no longer exists"))
        trainer = None if clean.trainer_id is None else session.get(TrainerRow, clean.trainer_id)
        if clean.trainer_id is not None and trainer is None:
            errors.append(FieldError("trainer_id", "The chosen trainer no longer exists"))
        known = existing(session, CohortRow, clean.cohort_ids)
        if clean.cohort_ids - known:
            errors.append(FieldError("cohort_ids", "A chosen cohort no longer exists; remove it"))
        if course is not None:
            errors.extend(_course_rules(clean, course, trainer))
        errors.extend(self._status_rule(session, clean, entity_id))
        if errors:
            raise ValidationError(errors, subject=f"Run {clean.code}")
        if clean.min_days is None and course is not None:
            return _with_min_days(clean, course.sessions)
        return clean

    @staticmethod
    def _status_rule(
        session: Session, clean: CourseRunFields, entity_id: int | None
    ) -> list[FieldError]:
        if clean.status is not RunStatus.PUBLISHED:
            return []
        current = None if entity_id is None else session.get(CourseRunRow, entity_id)
        if current is not None and current.status == RunStatus.PUBLISHED:
            return []
        return [FieldError("status", "A run becomes published by publishing a plan that holds it")]

    # ----- mapping ---------------------------------------------------------------------------
    def _apply(self, session: Session, row: CourseRunRow, fields: CourseRunFields) -> None:
        row.code, row.course_id, row.hub_id = fields.code, fields.course_id, fields.hub_id
        row.trainer_id, row.attendees = fields.trainer_id, fields.attendees
        row.min_days = fields.min_days or 1
        row.consecutive_days = fields.consecutive_days
        row.earliest, row.latest = fields.earliest, fields.latest
        row.status, row.notes = fields.status.value, fields.notes
        sync_links(
            row.cohort_links,
            fields.cohort_ids,
            "cohort_id",
            lambda cohort_id: CourseRunCohortRow(cohort_id=cohort_id),
        )

    def _record(self, session: Session, row: CourseRunRow) -> CourseRun:
        return CourseRun(
            id=row.id,
            row_version=row.row_version,
            code=row.code,
            course_id=row.course_id,
            course_code=_course_code(session, row.course_id),
            attendees=row.attendees,
            hub_id=row.hub_id,
            trainer_id=row.trainer_id,
            cohort_ids=frozenset(link.cohort_id for link in row.cohort_links),
            min_days=row.min_days,
            consecutive_days=row.consecutive_days,
            earliest=row.earliest,
            latest=row.latest,
            status=RunStatus(row.status),
            notes=row.notes,
        )

    def _label(self, fields: Any) -> str:
        return str(fields.code)

    def _list_statement(self) -> Select[Any]:
        return select(CourseRunRow).order_by(CourseRunRow.code)

    def _snapshot(self, session: Session, fields: Any) -> dict[str, str | None]:
        out = super()._snapshot(session, fields)
        for key, column, row_class in (
            ("course_id", CourseRow.code, CourseRow),
            ("trainer_id", TrainerRow.name, TrainerRow),
        ):
            value = getattr(fields, key)
            if value is not None:
                out[key] = session.scalar(select(column).where(row_class.id == value))
        return out

    def _references(self, session: Session, entity_id: int) -> list[str]:
        count = session.scalar(select(func.count()).where(PlannedSessionRow.run_id == entity_id))
        if not count:
            return []
        return [f"has {plural(count, 'published session')}; cancel the run instead of deleting it"]


def _course_rules(
    clean: CourseRunFields, course: CourseRow, trainer: TrainerRow | None
) -> list[FieldError]:
    errors = []
    if clean.attendees > course.capacity:
        errors.append(
            FieldError(
                "attendees",
                f"{course.code} ({course.title}) takes at most {course.capacity} attendees per "
                f"run; {clean.attendees} expected. Split them over more runs",
            )
        )
    if clean.min_days is not None and clean.min_days > course.sessions:
        errors.append(
            FieldError(
                "min_days",
                f"{course.code} has {plural(course.sessions, 'session')}, so it cannot spread "
                f"over {clean.min_days} days",
            )
        )
    if trainer is not None and course.id not in {q.course_id for q in trainer.qualification_links}:
        errors.append(
            FieldError(
                "trainer_id",
                f"{trainer.name} is not qualified to teach {course.code} ({course.title}); "
                "choose a qualified trainer or record the qualification first",
            )
        )
    return errors


def _with_min_days(fields: CourseRunFields, sessions: int) -> CourseRunFields:
    return replace(fields, min_days=sessions)


def _course_code(session: Session, course_id: int) -> str:
    course = session.get(CourseRow, course_id)
    return course.code if course is not None else ""
