"""The audit trail's seals in the store, and the key and last-seen heads on this workstation.

Every transaction that adds audit entries seals them before it commits (``seal_pending``,
called by ``uow.transaction``): under the write lock it reads the last seal and appends one
seal per new entry, linked by ``domain.audit_chain``. ``verify`` recomputes every link.

Two things live outside the database, in the installation's key folder:

- ``audit-chain.key``: the secret the links are computed with (owner-only). Someone with only
  the database file cannot compute links, so cannot forge, remove or reorder entries without
  the check finding it. Keys of other workstations that write to the same store go in
  ``audit-keys/`` (see docs/compliance.md).
- ``audit-heads/<store id>``: the last seal this installation wrote or checked, so entries
  removed from the end of the trail, or an older copy of the store put back, are found too.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select, text
from sqlalchemy.orm import Session

from trainer_app.domain import audit_chain
from trainer_app.domain.audit_chain import ChainKey, Head, SealedRow, StoredEntry, Verdict
from trainer_app.domain.errors import StoreError
from trainer_app.files import replace_atomically
from trainer_app.persistence.bulk import FEW, driver_cursor, insert_rows
from trainer_app.persistence.models import AppMeta, AuditRow, AuditSealRow

KEY_FILE = "audit-chain.key"
OTHER_KEYS = "audit-keys"
HEADS = "audit-heads"
STORE_ID = "store_id"
PENDING = "audit_pending"  # session.info: the audit rows (or their ids) this transaction added
BATCH = 20_000


@dataclass
class AuditChain:
    """What a store needs to seal and check its trail on this workstation."""

    key: ChainKey
    folder: Path  # the key folder
    keys: dict[str, ChainKey] = field(default_factory=dict)  # every key held here, by id
    # The store's id once read (it never changes while the store is open): one statement less
    # in every transaction that seals, a round trip to the server on PostgreSQL.
    _store_id: str | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.keys.setdefault(self.key.key_id, self.key)

    @classmethod
    def load(cls, folder: Path) -> AuditChain:
        """This installation's key (made on first use) and any keys of other workstations."""
        key = load_or_create_key(folder)
        others: dict[str, ChainKey] = {}
        extra = folder / OTHER_KEYS
        if extra.is_dir():
            for path in sorted(extra.glob("*.key")):
                other = _read_key(path)
                others[other.key_id] = other
        return cls(key, folder, others)

    def last_seen(self, store_id: str) -> Head | None:
        path = self.folder / HEADS / _safe(store_id)
        try:
            seq_text, link_text = path.read_text(encoding="ascii").split()
            head = Head(int(seq_text), bytes.fromhex(link_text))
        except (OSError, ValueError):
            return None
        return head if head.seq > 0 and len(head.link) == audit_chain.LINK_SIZE else None

    def saw(self, store_id: str, head: Head) -> None:
        """Record ``head`` as the last seal seen on this store (best effort: a read-only
        folder only weakens the check for removed trailing entries)."""
        folder = self.folder / HEADS
        try:
            folder.mkdir(parents=True, exist_ok=True)
            line = f"{head.seq} {head.link.hex()}\n"
            replace_atomically(
                folder / _safe(store_id), lambda path: path.write_text(line, encoding="ascii")
            )
        except OSError:
            return


def _safe(store_id: str) -> str:
    return "".join(c for c in store_id if c.isalnum() or c == "-")[:64] or "unnamed"


