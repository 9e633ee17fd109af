"""Copying a whole store into a new database (SQLite ↔ PostgreSQL): the table mechanics.

The target must hold nothing yet: a new SQLite file, or a PostgreSQL database without tables (or
with a new store's nothing was written to, as scripts/postgres-setup.sh leaves it). Its schema
is made by the same migrations as any new store, then every table is copied in
foreign-key order, in batches, with its primary keys, inside one transaction: on PostgreSQL the
migrations, the rows and the checks are one transaction (a failure or Ctrl+C leaves the database
empty); an SQLite file is built under a hidden name and given its name only once all is done.

Values travel as stored: instants as the naive UTC they are kept in, JSON as its text (the audit
trail's seals are computed over the text exactly as stored), blobs as bytes. The copy keeps the
source's store id, so the trail's seals, the signatures and every installation's record of the
last seal seen (``keys/audit-heads/<store id>``) go on applying to the copy: it is the same
store, moved. Id counters continue where the source's stopped, so an id is never reused.

Before anything is committed each table is compared with the source (rows and a digest of
values made the same way on both databases) and the copy's audit trail is verified.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    Connection,
    DateTime,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    cast,
    create_engine,
    delete,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError
from sqlalchemy.orm import Session

from trainer_app.domain.audit_chain import Verdict
from trainer_app.domain.errors import StoreError, StoreRefused
from trainer_app.persistence import chain
from trainer_app.persistence.bulk import copy_rows, settle
from trainer_app.persistence.chain import AuditChain
from trainer_app.persistence.db import (
    SCHEMA_HEAD,
    Store,
    alembic_config,
    make_engine,
    new_store,
    open_store,
    read_revision,
    sqlite_path,
)
from trainer_app.persistence.models import Base, UTCDateTime

BATCH = 5_000  # rows read and written at a time: memory stays bounded whatever the store's size

Progress = Callable[[str, int, int], None]  # table, rows copied so far, rows in the table
Finish = Callable[[Session], None]  # writes to the copy before it is committed (its audit entry)

NOTHING_COPIED = "Nothing was copied"


@dataclass(frozen=True)
class TableCopied:
    name: str
    rows: int


@dataclass(frozen=True)
class Copied:
    source: str  # as shown to the user: a file path, or the URL without its password
    target: str
    tables: tuple[TableCopied, ...]
    trail: Verdict  # the copy's audit trail, verified before it was committed
    store_id: str | None


def shown(url: str) -> str:
    """A database as the user may see it: an SQLite file's path, a server's URL without the
    password."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.database or ":memory:"
    return parsed.render_as_string(hide_password=True)


def check_url(url: str, what: str) -> None:
    """Refuse, in words, a URL SQLAlchemy cannot use or a database kind the app does not use."""
    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):  # not a URL; a port that is not a number
        hidden = re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", url)  # a password, if any
        raise StoreError(
            f"The {what} '{hidden}' is neither a file path nor a database URL "
            f"(postgresql+psycopg://USER@HOST/DATABASE); {NOTHING_COPIED.lower()}"
        ) from None
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql") or (backend == "sqlite" and not parsed.database):
        raise StoreError(
            f"The {what} {shown(url)} is not an SQLite file or a PostgreSQL database; "
            f"{NOTHING_COPIED.lower()}"
        )


def copy_store(
    source_url: str,
    target_url: str,
    sealing: AuditChain,
    *,
    progress: Progress | None = None,
    finish: Finish | None = None,
) -> Copied:
    """Copy the store at ``source_url`` whole into the new database ``target_url``."""
    needs_schema = _check_target(source_url, target_url)
    source_name, target_name = shown(source_url), shown(target_url)
    source = _open_source(source_url)
    try:
        with source.engine.connect() as reader:
            _snapshot(reader)
            _check_source_trail(reader, sealing, source_name)
            identity = chain.store_id(reader)
            if sqlite_path(target_url) is not None:
                with new_store(target_url) as built, built.engine.connect() as writer:
                    writer.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
                    tables, trail, session = _fill(reader, writer, sealing, progress, finish)
                    writer.commit()
            else:
                engine = make_engine(target_url)
                try:
                    with engine.connect() as writer:
                        writer.begin()  # the migrations join it: one transaction in all
                        if needs_schema:
                            _migrate(writer, target_url)
                        tables, trail, session = _fill(reader, writer, sealing, progress, finish)
                        writer.commit()
                    settle(engine, [table.name for table in tables])
                finally:
                    engine.dispose()
            chain.after_commit(session, sealing)
    except DBAPIError as error:
        raise StoreError(
            f"The copy from {source_name} to {target_name} failed ({_first_line(error.orig)}) "
            f"and was undone; {NOTHING_COPIED.lower()}"
        ) from error
    finally:
        source.close()
    return Copied(source_name, target_name, tables, trail, identity)


