"""Signing in: the first administrator of a new store, the sign-in dialog, and the lock that
covers the window after idle time (or Ctrl+L) until the password is given again.

The rules (passwords, lockout, who may do what) are the services'; these dialogs only ask,
and say what the services answered. A refusal never closes a dialog: the password is
cleared and asked again.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.access import MIN_PASSWORD, AccountFields, Role
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext

DEMO_HINT = (
    "Demo accounts: admin, coordinator (London), trainer and auditor; the password of each is "
    "gmp-demo-2026."
)


def password_field(name: str) -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setAccessibleName(name)
    field.setMaxLength(200)
    return field


def message_label(name: str) -> QLabel:
    label = QLabel()
    label.setWordWrap(True)
    label.setAccessibleName(name)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setStyleSheet("color: palette(highlight);")
    label.hide()
    return label


def lay_out_form(
    dialog: QDialog, form: QFormLayout, message: QLabel, submit: Callable[[], None]
) -> QDialogButtonBox:
    """The dialogs' shape here: the form, the message the services' refusals appear in, and
    Save / Cancel (Save runs ``submit``, which closes the dialog only when it succeeds)."""
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(submit)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addLayout(form)
    layout.addWidget(message)
    layout.addWidget(buttons)
    return buttons


class SignInDialog(QDialog):
    """Sign in to ``context``'s store, or (a store with no account yet) create its first
    administrator. ``signed_in`` is the context acting for that person once accepted."""

    def __init__(
        self, context: ServiceContext, parent: QWidget | None = None, *, hint: str = ""
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.signed_in: ServiceContext | None = None
        self.first = not context.users.has_accounts()
        title = "Create the administrator account" if self.first else "Sign in"
        self.setWindowTitle(f"{title} — Trainer")
        self.setAccessibleName(title)
        self.setMinimumWidth(460)
        intro = QLabel(
            f"<b>{context.database_name}</b> has no user accounts yet. Create the "
            "administrator's: they add everyone else's from File ▸ Users…, and every change "
            "is recorded in the audit trail under the name of whoever is signed in."
            if self.first
            else f"Sign in to <b>{context.database_name}</b>."
        )
        intro.setWordWrap(True)
        intro.setAccessibleName("About signing in")
        self.username = QLineEdit()
        self.username.setAccessibleName("User name")
        self.username.setMaxLength(64)
        self.full_name = QLineEdit()
        self.full_name.setAccessibleName("Full name")
        self.full_name.setMaxLength(120)
        self.password = password_field("Password")
        self.repeat = password_field("Repeat password")
        form = QFormLayout()
        form.addRow("&User name", self.username)
        if self.first:
            form.addRow("&Full name", self.full_name)
            self.full_name.setPlaceholderText("as it will appear on signatures")
            self.password.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        form.addRow("&Password", self.password)
        if self.first:
            form.addRow("&Repeat password", self.repeat)
        else:  # kept (and owned by the dialog), never shown
            for unused in (self.full_name, self.repeat):
                unused.setParent(self)
                unused.hide()
        self.message = message_label("Sign-in message")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create account" if self.first else "Sign in")
        self.ok_button.setAccessibleName(self.ok_button.text())
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.message)
        if hint:
            note = QLabel(hint)
            note.setWordWrap(True)
            note.setAccessibleName("Hint")
            note.setStyleSheet("color: palette(placeholder-text);")
            layout.addWidget(note)
        layout.addWidget(self.buttons)
        self.username.setFocus()

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def submit(self) -> None:
        """Check with the services; accept only when they say yes."""
        password = self.password.text()
        try:
            if self.first:
                if password != self.repeat.text():
                    raise DomainError("The two passwords differ; type the same one twice")
                fields = AccountFields(
                    self.username.text(), self.full_name.text(), Role.ADMINISTRATOR
                )
                actor = self.context.users.create_first_administrator(fields, password)
            else:
                actor = self.context.users.sign_in(self.username.text(), password)
        except DomainError as error:
            self.say(str(error))
            self.password.clear()
            self.repeat.clear()
            (self.username if not self.username.text().strip() else self.password).setFocus()
            return
        self.signed_in = self.context.signed_in(actor)
        self.accept()


class LockDialog(QDialog):
    """The window is locked: only the signed-in person's password opens it again (or Quit)."""

    unlocked = Signal()
    quit_requested = Signal()

    def __init__(self, context: ServiceContext, why: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Locked — Trainer")
        self.setAccessibleName("Window locked")
        self.setMinimumWidth(440)
        self.setWindowFlag(Qt.WindowType.WindowCloseButtonHint, False)
        words = QLabel(
            f"{why} Signed in: <b>{context.actor.title}</b>. Enter your password to carry on."
        )
        words.setWordWrap(True)
        words.setAccessibleName("Why the window is locked")
        self.password = password_field("Password")
        self.message = message_label("Unlock message")
        buttons = QDialogButtonBox()
        self.unlock_button = buttons.addButton("Unlock", QDialogButtonBox.ButtonRole.AcceptRole)
        self.unlock_button.setAccessibleName("Unlock")
        self.quit_button = buttons.addButton("Quit", QDialogButtonBox.ButtonRole.RejectRole)
        self.quit_button.setAccessibleName("Quit")
        self.unlock_button.clicked.connect(self.submit)
        self.quit_button.clicked.connect(self.quit_requested.emit)
        form = QFormLayout()
        form.addRow("&Password", self.password)
        layout = QVBoxLayout(self)
        layout.addWidget(words)
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.password.setFocus()

    def reject(self) -> None:
        """Escape does not unlock: only the password or Quit leave this dialog."""

    def submit(self) -> None:
        try:
            self.context.users.confirm(self.password.text())
        except DomainError as error:
            self.message.setText(str(error))
            self.message.show()
            self.password.clear()
            self.password.setFocus()
            return
        self.unlocked.emit()
        self.accept()


class IdleWatcher(QObject):
    """Emits ``idle`` once after ``minutes`` without keyboard or mouse input anywhere in the
    application (0: never); ``reset`` starts counting again (after the window is unlocked)."""

    idle = Signal()
    _INPUT = frozenset(
        {
            QEvent.Type.KeyPress,
            QEvent.Type.MouseButtonPress,
            QEvent.Type.MouseMove,
            QEvent.Type.Wheel,
            QEvent.Type.TouchBegin,
        }
    )

    def __init__(
        self,
        minutes: int,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self.minutes = minutes
        self.clock = clock
        self.last_input = clock()
        self.fired = False
        self.timer = QTimer(self)
        self.timer.setInterval(5_000)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        if minutes:
            self.timer.start()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() in self._INPUT:
            self.last_input = self.clock()
        return False

    def check(self) -> None:
        if self.minutes and not self.fired and self.clock() - self.last_input >= self.minutes * 60:
            self.fired = True
            self.idle.emit()

    def reset(self) -> None:
        self.last_input = self.clock()
        self.fired = False

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)


class ChangePasswordDialog(QDialog):
    """File ▸ Change my password…: the current one, then the new one twice."""

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Change my password")
        self.setAccessibleName("Change my password")
        self.setMinimumWidth(420)
        self.current = password_field("Current password")
        self.new = password_field("New password")
        self.repeat = password_field("Repeat new password")
        self.new.setPlaceholderText(f"at least {MIN_PASSWORD} characters")
        form = QFormLayout()
        form.addRow("&Current password", self.current)
        form.addRow("&New password", self.new)
        form.addRow("&Repeat new password", self.repeat)
        self.message = message_label("Password message")
        lay_out_form(self, form, self.message, self.submit)

    def submit(self) -> None:
        try:
            if self.new.text() != self.repeat.text():
                raise DomainError("The two new passwords differ; type the same one twice")
            self.context.users.change_own_password(self.current.text(), self.new.text())
        except DomainError as error:
            self.message.setText(str(error))
            self.message.show()
            self.current.clear()
            return
        self.accept()
