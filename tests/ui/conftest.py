"""GUI fixtures: a main window on a fresh store, and a guard against leaked windows/dialogs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtWidgets import QApplication, QWidget

from tests.helpers.collector import live_qt_objects_in_garbage
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.record_editor import RecordEditor

# The offscreen platform cannot resize native windows to their size hints, raise a window or
# grab the keyboard (a combo box's popup asks), and says so; those warnings are about the test
# platform, not the app.
OFFSCREEN_NOISE = (
    "This plugin does not support propagateSizeHints",
    r"This plugin does not support raise\(\)",
    "This plugin does not support grabbing the keyboard",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.qt_log_ignore(*OFFSCREEN_NOISE))


@pytest.fixture(autouse=True)
def no_leaked_windows(qapp: QApplication) -> Iterator[None]:
    """Fail a test that leaves a window or dialog open; tidy up either way."""
    yield
    leftovers = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
    titles = [w.windowTitle() for w in leftovers]  # closing may delete them
    for widget in leftovers:
        widget.close()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    assert not leftovers, f"windows left open: {titles}"


@pytest.fixture(scope="module", autouse=True)
def no_qt_objects_left_to_the_collector() -> Iterator[None]:
    """Fail a test module that leaves a live Qt object to Python's garbage collector, which
    would delete it on whichever thread it next runs (`tests.helpers.collector`)."""
    yield
    found = live_qt_objects_in_garbage()
    assert not found, f"Qt objects left to the garbage collector: {found}"


@pytest.fixture
def window(qtbot, context: ServiceContext) -> Iterator[MainWindow]:
    main = create_main_window(context)
    qtbot.addWidget(main)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.close()


@pytest.fixture
def answers(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Say yes to confirmations and record warnings instead of showing modal boxes."""
    told: list[tuple[str, str]] = []
    monkeypatch.setattr(
        RecordEditor, "confirm", lambda self, question: told.append(("confirm", question)) or True
    )
    monkeypatch.setattr(
        RecordEditor, "inform", lambda self, title, text: told.append((title, text))
    )
    return told


def find(root: QWidget, cls: type, name: str) -> QWidget:
    """The one child of ``root`` of type ``cls`` with accessible name ``name``."""
    found = [w for w in root.findChildren(cls) if w.accessibleName() == name]
    assert len(found) == 1, f"{len(found)} {cls.__name__} named {name!r}"
    return found[0]
