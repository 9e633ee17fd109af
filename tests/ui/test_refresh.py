"""Others' changes appear in an open window without a restart: on F5, when the window is
activated and, on PostgreSQL, by themselves; the selection and scroll position stay, and a
page is never reloaded under a dialog that is editing."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QWidget

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.domain.trainers import Trainer
from trainer_app.services.changes import ChangeListener
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.pages.trainers import TrainersPage
from trainer_app.ui.record_table import RecordTable

PASSWORD = builders.SHARED_PASSWORD
AMARA = "Amara Okafor (coordinator, BRI)"


def _network(context: ServiceContext, trainers: int = 3) -> list[Trainer]:
    """A Bristol coordinator, Amara Okafor, and Bristol's trainers."""
    admin, hub = builders.bristol_with_amara(context)
    return [builders.trainer(admin, hub.id, f"Trainer {n:03d}") for n in range(trainers)]


def _as_amara(settings: Settings) -> ServiceContext:
    """Another coordinator's app on the same store (its own engine and connections)."""
    other = ServiceContext.open(settings, create=False)
    return other.signed_in(other.users.sign_in("amara", PASSWORD))


_rename = builders.rename_trainer


def _trainers_table(window: MainWindow) -> RecordTable:
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, TrainersPage))
    window.show_page(index)
    return window.page.tables[0]


def _shown_name(table: RecordTable, trainer_id: int) -> str:
    row = table.model.row_of(trainer_id)
    assert row is not None
    return str(table.model.index(row, 0).data())


def _status(window: MainWindow) -> str:
    return window.statusBar().currentMessage()


@pytest.fixture
def trainers(context: ServiceContext) -> list[Trainer]:
    return _network(context)


def test_f5_shows_a_name_changed_elsewhere_and_keeps_the_selected_row(
    qtbot, trainers: list[Trainer], window: MainWindow, settings: Settings
) -> None:
    table = _trainers_table(window)
    chosen = trainers[1]
    assert table.select_id(chosen.id)
    with _as_amara(settings) as amara:
        _rename(amara, chosen.id, "Dr Amara's renamed trainer")
    assert _shown_name(table, chosen.id) == "Trainer 001"  # nothing moves by itself on SQLite
    told: list[tuple[str, int, str]] = []  # what a dialog editing that trainer could listen to
    window.watcher.record_changed.connect(lambda *change: told.append(change))
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert told == [("trainer", chosen.id, AMARA)]
    assert _shown_name(table, chosen.id) == "Dr Amara's renamed trainer"
    assert table.selected_id() == chosen.id
    assert _status(window) == f"1 change by {AMARA} — refreshed"
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert "nobody else has changed anything" in _status(window)


def test_coming_back_to_the_window_shows_others_changes(
    qtbot, trainers: list[Trainer], window: MainWindow, settings: Settings
) -> None:
    table = _trainers_table(window)
    assert table.select_id(trainers[0].id)
    elsewhere = QWidget()  # another application's window, say
    qtbot.addWidget(elsewhere)
    elsewhere.show()
    elsewhere.activateWindow()
    qtbot.waitUntil(lambda: not window.isActiveWindow())
    with _as_amara(settings) as amara:
        _rename(amara, trainers[2].id, "Dr Zoë Ní Bhriain")
        _rename(amara, trainers[0].id, "Dr Ravi Patel")
    elsewhere.close()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    assert _shown_name(table, trainers[0].id) == "Dr Ravi Patel"
    assert _shown_name(table, trainers[2].id) == "Dr Zoë Ní Bhriain"
    assert table.selected_id() == trainers[0].id
    assert _status(window) == f"2 changes by {AMARA} — refreshed"


