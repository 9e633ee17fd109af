"""Shared fixtures: a real SQLite file per test, services on it, and an isolated data dir."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

# Qt must never try to reach a display in tests, and never read the developer's settings.
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ["QT_API"] = "pyside6"

from tests.helpers.demo import DemoFiles
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    return folder


@pytest.fixture
def settings(tmp_path: Path, data_dir: Path) -> Settings:
    return Settings.resolve(
        tmp_path / "trainer.db", environ={"TRAINER_APP_DATA_DIR": str(data_dir)}
    )


@pytest.fixture
def context(settings: Settings) -> Iterator[ServiceContext]:
    ctx = ServiceContext.open(settings)
    yield ctx
    ctx.close()


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory: pytest.TempPathFactory) -> DemoFiles:
    """A pristine demo database for the session: copy it (`DemoFiles.copy_to`) to change it."""
    return DemoFiles.build(tmp_path_factory.mktemp("demo"))
