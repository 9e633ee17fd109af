"""`trainer-app db copy`: a whole store moved between SQLite and PostgreSQL (issue 15).

The demo store goes SQLite → PostgreSQL → SQLite and comes back equal table by table, its trail
and signatures verifying and its certificates still valid; a copy that cannot be whole is
refused with nothing written where it was going."""

from __future__ import annotations

import re
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic import command
from sqlalchemy import create_engine, func, select, text

from tests.helpers import builders, postgres
from tests.helpers.demo import DemoFiles
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.access import LOCAL_ACTOR, Actor, NotPermitted, Role
from trainer_app.domain.certificates import Verdict
from trainer_app.domain.errors import StoreError, StoreRefused
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.signatures import Meaning, SignedKind
from trainer_app.persistence.copy import table_digest
from trainer_app.persistence.db import alembic_config, make_engine
from trainer_app.persistence.models import AuditRow, Base, CompletionRow, TraineeRow
from trainer_app.services.context import ServiceContext
from trainer_app.services.store_copy import copy_store

PASSWORD = "gmp-demo-2026"  # the demo administrator's (resources/demo/accounts.json)
APPENDED = ("audit_entries", "audit_seals")  # each copy adds its own entry and its seal


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path) -> DemoFiles:
    return demo_files.copy_to(tmp_path / "demo")


def _settings(url_or_path: str | Path, data_dir: Path) -> Settings:
    url = str(url_or_path) if "://" in str(url_or_path) else f"sqlite:///{url_or_path}"
    return Settings.resolve(
        None, environ={"TRAINER_APP_DATA_DIR": str(data_dir), "TRAINER_APP_DATABASE_URL": url}
    )


def _signed_in(settings: Settings) -> Iterator[ServiceContext]:
    with ServiceContext.open(settings, create=False, upgrade=False) as context:
        yield context.signed_in(context.users.sign_in("admin", PASSWORD))


def _digests(url: str) -> dict[str, tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                t.name: (found.rows, found.digest)
                for t in Base.metadata.sorted_tables
                for found in [table_digest(connection, t)]
            }
    finally:
        engine.dispose()


