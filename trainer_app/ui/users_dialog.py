"""File ▸ Users… (administrators): the store's accounts, adding and changing them, setting a
password, unlocking, and after how many idle minutes the window locks.

Every rule (user names, password strength, one administrator at least, who may do this at
all) is ``UserService``'s; this dialog shows its answers in words and keeps the dialog open.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.access import IDLE_LOCK_MAX_MINUTES, AccountFields, Role
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.services.users import Account
from trainer_app.ui import icons
from trainer_app.ui.dialogs.editors import EnumCombo, RecordCombo
from trainer_app.ui.sign_in import lay_out_form, message_label, password_field

COLUMNS = ("User name", "Full name", "Role", "Hubs or trainer", "State", "Last signed in (UTC)")


class UsersDialog(QDialog):
    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.accounts: list[Account] = []
        self.child: QDialog | None = None  # the account or password dialog open over this one
        self.setWindowTitle("Users — Trainer")
        self.setAccessibleName("Users")
        self.resize(900, 460)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setAccessibleName("Accounts table")
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(lambda _index: self.edit_account())
        self.add_button = icons.action_button("add", "&Add user…", "A new account")
        self.edit_button = icons.action_button("edit", "&Edit…", "Name, role, hubs, active")
        self.password_button = QPushButton("Set &password…")
        self.password_button.setAccessibleName("Set password")
        self.unlock_button = QPushButton("&Unlock")
        self.unlock_button.setAccessibleName("Unlock")
        self.add_button.clicked.connect(self.add_account)
        self.edit_button.clicked.connect(self.edit_account)
        self.password_button.clicked.connect(self.set_password)
        self.unlock_button.clicked.connect(self.unlock)
        bar = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.password_button):
            bar.addWidget(button)
        bar.addWidget(self.unlock_button)
        bar.addStretch()
        self.idle = QSpinBox()
        self.idle.setAccessibleName("Lock after idle minutes")
        self.idle.setRange(0, IDLE_LOCK_MAX_MINUTES)
        self.idle.setSpecialValueText("never")
        self.idle.setSuffix(" min")
        self.idle.setValue(context.users.idle_lock_minutes())
        save_idle = QPushButton("Save")
        save_idle.setAccessibleName("Save idle lock")
        save_idle.clicked.connect(self.save_idle)
        bar.addWidget(QLabel("Lock the window after"))
        bar.addWidget(self.idle)
        bar.addWidget(save_idle)
        self.message = message_label("Users message")
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.message)
        layout.addWidget(close)
        self.reload()

    def reload(self, keep: int | None = None) -> None:
        self.accounts = self.context.users.list()
        now = self.context.now()
        self.table.setRowCount(len(self.accounts))
        for row, account in enumerate(self.accounts):
            state = (
                "locked" if account.locked(now) else ("active" if account.active else "inactive")
            )
            seen = dates.utc_moment(account.last_sign_in) if account.last_sign_in else "never"
            values = (
                account.username,
                account.full_name,
                account.role.label,
                ", ".join(account.hub_codes) or account.trainer_name,
                state,
                seen,
            )
            for column, text in enumerate(values):
                item = QTableWidgetItem(text)
                item.setData(Qt.ItemDataRole.UserRole, account.id)
                self.table.setItem(row, column, item)
            if account.id == keep:
                self.table.selectRow(row)
        self._selection_changed()

    def selected(self) -> Account | None:
        rows = self.table.selectionModel().selectedRows()
        return self.accounts[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        chosen = self.selected()
        for button in (self.edit_button, self.password_button):
            button.setEnabled(chosen is not None)
        self.unlock_button.setEnabled(chosen is not None and chosen.locked(self.context.now()))

    def say(self, text: str) -> None:
        self.message.setText(text)
        self.message.show()

    def _open(self, dialog: QDialog) -> QDialog:
        self.child = dialog
        dialog.accepted.connect(lambda: self.reload(getattr(dialog, "saved_id", None)))
        dialog.open()
        return dialog

    def add_account(self) -> QDialog:
        return self._open(AccountDialog(self.context, None, self))

    def edit_account(self) -> QDialog | None:
        chosen = self.selected()
        return self._open(AccountDialog(self.context, chosen, self)) if chosen else None

    def set_password(self) -> QDialog | None:
        chosen = self.selected()
        return self._open(PasswordDialog(self.context, chosen, self)) if chosen else None

    def unlock(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        try:
            self.context.users.unlock(chosen.id)
        except DomainError as error:
            self.say(str(error))
            return
        self.say(f"{chosen.username} can sign in again")
        self.reload(chosen.id)

    def save_idle(self) -> None:
        try:
            self.context.users.set_idle_lock_minutes(self.idle.value())
        except DomainError as error:
            self.say(str(error))
            return
        minutes = self.idle.value()
        self.say(
            f"The window locks after {minutes} minutes without input"
            if minutes
            else "The window no longer locks by itself"
        )


class AccountDialog(QDialog):
    """Add an account (with its first password) or change one (its user name stays)."""

    def __init__(
        self, context: ServiceContext, account: Account | None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.account = account
        self.saved_id: int | None = None
        title = "Add user" if account is None else f"Edit user {account.username}"
        self.setWindowTitle(title)
        self.setAccessibleName(title)
        self.setMinimumWidth(600)
        self.username = QLineEdit(account.username if account else "")
        self.username.setAccessibleName("User name")
        self.username.setReadOnly(account is not None)
        self.full_name = QLineEdit(account.full_name if account else "")
        self.full_name.setAccessibleName("Full name")
        self.role = EnumCombo(Role)
        self.role.setAccessibleName("Role")
        self.role.set_value(account.role if account else Role.COORDINATOR)
        self.role_words = QLabel()
        self.role_words.setWordWrap(True)
        self.role_words.setStyleSheet("color: palette(placeholder-text);")
        self.hubs = QListWidget()
        self.hubs.setAccessibleName("Hubs")
        self.hubs.setMaximumHeight(110)
        for hub in sorted(context.hubs.list(), key=lambda h: h.code):
            item = QListWidgetItem(f"{hub.code} — {hub.name}")
            item.setData(Qt.ItemDataRole.UserRole, hub.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            chosen = account is not None and hub.id in account.hubs
            item.setCheckState(Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked)
            self.hubs.addItem(item)
        self.trainer = RecordCombo(
            ((t.id, t.name) for t in context.trainers.list()), "(not a trainer)"
        )
        self.trainer.setAccessibleName("Trainer")
        self.trainer.set_value(account.trainer_id if account else None)
        self.active = QCheckBox("Can sign in")
        self.active.setAccessibleName("Active")
        self.active.setChecked(account.active if account else True)
        self.password = password_field("Password")
        self.repeat = password_field("Repeat password")
        form = QFormLayout()
        form.addRow("&User name", self.username)
        form.addRow("&Full name", self.full_name)
        form.addRow("&Role", self.role)
        form.addRow("", self.role_words)
        form.addRow("&Hubs (coordinator)", self.hubs)
        form.addRow("&Trainer (trainer)", self.trainer)
        if account is None:
            form.addRow("&Password", self.password)
            form.addRow("R&epeat password", self.repeat)
            self.active.setParent(self)  # owned by the dialog, never shown
            self.active.hide()
        else:
            form.addRow("", self.active)
            for unused in (self.password, self.repeat):  # owned by the dialog, never shown
                unused.setParent(self)
                unused.hide()
        self.message = message_label("Account message")
        buttons = lay_out_form(self, form, self.message, self.submit)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.role.currentIndexChanged.connect(self._role_changed)
        self._role_changed()

    def _role_changed(self) -> None:
        role = Role(self.role.value())
        self.role_words.setText(role.description)
        self.hubs.setEnabled(role is Role.COORDINATOR)
        self.trainer.setEnabled(role is Role.TRAINER)

    def fields(self) -> AccountFields:
        role = Role(self.role.value())
        hubs = frozenset(
            int(self.hubs.item(i).data(Qt.ItemDataRole.UserRole))
            for i in range(self.hubs.count())
            if self.hubs.item(i).checkState() == Qt.CheckState.Checked
        )
        return AccountFields(
            self.username.text(),
            self.full_name.text(),
            role,
            hubs if role is Role.COORDINATOR else frozenset(),
            self.trainer.value() if role is Role.TRAINER else None,
            self.active.isChecked(),
        )

    def submit(self) -> None:
        users = self.context.users
        try:
            if self.account is None:
                if self.password.text() != self.repeat.text():
                    raise DomainError("The two passwords differ; type the same one twice")
                self.saved_id = users.create(self.fields(), self.password.text()).id
            else:
                saved = users.update(self.account.id, self.account.row_version, self.fields())
                self.saved_id = saved.id
        except DomainError as error:
            self.message.setText(str(error))
            self.message.show()
            return
        self.accept()


class PasswordDialog(QDialog):
    """An administrator sets someone's password (it also unlocks the account)."""

    def __init__(self, context: ServiceContext, account: Account, parent: QWidget) -> None:
        super().__init__(parent)
        self.context = context
        self.account = account
        self.saved_id = account.id
        self.setWindowTitle(f"Set the password of {account.username}")
        self.setAccessibleName("Set password")
        self.password = password_field("New password")
        self.repeat = password_field("Repeat password")
        form = QFormLayout()
        form.addRow("&New password", self.password)
        form.addRow("&Repeat", self.repeat)
        self.message = message_label("Password message")
        lay_out_form(self, form, self.message, self.submit)

    def submit(self) -> None:
        try:
            if self.password.text() != self.repeat.text():
                raise DomainError("The two passwords differ; type the same one twice")
            self.context.users.set_password(self.account.id, self.password.text())
        except DomainError as error:
            self.message.setText(str(error))
            self.message.show()
            return
        self.accept()
