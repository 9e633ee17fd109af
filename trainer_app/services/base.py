"""The shape every master-data service shares: get, create, update, delete, audit, list.

Each entity service fills in a few hooks (how fields map to rows, what must be unique, what
refers to a row); the transaction, optimistic concurrency and the audit trail live here once.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, ClassVar, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, String, and_, func, or_, select, true, type_coerce
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType, diff_fields
from trainer_app.domain.calendar import Absence, describe_weekdays
from trainer_app.domain.conflicts import EditConflict, field_conflicts
from trainer_app.domain.errors import Duplicate, InUse, NotFound, StaleEdit
from trainer_app.domain.text import search_key
from trainer_app.persistence import chain
from trainer_app.persistence.bulk import first_column
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AppMeta,
    AuditRow,
    Base,
    CohortRow,
    CourseRow,
    HubRow,
    UserRow,
)
from trainer_app.persistence.uow import reading, retrying, transaction
from trainer_app.services.tables import Cell, ColumnInfo

F = TypeVar("F")  # the editable fields of an entity
R = TypeVar("R")  # the record returned to callers (fields + id + row_version)
Row = TypeVar("Row", bound=Base)


@dataclasses.dataclass(frozen=True)
class Column:
    """A list column: what the user sees, how it sorts, and the SQL that yields its value."""

    key: str
    title: str
    expression: Any
    numeric: bool = False
    joined: bool = False  # comes from another table (``ListQueries._joined`` adds the join)

    @property
    def info(self) -> ColumnInfo:
        return ColumnInfo(self.key, self.title, self.numeric)


@dataclasses.dataclass(frozen=True)
class Unique:
    field: str
    column: InstrumentedAttribute[Any]
    label: str


def now_utc() -> datetime:
    return datetime.now(UTC)


Now = Callable[[], datetime]  # a service's clock: when what it records happened (UTC)


def write_audit(
    session: Session,
    actor: Actor,
    action: AuditAction,
    entity_type: RecordType,
    entity_id: int,
    label: str,
    changes: Iterable[tuple[str, str | None, str | None]],
    reason: str = "",
    *,
    at: datetime,
) -> None:
    """Append one audit entry, stamped ``at`` (the service's clock), in the caller's
    transaction (sealed when it commits)."""
    row = AuditRow(
        occurred_at=at,
        actor=actor.username,
        action=action.value,
        entity_type=RecordType(entity_type).value,
        entity_id=entity_id,
        entity_label=label[:200],
        changes=[{"field": f, "old": old, "new": new} for f, old, new in changes],
        reason=reason.strip()[:500],
    )
    session.add(row)
    chain.track(session, row)


def save_store_setting(
    session: Session, actor: Actor, key: str, value: str, label: str, *, old: str, at: datetime
) -> None:
    """Set one of the store's settings (``app_meta``) and audit the change from ``old``."""
    row = session.get(AppMeta, key)
    if row is None:
        session.add(AppMeta(key=key, value=value))
    else:
        row.value = value
    write_audit(
        session, actor, AuditAction.UPDATE, RecordType.SETTING, 0, label, [(key, old, value)], at=at
    )


def add_audited(
    session: Session,
    actor: Actor,
    row: Any,
    entity_type: RecordType,
    label: str,
    created: Iterable[tuple[str, str | None]],
    reason: str = "",
    *,
    at: datetime,
) -> None:
    """Insert ``row`` (flushed, so it has its id) and the audit entry of its creation, with
    the ``(field, value)`` pairs it was created with, in the caller's transaction."""
    session.add(row)
    session.flush()
    changes = [(field, None, value) for field, value in created]
    write_audit(
        session, actor, AuditAction.CREATE, entity_type, row.id, label, changes, reason, at=at
    )


def people_named(session: Session, usernames: Iterable[str]) -> tuple[str, ...]:
    """The audit trail's user names as people read them: "Ngozi Bello (ngozi)"; a name with no
    account (the installation's local user, say) as it is."""
    names = list(usernames)
    statement = select(UserRow.username, UserRow.full_name).where(UserRow.username.in_(names))
    full: dict[str, str] = dict(session.execute(statement).all())
    return tuple(f"{full[n]} ({n})" if n in full else n for n in names)


def format_value(value: object) -> str | None:
    """A field value as the audit trail records it."""
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):  # one spelling per number: 0.0 and 0 are not a change
        return format(value.normalize(), "f")
    if isinstance(value, tuple) and all(isinstance(v, Absence) for v in value):
        return "; ".join(f"{a.start}..{a.end} {a.reason}".strip() for a in value)
    if isinstance(value, tuple):
        return "\n".join(str(v) for v in value)
    return str(value)


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def join_words(parts: Sequence[str]) -> str:
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


