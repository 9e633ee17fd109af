"""A store left at every earlier schema revision, with data in it, is upgraded to the head when
trainer-app opens it, on SQLite and on PostgreSQL: every row it held is still there, value for
value, and the audit trail verifies clean (the entries from before 0006 sealed by the upgrade
with the installation's key).

The older store is made the way it would be met: a store full of the things a hub records
(hubs, rooms, trainers, courses, a published plan, enrolments, attendance, assessments,
completions, a certificate, accounts, a signature, a requirement under change control), taken
back by the migrations' own downgrades to the revision, as an older trainer-app left it."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import Connection, Engine, create_engine, inspect, text

from tests.helpers import postgres
from tests.integration.test_change_control import require
from tests.integration.test_enrolment import World, earn, world
from trainer_app.config import Settings
from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.records import ChangeTerms
from trainer_app.domain.signatures import Meaning, SignedKind
from trainer_app.persistence.db import MIGRATIONS, SCHEMA_HEAD, alembic_config, sqlite_path
from trainer_app.services.context import ServiceContext

__all__ = ["world"]

PASSWORD = "correct horse battery"

pytestmark = pytest.mark.both_stores

# Every revision before the head, read from the migrations themselves (a new one is covered).
EARLIER = sorted(
    path.name[:4]
    for path in (MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py")
    if path.name[:4] != SCHEMA_HEAD
)
assert EARLIER[0] == "0001" and len(EARLIER) == int(SCHEMA_HEAD) - 1

Rows = dict[str, list[tuple[object, ...]]]


def populate(w: World) -> None:
    """What a hub records, through the services: the world of test_enrolment, completions
    earned on a published run, a certificate, an administrator's account and signature, a
    role's requirement changed under change control."""
    completions = earn(w, "GOWN-2027-01", w.gown, w.people[:3])
    w.ctx.certificates.issue(completions[0])
    w.ctx.users.create_first_administrator(
        AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), PASSWORD
    )
    admin = w.ctx.signed_in(w.ctx.users.sign_in("ana", PASSWORD))
    admin.signatures.sign(SignedKind.COMPLETION, completions[1], Meaning.APPROVED, PASSWORD)
    require(w, w.gown)
    require(w, w.asep, terms=ChangeTerms(effective_on=date(2027, 3, 1), grace_days=30))


def columns_of(connection: Connection) -> dict[str, list[str]]:
    """Each table's columns (the schema's bookkeeping table aside)."""
    found = inspect(connection)
    return {
        table: sorted(c["name"] for c in found.get_columns(table))
        for table in found.get_table_names()
        if table != "alembic_version"
    }


def rows(connection: Connection, columns: dict[str, list[str]]) -> Rows:
    """Every row of each table, those columns of it, in a stable order."""
    out: Rows = {}
    for table, names in columns.items():
        listed = ", ".join(f'"{c}"' for c in names)
        found = connection.execute(text(f'SELECT {listed} FROM "{table}"'))
        out[table] = sorted((tuple(row) for row in found), key=repr)
    return out


class Copies:
    """Copies of the populated store, one per revision (a file, or a database copied on the
    server), each with the installation's data folder beside it."""

    def __init__(self, settings: Settings, tmp_path: Path, server: postgres.Server | None):
        self.settings = settings
        self.tmp_path = tmp_path
        self.server = server

    def copy(self, label: str) -> Settings:
        data_dir = self.tmp_path / f"data-{label}"
        shutil.copytree(self.settings.data_dir, data_dir)
        source = sqlite_path(self.settings.database_url)
        if source is not None:
            path = self.tmp_path / f"{label}.db"
            shutil.copyfile(source, path)
            return Settings.resolve(path, environ={"TRAINER_APP_DATA_DIR": str(data_dir)})
        assert self.server is not None
        url = self.server.new_database(template=self.settings.database_url.rsplit("/", 1)[1])
        return Settings.resolve(
            None,
            environ={"TRAINER_APP_DATA_DIR": str(data_dir), "TRAINER_APP_DATABASE_URL": url},
        )


def engine_for(settings: Settings) -> Engine:
    """A plain engine: on SQLite foreign keys off, as the migrations' own runner has them
    while tables are rebuilt (rows refer to one another across the dropped tables)."""
    return create_engine(settings.database_url)


def take_back(settings: Settings, revision: str) -> tuple[dict[str, list[str]], Rows]:
    """Downgrade the store to ``revision`` as an older trainer-app would have it; its tables'
    columns and rows then."""
    engine = engine_for(settings)
    try:
        with engine.begin() as connection:
            config = alembic_config(settings.database_url)
            config.attributes["connection"] = connection
            command.downgrade(config, revision)
        with engine.connect() as connection:
            columns = columns_of(connection)
            return columns, rows(connection, columns)
    finally:
        engine.dispose()


@pytest.fixture
def copies(
    world: World, settings: Settings, tmp_path: Path, request: pytest.FixtureRequest
) -> Copies:
    populate(world)
    world.ctx.close()
    server = (
        None if sqlite_path(settings.database_url) else request.getfixturevalue("postgres_server")
    )
    return Copies(settings, tmp_path, server)


def test_a_store_at_every_earlier_revision_is_upgraded_with_all_its_data(copies: Copies) -> None:
    with ServiceContext.open(copies.settings, create=False) as head:
        assert head.audit.verify().intact
        entries = head.audit.count()
        trainees = len(head.trainees.list())
    for revision in EARLIER:
        settings = copies.copy(revision)
        columns, before = take_back(settings, revision)
        assert before["trainees"] and before["audit_entries"], revision
        with ServiceContext.open(settings, create=False) as ctx:
            assert ctx.schema_revision == SCHEMA_HEAD, revision
            verdict = ctx.audit.verify()
            assert verdict.intact, f"from {revision}: {verdict.summary()}"
            assert ctx.check() == [], f"from {revision}"
            assert ctx.audit.count() == entries, f"from {revision}"
            assert len(ctx.trainees.list()) == trainees, f"from {revision}"
        engine = engine_for(settings)
        with engine.connect() as connection:
            after = rows(connection, columns)
        engine.dispose()
        for table, held in before.items():  # (upgrades may add rows: the store's id)
            lost = [row for row in held if row not in after[table]]
            assert not lost, f"from {revision}: rows of {table} lost or changed: {lost[:3]}"
