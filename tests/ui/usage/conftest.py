"""The window on the demo database, used as a person uses it: at a laptop's 1366×768 and at a
large monitor's size, driven by mouse clicks and typing.

The demo is built once per test session; each test works on its own copy of the file, so what
one test saves never leaks into the next.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.app import create_main_window
from trainer_app.ui.main_window import MainWindow

LAPTOP = (1366, 768)
MONITOR = (1920, 1080)


def settings_for(database: Path, data_dir: Path) -> Settings:
    data_dir.mkdir(parents=True, exist_ok=True)
    return Settings.resolve(database, environ={"TRAINER_APP_DATA_DIR": str(data_dir)})


@pytest.fixture(scope="session")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("demo-template")
    context = ServiceContext.open(settings_for(folder / "demo.db", folder / "data"))
    try:
        build_demo(context)
    finally:
        context.close()
    return folder / "demo.db"


@pytest.fixture
def demo_context(demo_file: Path, tmp_path: Path) -> Iterator[ServiceContext]:
    database = tmp_path / "demo.db"
    shutil.copyfile(demo_file, database)
    # the key that signed the demo's certificates goes with it (a missing key is refused)
    shutil.copytree(demo_file.parent / "data" / "keys", tmp_path / "data" / "keys")
    context = ServiceContext.open(settings_for(database, tmp_path / "data"))
    yield context
    context.close()


def open_window(qtbot, context: ServiceContext, size: tuple[int, int]) -> MainWindow:
    window = create_main_window(context)
    qtbot.addWidget(window)
    window.setWindowState(Qt.WindowState.WindowNoState)  # the test's screen is not a laptop
    window.resize(*size)
    window.show()
    qtbot.waitExposed(window)
    return window


@pytest.fixture(params=[LAPTOP, MONITOR], ids=["1366x768", "1920x1080"])
def size(request: pytest.FixtureRequest) -> tuple[int, int]:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def demo_window(qtbot, demo_context: ServiceContext, size) -> Iterator[MainWindow]:
    window = open_window(qtbot, demo_context, size)
    yield window
    window.close()


@pytest.fixture
def laptop_window(qtbot, demo_context: ServiceContext) -> Iterator[MainWindow]:
    window = open_window(qtbot, demo_context, LAPTOP)
    yield window
    window.close()
