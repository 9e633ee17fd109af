"""Opening the store: engine settings, safety checks, migrations with a backup first.

Opening never changes a file it does not recognise. Before anything writes to an SQLite file it is
examined read-only (no -wal/-shm files are created): an empty file, a foreign or unreadable one,
one whose pages fail SQLite's integrity check, one without its schema revision record, with an
unknown revision or with tables that do not match its revision is refused with a message naming
the file, the reason and what to do. New files are created whole (built beside the target, then
linked into place) and owner-only, as are the backups taken before upgrades.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError
from sqlalchemy.orm import Session, sessionmaker

from trainer_app.domain.audit_chain import ChainKey
from trainer_app.domain.errors import StoreError, StoreRefused
from trainer_app.persistence.models import AppMeta, Base

if TYPE_CHECKING:
    from alembic.config import Config

    from trainer_app.persistence.chain import AuditChain

APPLICATION = "trainer-app"
# The newest migration. Opening a database already at this revision needs no Alembic at all
# (importing it costs ~0.4 s of start-up); tests check this matches Alembic's own head.
SCHEMA_HEAD = "0009"
MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
IDLE_BEFORE_PING_S = 5.0  # a server connection unused this long is checked before use
# Up to this size an open runs SQLite's full integrity check (which also finds index entries that
# disagree with their rows, ~6 ms per MB); above it the quick check (page structure, ~1 ms per
# MB). `trainer-app db check` always runs the full one. Figures: docs/performance.md.
THOROUGH_CHECK_LIMIT = 32 * 1024 * 1024
MOST_PROBLEMS = 20  # an integrity check stops after this many findings


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
    if parsed.get_backend_name() == "postgresql":
        # A row another writer holds is waited for as long as SQLite waits for its file, then
        # refused as busy (``uow.transaction``), never waited for without end.
        connect_args = {"options": f"-c lock_timeout={BUSY_TIMEOUT_MS}"}
        engine = create_engine(parsed, connect_args=connect_args)
        _ping_when_idle(engine)
        return engine
    return create_engine(parsed, pool_pre_ping=True)


def _ping_when_idle(engine: Engine) -> None:
    """Before a pooled server connection is used after ``IDLE_BEFORE_PING_S`` unused, check it
    still reaches the server (restarted, or the laptop woke on another network); a dead one is
    replaced before anything runs on it, so the user sees no error. SQLAlchemy's
    ``pool_pre_ping`` checks every time: a round trip more in every save and every page of a
    table, for a connection used moments before."""
    dead = engine.dialect.loaded_dbapi.Error

    @event.listens_for(engine, "checkin")
    def _idle(_dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or time.monotonic() - since < IDLE_BEFORE_PING_S:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except dead as error:
            raise DisconnectionError(f"The server connection was lost: {error}") from error


def alembic_config(
    url: str, extra_locations: tuple[Path, ...] = (), audit_key: ChainKey | None = None
) -> Config:
    """``audit_key`` seals the trail an upgrade finds unsealed (revision 0006)."""
    from alembic.config import Config

    config = Config()
    config.attributes["audit_key"] = audit_key
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
    # The schema revision found on opening, before any upgrade; None for a store just created.
    found_revision: str | None = None
    chain: AuditChain | None = None  # seals the audit trail (``persistence.chain``)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @property
    def display_name(self) -> str:
        parsed = make_url(self.url)
        return parsed.database or "" if self.is_sqlite else parsed.render_as_string()

    def close(self) -> None:
        self.engine.dispose()


def sqlite_path(url: str) -> Path | None:
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _check_folder(path: Path) -> None:
    """The folder of a database about to be created exists (made if needed) and is writable."""
    folder = path.parent
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


def _precheck_sqlite_file(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a folder, not a database file")
    with path.open("rb") as handle:
        header = handle.read(len(SQLITE_HEADER))
    if header and header != SQLITE_HEADER:
        raise StoreRefused(
            f"{path} is not a trainer-app database (it is not an SQLite file); nothing was changed"
        )
    if not _writable(path) or not _writable(path.parent):
        raise StoreError(f"{path} cannot be written: check the file's and the folder's permissions")


def _writable(path: Path) -> bool:
    return os.access(path, os.W_OK)


# ----- looking before touching -----------------------------------------------------------------


@dataclass
class _Findings:
    """What a read-only look at an SQLite file found."""

    tables: dict[str, set[str]] = field(default_factory=dict)  # table -> its columns
    revision: str | None = None
    problems: list[str] = field(default_factory=list)


class _Empty(Exception):
    """The file holds no database at all (0 bytes, or SQLite with no tables)."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def _read_only_connection(path: Path) -> sqlite3.Connection:
    """A connection that cannot change the file and creates no -wal/-shm beside it.

    Without a -wal file no other connection has the database open (SQLite keeps it while one
    does), so the file is read as immutable: no locks, no shared-memory index. With one, a
    writer may be at work or may have stopped half-way: read through its log, read-only."""
    uri = path.absolute().as_uri()
    has_log = Path(f"{path}-wal").exists() or Path(f"{path}-journal").exists()
    uri += "?mode=ro" if has_log else "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000)