def load_or_create_key(folder: Path) -> ChainKey:
    path = folder / KEY_FILE
    if path.exists():
        return _read_key(path)
    key = ChainKey.new()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key(path)  # another process made it first
    except OSError as error:
        raise StoreError(
            f"Cannot create the audit trail's key in {folder}: {error.strerror}"
        ) from error
    with os.fdopen(descriptor, "w", encoding="ascii") as handle:
        handle.write(key.secret.hex() + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _read_key(path: Path) -> ChainKey:
    try:
        return ChainKey(bytes.fromhex(path.read_text(encoding="ascii").strip()))
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise StoreError(
            f"The audit trail's key {path} cannot be read ({error}); restore it from the "
            "installation's backup: without it new entries cannot be sealed"
        ) from error


# ----- the store side --------------------------------------------------------------------------


def store_id(connection: Connection) -> str | None:
    return connection.execute(select(AppMeta.value).where(AppMeta.key == STORE_ID)).scalar()


def new_store_id() -> str:
    return str(uuid.uuid4())


def track(session: Session, *entries: AuditRow | int) -> None:
    """Note audit rows (or ids of rows inserted in bulk) this transaction added: they are
    sealed when it commits."""
    session.info.setdefault(PENDING, []).extend(entries)


def stored_entries(
    connection: Connection, where: str = "", *, stream: bool = True, **params: object
) -> Iterator[StoredEntry]:
    """Audit entries exactly as stored (``where`` on their columns), in id order; ``stream``
    reads them in batches (a server-side cursor on PostgreSQL), for more than a few."""
    sql = f"SELECT {_columns(connection)} FROM audit_entries {where} ORDER BY id"
    # Per statement: on a Connection, execution_options() would change the connection itself,
    # and a server-side cursor would then leak into whatever runs next on it (PostgreSQL).
    options = {"yield_per": BATCH} if stream else {}
    result = connection.execute(text(sql), params, execution_options=options)
    for row in result:
        yield StoredEntry(*row)


def _columns(connection: Connection, table: str = "") -> str:
    """The entry's columns as text exactly as stored, the same on every database."""
    t = f"{table}." if table else ""
    if connection.dialect.name == "postgresql":
        occurred = f"to_char({t}occurred_at, 'YYYY-MM-DD HH24:MI:SS.US')"
        changes = f"CAST({t}changes AS TEXT)"
    else:
        occurred, changes = f"{t}occurred_at", f"{t}changes"
    return (
        f"{t}id, {occurred}, {t}actor, {t}action, {t}entity_type, {t}entity_id, "
        f"{t}entity_label, {changes}, {t}reason"
    )


def seal_pending(
    session: Session, chain: AuditChain | None, *, notify: str | None = None
) -> Head | None:
    """Seal the audit entries this transaction added; returns the new head (None if none).
    ``notify``: a PostgreSQL channel told the new head's number, delivered if the transaction
    commits. On PostgreSQL an edit's sealing is two round trips to the server: one to lock the
    seals and read the head and the entries, one to insert the seals and notify."""
    pending = session.info.pop(PENDING, None)
    if not pending:
        return None
    if chain is None:
        raise StoreError("This store was opened without its audit key; nothing was saved")
    session.flush()
    ids = {row if isinstance(row, int) else row.id for row in pending}
    connection = session.connection()
    server = connection.dialect.name == "postgresql"
    if server and len(ids) <= BATCH:
        head, stored = _locked_head_and_entries(connection, ids)
    else:
        if server:
            connection.exec_driver_sql(LOCK_SEALS)
        head = _head(connection)
        stored = list(_entries_of(connection, ids))
    entries = [e for e in stored if e.entry_id in ids]
    if len(entries) != len(ids):
        raise StoreError("Audit entries of this change could not be read back; nothing was saved")
    seals = audit_chain.seal(chain.key, head, entries)
    rows = [
        {"seq": seq, "entry_id": entry_id, "key_id": chain.key.key_id, "link": link}
        for seq, entry_id, link in seals
    ]
    new_head = Head(seals[-1][0], seals[-1][2])
    if server and notify and len(rows) <= FEW:
        _insert_and_notify(connection, rows, notify)
    else:
        insert_rows(session, AuditSealRow, rows)
        if server and notify:
            notice = {"channel": notify, "seal": str(new_head.seq)}
            connection.execute(text("SELECT pg_notify(:channel, :seal)"), notice)
    if chain._store_id is None:
        chain._store_id = store_id(connection)
    identity = chain._store_id
    if identity is not None and _continues(connection, chain.last_seen(identity), head):
        session.info["audit_head"] = (identity, new_head)
    return new_head


LOCK_SEALS = "LOCK TABLE audit_seals IN EXCLUSIVE MODE"  # PostgreSQL: one sealer at a time
_HEAD = "SELECT seq, link FROM audit_seals ORDER BY seq DESC LIMIT 1"


def _head(connection: Connection) -> Head | None:
    last = connection.exec_driver_sql(_HEAD).first()
    return Head(last.seq, last.link) if last is not None else None


def _entries_of(connection: Connection, ids: set[int]) -> Iterator[StoredEntry]:
    if len(ids) <= BATCH:  # a handful, usually: looked up by id, one round trip
        return stored_entries(connection, f"WHERE id IN ({_listed(ids)})", stream=False)
    return stored_entries(connection, "WHERE id >= :low", low=min(ids))  # an import's thousands


def _listed(ids: set[int]) -> str:
    return ", ".join(str(int(i)) for i in sorted(ids))


def _locked_head_and_entries(
    connection: Connection, ids: set[int]
) -> tuple[Head | None, list[StoredEntry]]:
    """PostgreSQL: lock the seals, then read the head and the entries ``ids``, the three
    statements sent at once (no parameters: the ids are integers written in), each reading
    what was committed when it ran, so after the lock."""
    statement = (
        f"{LOCK_SEALS}; {_HEAD}; "
        f"SELECT {_columns(connection)} FROM audit_entries WHERE id IN ({_listed(ids)}) "
        "ORDER BY id"
    )
    with driver_cursor(connection, statement) as cursor:
        cursor.execute(statement)
        cursor.nextset()
        last = cursor.fetchone()
        cursor.nextset()
        entries = [StoredEntry(*row) for row in cursor.fetchall()]
    return (Head(last[0], bytes(last[1])) if last is not None else None), entries


def _insert_and_notify(connection: Connection, rows: list[dict[str, Any]], channel: str) -> None:
    """PostgreSQL: insert a few seals and notify ``channel`` of the last one's number, in one
    statement."""
    values = ", ".join(f"(:seq{i}, :entry_id{i}, :key_id{i}, :link{i})" for i in range(len(rows)))
    params: dict[str, Any] = {f"{k}{i}": v for i, row in enumerate(rows) for k, v in row.items()}
    connection.execute(
        text(
            f"WITH sealed AS (INSERT INTO audit_seals (seq, entry_id, key_id, link) "
            f"VALUES {values} RETURNING seq) "
            "SELECT pg_notify(:channel, CAST(max(seq) AS TEXT)) FROM sealed"
        ),
        {**params, "channel": channel},
    )


def _continues(connection: Connection, seen: Head | None, head: Head | None) -> bool:
    """Whether the trail still holds what this installation last saw (else the record of it
    is kept, so the check goes on reporting the break)."""
    if seen is None:
        return True
    if head is None or head.seq < seen.seq:
        return False
    if head.seq == seen.seq:
        return head.link == seen.link
    stored = connection.execute(
        select(AuditSealRow.link).where(AuditSealRow.seq == seen.seq)
    ).scalar()
    return stored == seen.link


def after_commit(session: Session, chain: AuditChain | None) -> None:
    """Record the head sealed by the transaction just committed as the last one seen."""
    noted = session.info.pop("audit_head", None)
    if noted is not None and chain is not None:
        chain.saw(*noted)


def sealed_rows(connection: Connection) -> Iterator[SealedRow]:
    """Every seal in sequence order with the entry it seals (None where the entry is gone)."""
    sql = (
        f"SELECT s.seq, s.key_id, s.link, {_columns(connection, 'e')} FROM audit_seals s "
        "LEFT JOIN audit_entries e ON e.id = s.entry_id ORDER BY s.seq"
    )
    # The driver's own cursor: a million rows through SQLAlchemy's rows cost seconds more.
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                yield row[0], row[1], row[2], (row[3:] if row[3] is not None else None)
    finally:
        cursor.close()


def verify(connection: Connection, chain: AuditChain, *, remember: bool = True) -> Verdict:
    """Check every link of the store's trail; also that every entry has a seal and, with
    ``remember``, that the trail still holds the last seal this installation saw (a backup,
    older by nature, is checked without)."""
    unsealed = connection.exec_driver_sql(
        "SELECT min(e.id) FROM audit_entries e LEFT JOIN audit_seals s ON s.entry_id = e.id "
        "WHERE s.seq IS NULL"
    ).scalar()
    identity = store_id(connection) if remember else None
    seen = chain.last_seen(identity) if identity is not None else None
    verdict = audit_chain.verify(
        sealed_rows(connection), chain.keys, first_unsealed=unsealed, last_seen=seen
    )
    head = verdict.head
    if verdict.problem is None and head and identity and (seen is None or head.seq >= seen.seq):
        chain.saw(identity, head)
    return verdict