class CrudService(Generic[F, R, Row]):
    """Generic use cases over one entity type. Subclasses fill in the hooks below."""

    entity_type: ClassVar[RecordType]  # what its audit entries are about
    noun: ClassVar[str]  # user-facing, e.g. "Trainer"
    row_class: type[Row]
    fields_class: type[Any]
    unique: ClassVar[tuple[Unique, ...]] = ()
    # Who may change these records: ``act`` by the role, and, where ``hub_scoped``, only
    # within the hubs of a coordinator (the records' ``hub_id``, before and after the change).
    act: ClassVar[Act] = Act.EDIT_HUB_DATA
    hub_scoped: ClassVar[bool] = True
    # Collections read with the record in the same statement when it is loaded to be changed
    # (a round trip to the server each, otherwise).
    loaded_with: ClassVar[tuple[Any, ...]] = ()

    def __init__(self, store: Store, actor: Actor, now: Now = now_utc) -> None:
        """``now`` stamps the audit trail; it differs from the real time only when the past
        is recorded (the demo's history)."""
        self.store = store
        self.actor = actor
        self.now = now

    # ----- hooks -----------------------------------------------------------------------------
    def _validate(self, session: Session, fields: F, entity_id: int | None) -> F:
        """Domain validation plus rules that need the store (references exist, no cycles)."""
        raise NotImplementedError

    def _apply(self, session: Session, row: Row, fields: F) -> None:
        raise NotImplementedError

    def _record(self, session: Session, row: Row) -> R:
        raise NotImplementedError

    def _label(self, fields: Any) -> str:
        raise NotImplementedError

    def _references(self, session: Session, entity_id: int) -> list[str]:
        """Plain-words list of what still refers to the row; non-empty refuses a delete."""
        return []

    def _authorise(self, verb: str, *records: Any) -> None:
        """Refuse (``NotPermitted``) unless the signed-in person may ``verb`` these records."""
        hubs = [getattr(r, "hub_id", None) for r in records] if self.hub_scoped else []
        label = self._label(records[0]) if records else ""
        self.actor.require(self.act, hubs=hubs, what=f"{verb} {self.noun.lower()} {label}".strip())

    # ----- queries ---------------------------------------------------------------------------
    def get(self, entity_id: int) -> R:
        with reading(self.store) as session:
            return self._record(session, self._load(session, entity_id))

    def list(self) -> list[R]:
        with reading(self.store) as session:
            rows = session.scalars(self._list_statement()).unique().all()
            return [self._record(session, row) for row in rows]

    def _list_statement(self) -> Select[Any]:
        return select(self.row_class).order_by(self.row_class.id)  # type: ignore[attr-defined]

    # ----- use cases -------------------------------------------------------------------------
    @retrying
    def create(self, fields: F, *, reason: str = "", restore_id: int | None = None) -> R:
        """Add a new record. ``restore_id`` brings back a deleted one under its old id (undo)."""
        self._authorise("add", fields)
        with transaction(self.store) as session:
            clean = self._validate(session, fields, None)
            self._check_unique(session, clean, None)
            row = self.row_class(row_version=1)
            if restore_id is not None:
                if session.get(self.row_class, restore_id) is not None:
                    raise Duplicate(f"{self.noun} {restore_id} already exists", field="id")
                row.id = restore_id  # type: ignore[attr-defined]
            session.add(row)
            self._apply(session, row, clean)
            session.flush()
            snapshot = self._snapshot(session, clean)
            write_audit(
                session,
                self.actor,
                AuditAction.CREATE,
                self.entity_type,
                row.id,  # type: ignore[attr-defined]
                self._label(clean),
                ((k, None, v) for k, v in snapshot.items() if v not in (None, "")),
                reason,
                at=self.now(),
            )
            return self._record(session, row)

    @retrying
    def update(
        self,
        entity_id: int,
        expected_version: int,
        fields: F,
        *,
        reason: str = "",
        also: Callable[[Session, Row, R], None] | None = None,
    ) -> R:
        """Save an edit made from ``expected_version``; refused if the row has moved on.
        ``also(session, row, before)`` writes what goes with the edit, in its transaction."""
        with transaction(self.store) as session:
            row = self._load(session, entity_id, lock=True)
            self._authorise("change", self._record(session, row), fields)
            self._check_version(session, row, expected_version, fields)
            clean = self._validate(session, fields, entity_id)
            self._check_unique(session, clean, entity_id, row)
            before = self._snapshot(session, self._record(session, row))
            after = self._snapshot(session, clean)
            changes = diff_fields(before, after)
            if not changes:
                return self._record(session, row)
            previous = self._record(session, row)
            self._apply(session, row, clean)
            self._touch(row)
            session.flush()
            if also is not None:
                also(session, row, previous)
            write_audit(
                session,
                self.actor,
                AuditAction.UPDATE,
                self.entity_type,
                entity_id,
                self._label(clean),
                ((c.field, c.old, c.new) for c in changes),
                reason,
                at=self.now(),
            )
            return self._record(session, row)

    @retrying
    def delete(self, entity_id: int, expected_version: int, *, reason: str = "") -> R:
        """Remove a record nothing refers to; returns what was deleted (for undo)."""
        with transaction(self.store) as session:
            row = self._load(session, entity_id, lock=True)
            record = self._record(session, row)
            self._authorise("delete", record)
            self._check_version(session, row, expected_version)
            label = self._label(record)
            blockers = self._references(session, entity_id)
            if blockers:
                raise InUse(f"{self.noun} {label} {join_words(blockers)}")
            snapshot = self._snapshot(session, record)
            session.delete(row)
            session.flush()
            write_audit(
                session,
                self.actor,
                AuditAction.DELETE,
                self.entity_type,
                entity_id,
                label,
                ((k, v, None) for k, v in snapshot.items() if v not in (None, "")),
                reason,
                at=self.now(),
            )
            return record

    # ----- shared mechanics ------------------------------------------------------------------
    def _load(self, session: Session, entity_id: int, *, lock: bool = False) -> Row:
        """The row, locked against other writers until the transaction ends when ``lock``
        (PostgreSQL: ``FOR UPDATE``, read afresh; SQLite's writer already holds the file)."""
        row = session.get(
            self.row_class,
            entity_id,
            options=[joinedload(collection) for collection in self.loaded_with],
            with_for_update={"of": self.row_class} if lock else None,
        )
        if row is None:
            raise NotFound(f"{self.noun} {entity_id} no longer exists (it may have been deleted)")
        return row

    def _touch(self, row: Row) -> None:
        """Bump the version even when only child rows (leave, qualifications) changed."""
        row.row_version += 1  # type: ignore[attr-defined]

    def _check_version(
        self, session: Session, row: Row, expected: int, mine: F | None = None
    ) -> None:
        """Refuse an edit made from an older version, saying who changed which fields since
        (``StaleEdit.conflict``; ``mine`` is the edit being saved, None for a delete)."""
        current: int = row.row_version  # type: ignore[attr-defined]
        if current == expected:
            return
        since = list(
            session.scalars(
                select(AuditRow)
                .where(AuditRow.entity_type == self.entity_type, AuditRow.entity_id == row.id)  # type: ignore[attr-defined]
                .order_by(AuditRow.id.desc())
                .limit(max(1, current - expected))  # one entry per version since
            )
        )[::-1]
        record = self._record(session, row)
        conflict = EditConflict(
            self.noun,
            self._label(record),
            people_named(session, dict.fromkeys(entry.actor for entry in since)),
            since[-1].occurred_at if since else None,
            field_conflicts(
                self._snapshot(session, record),
                (change for entry in since for change in entry.changes or ()),
                None if mine is None else self._snapshot(session, mine),
            ),
            record,
        )
        raise StaleEdit(
            f"{conflict.sentence()}. Reload to see the change, then edit again. Nothing was saved",
            conflict,
        )

    def _check_unique(
        self, session: Session, fields: F, entity_id: int | None, row: Row | None = None
    ) -> None:
        """Refuse a value another record holds; one the edited ``row`` holds already needs no
        query (the database's unique index keeps it unique)."""
        for rule in self.unique:
            value = getattr(fields, rule.field)
            if value in (None, "") or (row is not None and getattr(row, rule.column.key) == value):
                continue
            statement = select(self.row_class).where(rule.column == value)
            if entity_id is not None:
                statement = statement.where(self.row_class.id != entity_id)  # type: ignore[attr-defined]
            other = session.scalars(statement.limit(1)).first()
            if other is not None:
                owner = self._label(self._record(session, other))
                raise Duplicate(
                    f"{rule.label} '{value}' is already used by {self.noun.lower()} {owner}",
                    field=rule.field,
                )

    def _snapshot(self, session: Session, fields: Any) -> dict[str, str | None]:
        """Flatten editable fields to text for the audit trail (ids shown as codes/names)."""
        out: dict[str, str | None] = {}
        for spec in dataclasses.fields(self.fields_class):
            value = getattr(fields, spec.name)
            reference = _REFERENCES.get(spec.name)
            if reference is not None and value is not None:
                out[spec.name] = _labels(session, spec.name, reference, value)
            elif spec.name == "weekdays":
                out[spec.name] = describe_weekdays(value)
            else:
                out[spec.name] = format_value(value)
        return out