def _examine(path: Path, *, thorough: bool | None) -> _Findings:
    """Look at the file read-only: its tables, its revision, and what is wrong with it.

    Raises ``_Empty`` for a file without any table, ``StoreRefused`` for one that is not a
    trainer-app database or cannot be read at all."""
    if path.stat().st_size == 0:
        raise _Empty("is empty (0 bytes)")
    if thorough is None:
        thorough = path.stat().st_size <= THOROUGH_CHECK_LIMIT
    found = _Findings()
    connection = _read_only_connection(path)
    try:
        names = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        if not names:
            raise _Empty("is an SQLite file with no tables")
        if "app_meta" not in names:
            _refuse_foreign(path, names)
        check = "integrity_check" if thorough else "quick_check"
        try:
            verdict = [row[0] for row in connection.execute(f"PRAGMA {check}({MOST_PROBLEMS})")]
        except sqlite3.DatabaseError as error:
            verdict = [str(error)]
        if verdict != ["ok"]:
            found.problems.extend(f"SQLite integrity: {line}" for line in verdict)
            return found
        application = connection.execute(
            "SELECT value FROM app_meta WHERE key = 'application'"
        ).fetchone()
        if application != (APPLICATION,):
            _refuse_foreign(path, names)
        for name in names:
            found.tables[name] = {
                row[0]
                for row in connection.execute("SELECT name FROM pragma_table_info(?)", (name,))
            }
        found.revision = _recorded_revision(connection, found)
    except sqlite3.DatabaseError as error:  # locked, not a database, malformed
        raise _unreadable(path, error) from error
    finally:
        connection.close()
    return found


def _recorded_revision(connection: sqlite3.Connection, found: _Findings) -> str | None:
    if "alembic_version" not in found.tables:
        found.problems.append("The schema revision record (the table alembic_version) is missing")
        return None
    rows = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    if len(rows) != 1:
        found.problems.append(
            f"The schema revision record (the table alembic_version) has {len(rows)} rows "
            "instead of one"
        )
        return None
    return str(rows[0][0])


def _refuse_foreign(path: Path, tables: list[str]) -> None:
    listed = ", ".join(sorted(tables)[:5])
    raise StoreRefused(
        f"{path}: This file holds a database that is not a trainer-app one "
        f"(it has tables {listed}); nothing was changed"
    )


def _unreadable(path: Path, error: sqlite3.Error) -> StoreError:
    if "locked" in str(error):
        return StoreError(busy_message(path))
    advice = _restore_advice(path)
    return StoreRefused(
        f"{path} cannot be read ({error}): it may be damaged. Nothing was changed. {advice}; "
        + _more_with_db_check(path),
        [f"The database cannot be read: {error}"],
        advice,
    )


def busy_message(what: Path | str, *, saved: bool = True) -> str:
    """The sentence for a database another writer held for longer than the busy timeout."""
    nothing = "Nothing was changed" if saved else "Nothing was saved"
    return (
        f"{what} is in use: another program (or another trainer-app) is writing to it and did "
        f"not finish within {BUSY_TIMEOUT_MS // 1000} seconds. {nothing}; try again when it "
        "has finished"
    )


def _first_line(error: BaseException | None) -> str:
    return str(error).splitlines()[0] if error else "unknown error"


