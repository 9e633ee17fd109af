"""The app on a real PostgreSQL server (issue 15, first step): a new store is made by the same
migrations, written to through the same services, and its audit trail sealed and verified.

The server is started by the test setup (tests.helpers.postgres); without one these tests
are skipped with the reason, and ``scripts/check`` (CI) makes that a failure."""

from __future__ import annotations

import pytest

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.people import TraineeFields
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
