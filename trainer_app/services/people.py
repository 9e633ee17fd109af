"""Cohorts and trainees."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import Select, case, func, select, text, update
from sqlalchemy.orm import Session

from trainer_app.domain.audit import AuditAction, RecordType
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.people import (
    Cohort,
    CohortFields,
    Trainee,
    TraineeFields,
    TraineeType,
)
from trainer_app.domain.text import search_key
from trainer_app.persistence import chain
from trainer_app.persistence.bulk import insert_rows, settle
from trainer_app.persistence.models import (
    AuditRow,
    CohortMembershipRow,
    CohortRow,
    CourseRunCohortRow,
    HubRow,
    TraineeRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.base import (
    Column,
    CrudService,
    ListQueries,
    Unique,
    existing,
    exists,
    plural,
    search_filter,
    sync_links,
)

# Trainees added at once after which a server's statistics are brought up to date straight away
# (``persistence.bulk.settle``): the trainee table opens from its index.
SETTLE_AFTER = 1000

MEMBER_COUNT = (
    select(func.count())
    .where(CohortMembershipRow.cohort_id == CohortRow.id)
    .correlate(CohortRow)
    .scalar_subquery()
)


class CohortService(CrudService[CohortFields, Cohort, CohortRow], ListQueries):
    entity_type = RecordType.COHORT
    noun = "Cohort"
    row_class = CohortRow
    fields_class = CohortFields
    base_row = CohortRow
    unique = (Unique("name", CohortRow.name, "Cohort name"),)
    columns_spec = (
        Column("name", "Cohort", CohortRow.name),
        Column("programme", "Programme", CohortRow.programme),
        Column("hub", "Hub", func.coalesce(HubRow.code, "All hubs"), joined=True),
        Column("starts", "Starts", CohortRow.starts_on),
        Column("trainees", "Trainees", MEMBER_COUNT, numeric=True),
    )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement.outerjoin(HubRow, HubRow.id == CohortRow.hub_id)

    def _validate(
        self, session: Session, fields: CohortFields, entity_id: int | None
    ) -> CohortFields:
        clean = fields.validated()
        if clean.hub_id is not None and not exists(session, HubRow, clean.hub_id):
            raise ValidationError.single("hub_id", "The chosen hub no longer exists")
        return clean

    def _apply(self, session: Session, row: CohortRow, fields: CohortFields) -> None:
        row.name, row.hub_id, row.programme = fields.name, fields.hub_id, fields.programme
        row.starts_on, row.ends_on = fields.starts_on, fields.ends_on
        row.description = fields.description

    def _record(self, session: Session, row: CohortRow) -> Cohort:
        count = session.scalar(select(func.count()).where(CohortMembershipRow.cohort_id == row.id))
        return Cohort(
            id=row.id,
            row_version=row.row_version,
            name=row.name,
            hub_id=row.hub_id,
            programme=row.programme,
            starts_on=row.starts_on,
            ends_on=row.ends_on,
            description=row.description,
            trainee_count=count or 0,
        )

    def _label(self, fields: Any) -> str:
        return str(fields.name)

    def _list_statement(self) -> Select[Any]:
        return select(CohortRow).order_by(CohortRow.name)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        count = session.scalar(
            select(func.count()).where(CohortMembershipRow.cohort_id == entity_id)
        )
        runs = session.scalar(select(func.count()).where(CourseRunCohortRow.cohort_id == entity_id))
        reasons = []
        if count:
            reasons.append(
                f"still has {plural(count, 'trainee')}; remove them from the cohort first"
            )
        if runs:
            reasons.append(f"attends {plural(runs, 'course run')}")
        return reasons


class TraineeService(CrudService[TraineeFields, Trainee, TraineeRow], ListQueries):
    entity_type = RecordType.TRAINEE
    noun = "Trainee"
    row_class = TraineeRow
    loaded_with = (TraineeRow.memberships, TraineeRow.hub)
    fields_class = TraineeFields
    base_row = TraineeRow
    unique = (
        Unique("reference", TraineeRow.reference, "Reference"),
        Unique("email", TraineeRow.email, "E-mail"),
    )
    columns_spec = (
        Column("name", "Name", TraineeRow.name),
        Column("reference", "Reference", TraineeRow.reference),
        Column("organisation", "Organisation", TraineeRow.organisation),
        Column("role", "Role", TraineeRow.role),
        Column("hub", "Hub", HubRow.code, joined=True),
        Column(
            "type",
            "Type",
            case({t.value: t.label for t in TraineeType}, value=TraineeRow.trainee_type),
        ),
    )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement.join(HubRow, HubRow.id == TraineeRow.hub_id)

    search_needs_join = False

    def _text_filter(self, text: str) -> Any:
        return search_filter(TraineeRow.search_key, text)

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        if "hub_id" in filters:
            statement = statement.where(TraineeRow.hub_id == filters["hub_id"])
        if "cohort_id" in filters:
            statement = statement.where(
                TraineeRow.id.in_(
                    select(CohortMembershipRow.trainee_id).where(
                        CohortMembershipRow.cohort_id == filters["cohort_id"]
                    )
                )
            )
        return statement

    def _validate(
        self, session: Session, fields: TraineeFields, entity_id: int | None
    ) -> TraineeFields:
        clean = fields.validated()
        errors: list[FieldError] = []
        if not exists(session, HubRow, clean.hub_id):
            errors.append(FieldError("hub_id", "The chosen hub no longer exists"))
        if clean.cohort_ids:
            known = existing(session, CohortRow, clean.cohort_ids)
            if clean.cohort_ids - known:
                errors.append(
                    FieldError("cohort_ids", "A chosen cohort no longer exists; remove it")
                )
        if errors:
            raise ValidationError(errors, subject=f"Trainee {clean.name}")
        return clean

    def _apply(self, session: Session, row: TraineeRow, fields: TraineeFields) -> None:
        row.reference, row.name, row.hub_id = fields.reference, fields.name, fields.hub_id
        row.trainee_type = fields.trainee_type.value
        row.organisation, row.role = fields.organisation, fields.role
        row.email = fields.email or None
        row.search_key = search_key(
            fields.name, fields.reference, fields.organisation, fields.role, fields.email
        )
        sync_links(
            row.memberships,
            fields.cohort_ids,
            "cohort_id",
            lambda cohort_id: CohortMembershipRow(cohort_id=cohort_id),
        )

    def _record(self, session: Session, row: TraineeRow) -> Trainee:
        return Trainee(
            id=row.id,
            row_version=row.row_version,
            reference=row.reference,
            name=row.name,
            hub_id=row.hub_id,
            trainee_type=TraineeType(row.trainee_type),
            organisation=row.organisation,
            role=row.role,
            email=row.email or "",
            cohort_ids=frozenset(m.cohort_id for m in row.memberships),
        )

    def _label(self, fields: Any) -> str:
        return f"{fields.name} ({fields.reference})"

    def _list_statement(self) -> Select[Any]:
        return select(TraineeRow).order_by(TraineeRow.name)

    def count(self) -> int:
        with reading(self.store) as session:
            return session.scalar(select(func.count()).select_from(TraineeRow)) or 0

    def next_reference(self, prefix: str = "TR") -> str:
        """A free reference such as TR-000301 for a new trainee."""
        with reading(self.store) as session:
            highest = session.scalar(select(func.max(TraineeRow.id))) or 0
            taken = set(session.scalars(select(TraineeRow.reference)))
        number = highest + 1
        while f"{prefix}-{number:06d}" in taken:
            number += 1
        return f"{prefix}-{number:06d}"

    def bulk_create(
        self,
        items: Sequence[TraineeFields],
        *,
        reason: str = "",
        fresh_references: Collection[int] = (),
        prefix: str = "TR",
    ) -> list[int]:
        """Add many trainees in one transaction (all or nothing), each one audited.

        Items whose index is in ``fresh_references`` get a new reference (``TR-000301`` …),
        chosen inside the write transaction after it holds the store's write lock, so two
        imports at once never pick the same one. Returns the new ids in the order given. Used
        by imports and the demo builder.
        """
        cleaned = [fields.validated() for fields in items]
        self.actor.require(
            self.act, hubs={c.hub_id for c in cleaned}, what="add trainees to these hubs"
        )
        with transaction(self.store) as session:
            if fresh_references:
                cleaned = _with_fresh_references(session, cleaned, fresh_references, prefix)
            hubs = dict(session.execute(select(HubRow.id, HubRow.code)).all())
            cohorts = dict(session.execute(select(CohortRow.id, CohortRow.name)).all())
            for clean in cleaned:
                self._check_references(clean, hubs, cohorts)
            # Rows at once, not one ORM object each (multi-row INSERTs on SQLite, COPY on
            # PostgreSQL: ``persistence.bulk``): 10 000 trainees in about a second.
            trainees = [_trainee_values(clean) for clean in cleaned]
            ids = insert_rows(session, TraineeRow, trainees, ids=True)
            links = [
                {"trainee_id": trainee_id, "cohort_id": cohort_id}
                for trainee_id, clean in zip(ids, cleaned, strict=True)
                for cohort_id in sorted(clean.cohort_ids)
            ]
            insert_rows(session, CohortMembershipRow, links)
            occurred, actor = self.now(), self.actor.username
            entries = []
            for trainee_id, clean in zip(ids, cleaned, strict=True):
                snapshot = {
                    "reference": clean.reference,
                    "name": clean.name,
                    "hub_id": hubs[clean.hub_id],
                    "trainee_type": clean.trainee_type.value,
                    "organisation": clean.organisation,
                    "role": clean.role,
                    "email": clean.email,
                    "cohort_ids": ", ".join(sorted(cohorts[c] for c in clean.cohort_ids)),
                }
                entries.append(
                    {
                        "occurred_at": occurred,
                        "actor": actor,
                        "action": AuditAction.CREATE.value,
                        "entity_type": self.entity_type,
                        "entity_id": trainee_id,
                        "entity_label": self._label(clean)[:200],
                        "changes": [
                            {"field": k, "old": None, "new": v} for k, v in snapshot.items() if v
                        ],
                        "reason": reason.strip()[:500],
                    }
                )
            chain.track(session, *insert_rows(session, AuditRow, entries, ids=True))
        if len(ids) >= SETTLE_AFTER:
            settle(self.store.engine, ["trainees", "cohort_memberships"])
        return ids

    @staticmethod
    def _check_references(
        clean: TraineeFields, hubs: Mapping[int, str], cohorts: Mapping[int, str]
    ) -> None:
        if clean.hub_id not in hubs:
            raise ValidationError.single(
                "hub_id", "The chosen hub no longer exists", subject=f"Trainee {clean.reference}"
            )
        if not clean.cohort_ids <= cohorts.keys():
            raise ValidationError.single(
                "cohort_ids",
                "A chosen cohort no longer exists",
                subject=f"Trainee {clean.reference}",
            )


def _trainee_values(fields: TraineeFields) -> dict[str, Any]:
    return {
        "reference": fields.reference,
        "name": fields.name,
        "hub_id": fields.hub_id,
        "trainee_type": fields.trainee_type.value,
        "organisation": fields.organisation,
        "role": fields.role,
        "email": fields.email or None,
        "search_key": search_key(
            fields.name, fields.reference, fields.organisation, fields.role, fields.email
        ),
        "row_version": 1,
    }


def _with_fresh_references(
    session: Session, items: list[TraineeFields], indexes: Collection[int], prefix: str
) -> list[TraineeFields]:
    """``items`` with the references at ``indexes`` replaced by free ones, taken under the
    write lock: the first statement of the transaction writes (SQLite then waits for, and
    holds, the one write lock; PostgreSQL locks the table against other writers), so the
    references read next cannot be taken by anyone else before this transaction commits."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("LOCK TABLE trainees IN SHARE ROW EXCLUSIVE MODE"))
    else:
        session.execute(update(TraineeRow).where(TraineeRow.id < 0).values(name=TraineeRow.name))
    highest = session.scalar(select(func.max(TraineeRow.id))) or 0
    taken = set(session.scalars(select(TraineeRow.reference)))
    taken.update(item.reference for index, item in enumerate(items) if index not in indexes)
    number = highest + 1
    fresh = list(items)
    for index in sorted(indexes):
        while f"{prefix}-{number:06d}" in taken:
            number += 1
        fresh[index] = replace(items[index], reference=f"{prefix}-{number:06d}")
        number += 1
    return fresh
