"""Many rows into a table, or out of a query, at once, as fast as each database allows.

SQLite takes multi-row INSERTs in-process. On PostgreSQL the same INSERTs cost a round trip per
thousand rows and, worse, psycopg parses each long statement again in Python; ``COPY`` streams
the rows instead (several times faster), with the ids taken beforehand from the table's
sequence so the caller still learns them, in order. A few rows (an edit's audit seals) go in one
INSERT: ``COPY`` costs two round trips to the server however few they are.

Out: a long list of ids (a table's rows in view order) is read straight from the driver's
cursor, without a SQLAlchemy row per value. After many rows went into a server table,
``settle`` has PostgreSQL update what it knows of it at once rather than within a minute.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Engine, Executable, Table, insert, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

FEW = 100  # rows that go in one INSERT on PostgreSQL rather than a COPY


def insert_rows(
    session: Session, model: type[Any], rows: Sequence[Mapping[str, Any]], *, ids: bool = False
) -> list[int]:
    """Insert ``rows`` (column → value, every row the same columns) into the table of the
    mapped class ``model``, in the session's transaction; with ``ids``, returns the new rows'
    ids in the order given."""
    if not rows:
        return []
    table = cast(Table, model.__table__)
    connection = session.connection()
    if connection.dialect.name != "postgresql" or len(rows) <= FEW:
        statement = insert(table)
        options = {"render_nulls": True}  # every row the same columns: one batch, not many
        if not ids:
            session.execute(statement, list(rows), execution_options=options)
            return []
        returning = statement.returning(table.c.id, sort_by_parameter_order=True)
        return list(session.scalars(returning, list(rows), execution_options=options))
    keys = list(rows[0])
    new_ids: list[int] = []
    if ids:
        taken = connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": len(rows)},
        )
        new_ids = sorted(taken.scalars())
    names = ["id", *keys] if ids else keys
    columns = [table.c[name] for name in names]

    def values(index: int, row: Mapping[str, Any]) -> list[Any]:
        given = [row[key] for key in keys]
        raw = [new_ids[index], *given] if ids else given
        return [_stored(column, value) for column, value in zip(columns, raw, strict=True)]

    copy_rows(connection, table.name, names, (values(i, row) for i, row in enumerate(rows)))
    return new_ids


def copy_rows(connection: Connection, table: str, names: Sequence[str], rows: Any) -> None:
    """PostgreSQL's ``COPY … FROM STDIN`` of ``rows`` (sequences of values in ``names``'
    order, as they are to be stored: text into a json column is taken as written)."""
    columns = ", ".join(f'"{name}"' for name in names)
    statement = f'COPY "{table}" ({columns}) FROM STDIN'
    with driver_cursor(connection, statement) as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


@contextmanager
def driver_cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """The database driver's own cursor on ``connection``, for what SQLAlchemy cannot send
    (``COPY``, several statements in one round trip) or sends slowly (a row object per row);
    the driver's errors are raised as SQLAlchemy's, as for any other statement (so a lock
    timeout or a refused row reads the same to the user)."""
    base = connection.dialect.loaded_dbapi.Error
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        yield cursor
    except base as error:
        raise DBAPIError.instance(statement, None, error, base) from error
    finally:
        cursor.close()


def _stored(column: Any, value: Any) -> Any:
    """A value as SQLAlchemy would bind it: instants as naive UTC, JSON as its text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(column.type, JSON) and value is not None:
        return json.dumps(value)
    return value


def first_column(connection: Connection, statement: Executable) -> list[Any]:
    """The first value of every row of ``statement`` as the driver returns it: 50 000 ids in
    about half the time SQLAlchemy's rows take (for values that need no conversion)."""
    result = connection.execute(statement)
    try:
        return [row[0] for row in result.cursor.fetchall()]
    finally:
        result.close()


def settle(engine: Engine, tables: Sequence[str]) -> None:
    """PostgreSQL, after many rows went into ``tables``: ``VACUUM (ANALYZE)`` them now, as the
    server's autovacuum would within a minute or so. Until then its planner works from the
    tables' old sizes, and a list in name order reads every row instead of the index alone
    (opening 50 000 trainees: 50–90 ms of SQL rather than 5–10). Nothing to do on SQLite.
    The rows are committed already, so a refusal (a role that does not own the tables is
    warned, not failed) leaves this to autovacuum."""
    if engine.dialect.name != "postgresql" or not tables:
        return
    names = ", ".join(f'"{table}"' for table in tables)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.exec_driver_sql(f"VACUUM (ANALYZE) {names}")
    except DBAPIError:
        return