def _labels(session: Session, name: str, reference: tuple[Any, Any], value: Any) -> str:
    """The codes or names of the records ``value`` refers to, read once per transaction (an
    update snapshots the record before and after: the same lookups twice), and not at all
    when the session holds those records already (checked by ``existing``, or loaded with
    the record: a trainer's hub)."""
    ids = frozenset(value) if isinstance(value, frozenset) else frozenset({value})
    known: dict[tuple[str, frozenset[int]], str] = session.info.setdefault("labels", {})
    if (name, ids) not in known:
        row_class, column = reference
        held = [session.identity_map.get(Session.identity_key(row_class, i)) for i in ids]
        if all(row is not None for row in held):
            found = [getattr(row, column.key) for row in held]
        else:
            found = list(session.scalars(select(column).where(row_class.id.in_(ids))))
        known[(name, ids)] = ", ".join(sorted(found))
    return known[(name, ids)]


def exists(session: Session, row_class: type[Any], entity_id: int) -> bool:
    """Whether record ``entity_id`` of ``row_class`` exists; the row stays in the session, as
    with ``existing``."""
    row = session.get(row_class, entity_id)
    if row is not None:
        session.info.setdefault("held", []).append(row)
    return row is not None


def existing(session: Session, row_class: type[Any], ids: Iterable[int]) -> set[int]:
    """Which of ``ids`` are records of ``row_class``. The rows stay in the session (held: its
    identity map only keeps rows something refers to), so the audit trail's labels of them
    cost no second query."""
    rows = session.scalars(select(row_class).where(row_class.id.in_(ids))).all()
    session.info.setdefault("held", []).extend(rows)
    return {row.id for row in rows}


