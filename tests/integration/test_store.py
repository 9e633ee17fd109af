"""Opening the store: settings, safety with foreign/newer/corrupt files, upgrades with backup."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import builders
from tests.helpers.demo import DemoFiles
from trainer_app.config import Settings
from trainer_app.domain.errors import StoreError
from trainer_app.persistence.db import SCHEMA_HEAD
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores

TEST_MIGRATIONS = Path(__file__).parents[1] / "helpers" / "migrations"


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def open_at(path: Path, **kwargs: object) -> ServiceContext:
    return ServiceContext.open(Settings.resolve(path, environ={}), **kwargs)  # type: ignore[arg-type]


@pytest.fixture
def read_only_folder(tmp_path: Path) -> Iterator[Path]:
    """A folder nobody may write to, root included (root ignores mode bits, not chattr +i)."""
    folder = tmp_path / "locked"
    folder.mkdir()
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o555)
    yield folder
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    folder.chmod(0o755)


def test_new_database_is_created_in_wal_mode_with_foreign_keys(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "folder" / "trainer.db"
    with open_at(path) as ctx:
        with sqlite3.connect(path) as raw:
            assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert ctx.schema_revision == SCHEMA_HEAD
        assert ctx.check() == []
    assert path.exists()


def test_foreign_keys_are_enforced_by_the_database(context: ServiceContext) -> None:
    hub = builders.hub(context)
    builders.facility(context, hub.id)
    from sqlalchemy import text

    with context.store.engine.connect() as conn, pytest.raises(Exception, match="(?i)foreign key"):
        conn.execute(text("DELETE FROM hubs"))


def test_database_url_from_environment_and_flag_precedence(tmp_path: Path) -> None:
    env = {
        "TRAINER_APP_DATABASE_URL": f"sqlite:///{tmp_path / 'env.db'}",
        "TRAINER_APP_DATA_DIR": str(tmp_path),
    }
    assert Settings.resolve(None, environ=env).database_url.endswith("env.db")
    assert Settings.resolve(tmp_path / "flag.db", environ=env).database_url.endswith("flag.db")
    default = Settings.resolve(None, environ={"TRAINER_APP_DATA_DIR": str(tmp_path)})
    assert default.database_url == f"sqlite:///{tmp_path / 'trainer.db'}"


def test_read_only_folder_gives_a_clear_message(read_only_folder: Path) -> None:
    target = read_only_folder / "trainer.db"
    with pytest.raises(StoreError, match=r"Cannot create the database trainer\.db in .*read-only"):
        open_at(target)
    assert not target.exists()


def test_corrupt_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.db"
    path.write_bytes(b"this is a spreadsheet, not a database" * 100)
    before = digest(path)
    with pytest.raises(StoreError, match="not a trainer-app database .*not an SQLite file"):
        open_at(path)
    assert digest(path) == before


def test_damaged_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "damaged.db"
    with open_at(path) as ctx:
        builders.hub(ctx)
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    data = bytearray(path.read_bytes())
    data[100:4096] = b"\xff" * (4096 - 100)  # wipe the schema page after the header
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match="cannot be read.*damaged"):
        open_at(path)


def test_foreign_sqlite_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as raw:
        raw.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    before = digest(path)
    with pytest.raises(StoreError, match="not a trainer-app one .*invoices.*nothing was changed"):
        open_at(path)
    assert digest(path) == before


def test_newer_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "newer.db"
    open_at(path).close()
    with sqlite3.connect(path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = digest(path)
    with pytest.raises(StoreError, match="newer version of trainer-app .*9999_from_the_future"):
        open_at(path)
    assert digest(path) == before


def test_older_database_is_upgraded_after_a_backup(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    with open_at(path) as ctx:
        builders.hub(ctx)
    with open_at(path, extra_migrations=(TEST_MIGRATIONS,)) as ctx:
        assert ctx.schema_revision == "t002"
        backup = ctx.upgrade_backup
        assert ctx.hubs.list()[0].code == "LON"
    assert backup is not None and backup.exists()
    with sqlite3.connect(backup) as raw:
        assert raw.execute("SELECT version_num FROM alembic_version").fetchone() == (SCHEMA_HEAD,)
        assert raw.execute("SELECT code FROM hubs").fetchall() == [("LON",)]
    with sqlite3.connect(path) as raw:
        columns = [row[1] for row in raw.execute("PRAGMA table_info(cohorts)")]
    assert "colour" in columns


def test_opening_without_upgrade_names_the_command(tmp_path: Path) -> None:
    path = tmp_path / "older.db"
    open_at(path).close()
    with pytest.raises(StoreError, match="run 'trainer-app db upgrade'"):
        open_at(path, upgrade=False, extra_migrations=(TEST_MIGRATIONS,))


def test_audit_trail_is_append_only_in_the_database(context: ServiceContext) -> None:
    builders.hub(context)
    from sqlalchemy import text

    for statement in ("UPDATE audit_entries SET actor = 'mallory'", "DELETE FROM audit_entries"):
        with context.store.engine.begin() as conn, pytest.raises(Exception, match="append-only"):
            conn.execute(text(statement))
    assert context.audit.count() == 1


def test_check_reports_a_missing_audit_guard(context: ServiceContext) -> None:
    from sqlalchemy import text

    with context.store.engine.begin() as conn:
        on = " ON audit_entries" if conn.dialect.name == "postgresql" else ""
        conn.execute(text(f"DROP TRIGGER audit_entries_no_delete{on}"))
    assert context.check() == ["The audit trail guard audit_entries_no_delete is missing"]


def test_schema_head_constant_matches_the_migrations() -> None:
    from trainer_app.persistence.db import SCHEMA_HEAD, alembic_config, migration_head

    assert migration_head(alembic_config("sqlite://")) == SCHEMA_HEAD


def test_models_and_migrations_agree(context: ServiceContext) -> None:
    """A model change without its migration would pass unnoticed on fresh test databases."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from trainer_app.persistence.models import Base

    with context.store.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_check_reports_a_missing_index(context: ServiceContext) -> None:
    from sqlalchemy import text

    with context.store.engine.begin() as conn:
        conn.execute(text("DROP INDEX ix_trainees_name"))
    assert context.check() == [
        "The index ix_trainees_name is missing (queries that use it are slower; restoring a "
        "copy brings it back)"
    ]


def test_an_upgrade_that_rebuilds_a_table_others_refer_to_keeps_every_row(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    """SQLite changes a table by copying it; with foreign keys on, dropping the old copy of a
    table that other rows refer to fails half-way (the next migration, 0005, may need this)."""
    path = tmp_path / "trainer.db"
    shutil.copyfile(demo_files.database, path)
    rebuilding = Path(__file__).parents[1] / "helpers" / "rebuilding_migrations"
    with open_at(path, extra_migrations=(rebuilding,)) as ctx:
        assert ctx.schema_revision == "r002"
        assert len(ctx.hubs.list()) == 4 and len(ctx.trainers.list()) == 26
        assert ctx.upgrade_backup is not None
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA foreign_key_check").fetchall() == []
        assert "motto" in [row[1] for row in raw.execute("PRAGMA table_info(hubs)")]
