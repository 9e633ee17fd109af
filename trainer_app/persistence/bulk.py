"""Many rows into one table at once, as fast as each database allows.

SQLite takes multi-row INSERTs in-process. On PostgreSQL the same INSERTs cost a round trip per
thousand rows and, worse, psycopg parses each long statement again in Python; ``COPY`` streams
the rows instead (several times faster), with the ids taken beforehand from the table's
sequence so the caller still learns them, in order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table, insert, text
from sqlalchemy.orm import Session


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
    if connection.dialect.name != "postgresql":
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
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    try:
        with cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
            for row in rows:
                copy.write_row(row)
    finally:
        cursor.close()


def _stored(column: Any, value: Any) -> Any:
    """A value as SQLAlchemy would bind it: instants as naive UTC, JSON as its text."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(column.type, JSON) and value is not None:
        return json.dumps(value)
    return value