# ----- the two ends ------------------------------------------------------------------------------


def check_ends(source_url: str, target_url: str) -> None:
    """Refuse what the copy would refuse at its start, without copying anything."""
    _check_target(source_url, target_url)
    _open_source(source_url).close()


def _check_target(source_url: str, target_url: str) -> bool:
    """Whether the target's schema is still to be made; refuses what cannot be copied to."""
    check_url(source_url, "source")
    check_url(target_url, "target")
    if _same_database(source_url, target_url):
        raise StoreError(f"The source and the target are the same database; {NOTHING_COPIED}")
    return _check_target_is_new(target_url)


def _same_database(a: str, b: str) -> bool:
    path_a, path_b = sqlite_path(a), sqlite_path(b)
    if path_a is not None or path_b is not None:
        return path_a is not None and path_b is not None and path_a.resolve() == path_b.resolve()
    url_a, url_b = make_url(a), make_url(b)
    return (url_a.host, url_a.port, url_a.database) == (url_b.host, url_b.port, url_b.database)


def _check_target_is_new(url: str) -> bool:
    """Refuse a target that holds anything; return whether its schema is still to be made (a
    database with no tables) rather than there already (a new store nothing was written to,
    such as scripts/postgres-setup.sh makes)."""
    path = sqlite_path(url)
    if path is not None:
        if any(p.exists() for p in (path, path.with_name(f"{path.name}-wal"))):
            raise StoreRefused(
                f"{path} already exists: a copy is written into a new file only. Choose a new "
                f"file name; {NOTHING_COPIED.lower()}"
            )
        return True
    names = _server_tables(url, "target")
    if not names:
        return True
    held = _rows_held(url, names)
    if held is None:
        listed = ", ".join(names[:5]) + (f" and {len(names) - 5} more" if len(names) > 5 else "")
        raise StoreRefused(
            f"The target {shown(url)} already holds tables ({listed}): a copy is written into an "
            f"empty database only (create one with createdb). {NOTHING_COPIED}; the target was "
            "not changed"
        )
    if held:
        raise StoreRefused(
            f"The target {shown(url)} already holds a store with records ({held}): a copy is "
            f"written into an empty database or a new, unused store only. {NOTHING_COPIED}; the "
            "target was not changed"
        )
    return False


def _rows_held(url: str, names: list[str]) -> str | None:
    """For a trainer-app store at this version's schema: '' when no table holds a row (beyond
    the store's own marks in app_meta), else the tables that do; None for anything else."""
    expected = {table.name for table in Base.metadata.sorted_tables} | {"alembic_version"}
    if set(names) != expected:
        return None
    probe = create_engine(make_url(url))
    try:
        with probe.connect() as connection:
            if read_revision(connection) != SCHEMA_HEAD:
                return None
            marks = set(connection.execute(text("SELECT key FROM app_meta")).scalars())
            if not marks <= {"application", chain.STORE_ID}:
                return "app_meta"
            return ", ".join(
                table.name
                for table in Base.metadata.sorted_tables
                if table.name != "app_meta"
                and connection.execute(select(func.count()).select_from(table)).scalar()
            )
    finally:
        probe.dispose()


def _server_tables(url: str, what: str) -> list[str]:
    probe = create_engine(make_url(url))
    try:
        with probe.connect() as connection:
            return sorted(inspect(connection).get_table_names())
    except DBAPIError as error:
        raise StoreError(
            f"Cannot connect to the {what} {shown(url)}: {_first_line(error.orig)}. "
            f"{NOTHING_COPIED}"
        ) from error
    finally:
        probe.dispose()


def _open_source(url: str) -> Store:
    """The source store, opened as the app opens it but never created nor upgraded: a copy
    leaves its source as it was, so an older store is upgraded first, by the user."""
    name = shown(url)
    if sqlite_path(url) is None and not _server_tables(url, "source"):
        raise StoreRefused(f"The source {name} holds no trainer-app store; {NOTHING_COPIED}")
    try:
        store = open_store(url, create=False, upgrade=False)
    except StoreError as error:
        if "trainer-app db upgrade" in str(error):
            raise StoreRefused(
                f"The source {name} is at an older schema than this trainer-app's "
                f"({SCHEMA_HEAD}): upgrade it first (trainer-app db upgrade, or open it in the "
                f"window), then copy it. {NOTHING_COPIED}"
            ) from error
        raise StoreRefused(f"The source cannot be copied: {error}") from error
    with store.engine.connect() as connection:
        revision = read_revision(connection)
    if revision != SCHEMA_HEAD:
        store.close()
        raise StoreRefused(
            f"The source {name} is at schema {revision}, this trainer-app copies {SCHEMA_HEAD}; "
            f"{NOTHING_COPIED}"
        )
    return store