# Fields that hold ids of other records: the audit trail shows their codes or names instead.
_REFERENCES: dict[str, tuple[Any, Any]] = {
    "hub_id": (HubRow, HubRow.code),
    "qualifications": (CourseRow, CourseRow.code),
    "prerequisites": (CourseRow, CourseRow.code),
    "cohort_ids": (CohortRow, CohortRow.name),
}


class ListQueries:
    """Lazy-table support: ids in view order (filtered, sorted in SQL) and cells per page."""

    columns_spec: ClassVar[tuple[Column, ...]]
    base_row: ClassVar[Any]
    store: Store
    search_needs_join: ClassVar[bool] = True  # False where the text filter uses own columns only

    @property
    def columns(self) -> list[ColumnInfo]:
        return [c.info for c in self.columns_spec]

    def _text_filter(self, text: str) -> ColumnElement[bool]:
        """Default: case-insensitive match on every text column."""
        needle = f"%{text.lower()}%"
        return or_(
            *(func.lower(c.expression).like(needle) for c in self.columns_spec if not c.numeric)
        )

    def _joined(self, statement: Select[Any]) -> Select[Any]:
        return statement

    def _filtered(self, statement: Select[Any], filters: Mapping[str, int]) -> Select[Any]:
        return statement

    def query_ids(
        self,
        text: str = "",
        sort: str | None = None,
        descending: bool = False,
        filters: Mapping[str, int] | None = None,
    ) -> list[int]:
        text = text.strip()
        key = next((c for c in self.columns_spec if c.key == sort), self.columns_spec[0])
        statement = select(self.base_row.id)
        if key.joined or (text and self.search_needs_join):
            statement = self._joined(statement)
        if text:
            statement = statement.where(self._text_filter(text))
        statement = self._filtered(statement, filters or {})
        expression = key.expression
        if text and not key.numeric:
            # With a filter, scanning the table and sorting the few matches beats walking the
            # sort index and fetching every row to test it (SQLite would choose the latter).
            expression = type_coerce(expression, String).op("||")("")
        order = expression.desc() if descending else expression.asc()
        statement = statement.order_by(order, self.base_row.id)
        with reading(self.store) as session:
            return first_column(session.connection(), statement)

    def row_cells(self, ids: Sequence[int]) -> dict[int, tuple[Cell, ...]]:
        if not ids:
            return {}
        statement = self._joined(
            select(self.base_row.id, *(c.expression for c in self.columns_spec))
        ).where(self.base_row.id.in_(list(ids)))
        with reading(self.store) as session:
            return {row[0]: tuple(row[1:]) for row in session.execute(statement)}


def search_filter(column: Any, text: str) -> ColumnElement[bool]:
    """Accent- and case-insensitive match against a ``search_key`` column: every word must occur."""
    words = search_key(text).split()
    return and_(true(), *(column.like(f"%{_escape(w)}%", escape="\\") for w in words))


def _escape(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def sync_links(
    links: list[Any], wanted: Iterable[int], key: str, make: Callable[[int], Any]
) -> None:
    """Make a link collection hold exactly ``wanted`` ids, touching only what changed."""
    wanted_ids = set(wanted)
    for link in [link for link in links if getattr(link, key) not in wanted_ids]:
        links.remove(link)
    present = {getattr(link, key) for link in links}
    links.extend(make(i) for i in sorted(wanted_ids - present))
