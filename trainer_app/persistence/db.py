"""Opening the store: engine settings, safety checks, migrations with a backup first.

Opening never changes a file it does not recognise: a foreign SQLite file, a corrupt file or one
written by a newer trainer-app is refused with a message naming the file and the reason.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from trainer_app.domain.errors import StoreError
from trainer_app.persistence.models import AppMeta

if TYPE_CHECKING:
    from alembic.config import Config

APPLICATION = "trainer-app"
# The newest migration. Opening a database already at this revision needs no Alembic at all
# (importing it costs ~0.4 s of start-up); tests check this matches Alembic's own head.
SCHEMA_HEAD = "0005"
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000


def _on_sqlite_connect(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(parsed, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _on_sqlite_connect)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def alembic_config(url: str, extra_locations: tuple[Path, ...] = ()) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions"), *map(str, extra_locations)]
    config.set_main_option("version_locations", " ".join(locations))
    config.set_main_option("path_separator", "space")
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@dataclass
class Store:
    """An open, up-to-date database: the engine and a factory of sessions."""

    url: str
    engine: Engine
    sessions: sessionmaker[Session]
    backup: Path | None = None  # the copy taken before an upgrade, if one was needed

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        parsed = make_url(self.url)
        return parsed.database or "" if self.is_sqlite else parsed.render_as_string()

    def close(self) -> None:
        self.engine.dispose()


def _sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _precheck_sqlite_file(path: Path, *, create: bool) -> None:
    folder = path.parent
    if path.exists():
        if path.is_dir():
            raise StoreError(f"{path} is a folder, not a database file")
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
        if header and header != SQLITE_HEADER:
            raise StoreError(
                f"{path} is not a trainer-app database (it is not an SQLite file); "
                "nothing was changed"
            )
        if not _writable(path) or not _writable(folder):
            raise StoreError(
                f"{path} cannot be written: check the file's and the folder's permissions"
            )
        return
    if not create:
        raise StoreError(f"There is no database at {path}")
    if not folder.exists():
        try:
            folder.mkdir(parents=True)
        except OSError as error:
            raise StoreError(
                f"Cannot create the folder {folder} for the database: {error.strerror}"
            ) from error
    if not _writable(folder):
        raise StoreError(
            f"Cannot create the database {path.name} in {folder}: the folder is read-only"
        )


def _writable(path: Path) -> bool:
    import os

    return os.access(path, os.W_OK)


def read_revision(connection: Connection) -> str | None:
    """The schema revision recorded in the database, read with plain SQL."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _inspect_state(engine: Engine) -> tuple[str | None, set[str]]:
    """Return (current revision, tables) or raise StoreError for foreign or unreadable files."""
    try:
        with engine.connect() as connection:
            tables = set(inspect(connection).get_table_names())
            revision = read_revision(connection)
            application = None
            if "app_meta" in tables:
                application = connection.execute(
                    select(AppMeta.value).where(AppMeta.key == "application")
                ).scalar()
    except DBAPIError as error:
        raise StoreError(
            f"The database cannot be read: {error.orig}. It may be damaged; "
            "restore it from a backup. Nothing was changed"
        ) from error
    user_tables = tables - {"alembic_version"}
    if user_tables and application != APPLICATION:
        listed = ", ".join(sorted(user_tables)[:5])
        raise StoreError(
            "This file holds a database that is not a trainer-app one "
            f"(it has tables {listed}); nothing was changed"
        )
    return revision, user_tables


def migration_head(config: Config) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def _refuse_unknown_revision(config: Config, revision: str) -> None:
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except Exception as error:
        raise StoreError(
            f"This database was written by a newer version of trainer-app (schema "
            f"{revision}); install the newer version to open it. Nothing was changed"
        ) from error


def _backup_sqlite(engine: Engine, path: Path, revision: str) -> Path:
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}.bak")
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(target) as copy:
            source.backup(copy)
        copy.close()
    finally:
        raw.close()
    return target


def open_store(
    url: str,
    *,
    create: bool = True,
    upgrade: bool = True,
    extra_migrations: tuple[Path, ...] = (),
) -> Store:
    """Open the database at ``url``, creating or upgrading its schema as needed.

    An older schema is upgraded after a backup copy is written beside the file.
    """
    path = _sqlite_path(url)
    if path is not None:
        _precheck_sqlite_file(path, create=create)
    where = f"{path}: " if path is not None else ""
    # Look before touching: a plain connection reads without switching the file to WAL.
    probe = create_engine(make_url(url))
    try:
        revision, tables = _inspect_state(probe)
    except StoreError as error:
        raise StoreError(f"{where}{error}") from error
    finally:
        probe.dispose()
    engine = make_engine(url)
    backup = None
    try:
        if revision != SCHEMA_HEAD or extra_migrations:
            backup = _migrate(engine, url, path, revision, tables, upgrade, extra_migrations)
    except StoreError as error:
        engine.dispose()
        raise StoreError(f"{where}{error}") from error
    except BaseException:
        engine.dispose()
        raise
    return Store(url, engine, sessionmaker(engine, expire_on_commit=False), backup)


def _migrate(
    engine: Engine,
    url: str,
    path: Path | None,
    revision: str | None,
    tables: set[str],
    upgrade: bool,
    extra_migrations: tuple[Path, ...],
) -> Path | None:
    """Bring the schema to the head revision; returns the backup taken first, if any."""
    config = alembic_config(url, extra_migrations)
    if revision is not None:
        _refuse_unknown_revision(config, revision)
    head = migration_head(config)
    if revision == head:
        return None
    if not upgrade:
        raise StoreError(
            f"The database schema is at {revision or 'nothing'}, this trainer-app needs "
            f"{head}: run 'trainer-app db upgrade'"
        )
    backup = None
    if tables and path is not None and revision is not None:
        backup = _backup_sqlite(engine, path, revision)
    _run_upgrade(engine, config)
    return backup


def _run_upgrade(engine: Engine, config: Config) -> None:
    from alembic import command

    with engine.begin() as connection:
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
        finally:
            config.attributes.pop("connection", None)


def integrity_problems(store: Store) -> list[str]:
    """Database-level checks: page integrity, foreign keys, schema revision, audit guards."""
    problems: list[str] = []
    with store.engine.connect() as conn:
        revision = read_revision(conn)
        if revision != SCHEMA_HEAD:
            problems.append(f"Schema revision is {revision}, expected {SCHEMA_HEAD}")
        if store.is_sqlite:
            result = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            if result != ["ok"]:
                problems.extend(f"SQLite integrity: {line}" for line in result)
            for table, rowid, parent, _ in conn.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"Row {rowid} of {table} refers to a missing row of {parent}")
        triggers = set(conn.execute(text(_TRIGGERS[conn.dialect.name])).scalars())
        for needed in ("audit_entries_no_update", "audit_entries_no_delete"):
            if needed not in triggers:
                problems.append(f"The audit trail guard {needed} is missing")
    return problems


_TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT trigger_name FROM information_schema.triggers",
}


def schema_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return read_revision(conn)