def _snapshot(reader: Connection) -> None:
    """Everything is read from one moment of the source, whoever writes to it meanwhile."""
    if reader.dialect.name == "sqlite":
        reader.exec_driver_sql("BEGIN")
        reader.exec_driver_sql("SELECT count(*) FROM app_meta").scalar()  # takes the snapshot
    else:
        reader.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")


def _check_source_trail(reader: Connection, sealing: AuditChain, name: str) -> None:
    verdict = chain.verify(reader, sealing, remember=False)
    if verdict.problem is not None:
        raise StoreRefused(
            f"The source {name} cannot be copied as it is: {verdict.summary()} A copy would "
            f"carry the break; run trainer-app audit verify on it. {NOTHING_COPIED}"
        )


def _migrate(writer: Connection, url: str) -> None:
    """The schema by the same migrations as any new store, in the copy's own transaction."""
    from alembic import command

    config = alembic_config(url)
    config.attributes["connection"] = writer
    try:
        command.upgrade(config, "head")
    finally:
        config.attributes.pop("connection", None)


# ----- the rows ----------------------------------------------------------------------------------


def _fill(
    reader: Connection,
    writer: Connection,
    sealing: AuditChain,
    progress: Progress | None,
    finish: Finish | None,
) -> tuple[tuple[TableCopied, ...], Verdict, Session]:
    to_server = writer.dialect.name != "sqlite"
    writer.execute(delete(_plain(Base.metadata.tables["app_meta"])))  # the new store's own id
    copied = []
    for table in Base.metadata.sorted_tables:
        plain = _plain(table)
        total = reader.execute(select(func.count()).select_from(plain)).scalar_one()
        done = 0
        for rows in _batches(reader, table):
            if to_server:
                _check_for_server(table, rows)
            _write(writer, table, rows)
            done += len(rows)
            if progress is not None:
                progress(table.name, done, total)
        copied.append(TableCopied(table.name, done))
    _continue_ids(reader, writer)
    for table in Base.metadata.sorted_tables:
        _compare(reader, writer, table)
    session = Session(bind=writer)
    if finish is not None:
        finish(session)
        chain.seal_pending(session, sealing)
        session.flush()
    trail = chain.verify(writer, sealing, remember=False)
    if trail.problem is not None:
        raise StoreError(
            f"The copy's audit trail does not verify ({trail.summary()}); the copy was undone. "
            f"{NOTHING_COPIED}"
        )
    return tuple(copied), trail, session


def _plain(table: Table) -> Table:
    """The table with types that hand values over as stored: instants as naive UTC, JSON as
    its text."""
    columns = []
    for column in table.columns:
        kind: Any = column.type
        if isinstance(kind, UTCDateTime):
            kind = DateTime()
        elif isinstance(kind, JSON):
            kind = Text()
        columns.append(Column(column.name, kind, primary_key=column.primary_key))
    return Table(table.name, MetaData(), *columns)


def _select(table: Table) -> Any:
    plain = _plain(table)
    columns = [
        cast(plain.c[c.name], Text).label(c.name) if isinstance(c.type, JSON) else plain.c[c.name]
        for c in table.columns
    ]
    return select(*columns).order_by(*(plain.c[c.name] for c in table.primary_key.columns))


def _batches(reader: Connection, table: Table) -> Iterator[list[tuple[Any, ...]]]:
    """The table's rows, ``BATCH`` at a time, each a tuple in the order of its columns."""
    result = reader.execute(_select(table), execution_options={"yield_per": BATCH})
    try:
        for part in result.partitions(BATCH):
            yield [tuple(row) for row in part]
    finally:
        result.close()


def _write(writer: Connection, table: Table, rows: list[tuple[Any, ...]]) -> None:
    names = [c.name for c in table.columns]
    if writer.dialect.name != "postgresql":
        writer.execute(insert(_plain(table)), [dict(zip(names, row, strict=True)) for row in rows])
        return
    # COPY: several times faster than INSERTs; the values are dumped by psycopg as they are
    # (text into json is taken as written).
    copy_rows(writer, table.name, names, rows)


