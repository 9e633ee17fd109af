"""Shared fixtures: a real store per test, services on it, and an isolated data dir.

The store is a SQLite file; a module marked ``pytest.mark.both_stores`` runs each test that
uses ``settings`` (or ``context``) twice, on SQLite and on a database of its own on a real
PostgreSQL server (ids ``[sqlite]`` and ``[postgresql]``). A test there that is about SQLite
files is marked ``sqlite_only`` and runs once."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never try to reach a display in tests, and never read the developer's settings.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"

from tests.helpers import postgres
from tests.helpers.demo import DemoFiles
from trainer_app.config import Settings
from trainer_app.persistence.db import open_store
from trainer_app.services.context import ServiceContext


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


STORES = ("sqlite", "postgresql")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests of a ``both_stores`` module that use the store run once on each."""
    test = metafunc.definition
    if (
        "store_kind" in metafunc.fixturenames
        and test.get_closest_marker("both_stores") is not None
        and test.get_closest_marker("sqlite_only") is None
    ):
        metafunc.parametrize("store_kind", STORES, indirect=True)


@pytest.fixture
def store_kind(request: pytest.FixtureRequest) -> str:
    """Which store ``settings`` names: "sqlite" unless the test runs on both."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
def settings(
    tmp_path: Path, data_dir: Path, store_kind: str, request: pytest.FixtureRequest
) -> Iterator[Settings]:
    environ = {"TRAINER_APP_DATA_DIR": str(data_dir)}
    if store_kind == "sqlite":
        yield Settings.resolve(tmp_path / "trainer.db", environ=environ)
        return
    copies: postgres.Copies = request.getfixturevalue("postgres_copies")
    url = copies.take()
    yield Settings.resolve(None, environ={**environ, "TRAINER_APP_DATABASE_URL": url})
    copies.give_back(url)


@pytest.fixture
def context(settings: Settings) -> Iterator[ServiceContext]:
    ctx = ServiceContext.open(settings)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """A pristine demo database for the session: copy it (`DemoFiles.copy_to`) to change it."""
    return DemoFiles.build(tmp_path_factory.mktemp("demo"))


REQUIRE_POSTGRES = "TRAINER_APP_REQUIRE_POSTGRES"  # set by scripts/check: CI fails without one


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.Server]:
    """One PostgreSQL server for the session, on loopback (tests.helpers.postgres), in a folder
    of its own under the system's temporary folder (pytest's are root's alone)."""
    folder = Path(tempfile.mkdtemp(prefix="trainer-app-postgres-"))
    try:
        try:
            server = postgres.start(folder)
        except postgres.NoServer as why:
            if os.environ.get(REQUIRE_POSTGRES):
                pytest.fail(f"PostgreSQL could not be started: {why}")
            pytest.skip(f"PostgreSQL could not be started: {why}")
        yield server
        server.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres_copies(postgres_server: postgres.Server) -> Iterator[postgres.Copies]:
    """A database migrated to the head once per session; each test's store is a copy of it
    (``CREATE DATABASE ... TEMPLATE``, made ahead on a thread), far quicker than migrating."""
    url = postgres_server.new_database()
    open_store(url).close()
    copies = postgres.Copies(postgres_server, url.rsplit("/", 1)[1])
    yield copies
    copies.close()


@pytest.fixture
def postgres_settings(postgres_server: postgres.Server, data_dir: Path) -> Settings:
    """Settings for a fresh, empty PostgreSQL database of its own."""
    return Settings.resolve(
        None,
        environ={
            "TRAINER_APP_DATA_DIR": str(data_dir),
            "TRAINER_APP_DATABASE_URL": postgres_server.new_database(),
        },
    )
