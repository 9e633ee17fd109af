"""Reading the audit trail (writing it is every other service's job, inside its transaction)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
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
from trainer_app.domain.reports import (
    AuditHeading,
    AuditLine,
    AuditSelection,
    ExportCancelled,
    NothingToExport,
)
from trainer_app.persistence import chain
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import AuditRow, CourseRow, FacilityRow, HubRow, TrainerRow
from trainer_app.persistence.uow import reading
from trainer_app.services.base import Column, ListQueries
from trainer_app.services.planning_scenario import trainer_key
from trainer_app.services.tables import Cell

EXPORT_BATCH = 5_000  # entries read at a time: a million are never held at once
Progress = Callable[[int, int], None]


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

    def selected(self, selection: AuditSelection) -> AuditService:
        """The trail narrowed to ``selection`` (dates, user, record type), for a list that
        shows what an export of that selection would hold."""
        return _SelectedTrail(self.store, selection.validated())

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

    def actors(self) -> list[str]:
        """Everyone who appears in the trail, by name."""
        with reading(self.store) as session:
            return sorted(session.scalars(select(AuditRow.actor).distinct()), key=str.casefold)

    def record_types(self) -> list[str]:
        """The record types the trail holds entries about, as stored."""
        with reading(self.store) as session:
            return sorted(session.scalars(select(AuditRow.entity_type).distinct()))

    # ----- exporting the trail -----------------------------------------------------------
    def export_heading(self, selection: AuditSelection, generated_by: str) -> AuditHeading:
        """What an export of ``selection`` holds, as of now: the count of entries up to the
        last one recorded (entries added while it is written are left for the next export),
        and the seals' verdict on the whole trail. Nothing selected is refused."""
        selection = selection.validated()
        with reading(self.store) as session:
            through = session.scalar(select(func.max(AuditRow.id))) or 0
            count = (
                session.scalar(
                    select(func.count())
                    .select_from(AuditRow)
                    .where(AuditRow.id <= through, *self._conditions(selection))
                )
                or 0
            )
        if not count:
            users = self.actors()
            hint = (
                f"; the users in the trail are: {', '.join(users)}"
                if selection.actor and selection.actor not in users
                else ". Widen the dates or choose another user or record type"
            )
            raise NothingToExport(
                f"No audit entries match {selection.describe()}: nothing was written{hint}"
            )
        try:
            verdict = self.verify()
            words, intact = verdict.summary(), verdict.intact
        except StoreError as error:
            words, intact = f"The audit trail could not be checked: {error}.", False
        return AuditHeading(
            database=self.store.display_name,
            selection=selection,
            verdict=words,
            intact=intact,
            count=count,
            through=through,
            generated_at=datetime.now(UTC).replace(microsecond=0),
            generated_by=generated_by,
        )

    def export_lines(
        self,
        heading: AuditHeading,
        *,
        progress: Progress | None = None,
        should_stop: Callable[[], bool] | None = None,
        batch: int = EXPORT_BATCH,
    ) -> Iterator[AuditLine]:
        """The entries ``heading`` counted, in the order recorded, in words as the Audit page shows
        them; read ``EXPORT_BATCH`` at a time. ``should_stop`` raises ``ExportCancelled``
        between batches."""

        def check() -> None:
            if should_stop is not None and should_stop():
                raise ExportCancelled

        check()
        names = self.reference_names()
        done = 0
        entries = self.selected_entries(heading.selection, through=heading.through, batch=batch)
        for entry in entries:
            yield AuditLine.of(entry, names)
            done += 1
            if done % batch == 0:
                check()
                if progress is not None:
                    progress(done, heading.count)
        check()  # the last batch: a Cancel pressed meanwhile still leaves no file
        if progress is not None:
            progress(done, heading.count)

    def selected_entries(
        self, selection: AuditSelection, *, through: int | None = None, batch: int = EXPORT_BATCH
    ) -> Iterator[AuditEntry]:
        """The entries ``selection`` picks (up to entry ``through``) in the order recorded
        (their number in the trail), read a batch at a time, so memory stays flat however
        long the trail."""
        conditions = self._conditions(selection.validated())
        if through is not None:
            conditions.append(AuditRow.id <= through)
        last = 0
        while True:
            with reading(self.store) as session:
                rows = session.execute(
                    select(*_ENTRY_COLUMNS)
                    .where(AuditRow.id > last, *conditions)
                    .order_by(AuditRow.id)
                    .limit(batch)
                ).all()
            if not rows:
                return
            for row in rows:
                yield _entry_of(row)
            last = rows[-1][0]

    def reference_names(self) -> dict[str, dict[str, str]]:
        """How hubs, courses, facilities and trainers are named today (``in_words`` for many
        entries at once)."""
        with reading(self.store) as session:
            return {kind: names(session) for kind, names in _NAMES.items()}

    def _conditions(self, selection: AuditSelection) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if selection.start is not None:
            conditions.append(AuditRow.occurred_at >= _midnight(selection.start))
        if selection.end is not None:
            conditions.append(AuditRow.occurred_at < _midnight(selection.end + timedelta(1)))
        if selection.actor:
            conditions.append(AuditRow.actor == selection.actor)
        if selection.record_type:
            conditions.append(AuditRow.entity_type == selection.record_type)
        if selection.entity_id is not None:
            conditions.append(AuditRow.entity_id == selection.entity_id)
        if selection.text.strip():
            conditions.append(self._text_filter(selection.text.strip()))
        return conditions

    def verify(self) -> Verdict:
        """Recompute every seal of the trail (see ``persistence.chain``): intact, or the first
        entry changed, removed, added or reordered since it was recorded."""
        if self.store.chain is None:
            raise StoreError("The audit trail cannot be checked without the installation's key")
        with self.store.engine.connect() as connection:
            return chain.verify(connection, self.store.chain)


class _SelectedTrail(AuditService):
    def __init__(self, store: Store, selection: AuditSelection) -> None:
        super().__init__(store)
        self.selection = selection

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        return super()._filtered(statement, filters).where(*self._conditions(self.selection))


_ENTRY_COLUMNS = (
    AuditRow.id,
    AuditRow.occurred_at,
    AuditRow.actor,
    AuditRow.action,
    AuditRow.entity_type,
    AuditRow.entity_id,
    AuditRow.entity_label,
    AuditRow.changes,
    AuditRow.reason,
)


def _entry_of(row: Any) -> AuditEntry:
    """An entry from the columns alone (no ORM object: a million are read for an export)."""
    id_, occurred_at, actor, action, entity_type, entity_id, label, changes, reason = row
    return AuditEntry(
        id=id_,
        occurred_at=occurred_at,
        actor=actor,
        action=AuditAction(action),
        entity_type=entity_type,
        entity_id=entity_id,
        entity_label=label,
        changes=tuple(FieldChange(c["field"] or "", c["old"], c["new"]) for c in changes),
        reason=reason,
    )


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=UTC)


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


def entries_about(
    session: Session, records: Mapping[RecordType, Collection[int]]
) -> list[AuditEntry]:
    """Every entry about these records (by type and id), in the order recorded."""
    wanted = [
        (AuditRow.entity_type == kind.value) & AuditRow.entity_id.in_(list(ids))
        for kind, ids in records.items()
        if ids
    ]
    if not wanted:
        return []
    rows = session.scalars(select(AuditRow).where(or_(*wanted)).order_by(AuditRow.id))
    return [_entry(row) for row in rows]