def _check_for_server(table: Table, rows: list[tuple[Any, ...]]) -> None:
    """What SQLite keeps and PostgreSQL refuses, named by table, row and column."""
    names = [c.name for c in table.columns]
    key = [names.index(c.name) for c in table.primary_key.columns]
    texts = [
        (index, column.name, getattr(column.type, "length", None))
        for index, column in enumerate(table.columns)
        if isinstance(column.type, String | JSON)
    ]
    for row in rows:
        for index, name, length in texts:
            value = row[index]
            if not isinstance(value, str):
                continue
            nul = "\x00" in value
            if nul or (length is not None and len(value) > length):
                where = f"row {', '.join(str(row[k]) for k in key)} of the table {table.name}"
                raise StoreRefused(
                    f"The column {name} of {where} holds a NUL character, which PostgreSQL "
                    f"cannot store in text: correct it in the source first. {NOTHING_COPIED}"
                    if nul
                    else f"The column {name} of {where} holds {len(value)} characters, more "
                    f"than the {length} PostgreSQL keeps there: shorten it in the source first. "
                    f"{NOTHING_COPIED}"
                )


# ----- id counters -------------------------------------------------------------------------------


def _counted(table: Table) -> str | None:
    """The integer primary key a counter gives out, if the table has one."""
    key = list(table.primary_key.columns)
    if len(key) == 1 and isinstance(key[0].type, Integer):
        return key[0].name
    return None


def _continue_ids(reader: Connection, writer: Connection) -> None:
    """New rows in the copy get ids the source never gave out (not merely above the highest
    left: a deleted trainee's id stays unused, as audit entries name records by id)."""
    given = _ids_given(reader)
    for table in Base.metadata.sorted_tables:
        key = _counted(table)
        if key is None:
            continue
        highest = reader.execute(select(func.max(table.c[key]))).scalar() or 0
        last = max(highest, given.get(table.name, 0))
        if writer.dialect.name == "postgresql":
            writer.execute(
                text("SELECT setval(pg_get_serial_sequence(:t, :c), :n, false)"),
                {"t": table.name, "c": key, "n": last + 1},
            )
        elif table.dialect_options["sqlite"].get("autoincrement") and last > highest:
            _sqlite_counter(writer, table.name, last)


def _ids_given(reader: Connection) -> dict[str, int]:
    """The last id each table's counter gave out on the source."""
    if reader.dialect.name == "sqlite":
        if not inspect(reader).has_table("sqlite_sequence"):
            return {}
        return {
            n: int(s) for n, s in reader.exec_driver_sql("SELECT name, seq FROM sqlite_sequence")
        }
    given = {}
    for table in Base.metadata.sorted_tables:
        key = _counted(table)
        if key is None:
            continue
        sequence = reader.execute(
            text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": table.name, "c": key}
        ).scalar()
        if sequence is not None:
            last, called = reader.execute(
                text(f"SELECT last_value, is_called FROM {sequence}")
            ).one()
            given[table.name] = int(last) if called else int(last) - 1
    return given


def _sqlite_counter(writer: Connection, name: str, last: int) -> None:
    updated = writer.exec_driver_sql(
        "UPDATE sqlite_sequence SET seq = ? WHERE name = ?", (last, name)
    ).rowcount
    if not updated:
        writer.exec_driver_sql(
            "INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)", (name, last)
        )


# ----- comparing ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class TableDigest:
    rows: int
    digest: str


def table_digest(connection: Connection, table: Table) -> TableDigest:
    """The rows of ``table`` and a digest of their values, the same for the same content on
    SQLite and PostgreSQL (the sum of each row's hash: independent of the order rows come in).
    Both hand the values over as the same Python types (``_plain``) but for decimals' trailing
    zeros and a blob's container, which are made the same first."""
    made_same = [
        index
        for index, column in enumerate(table.columns)
        if isinstance(column.type, Numeric | LargeBinary)
    ]
    total, rows = 0, 0
    result = connection.execute(_select(table), execution_options={"yield_per": BATCH})
    try:
        for row in result:
            values = list(row)
            for index in made_same:
                values[index] = _same(values[index])
            hashed = hashlib.sha256(repr(values).encode("utf-8", "surrogatepass")).digest()
            total += int.from_bytes(hashed, "big")
            rows += 1
    finally:
        result.close()
    return TableDigest(rows, f"{total % (1 << 256):064x}")


def _same(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    return value


def _compare(reader: Connection, writer: Connection, table: Table) -> None:
    expected, found = table_digest(reader, table), table_digest(writer, table)
    if found != expected:
        what = (
            f"{found.rows} rows instead of {expected.rows}"
            if found.rows != expected.rows
            else "rows whose values differ from the source's"
        )
        raise StoreError(
            f"The copy of the table {table.name} holds {what}; the copy was undone. "
            f"{NOTHING_COPIED}"
        )


def _first_line(error: BaseException | None) -> str:
    return str(error).splitlines()[0] if error else "unknown error"
