"""Hubs and their facilities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from trainer_app.domain.access import Act
from trainer_app.domain.audit import RecordType
from trainer_app.domain.calendar import Absence
from trainer_app.domain.errors import ValidationError
from trainer_app.domain.network import Facility, FacilityFields, FacilityKind, Hub, HubFields
from trainer_app.persistence.models import (
    CohortRow,
    CourseRunRow,
    FacilityClosureRow,
    FacilityRow,
    HubClosureRow,
    HubRow,
    PlannedSessionRow,
    TraineeRow,
    TrainerRow,
)
from trainer_app.services.base import (
    Column,
    CrudService,
    ListQueries,
    Unique,
    exists,
    join_words,
    plural,
)

KIND_LABEL = case({k.value: k.label for k in FacilityKind}, value=FacilityRow.kind)


def weekdays_text(days: frozenset[int]) -> str:
    return "".join(str(d) for d in sorted(days))


def weekdays_set(text: str) -> frozenset[int]:
    return frozenset(int(c) for c in text)


def absences(rows: list[Any]) -> tuple[Absence, ...]:
    return tuple(Absence(r.starts_on, r.ends_on, r.reason) for r in rows)


class HubService(CrudService[HubFields, Hub, HubRow], ListQueries):
    entity_type = RecordType.HUB
    act = Act.EDIT_NETWORK
    hub_scoped = False
    noun = "Hub"
    row_class = HubRow
    loaded_with = (HubRow.closures,)
    fields_class = HubFields
    base_row = HubRow
    unique = (Unique("code", HubRow.code, "Hub code"),)
    columns_spec = (
        Column("code", "Code", HubRow.code),
        Column("name", "Hub", HubRow.name),
        Column("site", "Site", HubRow.site),
        Column("address", "Address", HubRow.address),
    )

    def _validate(self, session: Session, fields: HubFields, entity_id: int | None) -> HubFields:
        return fields.validated()

    def _apply(self, session: Session, row: HubRow, fields: HubFields) -> None:
        row.code, row.name, row.site = fields.code, fields.name, fields.site
        row.address, row.timezone = fields.address, fields.timezone
        row.closures = [
            HubClosureRow(starts_on=a.start, ends_on=a.end, reason=a.reason)
            for a in fields.closures
        ]

    def _record(self, session: Session, row: HubRow) -> Hub:
        return Hub(
            id=row.id,
            row_version=row.row_version,
            code=row.code,
            name=row.name,
            site=row.site,
            address=row.address,
            timezone=row.timezone,
            closures=absences(row.closures),
        )

    def _label(self, fields: Any) -> str:
        return str(fields.name)

    def _list_statement(self) -> Select[Any]:
        return select(HubRow).order_by(HubRow.name)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        counts = [
            (
                session.scalar(select(func.count()).where(FacilityRow.hub_id == entity_id)),
                "facility",
                "facilities",
            ),
            (
                session.scalar(select(func.count()).where(TrainerRow.hub_id == entity_id)),
                "trainer",
                None,
            ),
            (
                session.scalar(select(func.count()).where(TraineeRow.hub_id == entity_id)),
                "trainee",
                None,
            ),
            (
                session.scalar(select(func.count()).where(CohortRow.hub_id == entity_id)),
                "cohort",
                None,
            ),
            (
                session.scalar(select(func.count()).where(CourseRunRow.hub_id == entity_id)),
                "course run",
                None,
            ),
        ]
        held = [plural(n or 0, noun, many) for n, noun, many in counts if n]
        if not held:
            return []
        return [f"still has {join_words(held)}; move or delete them first"]


class FacilityService(CrudService[FacilityFields, Facility, FacilityRow], ListQueries):
    entity_type = RecordType.FACILITY
    noun = "Facility"
    row_class = FacilityRow
    loaded_with = (FacilityRow.closures,)
    fields_class = FacilityFields
    base_row = FacilityRow
    unique = (Unique("code", FacilityRow.code, "Facility code"),)
    columns_spec = (
        Column("code", "Code", FacilityRow.code),
        Column("name", "Facility", FacilityRow.name),
        Column("hub", "Hub", HubRow.code, joined=True),
        Column("kind", "Kind", KIND_LABEL),
        Column("capacity", "Capacity", FacilityRow.capacity, numeric=True),
    )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(HubRow, HubRow.id == FacilityRow.hub_id)

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        if "hub_id" in filters:
            statement = statement.where(FacilityRow.hub_id == filters["hub_id"])
        return statement

    def _validate(
        self, session: Session, fields: FacilityFields, entity_id: int | None
    ) -> FacilityFields:
        clean = fields.validated()
        if not exists(session, HubRow, clean.hub_id):
            raise ValidationError.single(
                "hub_id", "The chosen hub no longer exists; choose another"
            )
        return clean

    def _apply(self, session: Session, row: FacilityRow, fields: FacilityFields) -> None:
        row.hub_id, row.code, row.name = fields.hub_id, fields.code, fields.name
        row.kind, row.capacity = fields.kind.value, fields.capacity
        row.weekdays, row.notes = weekdays_text(fields.weekdays), fields.notes
        row.closures = [
            FacilityClosureRow(starts_on=a.start, ends_on=a.end, reason=a.reason)
            for a in fields.closures
        ]

    def _record(self, session: Session, row: FacilityRow) -> Facility:
        return Facility(
            id=row.id,
            row_version=row.row_version,
            hub_id=row.hub_id,
            hub_code=row.hub.code,
            code=row.code,
            name=row.name,
            kind=FacilityKind(row.kind),
            capacity=row.capacity,
            weekdays=weekdays_set(row.weekdays),
            closures=absences(row.closures),
            notes=row.notes,
        )

    def _label(self, fields: Any) -> str:
        return f"{fields.code} {fields.name}"

    def _list_statement(self) -> Select[Any]:
        return select(FacilityRow).order_by(FacilityRow.code)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        count = session.scalar(
            select(func.count()).where(PlannedSessionRow.facility_id == entity_id)
        )
        if not count:
            return []
        return [f"is booked for {plural(count, 'planned session')}"]
