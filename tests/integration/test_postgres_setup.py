"""scripts/postgres-setup.sh, the hub IT team's recipe (docs/shared-server.md), run against the
test server as its administrator: the service account and its database are made, a second run
changes nothing that matters, the app works through the services as the service account, and
the reporting role reads the records but neither the accounts nor anything it could write."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import psycopg
import pytest

from tests.helpers import builders, postgres
from trainer_app.config import Settings
from trainer_app.domain.access import AccountFields, Role
from trainer_app.persistence.db import SCHEMA_HEAD
from trainer_app.services.context import ServiceContext

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "postgres-setup.sh"


def _run(server: postgres.Server, **names: str) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "PGHOST": "127.0.0.1",
        "PGPORT": str(server.port),
        "PGUSER": "postgres",
        "PSQL": str(server.bin / "psql"),
        "TRAINER_APP": f"{sys.executable} -m trainer_app",
        "TRAINER_APP_DB_PASSWORD": "service account's 'pass' \\word",
        "TRAINER_APP_DB_READER_PASSWORD": "reader's password",
        **names,
    }
    environment.pop("TRAINER_APP_DATABASE_URL", None)
    return subprocess.run(
        ["bash", str(SCRIPT)],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _as(
    server: postgres.Server, user: str, database: str
) -> psycopg.Connection[tuple[object, ...]]:
    return psycopg.connect(
        f"host=127.0.0.1 port={server.port} user={user} dbname={database}", autocommit=True
    )


def test_the_setup_script_makes_a_store_the_app_uses_as_the_service_account(
    postgres_server: postgres.Server, data_dir: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    names = {
        "TRAINER_APP_DB_NAME": f"hub_{tag}",
        "TRAINER_APP_DB_ROLE": f"app_{tag}",
        "TRAINER_APP_DB_READER": f"reports_{tag}",
    }
    first = _run(postgres_server, **names)
    assert first.returncode == 0, first.stderr
    url = f"postgresql+psycopg://app_{tag}@127.0.0.1:{postgres_server.port}/hub_{tag}"
    assert first.stdout.strip() == (
        f"TRAINER_APP_DATABASE_URL=postgresql+psycopg://app_{tag}@127.0.0.1:"
        f"{postgres_server.port}/hub_{tag}?sslmode=require"
    )
    again = _run(postgres_server, **names)  # idempotent
    assert again.returncode == 0, again.stderr
    assert f"(schema {SCHEMA_HEAD})" in again.stderr

    with _as(postgres_server, "postgres", f"hub_{tag}") as admin:
        owner, encoding, superuser, creates, password = (
            admin.execute(
                "SELECT pg_get_userbyid(d.datdba), pg_encoding_to_char(d.encoding), r.rolsuper, "
                "r.rolcreatedb, r.rolpassword IS NOT NULL FROM pg_database d, pg_authid r "
                "WHERE d.datname = current_database() AND r.rolname = %s",
                (f"app_{tag}",),
            ).fetchone()
            or ()
        )
        assert (owner, encoding, superuser, creates, password) == (
            f"app_{tag}",
            "UTF8",
            False,
            False,
            True,
        )
        assert admin.execute("SHOW timezone").fetchone() == ("UTC",)
        # Names sort as in an SQLite store (code point order), whatever the server's default.
        assert admin.execute(
            "SELECT datcollate FROM pg_database WHERE datname = current_database()"
        ).fetchone() == ("C",)

    settings = Settings.resolve(
        None, environ={"TRAINER_APP_DATA_DIR": str(data_dir), "TRAINER_APP_DATABASE_URL": url}
    )
    with ServiceContext.open(settings, create=False, upgrade=False) as context:
        context.users.create_first_administrator(
            AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), "a long passphrase"
        )
        ana = context.signed_in(context.users.sign_in("ana", "a long passphrase"))
        hub = builders.hub(ana)
        builders.trainee(ana, hub.id, "TR-000001", "Siobhán Ní Bhriain")
        assert context.audit.verify().intact
        assert context.check() == []

    with _as(postgres_server, f"reports_{tag}", f"hub_{tag}") as reader:
        assert reader.execute("SELECT name FROM trainees").fetchall() == [("Siobhán Ní Bhriain",)]
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            reader.execute("SELECT password_hash FROM users")
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):
            reader.execute("DELETE FROM trainees")


def test_the_setup_script_refuses_without_the_service_accounts_password(
    postgres_server: postgres.Server,
) -> None:
    done = _run(postgres_server, TRAINER_APP_DB_PASSWORD="")
    assert done.returncode != 0
    assert "set TRAINER_APP_DB_PASSWORD to the password of the service account" in done.stderr
