"""Damaged, empty and unknown store files, as the commands meet them: each is refused with a
sentence saying what is wrong and what to do, exit 1, no traceback, and every file in the folder
left byte for byte as it was (no -wal, -shm or backup appears)."""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import damage
from tests.helpers.demo import DemoFiles
from trainer_app.cli import main
from trainer_app.persistence.db import SCHEMA_HEAD

COMMANDS = (
    ["certificate", "list"],
    ["import", "trainees", "{template}"],
    ["db", "upgrade"],
)


@pytest.fixture
def store(demo_files: DemoFiles, tmp_path: Path) -> Path:
    """A copy of the demo store alone in its folder; the import template is kept elsewhere."""
    folder = tmp_path / "store"
    folder.mkdir()
    shutil.copyfile(demo_files.database, folder / "trainer.db")
    return folder / "trainer.db"


@pytest.fixture
def template(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    path = tmp_path / "trainees.csv"
    assert main(["import", "template", "trainees", "-o", str(path)]) == 0
    capsys.readouterr()
    return path


def refusals(path: Path, template: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    """Run each command that opens the store; every one must refuse and leave it unchanged."""
    before = damage.folder_state(path.parent)
    said = []
    for command in COMMANDS:
        argv = [part.format(template=template) for part in command]
        assert main([*argv, "--database", str(path)]) == 1, argv
        out, err = capsys.readouterr()
        assert out == "" and err.startswith(f"trainer-app: {path} "), (argv, err)
        assert damage.folder_state(path.parent) == before, argv
        said.append(err)
    assert len(set(said)) == 1  # every command says the same thing
    return said


def db_check(path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    before = damage.folder_state(path.parent)
    assert main(["db", "check", "--database", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert damage.folder_state(path.parent) == before
    return err


def test_an_index_that_disagrees_with_its_table_is_refused_by_every_command(
    store: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage.alter_index_keys(store, "ix_trainees_name")
    said = refusals(store, template, capsys)[0]
    assert "is damaged: SQLite integrity: row" in said and "missing from index" in said
    assert "Nothing was changed. Restore your latest copy of it in its place" in said
    assert f"'trainer-app db check --database {store}' lists every problem" in said
    report = db_check(store, capsys)
    assert report.startswith(f"{store}: ") and "problem(s) found" in report
    assert "  - SQLite integrity: row " in report and "ix_trainees_name" in report


def test_a_scribbled_index_page_gives_db_check_a_report_not_a_traceback(
    store: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage.scribble_on_index(store, "ix_trainees_name")
    assert "is damaged: SQLite integrity" in refusals(store, template, capsys)[0]
    before = damage.folder_state(store.parent)
    result = subprocess.run(
        [sys.executable, "-m", "trainer_app", "db", "check", "--database", str(store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "SQLite integrity" in result.stderr and "Nothing was changed" in result.stderr
    assert damage.folder_state(store.parent) == before


def test_the_refusal_names_the_backup_kept_before_the_last_upgrade(
    store: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    backup = store.with_name(f"{store.name}.before-upgrade-0003-20261101T090000Z.bak")
    shutil.copyfile(store, backup)
    damage.scribble_on_index(store, "ix_trainees_name")
    said = refusals(store, template, capsys)[0]
    assert f"Restore the copy kept before the last upgrade ({backup}) in its place" in said


def test_a_truncated_store_is_refused(
    store: Path, template: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    damage.truncate(store, keep=0.5)
    said = refusals(store, template, capsys)[0]
    assert "cannot be read (database disk image is malformed): it may be damaged" in said
    assert "Nothing was changed" in said
    assert "problem(s) found" in db_check(store, capsys)


@pytest.mark.parametrize(
    ("statements", "told"),
    [
        (
            ["DROP TABLE alembic_version"],
            "is damaged: the schema revision record (the table alembic_version) is missing",
        ),
        (
            ["DELETE FROM alembic_version"],
            "is damaged: the schema revision record (the table alembic_version) has 0 rows",
        ),
        (
            ["UPDATE alembic_version SET version_num = '0002'"],
            "does not have the tables of its recorded schema 0002: the table assessments is "
            "not part of schema 0002",
        ),
        (
            ["DROP TABLE certificates"],
            f"does not have the tables of its recorded schema {SCHEMA_HEAD}: the table "
            "certificates is missing",
        ),
        (
            ["ALTER TABLE trainers DROP COLUMN notes"],
            f"does not have the tables of its recorded schema {SCHEMA_HEAD}: the column "
            "trainers.notes is missing",
        ),
    ],
    ids=["no-revision-table", "no-revision-row", "wrong-revision", "dropped-table", "column"],
)
def test_a_store_whose_schema_record_is_missing_or_wrong_is_refused_untouched(
    store: Path,
    template: Path,
    capsys: pytest.CaptureFixture[str],
    statements: list[str],
    told: str,
) -> None:
    damage.run_sql(store, *statements)
    said = refusals(store, template, capsys)[0]
    assert told in said
    assert "Nothing was changed" in said
    assert told.split(": ", 1)[1].capitalize()[:40] in db_check(store, capsys)


def _zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def _no_tables(path: Path) -> None:
    raw = sqlite3.connect(path)
    raw.execute("PRAGMA user_version = 7")  # a valid SQLite header, a schema with nothing in it
    raw.close()


@pytest.mark.parametrize(
    ("make", "what"),
    [(_zero_bytes, "is empty (0 bytes)"), (_no_tables, "is an SQLite file with no tables")],
    ids=["0-bytes", "no-tables"],
)
def test_an_empty_file_is_not_silently_made_a_store_and_db_init_makes_it_one(
    tmp_path: Path,
    template: Path,
    capsys: pytest.CaptureFixture[str],
    make: Callable[[Path], None],
    what: str,
) -> None:
    folder = tmp_path / "empty"
    folder.mkdir()
    path = folder / "new.db"
    make(path)
    said = refusals(path, template, capsys)[0]
    assert f"{path} {what}: it is not a trainer-app database. Nothing was changed." in said
    assert f"To start a new database in this file: trainer-app db init --database {path}" in said
    assert main(["db", "init", "--database", str(path)]) == 0
    assert f"New database written to {path} (schema {SCHEMA_HEAD}" in capsys.readouterr().out
    assert main(["db", "check", "--database", str(path)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == ["new.db"]


def test_db_init_refuses_a_file_that_holds_a_database(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = damage.folder_state(store.parent)
    assert main(["db", "init", "--database", str(store)]) == 1
    assert "already holds a database; nothing was changed" in capsys.readouterr().err
    assert damage.folder_state(store.parent) == before


def test_new_stores_their_logs_and_backups_are_readable_by_their_owner_only(
    tmp_path: Path, store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainer_app.config import Settings
    from trainer_app.services.context import ServiceContext

    made = tmp_path / "made.db"
    assert main(["db", "init", "--database", str(made)]) == 0
    mine = tmp_path / "data"
    settings = Settings.resolve(None, environ={"TRAINER_APP_DATA_DIR": str(mine)})
    with ServiceContext.open(settings) as context:  # your own store, made on first use
        context.hubs.list()
        own = mine / "trainer.db"
        logs = [Path(f"{own}{suffix}") for suffix in ("-wal", "-shm")]
        assert all(stat.S_IMODE(log.stat().st_mode) == 0o600 for log in logs)
    with ServiceContext.open(
        settings.with_database(made),
        extra_migrations=(Path(__file__).parents[1] / "helpers" / "migrations",),
    ) as context:
        backup = context.upgrade_backup
    assert backup is not None
    for path in (made, own, backup):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    store.chmod(0o640)  # an existing store keeps the permissions its owner gave it
    assert main(["db", "check", "--database", str(store)]) == 0
    assert stat.S_IMODE(store.stat().st_mode) == 0o640
    capsys.readouterr()


def test_a_store_another_writer_holds_gives_a_sentence(
    store: Path,
    template: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Held while the command starts, the store refuses even the sign-in (which is audited)
    in words; held once the import is checked, the import says so in its own words."""
    monkeypatch.setenv("TRAINER_APP_PASSWORD", "gmp-demo-2026")  # the demo's accounts'
    command = ["import", "trainees", str(template), "--user", "admin", "--database", str(store)]
    writer = sqlite3.connect(store, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    try:
        assert main(command) == 1
    finally:
        writer.execute("ROLLBACK")
    err = capsys.readouterr().err
    assert "is in use: another program (or another trainer-app) is writing to it" in err
    assert "Traceback" not in err and "locked" not in err

    from trainer_app.services.users import UserService

    signed_in = UserService.sign_in

    def then_held(self: UserService, username: str, password: str) -> object:
        actor = signed_in(self, username, password)
        writer.execute("BEGIN IMMEDIATE")
        return actor

    monkeypatch.setattr(UserService, "sign_in", then_held)
    try:
        assert main(command) == 1
    finally:
        writer.execute("ROLLBACK")
        writer.close()
    err = capsys.readouterr().err
    assert "the store is busy with another change" in err
    assert "nothing was imported — try again in a moment" in err
    assert "Traceback" not in err and "locked" not in err


def test_an_upgrade_that_fails_half_way_leaves_the_old_schema_and_no_backup(
    store: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainer_app.config import Settings
    from trainer_app.domain.errors import StoreError
    from trainer_app.services.context import ServiceContext

    failing = Path(__file__).parents[1] / "helpers" / "failing_migrations"
    before = damage.folder_state(store.parent)
    with pytest.raises(
        StoreError, match=rf"upgrade from schema {SCHEMA_HEAD} to f002 failed .*was undone"
    ):
        ServiceContext.open(Settings.resolve(store, environ={}), extra_migrations=(failing,))
    assert damage.folder_state(store.parent) == before  # unchanged, and no backup left
    raw = sqlite3.connect(f"file:{store}?mode=ro&immutable=1", uri=True)
    tables = {row[0] for row in raw.execute("SELECT name FROM sqlite_master")}
    revision = raw.execute("SELECT version_num FROM alembic_version").fetchall()
    raw.close()
    assert revision == [(SCHEMA_HEAD,)]
    assert "half_made" not in tables
    assert main(["db", "check", "--database", str(store)]) == 0
    capsys.readouterr()