def test_the_scroll_position_and_filter_stay_across_a_refresh(
    qtbot, window: MainWindow, context: ServiceContext, settings: Settings
) -> None:
    trainers = _network(context, trainers=120)
    window.refresh()
    table = _trainers_table(window)
    table.filter_box.setText("Trainer 0")
    table.apply_filter()
    matching = table.model.rowCount()
    assert 100 <= matching < 120
    bar = table.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    bar.setValue(bar.maximum() // 2)
    middle = table.view.rowAt(table.view.viewport().height() // 2)
    chosen = table.model.id_at(middle)
    assert chosen is not None
    assert table.select_id(chosen)
    scrolled = bar.value()
    with _as_amara(settings) as amara:
        _rename(amara, chosen, "Trainer 0 (renamed)")
        _rename(amara, trainers[-1].id, "Trainer 0 (one more)")  # was Trainer 119
    QTest.keyClick(window, Qt.Key.Key_F5)
    assert table.model.rowCount() == matching + 1
    assert table.filter_box.text() == "Trainer 0"
    assert table.selected_id() == chosen
    assert bar.value() == scrolled


def test_a_page_is_not_reloaded_under_a_dialog_that_is_editing(
    qtbot, trainers: list[Trainer], window: MainWindow, settings: Settings
) -> None:
    table = _trainers_table(window)
    assert table.select_id(trainers[0].id)
    window.edit_record()
    dialog = window.editor.dialog
    assert dialog is not None and dialog.isVisible()
    with _as_amara(settings) as amara:
        _rename(amara, trainers[1].id, "Dr Ravi Patel")
    window.refresh()  # as the window's being activated would
    assert _shown_name(table, trainers[1].id) == "Trainer 001"
    assert "refreshes when the dialog is closed" in _status(window)
    dialog.reject()
    qtbot.waitUntil(lambda: _shown_name(table, trainers[1].id) == "Dr Ravi Patel", timeout=3000)
    assert table.selected_id() == trainers[0].id


@pytest.fixture
def pg_window(qtbot, postgres_settings: Settings) -> Iterator[tuple[MainWindow, list[Trainer]]]:
    context = ServiceContext.open(postgres_settings)
    trainers = _network(context)
    main = create_main_window(context)
    qtbot.addWidget(main)
    try:
        yield main, trainers
    finally:
        main.close()
        context.close()


def _listening(qtbot, window: MainWindow) -> tuple[RecordTable, ChangeListener]:
    """The window shown on its Trainers page, listening to the server."""
    window.show()
    qtbot.waitExposed(window)
    listener = window.watcher.listener
    assert listener is not None and listener.wait_listening(5)
    return _trainers_table(window), listener


def test_on_postgresql_others_changes_appear_without_any_action(
    qtbot, pg_window: tuple[MainWindow, list[Trainer]], postgres_settings: Settings
) -> None:
    pg_window, trainers = pg_window
    table, listener = _listening(qtbot, pg_window)
    assert table.select_id(trainers[2].id)
    with _as_amara(postgres_settings) as amara:
        _rename(amara, trainers[1].id, "Dr Siobhán Ní Bhriain")
    qtbot.waitUntil(
        lambda: _shown_name(table, trainers[1].id) == "Dr Siobhán Ní Bhriain", timeout=3000
    )
    assert table.selected_id() == trainers[2].id
    assert _status(pg_window) == f"1 change by {AMARA} — refreshed"
    pg_window.close()
    assert not listener.running
    assert not [t for t in threading.enumerate() if t.name == "trainer-app changes"]


def test_on_postgresql_an_edit_dialog_is_told_at_once_that_its_record_was_saved_elsewhere(
    qtbot, pg_window: tuple[MainWindow, list[Trainer]], postgres_settings: Settings
) -> None:
    pg_window, trainers = pg_window
    table, _listener = _listening(qtbot, pg_window)
    assert table.select_id(trainers[1].id)
    pg_window.edit_record()
    dialog = pg_window.editor.dialog
    assert dialog is not None and dialog.isVisible() and not dialog.banner.isVisible()
    with _as_amara(postgres_settings) as amara:
        _rename(amara, trainers[2].id, "Dr Ravi Patel")  # another trainer: nothing said
        _rename(amara, trainers[1].id, "Dr Siobhán Ní Bhriain")
    qtbot.waitUntil(dialog.banner.isVisible, timeout=3000)
    assert dialog.banner.text().startswith(f"{AMARA} has just saved changes to this trainer.")
    dialog.reject()


def test_an_edit_made_here_keeps_its_message_and_tells_of_others_changes_too(
    qtbot, trainers: list[Trainer], window: MainWindow, settings: Settings, answers
) -> None:
    table = _trainers_table(window)
    with _as_amara(settings) as amara:
        _rename(amara, trainers[1].id, "Dr Ravi Patel")
    assert table.select_id(trainers[0].id)
    window.delete_record()
    assert answers == [("confirm", "Delete trainer Trainer 000?")]
    assert table.model.row_of(trainers[0].id) is None
    assert _shown_name(table, trainers[1].id) == "Dr Ravi Patel"
    said = _status(window)
    assert "Undo" in said
    assert said.endswith(f" · also 1 change by {AMARA}")
