"""Trainers: home hub, qualifications, working days, leave and teaching limits."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from trainer_app.domain.audit import RecordType
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.text import search_key
from trainer_app.domain.trainers import Employment, Trainer, TrainerFields
from trainer_app.persistence.models import (
    CourseRow,
    CourseRunRow,
    HubRow,
    PlannedSessionRow,
    TrainerLeaveRow,
    TrainerQualificationRow,
    TrainerRow,
)
from trainer_app.services.base import (
    Column,
    CrudService,
    ListQueries,
    existing,
    exists,
    plural,
    search_filter,
    sync_links,
)
from trainer_app.services.network import absences, weekdays_set, weekdays_text


class TrainerService(CrudService[TrainerFields, Trainer, TrainerRow], ListQueries):
    entity_type = RecordType.TRAINER
    noun = "Trainer"
    row_class = TrainerRow
    fields_class = TrainerFields
    base_row = TrainerRow
    loaded_with = (TrainerRow.qualification_links, TrainerRow.leave)
    columns_spec = (
        Column("name", "Trainer", TrainerRow.name),
        Column("hub", "Home hub", HubRow.code, joined=True),
        Column(
            "employment",
            "Employment",
            case({e.value: e.label for e in Employment}, value=TrainerRow.employment),
        ),
        Column("per_day", "Max/day", TrainerRow.max_periods_per_day, numeric=True),
        Column("per_week", "Max/week", TrainerRow.max_periods_per_week, numeric=True),
        Column("email", "E-mail", TrainerRow.email),
    )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(HubRow, HubRow.id == TrainerRow.hub_id)

    search_needs_join = False

    def _text_filter(self, text: str) -> Any:
        return search_filter(TrainerRow.search_key, text)

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        if "hub_id" in filters:
            statement = statement.where(TrainerRow.hub_id == filters["hub_id"])
        if "course_id" in filters:
            statement = statement.where(
                TrainerRow.id.in_(
                    select(TrainerQualificationRow.trainer_id).where(
                        TrainerQualificationRow.course_id == filters["course_id"]
                    )
                )
            )
        return statement

    def _validate(
        self, session: Session, fields: TrainerFields, entity_id: int | None
    ) -> TrainerFields:
        clean = fields.validated()
        errors: list[FieldError] = []
        if not exists(session, HubRow, clean.hub_id):
            errors.append(FieldError("hub_id", "The chosen home hub no longer exists"))
        if clean.qualifications:
            known = existing(session, CourseRow, clean.qualifications)
            missing = sorted(clean.qualifications - known)
            if missing:
                errors.append(
                    FieldError(
                        "qualifications",
                        f"{len(missing)} of the chosen qualifications refer to a course that no "
                        "longer exists (it was deleted); remove them",
                    )
                )
        if errors:
            raise ValidationError(errors, subject=f"Trainer {clean.name}")
        return clean

    def _apply(self, session: Session, row: TrainerRow, fields: TrainerFields) -> None:
        row.name, row.hub_id, row.email = fields.name, fields.hub_id, fields.email
        row.search_key = search_key(fields.name, fields.email)
        row.employment = fields.employment.value
        row.weekdays = weekdays_text(fields.weekdays)
        row.max_periods_per_day = fields.max_periods_per_day
        row.max_periods_per_week = fields.max_periods_per_week
        row.notes = fields.notes
        row.leave = [
            TrainerLeaveRow(starts_on=a.start, ends_on=a.end, reason=a.reason) for a in fields.leave
        ]
        sync_links(
            row.qualification_links,
            fields.qualifications,
            "course_id",
            lambda course_id: TrainerQualificationRow(course_id=course_id),
        )

    def _record(self, session: Session, row: TrainerRow) -> Trainer:
        return Trainer(
            id=row.id,
            row_version=row.row_version,
            name=row.name,
            hub_id=row.hub_id,
            email=row.email,
            employment=Employment(row.employment),
            qualifications=frozenset(link.course_id for link in row.qualification_links),
            weekdays=weekdays_set(row.weekdays),
            leave=absences(row.leave),
            max_periods_per_day=row.max_periods_per_day,
            max_periods_per_week=row.max_periods_per_week,
            notes=row.notes,
        )

    def _label(self, fields: Any) -> str:
        return str(fields.name)

    def _list_statement(self) -> Select[Any]:
        return select(TrainerRow).order_by(TrainerRow.name)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        sessions = session.scalar(
            select(func.count()).where(PlannedSessionRow.trainer_id == entity_id)
        )
        runs = session.scalar(select(func.count()).where(CourseRunRow.trainer_id == entity_id))
        reasons = []
        if sessions:
            reasons.append(f"is assigned to {plural(sessions, 'planned session')}")
        if runs:
            reasons.append(f"is the fixed trainer of {plural(runs, 'course run')}")
        return reasons
