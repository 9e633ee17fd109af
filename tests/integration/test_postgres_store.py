"""The app on a real PostgreSQL server (issue 15, first step): a new store is made by the same
migrations, written to through the same services, and its audit trail sealed and verified.

The server is started by the test setup (tests.helpers.postgres); without one these tests
are skipped with the reason, and ``scripts/check`` (CI) makes that a failure."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.people import TraineeFields
from trainer_app.persistence import db
from trainer_app.persistence.db import SCHEMA_HEAD
from trainer_app.services.context import ServiceContext
from trainer_app.services.users import SignInRefused


def test_a_new_store_on_postgresql_is_migrated_written_and_its_trail_verified(
    postgres_settings: Settings,
) -> None:
    with ServiceContext.open(postgres_settings) as context:
        assert context.schema_revision == SCHEMA_HEAD
        assert not context.store.is_sqlite
        hub = builders.hub(context)
        builders.trainee(context, hub.id, "TR-000001", "Siobhán Ní Bhriain")
        admin = context.users.create_first_administrator(
            AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), "a long passphrase"
        )
        as_admin = context.signed_in(context.users.sign_in("ana", "a long passphrase"))
        as_admin.trainees.create(TraineeFields(reference="TR-000002", name="李伟", hub_id=hub.id))
        assert admin.username == "ana"
        verdict = context.audit.verify()
        assert verdict.intact, verdict.summary()
        assert context.check() == []
    # Opened again (a second process would do the same): the trail still holds.
    with ServiceContext.open(postgres_settings, create=False) as again:
        names = sorted(t.name for t in again.trainees.list())
        assert names == ["Siobhán Ní Bhriain", "李伟"]
        assert again.audit.verify().intact


@pytest.mark.parametrize("username", ["ad\x00min", "x" * 10_000, "\u202eadmin", "admin' --"])
def test_hostile_user_names_are_refused_in_words_on_postgresql(
    postgres_settings: Settings, username: str
) -> None:
    """PostgreSQL text holds no NUL byte: such a name must be refused like any wrong one,
    not reach the database as a query parameter or in the audit entry."""
    with ServiceContext.open(postgres_settings) as context:
        context.users.create_first_administrator(
            AccountFields("admin", "Dr Ana Silva", Role.ADMINISTRATOR), "a long passphrase"
        )
        with pytest.raises(SignInRefused, match="The user name or the password is wrong"):
            context.users.sign_in(username, "a long passphrase")
        assert context.audit.verify().intact


def test_the_command_line_takes_a_postgresql_url_in_database(
    postgres_server, tmp_path, monkeypatch, capsys
) -> None:
    from trainer_app.cli import main

    url = postgres_server.new_database()
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    assert main(["db", "upgrade", "--database", url]) == 0
    assert main(["db", "upgrade", "--database", url]) == 0
    assert main(["db", "check", "--database", url]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0] == f"Created the tables of {url} (schema {SCHEMA_HEAD})"
    assert said[1] == f"{url} is up to date (schema {SCHEMA_HEAD})"
    assert said[2].startswith(f"{url}: OK (schema {SCHEMA_HEAD};")
    data = {"TRAINER_APP_DATA_DIR": str(tmp_path / "data")}
    with ServiceContext.open(Settings.resolve(url, environ=data)) as ctx:
        assert ctx.store.engine.dialect.name == "postgresql"
    assert not list(tmp_path.glob("postgresql*"))  # not taken for a file name


def test_a_connection_the_server_dropped_while_idle_is_replaced_unseen(
    postgres_settings: Settings, postgres_server, monkeypatch
) -> None:
    """The server restarted, or the laptop woke on another network: the pooled connections
    are dead. One idle for a while is checked before use and replaced, so the next save and
    the next list just work (without the check both fail with the server's message)."""
    with ServiceContext.open(postgres_settings) as context:
        hub = builders.hub(context)
        database = make_url(postgres_settings.database_url).database
        with postgres_server.connect() as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = %s AND pid <> pg_backend_pid()",
                (database,),
            ).fetchone()
        assert ended is not None and ended[0] >= 1  # the app's pooled connection
        monkeypatch.setattr(db, "IDLE_BEFORE_PING_S", 0.0)  # as after a coffee break
        builders.trainee(context, hub.id, "TR-000001", "Ama Mensah")
        assert [t.name for t in context.trainees.list()] == ["Ama Mensah"]
        assert context.audit.verify().intact


def test_a_big_import_brings_the_servers_statistics_up_to_date(
    postgres_settings: Settings,
) -> None:
    """Until the server knows the trainees table grew, it reads every row (not the name
    index alone) to open the table in name order: the import has it vacuumed and analysed
    at once, not when autovacuum comes round."""
    with ServiceContext.open(postgres_settings) as context:
        hub = builders.hub(context)
        few = [TraineeFields(reference="TR-000000", name="Kwame Mensah", hub_id=hub.id)]
        context.trainees.bulk_create(few)
        seen = "SELECT last_vacuum, last_analyze FROM pg_stat_user_tables WHERE relname = :t"
        with context.store.engine.connect() as connection:
            assert connection.execute(text(seen), {"t": "trainees"}).one() == (None, None)
        many = [
            TraineeFields(reference=f"TR-{i:06d}", name=f"Chiamaka Obi {i}", hub_id=hub.id)
            for i in range(1, 1001)
        ]
        context.trainees.bulk_create(many)
        with context.store.engine.connect() as connection:
            for table in ("trainees", "cohort_memberships"):
                vacuumed, analysed = connection.execute(text(seen), {"t": table}).one()
                assert vacuumed is not None and analysed is not None, table
        assert context.trainees.count() == 1001