def _tables(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return list(
                connection.execute(
                    text(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_schema = 'public'"
                    )
                ).scalars()
            )
    finally:
        engine.dispose()


def _first(context: ServiceContext, column: Any) -> int:
    with context.store.engine.connect() as connection:
        return int(connection.execute(select(func.min(column))).scalar_one())


def _highest(context: ServiceContext, column: Any) -> int:
    with context.store.engine.connect() as connection:
        return int(connection.execute(select(func.max(column))).scalar_one())


def test_the_demo_goes_to_postgresql_and_back_whole(
    demo: DemoFiles, postgres_server: postgres.Server, tmp_path: Path
) -> None:
    source = _settings(demo.database, demo.data_dir)
    for context in _signed_in(source):  # one signature, to see it survive the journey
        completion_id = _first(context, CompletionRow.id)
        signed = context.signatures.sign(
            SignedKind.COMPLETION, completion_id, Meaning.APPROVED, PASSWORD
        )
        assert signed.valid
        certificate = context.certificates.register()[0]
        printed = context.certificates.write_certificate(certificate.number, tmp_path / "c.pdf")
        admin = context.actor

    server = postgres_server.new_database()
    there = copy_store(source, str(demo.database), server, admin)
    _check_copy(_settings(server, demo.data_dir), completion_id, printed)
    back_path = tmp_path / "back.db"
    back = copy_store(source, server, str(back_path), admin)
    _check_copy(_settings(back_path, demo.data_dir), completion_id, printed)

    original, on_server, returned = (
        _digests(source.database_url),
        _digests(server),
        _digests(f"sqlite:///{back_path}"),
    )
    for name, (rows, digest) in original.items():
        if name in APPENDED:
            assert on_server[name][0] == rows + 1, name
            assert returned[name][0] == rows + 2, name
        else:
            assert on_server[name] == (rows, digest), name
            assert returned[name] == (rows, digest), name
    trainees = original["trainees"][0]
    assert re.search(rf"^  trainees +{trainees} rows ✓$", "\n".join(there.lines()), re.M)
    assert "The audit trail is intact" in back.trail

    for context in _signed_in(_settings(server, demo.data_dir)):  # new rows get new ids
        before = _highest(context, TraineeRow.id)
        hub = context.hubs.list()[0]
        added = context.trainees.create(
            TraineeFields(reference="TR-NEW-001", name="Zoë Ní Bhriain", hub_id=hub.id)
        )
        assert added.id == before + 1


def _check_copy(settings: Settings, completion_id: int, printed: Path) -> None:
    """The copy as its users find it: the trail intact and ending with the copy, checks clean,
    the signature and the certificate valid. (Read only: signing in is audited.)"""
    with ServiceContext.open(settings, create=False, upgrade=False) as context:
        verdict = context.audit.verify()
        assert verdict.intact, verdict.summary()
        assert context.check() == []
        [signature] = context.signatures.of(SignedKind.COMPLETION, completion_id)
        assert signature.valid
        assert context.certificates.verify_file(printed).verdict is Verdict.VALID
        [entry] = context.audit.entries([_highest(context, AuditRow.id)])
        assert (entry.actor, entry.entity_label[:12]) == ("admin", "Copied from ")


# ----- refusals: nothing written where the copy was going ----------------------------------------


@pytest.fixture
def small(settings: Settings) -> Settings:
    """A small SQLite store: a hub and three trainees, the last one deleted."""
    with ServiceContext.open(settings) as context:
        hub = builders.hub(context)
        for number in range(1, 4):
            last = builders.trainee(context, hub.id, f"TR-00000{number}", f"Trainee {number}")
        context.trainees.delete(last.id, last.row_version)
    return settings


def test_ids_go_on_where_the_source_stopped_not_after_the_highest_left(
    small: Settings, postgres_server: postgres.Server
) -> None:
    """Audit entries name records by id: a deleted trainee's id is never given again."""
    server = postgres_server.new_database()
    copy_store(small, small.database_url, server, LOCAL_ACTOR)
    with ServiceContext.open(_settings(server, small.data_dir), create=False) as context:
        added = builders.trainee(context, context.hubs.list()[0].id, "TR-000009", "李伟")
        assert added.id == 4
        assert context.audit.verify().intact


def test_a_target_that_is_not_new_is_refused_untouched(
    small: Settings, postgres_server: postgres.Server, tmp_path: Path
) -> None:
    server = postgres_server.new_database()
    with psycopg.connect(server.replace("postgresql+psycopg", "postgresql")) as connection:
        connection.execute("CREATE TABLE notes (line text)")
        connection.execute("INSERT INTO notes VALUES ('keep me')")
    with pytest.raises(StoreRefused, match=r"already holds tables \(notes\).*not changed"):
        copy_store(small, small.database_url, server, LOCAL_ACTOR)
    assert _tables(server) == ["notes"]

    taken = tmp_path / "taken.db"
    taken.write_bytes(b"mine")
    with pytest.raises(StoreRefused, match="already exists: a copy is written into a new file"):
        copy_store(small, small.database_url, str(taken), LOCAL_ACTOR)
    assert taken.read_bytes() == b"mine"


def test_a_new_store_nothing_was_written_to_is_a_target_one_with_records_is_not(
    small: Settings, postgres_server: postgres.Server, data_dir: Path
) -> None:
    """What scripts/postgres-setup.sh leaves (the schema made by `db upgrade`) takes a copy."""
    fresh, used = postgres_server.new_database(), postgres_server.new_database()
    ServiceContext.open(_settings(fresh, data_dir)).close()
    with ServiceContext.open(_settings(used, data_dir)) as context:
        builders.hub(context)
    copy_store(small, small.database_url, fresh, LOCAL_ACTOR)
    with ServiceContext.open(_settings(fresh, small.data_dir), create=False) as context:
        assert [t.name for t in context.trainees.list()] == ["Trainee 1", "Trainee 2"]
        assert context.audit.verify().intact
    with pytest.raises(
        StoreRefused,
        match=r"already holds a store with records \(audit_entries, audit_seals, hubs\)",
    ):
        copy_store(small, small.database_url, used, LOCAL_ACTOR)
    assert _digests(used)["hubs"][0] == 1


def test_an_older_source_is_refused_and_left_as_it_was(tmp_path: Path, data_dir: Path) -> None:
    path = tmp_path / "old.db"
    engine = make_engine(f"sqlite:///{path}")
    config = alembic_config(f"sqlite:///{path}")
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0007")
    engine.dispose()
    before = path.read_bytes()
    target = tmp_path / "new.db"
    with pytest.raises(StoreRefused, match=r"older schema.*upgrade it first.*Nothing was copied"):
        copy_store(_settings(path, data_dir), str(path), str(target), LOCAL_ACTOR)
    assert path.read_bytes() == before
    assert not target.exists()


@pytest.mark.parametrize(
    ("target", "said"),
    [
        ("mysql://someone@db.example/hub", "is not an SQLite file or a PostgreSQL database"),
        ("postgresql+psycopg://x@127.0.0.1:1/hub", "Cannot connect to the target"),
        ("hub server://db", "is neither a file path nor a database URL"),
        ("postgresql+psycopg://bob:s3cret@db:port/hub", r"'postgresql\+psycopg://bob:\*\*\*@db"),
    ],
)
def test_a_bad_url_is_refused_in_words(small: Settings, target: str, said: str) -> None:
    with pytest.raises(StoreError, match=said) as refused:
        copy_store(small, small.database_url, target, LOCAL_ACTOR)
    assert "s3cret" not in str(refused.value)


def test_text_postgresql_cannot_hold_is_named_and_nothing_is_copied(
    small: Settings, postgres_server: postgres.Server
) -> None:
    path = small.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:  # as another program might have written it
        connection.execute("UPDATE trainees SET name = ? WHERE id = 2", ("Ann\x00e",))
    connection.close()
    server = postgres_server.new_database()
    with pytest.raises(
        StoreRefused,
        match=r"The column name of row 2 of the table trainees holds a NUL character",
    ):
        copy_store(small, small.database_url, server, LOCAL_ACTOR)
    assert _tables(server) == []  # the schema made in the same transaction is gone too


class _Interrupted(KeyboardInterrupt):
    pass


def _ctrl_c_at(table: str) -> Any:
    def progress(name: str, done: int, total: int) -> None:
        if name == table:
            raise _Interrupted

    return progress


def test_ctrl_c_half_way_leaves_no_target(
    small: Settings, postgres_server: postgres.Server, tmp_path: Path
) -> None:
    server = postgres_server.new_database()
    with pytest.raises(KeyboardInterrupt):
        copy_store(small, small.database_url, server, LOCAL_ACTOR, progress=_ctrl_c_at("trainees"))
    assert _tables(server) == []
    folder = tmp_path / "copies"
    folder.mkdir()
    with pytest.raises(KeyboardInterrupt):
        copy_store(
            small,
            small.database_url,
            str(folder / "c.db"),
            LOCAL_ACTOR,
            progress=_ctrl_c_at("trainees"),
        )
    assert list(folder.iterdir()) == []


def test_only_an_administrator_copies_the_store(small: Settings, tmp_path: Path) -> None:
    auditor = Actor("aud", "An Auditor", Role.AUDITOR)
    with pytest.raises(NotPermitted):
        copy_store(small, small.database_url, str(tmp_path / "c.db"), auditor)
    assert not (tmp_path / "c.db").exists()


# ----- the command -------------------------------------------------------------------------------


def test_db_copy_from_the_command_line_never_shows_the_password(
    demo: DemoFiles,
    postgres_server: postgres.Server,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(demo.data_dir))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    monkeypatch.setenv("TRAINER_APP_PASSWORD", PASSWORD)
    server = postgres_server.new_database().replace("postgres@", "postgres:s3cret-pw@")
    copy = ["db", "copy", "--from", str(demo.database), "--to", server]
    assert main(copy) == 1  # the demo has accounts: who is copying?
    assert "--user NAME" in capsys.readouterr().err
    assert main([*copy, "--user", "admin"]) == 0
    said = capsys.readouterr()
    assert "s3cret" not in said.out + said.err
    assert "postgres:***@127.0.0.1" in said.out
    assert re.search(r"^  trainees +300 rows ✓$", said.out, re.M)
    assert main([*copy, "--user", "admin"]) == 1  # again: the target is no longer empty
    said = capsys.readouterr()
    assert said.err.startswith("trainer-app: The target postgresql+psycopg://postgres:***@")
    assert "s3cret" not in said.err
    with ServiceContext.open(_settings(server, demo.data_dir), create=False) as context:
        [entry] = context.audit.entries([_highest(context, AuditRow.id)])
        assert ("copied_to", None, server.replace("s3cret-pw", "***")) in [
            (c.field, c.old, c.new) for c in entry.changes
        ]


# ----- a store on a server is backed up with the server's tools ----------------------------------


def test_backup_on_a_server_points_to_pg_dump_and_a_dump_restores_whole(
    small: Settings,
    postgres_server: postgres.Server,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    server = postgres_server.new_database()
    copy_store(small, small.database_url, server, LOCAL_ACTOR)
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(small.data_dir))
    monkeypatch.setenv("TRAINER_APP_DATABASE_URL", server)
    assert main(["backup", "-o", str(tmp_path / "b.db")]) == 1
    assert "pg_dump -Fc (see docs/shared-server.md). Nothing was written" in capsys.readouterr().err
    assert not (tmp_path / "b.db").exists()

    dump, restored = tmp_path / "hub.dump", postgres_server.new_database()
    connection = ["--host=127.0.0.1", f"--port={postgres_server.port}", "--username=postgres"]
    tools = postgres_server.bin
    subprocess.run(
        [tools / "pg_dump", "-Fc", *connection, f"--file={dump}", server.rsplit("/", 1)[1]],
        check=True,
    )
    subprocess.run(
        [
            tools / "pg_restore",
            *connection,
            "--no-owner",
            f"--dbname={restored.rsplit('/', 1)[1]}",
            dump,
        ],
        check=True,
    )
    with ServiceContext.open(_settings(restored, small.data_dir), create=False) as context:
        assert context.audit.verify().intact
        assert context.check() == []
        assert [t.name for t in context.trainees.list()] == ["Trainee 1", "Trainee 2"]
