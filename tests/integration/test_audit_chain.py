"""The sealed audit trail on a real SQLite file: whoever edits the file directly (triggers
dropped first) is found by ``trainer-app audit verify`` and ``db check``; the app's own writes
keep it intact, also across an upgrade of a store that had entries before seals existed."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text

from tests.helpers import builders
from tests.helpers.demo import DemoFiles
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.audit_chain import Break
from trainer_app.domain.errors import Duplicate, StoreError
from trainer_app.domain.people import TraineeFields
from trainer_app.persistence.db import alembic_config, make_engine, open_store
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores

UNGUARDED = """
DROP TRIGGER audit_entries_no_update; DROP TRIGGER audit_entries_no_delete;
DROP TRIGGER audit_seals_no_update; DROP TRIGGER audit_seals_no_delete;
"""


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoFiles:
    copy = demo_files.copy_to(tmp_path / "copy")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(copy.data_dir))
    return copy


def tamper(path: Path, sql: str) -> None:
    with sqlite3.connect(path) as connection:
        connection.executescript(UNGUARDED + sql)
    connection.close()


def verify(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    status = main(["audit", "verify", "--database", str(path)])
    out = capsys.readouterr()
    return status, (out.out + out.err).strip()


def test_the_demo_trail_is_intact(demo: DemoFiles, capsys: pytest.CaptureFixture[str]) -> None:
    status, said = verify(demo.database, capsys)
    assert status == 0
    assert said.startswith(f"{demo.database}: The audit trail is intact: ")


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        (
            "UPDATE audit_entries SET reason = 'forged' WHERE id = 40",
            "audit entry 40 (number 40) was changed",
        ),
        (
            "UPDATE audit_entries SET occurred_at = '2020-01-01 00:00:00.000000' WHERE id = 7",
            "audit entry 7 (number 7) was changed",
        ),
        ("UPDATE audit_seals SET entry_id = -1 WHERE seq = 12", "entry number 12 was removed"),
        ("DELETE FROM audit_entries WHERE id = 15", "entry number 15 was removed"),
        ("UPDATE audit_seals SET link = 'text' WHERE seq = 5", "audit entry 5 (number 5)"),
        (
            "DELETE FROM audit_entries WHERE id = 15; DELETE FROM audit_seals WHERE entry_id = 15",
            "entry number 15 is missing: 1 entry was removed after audit entry 14",
        ),
        (
            "INSERT INTO audit_entries (occurred_at, actor, action, entity_type, entity_id, "
            "entity_label, changes, reason) SELECT occurred_at, 'mallory', action, entity_type, "
            "entity_id, entity_label, changes, reason FROM audit_entries WHERE id = 3",
            "has no seal: it was added outside the app",
        ),
        (
            "UPDATE audit_seals SET entry_id = -entry_id WHERE seq IN (20, 21); "
            "UPDATE audit_seals SET entry_id = 21 WHERE seq = 20; "
            "UPDATE audit_seals SET entry_id = 20 WHERE seq = 21",
            "audit entry 21 (number 20) was changed, moved or replaced",
        ),
    ],
    ids=[
        "edited",
        "edited-time",
        "entry-unlinked",
        "entry-deleted",
        "seal-of-text",
        "entry-and-seal-deleted",
        "inserted",
        "reordered",
    ],
)
def test_each_direct_edit_is_found_and_named(
    demo: DemoFiles, capsys: pytest.CaptureFixture[str], sql: str, expected: str
) -> None:
    tamper(demo.database, sql)
    status, said = verify(demo.database, capsys)
    assert status == 1
    assert "The audit trail is broken: " in said and expected in said
    assert main(["db", "check", "--database", str(demo.database)]) == 1
    assert expected in capsys.readouterr().err


def test_entries_removed_from_the_end_are_found(
    demo: DemoFiles, capsys: pytest.CaptureFixture[str]
) -> None:
    tamper(
        demo.database,
        "DELETE FROM audit_entries WHERE id > (SELECT max(id) - 3 FROM audit_entries);"
        "DELETE FROM audit_seals WHERE seq > (SELECT max(seq) - 3 FROM audit_seals);",
    )
    status, said = verify(demo.database, capsys)
    assert status == 1 and "the last 3 entries were removed" in said


def test_an_older_copy_put_back_and_written_to_is_found(
    demo: DemoFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    older = tmp_path / "older.db"
    older.write_bytes(demo.database.read_bytes())
    settings = Settings.resolve(demo.database)
    with ServiceContext.open(settings) as context:
        builders.hub(context, "NEW", "Newcastle")
    older.replace(demo.database)
    with ServiceContext.open(settings) as context:  # the app writes on: its seals are good
        builders.hub(context, "LDS", "Leeds")
        verdict = context.audit.verify()
    assert verdict.problem is not None and verdict.problem.kind is Break.REWRITTEN
    status, said = verify(demo.database, capsys)
    assert status == 1 and "is not the one this installation sealed" in said


def test_entries_sealed_elsewhere_are_not_passed_as_intact(
    demo: DemoFiles, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    other = Settings.resolve(demo.database, environ={"TRAINER_APP_DATA_DIR": str(tmp_path / "b")})
    with ServiceContext.open(other) as context:  # another workstation, with its own key
        builders.hub(context, "NEW", "Newcastle")
    status, said = verify(demo.database, capsys)
    assert status == 1
    assert "could not be fully checked: 1 entry was sealed with a key this installation" in said
    key = tmp_path / "b" / "keys" / "audit-chain.key"
    (demo.data_dir / "keys" / "audit-keys").mkdir()
    (demo.data_dir / "keys" / "audit-keys" / "newcastle.key").write_bytes(key.read_bytes())
    assert verify(demo.database, capsys)[0] == 0


def test_bulk_and_single_writes_of_every_service_are_sealed(context: ServiceContext) -> None:
    hub = builders.hub(context)
    builders.trainee(context, hub.id)
    context.trainees.bulk_create(
        [
            TraineeFields(reference=f"TR-1{n:05d}", name=f"Trainee {n}", hub_id=hub.id)
            for n in range(50)
        ]
    )
    verdict = context.audit.verify()
    assert verdict.intact and verdict.checked == context.audit.count() == 52


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("UPDATE audit_entries SET reason = 'forged' WHERE id = 2", "audit entry 2 (number 2)"),
        ("DELETE FROM audit_entries WHERE id = 2", "entry number 2 was removed"),
    ],
    ids=["edited", "deleted"],
)
def test_an_entry_edited_in_the_store_itself_is_found(
    context: ServiceContext, sql: str, expected: str
) -> None:
    """On either store: someone with the database's own tools, past its guards."""
    hub = builders.hub(context)
    for n in range(1, 4):
        builders.trainee(context, hub.id, f"TR-00000{n}", f"Trainee {n}")
    with context.store.engine.begin() as connection:
        postgresql = connection.dialect.name == "postgresql"
        for guard in ("audit_entries_no_update", "audit_entries_no_delete"):
            on = " ON audit_entries" if postgresql else ""
            connection.execute(text(f"DROP TRIGGER {guard}{on}"))
        connection.execute(text(sql))
    verdict = context.audit.verify()
    assert verdict.problem is not None
    assert expected in verdict.summary()