def _restore_advice(path: Path) -> str:
    backups = list(path.parent.glob(f"{path.name}.before-upgrade-*.bak"))
    newest = max(backups, key=lambda backup: backup.stat().st_mtime, default=None)
    kept = (
        f"the copy kept before the last upgrade ({newest})" if newest else "your latest copy of it"
    )
    return f"Restore {kept} in its place"


def _more_with_db_check(path: Path) -> str:
    return f"'trainer-app db check --database {path}' lists every problem found"


def _expected_tables(revision: str, config: Config | None) -> dict[str, set[str]]:
    """The tables and columns a database at ``revision`` has: from the models at the head,
    else from running the migrations up to ``revision`` on a scratch database in memory."""
    if config is None:
        assert revision == SCHEMA_HEAD
        return {
            table.name: {column.name for column in table.columns}
            for table in Base.metadata.sorted_tables
        }
    from alembic import command

    scratch = create_engine("sqlite://")
    try:
        with scratch.begin() as connection:
            config.attributes["connection"] = connection
            try:
                command.upgrade(config, revision)
            finally:
                config.attributes.pop("connection", None)
            names = inspect(connection).get_table_names()
            return {
                name: {column["name"] for column in inspect(connection).get_columns(name)}
                for name in names
                if name != "alembic_version"
            }
    finally:
        scratch.dispose()


def _schema_problems(found: _Findings, expected: dict[str, set[str]], revision: str) -> list[str]:
    """How the tables differ from those of the recorded revision (a wrong revision record
    shows here too: the migrations would then fail half-way or damage the data)."""
    problems = [f"The table {table} is missing" for table in sorted(expected.keys() - found.tables)]
    problems.extend(
        f"The table {table} is not part of schema {revision}"
        for table in sorted(found.tables.keys() - expected.keys() - {"alembic_version"})
    )
    for table in sorted(expected.keys() & found.tables.keys()):
        columns, present = expected[table], found.tables[table]
        problems.extend(f"The column {table}.{c} is missing" for c in sorted(columns - present))
        problems.extend(
            f"The column {table}.{c} is not part of schema {revision}"
            for c in sorted(present - columns)
        )
    return problems


def _refuse(path: Path, problems: list[str], why: str) -> StoreRefused:
    more = f" (and {len(problems) - 1} more problem(s))" if len(problems) > 1 else ""
    advice = _restore_advice(path)
    return StoreRefused(
        f"{path} {why}: {_lower_first(problems[0])}{more}. Nothing was changed. {advice}; "
        + _more_with_db_check(path),
        problems,
        advice,
    )


def _lower_first(sentence: str) -> str:
    """A sentence to follow a colon ("The table …" → "the table …"; "SQLite …" stays)."""
    if sentence[1:2].islower():
        sentence = sentence[:1].lower() + sentence[1:]
    return sentence.rstrip(".")


# ----- creating ----------------------------------------------------------------------------------


def _create_sqlite(path: Path, config: Config, *, replace_empty: bool = False) -> None:
    """Build a new store beside ``path`` and link it into place whole, owner-only.

    A writer killed half-way leaves a hidden ``.NAME.*.creating`` file, never a half-made store.
    With ``replace_empty`` an existing empty file at ``path`` is replaced."""
    _check_folder(path)
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".creating", dir=path.parent)
    os.close(handle)  # mkstemp makes it owner-only; SQLite gives -wal and -shm the same mode
    building = Path(name)
    try:
        engine = make_engine(_sqlite_url(building))
        try:
            _run_upgrade(engine, config)
        finally:
            engine.dispose()  # the last connection folds the log back into the file
        if replace_empty:
            os.replace(building, path)
        else:
            _link_into_place(building, path)
    finally:
        remove_database_files(building)


def _link_into_place(building: Path, path: Path) -> None:
    """Give the finished file at ``building`` the name ``path``, never replacing a file that
    appeared there meanwhile."""
    try:
        os.link(building, path)
    except FileExistsError as error:
        raise StoreError(
            f"{path} appeared while a new database was being made there; nothing was changed"
        ) from error
    except OSError:
        if path.exists():
            raise
        os.replace(building, path)  # a file system without hard links


