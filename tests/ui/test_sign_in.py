"""Signing in, the idle lock, the Users dialog and what each role sees, as a user meets them:
typing into the fields and clicking the buttons, then checking what is shown and saved."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QDialog

from tests.helpers import builders as b
from trainer_app.domain.access import AccountFields, Role
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.sign_in import LockDialog, SignInDialog
from trainer_app.ui.users_dialog import AccountDialog, UsersDialog

PASSWORD = "a long passphrase"
LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def store(context: ServiceContext) -> ServiceContext:
    """A store with an administrator (``admin``) and an auditor (``olu``), and one hub."""
    b.hub(context)
    admin = context.users.create_first_administrator(
        AccountFields("admin", "Grace Adeyemi", Role.ADMINISTRATOR), PASSWORD
    )
    context.signed_in(admin).users.create(
        AccountFields("olu", "Olu Bankole", Role.AUDITOR), PASSWORD
    )
    return context


def sign_in(qtbot, dialog: SignInDialog, username: str, password: str) -> None:
    dialog.username.clear()
    qtbot.keyClicks(dialog.username, username)
    qtbot.keyClicks(dialog.password, password)
    qtbot.mouseClick(dialog.ok_button, LEFT)


def window_for(qtbot, store: ServiceContext, username: str) -> MainWindow:
    main = create_main_window(store.signed_in(store.users.sign_in(username, PASSWORD)))
    qtbot.addWidget(main)
    main.show()
    return main


@pytest.fixture
def admin_window(qtbot, store: ServiceContext) -> Iterator[MainWindow]:
    main = window_for(qtbot, store, "admin")
    yield main
    main.close()


def test_a_wrong_password_keeps_the_dialog_open_and_says_why(qtbot, store) -> None:
    dialog = SignInDialog(store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.first and dialog.ok_button.text() == "Sign in"
    sign_in(qtbot, dialog, "admin", "not it at all")
    assert dialog.isVisible() and dialog.result() != QDialog.DialogCode.Accepted
    assert dialog.message.text() == "The user name or the password is wrong"
    assert dialog.password.text() == ""  # asked again, not kept
    sign_in(qtbot, dialog, "admin", PASSWORD)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert dialog.signed_in is not None
    assert dialog.signed_in.actor.title == "Grace Adeyemi (administrator)"


def test_the_first_administrator_is_made_in_the_dialog(qtbot, context) -> None:
    dialog = SignInDialog(context)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.first and dialog.ok_button.text() == "Create account"
    qtbot.keyClicks(dialog.username, "ops")
    qtbot.keyClicks(dialog.full_name, "Ife Okonkwo")
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.repeat, "short")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "at least 10 characters" in dialog.message.text() and dialog.isVisible()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.repeat, PASSWORD + "!")
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert "The two passwords differ" in dialog.message.text()
    assert not context.users.has_accounts()
    qtbot.keyClicks(dialog.password, PASSWORD)
    qtbot.keyClicks(dialog.repeat, PASSWORD)
    qtbot.mouseClick(dialog.ok_button, LEFT)
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert [a.username for a in context.users.list()] == ["ops"]


def test_an_auditor_sees_no_way_to_change_records(qtbot, store) -> None:
    auditor = window_for(qtbot, store, "olu")
    try:
        assert auditor.person_label.text() == "Signed in: Olu Bankole (auditor)"
        hidden = (auditor.users_action, auditor.restore_action, auditor.import_action)
        assert not any(action.isVisible() for action in hidden)
        assert not auditor.add_action.isVisible() and not auditor.delete_action.isVisible()
        buttons = [button for page in auditor.pages for t in page.tables for button in t.buttons]
        assert buttons and all(button.isHidden() for button in buttons)  # hidden, not just off-page
    finally:
        auditor.close()


def test_a_coordinator_sees_no_buttons_for_network_wide_records(qtbot, store) -> None:
    store.signed_in(store.users.sign_in("admin", PASSWORD)).users.create(
        AccountFields("hannah", "Hannah Price", Role.COORDINATOR, frozenset({1})), PASSWORD
    )
    coordinator = window_for(qtbot, store, "hannah")
    try:
        by_kind = {
            t.kind.noun: not t.buttons[0].isHidden()
            for page in coordinator.pages
            for t in page.tables
            if t.kind is not None and t.buttons
        }
        assert by_kind["hub"] is False and by_kind["course"] is False
        assert by_kind["trainer"] is True and by_kind["trainee"] is True
        assert not coordinator.users_action.isVisible()
    finally:
        coordinator.close()


def test_the_administrator_sees_users_and_the_record_buttons(admin_window) -> None:
    assert admin_window.users_action.isVisible() and admin_window.restore_action.isVisible()
    assert not admin_window.pages[0].tables[0].buttons[0].isHidden()
    assert "Grace Adeyemi" in admin_window.windowTitle()


def test_idle_time_locks_the_window_until_the_password_is_given(qtbot, admin_window) -> None:
    now = [1000.0]
    admin_window.idle.clock = lambda: now[0]
    admin_window.idle.reset()
    assert admin_window.idle.minutes == 15  # the store's default
    now[0] += 14 * 60
    admin_window.idle.check()
    assert admin_window.lock_dialog is None
    now[0] += 60
    admin_window.idle.check()
    lock = admin_window.lock_dialog
    assert isinstance(lock, LockDialog) and lock.isVisible()
    assert not admin_window.stack.isVisible()  # no record shows behind the lock
    qtbot.keyClick(lock, Qt.Key.Key_Escape)
    assert lock.isVisible()  # Escape does not unlock
    qtbot.keyClicks(lock.password, "not my password")
    qtbot.mouseClick(lock.unlock_button, LEFT)
    assert "wrong" in lock.message.text() and lock.isVisible()
    qtbot.keyClicks(lock.password, PASSWORD)
    qtbot.mouseClick(lock.unlock_button, LEFT)
    assert admin_window.lock_dialog is None and admin_window.stack.isVisible()


def test_an_administrator_adds_a_user_in_the_users_dialog(qtbot, admin_window, store) -> None:
    admin_window.users_action.trigger()
    users = admin_window.dialog
    assert isinstance(users, UsersDialog)
    assert users.table.rowCount() == 2
    qtbot.mouseClick(users.add_button, LEFT)
    account = users.child
    assert isinstance(account, AccountDialog)
    qtbot.keyClicks(account.username, "hannah")
    qtbot.keyClicks(account.full_name, "Hannah Price")
    account.role.set_value(Role.COORDINATOR)
    qtbot.keyClicks(account.password, PASSWORD)
    qtbot.keyClicks(account.repeat, PASSWORD)
    qtbot.mouseClick(account.save_button, LEFT)
    assert "a coordinator needs at least one hub" in account.message.text()
    hub_item = account.hubs.item(0)
    rect = account.hubs.visualItemRect(hub_item)
    checkbox = QPoint(rect.left() + rect.height() // 2, rect.center().y())
    qtbot.mouseClick(account.hubs.viewport(), LEFT, pos=checkbox)
    assert hub_item.checkState() == Qt.CheckState.Checked
    qtbot.mouseClick(account.save_button, LEFT)
    assert not account.isVisible()
    assert users.table.rowCount() == 3
    row = next(r for r in range(3) if users.table.item(r, 0).text() == "hannah")
    assert users.table.item(row, 3).text() == "LON"
    assert store.users.sign_in("hannah", PASSWORD).hubs
    users.close()


def test_signing_out_hands_the_window_to_whoever_signs_in_next(qtbot, admin_window) -> None:
    dialog = admin_window.sign_out()
    qtbot.addWidget(dialog)
    assert not admin_window.isVisible()
    sign_in(qtbot, dialog, "olu", PASSWORD)
    successor = admin_window.successor
    assert successor is not None
    qtbot.addWidget(successor)
    assert successor.context.actor.username == "olu"
    successor.close()