def test_a_failed_save_leaves_no_seal(context: ServiceContext) -> None:
    builders.hub(context)
    with pytest.raises(Duplicate):
        builders.hub(context)  # the same code again: refused
    assert context.audit.verify().checked == context.audit.count() == 1


@pytest.fixture
def store_at_0005(tmp_path: Path) -> Path:
    """A store as the previous release left it: schema 0005, entries, no seals."""
    path = tmp_path / "old.db"
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    config = alembic_config(url)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0005")
        for number in range(5):
            connection.exec_driver_sql(
                "INSERT INTO audit_entries (occurred_at, actor, action, entity_type, entity_id,"
                f" entity_label, changes, reason) VALUES ('2026-11-0{number + 1} 09:00:00.000000',"
                f" 'local', 'create', 'hub', {number}, 'Hub {number}', '[]', '')"
            )
    engine.dispose()
    return path


def test_an_upgrade_seals_the_entries_already_there(store_at_0005: Path, data_dir: Path) -> None:
    settings = Settings.resolve(store_at_0005, environ={"TRAINER_APP_DATA_DIR": str(data_dir)})
    with ServiceContext.open(settings) as context:
        builders.hub(context, "NEW", "Newcastle")
        verdict = context.audit.verify()
    assert verdict.intact and verdict.checked == 6


def test_an_upgrade_without_the_key_changes_nothing(store_at_0005: Path) -> None:
    before = store_at_0005.read_bytes()
    with pytest.raises(StoreError, match="needs the installation's audit key"):
        open_store(f"sqlite:///{store_at_0005}")
    assert store_at_0005.read_bytes() == before