def remove_database_files(path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


@contextmanager
def new_store(url: str) -> Iterator[Store]:
    """A new store, filled inside the ``with`` and given its name only when that has finished.

    It is built under a hidden name beside the target (``.NAME.PID-….creating``): a build that
    fails or is killed never leaves a half-filled store under the name the user gave."""
    path = sqlite_path(url)
    if path is None:
        raise StoreError("A new database is made as an SQLite file")
    if path.exists():
        raise StoreError(f"{path} already exists; choose a new file for the new database")
    building = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.creating")
    store = open_store(_sqlite_url(building))
    try:
        yield store
        store.close()
        _link_into_place(building, path)
    finally:
        store.close()
        remove_database_files(building)


def _sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


# ----- opening -----------------------------------------------------------------------------------


def read_revision(connection: Connection) -> str | None:
    """The schema revision recorded in the database, read with plain SQL."""
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def _inspect_state(engine: Engine) -> str | None:
    """Return the current revision, or raise StoreError for foreign or unreadable files
    (a database server: SQLite files are examined by ``_examine``)."""
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
        raise StoreRefused(
            "This file holds a database that is not a trainer-app one "
            f"(it has tables {listed}); nothing was changed"
        )
    if user_tables and revision is None:
        raise StoreRefused(
            "This trainer-app database has no schema revision record (alembic_version); "
            "it may be damaged. Nothing was changed"
        )
    return revision


def migration_head(config: Config) -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(config).get_current_head()
    assert head is not None
    return head


def examine_file(path: Path, *, what: str) -> str:
    """Check a file read-only as opening a store would (an SQLite trainer-app database, every
    page, a schema this version knows, its tables); return its schema revision. ``what`` names
    the file in the refusal ("backup")."""
    try:
        found = _examine(path, thorough=True)
    except _Empty as empty:
        raise StoreRefused(
            f"{path} {empty.what}: it is not a trainer-app {what}; nothing was changed",
            [f"The file {empty.what}"],
        ) from None
    if not found.problems and found.revision is not None:
        config = None if found.revision == SCHEMA_HEAD else alembic_config("sqlite://")
        if config is not None:
            _refuse_unknown_revision(config, found.revision)
        found.problems = _schema_problems(
            found, _expected_tables(found.revision, config), found.revision
        )
    if found.problems or found.revision is None:
        problems = found.problems or ["The schema revision is not recorded"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise StoreRefused(
            f"{path} is not a whole trainer-app {what}: {_lower_first(problems[0])}{more}. "
            "Nothing was changed",
            problems,
        )
    return found.revision


def _refuse_unknown_revision(config: Config, revision: str) -> None:
    from alembic.script import ScriptDirectory

    try:
        ScriptDirectory.from_config(config).get_revision(revision)
    except Exception as error:
        raise StoreRefused(
            f"This database was written by a newer version of trainer-app (schema "
            f"{revision}), or its schema record is damaged; install the newer version to open "
            "it. Nothing was changed"
        ) from error


def _backup_sqlite(engine: Engine, path: Path, revision: str) -> Path:
    """A whole copy beside ``path``, owner-only, under its final name only once complete."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.before-upgrade-{revision}-{stamp}.bak")
    handle, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".copying", dir=path.parent)
    os.close(handle)
    partial = Path(name)
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        with sqlite3.connect(partial) as copy:
            source.backup(copy)
        copy.close()
        os.replace(partial, target)
    finally:
        raw.close()
        partial.unlink(missing_ok=True)
    return target


def open_store(
    url: str,
    *,
    create: bool = True,
    upgrade: bool = True,
    extra_migrations: tuple[Path, ...] = (),
    thorough: bool | None = None,
    new: bool = False,
    audit_key: ChainKey | None = None,
) -> Store:
    """Open the database at ``url``, creating or upgrading its schema as needed.

    A missing SQLite file is created when ``create`` is set. An existing one is examined
    read-only first and refused, untouched, when it is damaged, empty, foreign or of an unknown
    schema (``thorough`` forces the full integrity check; by default it runs on files up to
    ``THOROUGH_CHECK_LIMIT``). ``new`` is the user asking for a new database: the file must be
    missing or empty (0 bytes, or SQLite with no tables), and then it is made a store. An older
    schema is upgraded after a backup copy is written beside the file."""
    path = sqlite_path(url)
    if path is None:
        return _open_server(
            url, upgrade=upgrade, extra_migrations=extra_migrations, audit_key=audit_key
        )
    try:
        return _open_sqlite(
            url,
            path,
            create=create or new,
            upgrade=upgrade,
            extra_migrations=extra_migrations,
            thorough=thorough,
            new=new,
            audit_key=audit_key,
        )
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            raise StoreError(busy_message(path)) from error
        raise
    except DBAPIError as error:
        if "locked" in str(error.orig):
            raise StoreError(busy_message(path)) from error
        raise


def _open_sqlite(
    url: str,
    path: Path,
    *,
    create: bool,
    upgrade: bool,
    extra_migrations: tuple[Path, ...],
    thorough: bool | None,
    new: bool,
    audit_key: ChainKey | None,
) -> Store:
    created = not path.exists()
    if created:
        if not create:
            raise StoreError(f"There is no database at {path}")
        _create_sqlite(path, alembic_config(url, extra_migrations))
    _precheck_sqlite_file(path)
    try:
        found = _examine(path, thorough=thorough)
    except _Empty as empty:
        if not new:
            start = f"To start a new database in this file: trainer-app db init --database {path}"
            raise StoreRefused(
                f"{path} {empty.what}: it is not a trainer-app database. Nothing was changed. "
                + start,
                [f"The file {empty.what}: it is not a trainer-app database"],
                start,
            ) from None
        _create_sqlite(path, alembic_config(url, extra_migrations), replace_empty=True)
        found = _examine(path, thorough=thorough)
    else:
        if new and not created:
            raise StoreError(
                f"{path} already holds a database; nothing was changed. Choose a new file name"
            )
    if found.problems:
        raise _refuse(path, found.problems, "is damaged")
    assert found.revision is not None
    config = None
    if found.revision != SCHEMA_HEAD or extra_migrations:
        config = alembic_config(url, extra_migrations, audit_key)
        try:
            _refuse_unknown_revision(config, found.revision)
        except StoreError as error:
            raise StoreRefused(f"{path}: {error}") from error
    mismatch = _schema_problems(found, _expected_tables(found.revision, config), found.revision)
    if mismatch:
        raise _refuse(
            path, mismatch, f"does not have the tables of its recorded schema {found.revision}"
        )
    engine = make_engine(url)
    backup = None
    try:
        if config is not None:
            backup = _migrate(engine, config, path, found.revision, upgrade)
    except StoreError as error:
        engine.dispose()
        raise StoreError(f"{path}: {error}") from error
    except BaseException:
        engine.dispose()
        raise
    return Store(
        url,
        engine,
        sessionmaker(engine, expire_on_commit=False),
        backup,
        found_revision=None if created else found.revision,
    )


def _open_server(
    url: str, *, upgrade: bool, extra_migrations: tuple[Path, ...], audit_key: ChainKey | None
) -> Store:
    """A database server (PostgreSQL) or an in-memory SQLite database."""
    probe = create_engine(make_url(url))
    try:
        revision = _inspect_state(probe)
    finally:
        probe.dispose()
    engine = make_engine(url)
    backup = None
    try:
        if revision != SCHEMA_HEAD or extra_migrations:
            config = alembic_config(url, extra_migrations, audit_key)
            if revision is not None:
                _refuse_unknown_revision(config, revision)
            backup = _migrate(engine, config, None, revision, upgrade)
    except BaseException:
        engine.dispose()
        raise
    sessions = engine
    if engine.dialect.name == "postgresql":
        # The driver starts no transaction of its own (a round trip each for BEGIN, and for the
        # ROLLBACK that ends every read): ``uow.transaction`` begins its own, in the same round
        # trip as its first statement, and reads run without one (each statement sees what was
        # committed when it ran, as it did in a transaction at PostgreSQL's READ COMMITTED).
        sessions = engine.execution_options(isolation_level="AUTOCOMMIT")
    return Store(
        url,
        engine,
        sessionmaker(sessions, expire_on_commit=False),
        backup,
        found_revision=revision,
    )


def _migrate(
    engine: Engine, config: Config, path: Path | None, revision: str | None, upgrade: bool
) -> Path | None:
    """Bring the schema to the head revision; returns the backup taken first, if any."""
    head = migration_head(config)
    if revision == head:
        return None
    if not upgrade:
        raise StoreError(
            f"The database schema is at {revision or 'nothing'}, this trainer-app needs "
            f"{head}: run 'trainer-app db upgrade'"
        )
    backup = None
    if path is not None and revision is not None:
        backup = _backup_sqlite(engine, path, revision)
    try:
        _run_upgrade(engine, config)
    except (DBAPIError, StoreError) as error:
        if backup is not None:
            backup.unlink()  # the database itself is unchanged: no second copy of its data
        if isinstance(error, StoreError):
            raise
        if "locked" in str(error.orig):
            raise StoreError(busy_message("The database")) from error
        raise StoreError(
            f"The upgrade from schema {revision} to {head} failed ({_first_line(error.orig)}) "
            "and was undone; nothing was changed"
        ) from error
    return backup


def _run_upgrade(engine: Engine, config: Config) -> None:
    """Every migration in one transaction: a writer stopped half-way leaves the old schema.

    (Python's sqlite3 would otherwise run each CREATE or ALTER in a transaction of its own.)
    On SQLite, foreign keys are off while tables are rebuilt and checked before the commit, as
    SQLite's own procedure for schema changes says."""
    from alembic import command

    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as connection:
        if sqlite:
            connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        config.attributes["connection"] = connection
        try:
            command.upgrade(config, "head")
            if sqlite:
                broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise StoreError(
                        f"The upgrade would leave {len(broken)} row(s) referring to missing "
                        "rows; it was undone and nothing was changed"
                    )
            connection.commit()
        finally:
            config.attributes.pop("connection", None)
            if sqlite:
                connection.rollback()
                connection.exec_driver_sql("PRAGMA foreign_keys = ON")


def integrity_problems(store: Store) -> list[str]:
    """Database-level checks: page integrity, foreign keys, schema revision, audit guards."""
    problems: list[str] = []
    with store.engine.connect() as conn:
        revision = read_revision(conn)
        if revision != SCHEMA_HEAD:
            problems.append(f"Schema revision is {revision}, expected {SCHEMA_HEAD}")
        if store.is_sqlite:
            try:
                result = [row[0] for row in conn.execute(text("PRAGMA integrity_check"))]
            except DBAPIError as error:
                result = [str(error.orig)]
            if result != ["ok"]:
                problems.extend(f"SQLite integrity: {line}" for line in result)
            for table, rowid, parent, _ in conn.execute(text("PRAGMA foreign_key_check")):
                problems.append(f"Row {rowid} of {table} refers to a missing row of {parent}")
        if revision == SCHEMA_HEAD:
            present = set(conn.execute(text(_INDEXES[conn.dialect.name])).scalars())
            problems.extend(
                f"The index {name} is missing (queries that use it are slower; restoring "
                "a copy brings it back)"
                for name in sorted(_model_indexes() - present)
            )
        triggers = set(conn.execute(text(_TRIGGERS[conn.dialect.name])).scalars())
        for needed in _GUARDS:
            if needed not in triggers:
                problems.append(f"The audit trail guard {needed} is missing")
        if revision == SCHEMA_HEAD and store.chain is not None:
            from trainer_app.persistence import chain

            # The trail as the file holds it: a broken seal is a problem. What only this
            # installation can know (entries sealed with keys it does not hold, entries gone
            # from the end since it last wrote, a copy written to apart) is ``audit verify``'s.
            verdict = chain.verify(conn, store.chain, remember=False)
            if verdict.problem is not None:
                problems.append(verdict.summary())
    return problems


_GUARDS = (
    "audit_entries_no_update",
    "audit_entries_no_delete",
    "audit_seals_no_update",
    "audit_seals_no_delete",
    "signatures_no_update",
    "signatures_no_delete",
)


def _model_indexes() -> set[str]:
    return {
        str(index.name)
        for table in Base.metadata.sorted_tables
        for index in table.indexes
        if index.name is not None
    }


_INDEXES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()",
}
_TRIGGERS = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'trigger'",
    "postgresql": "SELECT trigger_name FROM information_schema.triggers",
}


def schema_revision(store: Store) -> str | None:
    with store.engine.connect() as conn:
        return read_revision(conn)
