"""Reading the audit trail (writing it is every other service's job, inside its transaction)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, or_, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.audit import (
    REFERENCE_FIELDS,
    AuditAction,
    AuditEntry,
    ChangeInWords,
    FieldChange,
    RecordType,
    describe_changes,
)
from trainer_app.domain.audit_chain import Verdict
from trainer_app.domain.errors import StoreError
from trainer_app.persistence import chain
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import AuditRow, CourseRow, FacilityRow, HubRow, TrainerRow
from trainer_app.persistence.uow import reading
from trainer_app.services.base import Column, ListQueries
from trainer_app.services.planning_scenario import trainer_key
from trainer_app.services.tables import Cell


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        actor=row.actor,
        action=AuditAction(row.action),
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        entity_label=row.entity_label,
        changes=tuple(FieldChange(c["field"] or "", c["old"], c["new"]) for c in row.changes),
        reason=row.reason,
    )


class AuditService(ListQueries):
    """The trail, newest first; filterable by text, entity type and entity."""

    base_row = AuditRow
    columns_spec = (
        Column("when", "When (UTC)", AuditRow.occurred_at),
        Column("actor", "Who", AuditRow.actor),
        Column(
            "action",
            "Action",
            case(
                {a.value: a.label for a in AuditAction},
                value=AuditRow.action,
                else_=AuditRow.action,
            ),
        ),
        Column(
            "entity_type",
            "Record type",
            case(
                {t.value: t.label for t in RecordType},
                value=AuditRow.entity_type,
                else_=AuditRow.entity_type,
            ),
        ),
        Column("entity", "Record", AuditRow.entity_label),
        Column("reason", "Reason", AuditRow.reason),
    )

    def __init__(self, store: Store) -> None:
        self.store = store

    def query_ids(
        self,
        text: str = "",
        sort: str | None = None,
        descending: bool = True,
        filters: Mapping[str, int] | None = None,
    ) -> list[int]:
        return super().query_ids(text, sort or "when", descending, filters)

    def _text_filter(self, text: str) -> ColumnElement[bool]:
        """Who, what and why: the stored instant is not text to search."""
        needle = f"%{text.lower()}%"
        return or_(
            *(func.lower(c.expression).like(needle) for c in self.columns_spec if c.key != "when")
        )

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        if "entity_id" in filters:
            statement = statement.where(AuditRow.entity_id == filters["entity_id"])
        return statement

    def row_cells(self, ids: Sequence[int]) -> dict[int, tuple[Cell, ...]]:
        cells = super().row_cells(ids)
        return {
            key: (dates.moment(value[0], seconds=True), *value[1:])  # type: ignore[arg-type]
            for key, value in cells.items()
        }

    def entries(self, ids: Sequence[int]) -> list[AuditEntry]:
        with reading(self.store) as session:
            rows = session.scalars(select(AuditRow).where(AuditRow.id.in_(list(ids)))).all()
            by_id = {row.id: _entry(row) for row in rows}
        return [by_id[i] for i in ids if i in by_id]

    def in_words(self, entry: AuditEntry) -> tuple[ChangeInWords, ...]:
        """The entry's field changes as people read them: values in words, dates in the app's
        style, the hubs, courses, facilities and trainers it names by their names today. The
        entry itself stays as stored."""
        kinds = {REFERENCE_FIELDS[c.field] for c in entry.changes if c.field in REFERENCE_FIELDS}
        with reading(self.store) as session:
            names = {kind: _NAMES[kind](session) for kind in kinds}
        return describe_changes(entry, names)

    def history(self, entity_type: str, entity_id: int) -> list[AuditEntry]:
        """Every entry about one record, oldest first."""
        with reading(self.store) as session:
            rows = session.scalars(
                select(AuditRow)
                .where(AuditRow.entity_type == entity_type, AuditRow.entity_id == entity_id)
                .order_by(AuditRow.id)
            ).all()
            return [_entry(row) for row in rows]

    def count(self) -> int:
        with reading(self.store) as session:
            return session.scalar(select(func.count()).select_from(AuditRow)) or 0

    def verify(self) -> Verdict:
        """Recompute every seal of the trail (see ``persistence.chain``): intact, or the first
        entry changed, removed, added or reordered since it was recorded."""
        if self.store.chain is None:
            raise StoreError("The audit trail cannot be checked without the installation's key")
        with self.store.engine.connect() as connection:
            return chain.verify(connection, self.store.chain)


def _hub_names(session: Session) -> dict[str, str]:
    return {
        code: f"{code} {name}" for code, name in session.execute(select(HubRow.code, HubRow.name))
    }


def _course_names(session: Session) -> dict[str, str]:
    return {
        code: f"{code} {title}"
        for code, title in session.execute(select(CourseRow.code, CourseRow.title))
    }


def _facility_names(session: Session) -> dict[str, str]:
    return {
        code: f"{code} {name}"
        for code, name in session.execute(select(FacilityRow.code, FacilityRow.name))
    }


def _trainer_names(session: Session) -> dict[str, str]:
    """By name (runs record it) and by the planner's ``T<id>`` (planned sessions do)."""
    out: dict[str, str] = {}
    for trainer_id, name in session.execute(select(TrainerRow.id, TrainerRow.name)):
        out[name] = out[trainer_key(trainer_id)] = name
    return out


_NAMES: dict[str, Callable[[Session], dict[str, str]]] = {
    "hub": _hub_names,
    "course": _course_names,
    "facility": _facility_names,
    "trainer": _trainer_names,
}
