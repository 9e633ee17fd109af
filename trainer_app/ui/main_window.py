"""The main window: navigation on the left, the current page, menus and the status bar."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path
from typing import Any

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import QByteArray, QEvent, QRect, QSettings, QSize, Qt, QTimer, qVersion
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QToolButton,
    QWidget,
)

from trainer_app import APP_TITLE, __version__
from trainer_app.domain.access import LOCAL_ACTOR, Act, Role
from trainer_app.domain.errors import DomainError
from trainer_app.services.backup import restore
from trainer_app.services.changes import Changes
from trainer_app.services.context import ServiceContext
from trainer_app.ui import icons
from trainer_app.ui.backup_dialog import BackupDialog, RestoreDialog
from trainer_app.ui.certificates.page import CertificatesPage
from trainer_app.ui.file_dialogs import FileKind, open_file
from trainer_app.ui.import_dialog import ImportDialog
from trainer_app.ui.matrix.page import MatrixPage
from trainer_app.ui.pages.audit import AuditPage
from trainer_app.ui.pages.base import Page
from trainer_app.ui.pages.cohorts import CohortsPage
from trainer_app.ui.pages.courses import CoursesPage
from trainer_app.ui.pages.network import NetworkPage
from trainer_app.ui.pages.trainers import TrainersPage
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.record_editor import RecordEditor
from trainer_app.ui.refresh import StoreWatcher
from trainer_app.ui.runs.page import RunsPage
from trainer_app.ui.sign_in import ChangePasswordDialog, IdleWatcher, LockDialog, SignInDialog
from trainer_app.ui.users_dialog import UsersDialog

PAGES: tuple[type[Page], ...] = (
    NetworkPage,
    TrainersPage,
    CoursesPage,
    CohortsPage,
    PlanPage,
    RunsPage,
    MatrixPage,
    CertificatesPage,
    AuditPage,
)


ROOMY = QSize(1600, 1000)  # below this the window opens maximised: a laptop needs every pixel


def first_geometry(available: QRect) -> QRect:
    """Where the window opens the first time: all of a laptop's screen (maximised), or a
    comfortable 1400×900 in the middle of a larger one."""
    if available.width() < ROOMY.width() or available.height() < ROOMY.height():
        return QRect(available)
    size = QSize(1400, 900)
    top_left = available.center() - QRect(0, 0, size.width(), size.height()).center()
    return QRect(top_left, size)


class MainWindow(QMainWindow):
    def __init__(self, context: ServiceContext, *, owns_context: bool = False) -> None:
        super().__init__()
        self.context = context
        self._owns_context = owns_context
        # A backup to the data folder when the window closes (the app sets it; tests that
        # are about it do): ``BackupService.on_exit``.
        self.backup_on_close = False
        self.successor: MainWindow | None = None
        self.signed_in = context.actor.username != LOCAL_ACTOR.username  # a real account
        who = f" — {context.actor}" if self.signed_in else ""
        self.setWindowTitle(f"{APP_TITLE} — {context.database_name}{who}")
        self.lock_dialog: LockDialog | None = None
        self.dialog: QDialog | None = None  # a dialog of the File menu (tests answer it)
        self.setAccessibleName("Main window")
        self.editor = RecordEditor(context, self)
        self.editor.status.connect(self.show_status)
        self.editor.changes.changed.connect(self._record_changed)
        self.undo_stack = self.editor.undo_stack
        # Others' changes: looked for on activation, on F5 and, on PostgreSQL, when told.
        self.watcher = StoreWatcher(context, self)
        self.watcher.changed.connect(self._others_changed)
        self.watcher.failed.connect(self.show_status)
        self.watcher.record_changed.connect(self._changed_under_dialog)
        self._fresh = False  # the page was reloaded just now (after an edit made here)
        self._stale = False  # others changed something while a dialog was open
        self._retry = QTimer(self)
        self._retry.setInterval(1000)
        self._retry.timeout.connect(self._refresh_if_stale)

        self.navigation = QListWidget()
        self.navigation.setAccessibleName("Navigation")
        self.navigation.setIconSize(QSize(22, 22))
        self.navigation.setSpacing(2)
        self.navigation.setFrameShape(QListWidget.Shape.NoFrame)
        self.stack = QStackedWidget()
        self.pages: list[Page] = []
        for number, page_class in enumerate(PAGES, start=1):
            page = page_class(context, self.editor)
            self.pages.append(page)
            self.stack.addWidget(page)
            item = QListWidgetItem(icons.icon(page.icon), page.title)
            item.setToolTip(f"{page.title} (Ctrl+{number})")
            item.setSizeHint(QSize(0, 38))
            self.navigation.addItem(item)
        self.navigation.currentRowChanged.connect(self.show_page)
        # As wide as its longest label, no wider: on a laptop every pixel goes to the tables.
        metrics = self.navigation.fontMetrics()
        labels = max(metrics.horizontalAdvance(page.title) for page in self.pages)
        self.navigation.setFixedWidth(labels + 22 + 44)  # the icon, its gap and the margins

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.navigation)
        layout.addWidget(self.stack, 1)
        self.locked_label = QLabel()
        self.locked_label.setAccessibleName("Locked")
        self.locked_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.locked_label.setStyleSheet("color: palette(placeholder-text); font-size: 14pt;")
        self.locked_label.hide()
        layout.addWidget(self.locked_label, 1)
        self.setCentralWidget(central)
        self.database_label = QLabel(f"Database: {context.database_name}")
        self.database_label.setAccessibleName("Database")
        self.statusBar().addPermanentWidget(self.database_label)
        if self.signed_in:
            self.person_label = QLabel(f"Signed in: {context.actor.title}")
            self.person_label.setAccessibleName("Signed in")
            self.statusBar().addPermanentWidget(self.person_label)
        self._build_menus()
        self.refresh_button = QToolButton()
        self.refresh_button.setDefaultAction(self.refresh_action)
        self.refresh_button.setAutoRaise(True)
        self.refresh_button.setAccessibleName("Refresh")
        self.statusBar().addPermanentWidget(self.refresh_button)
        self._apply_role()
        self.idle = IdleWatcher(context.users.idle_lock_minutes() if self.signed_in else 0, self)
        self.idle.idle.connect(self._locked_by_idle)
        self._restore()
        if context.upgrade_backup is not None:
            self.show_status(
                f"Database upgraded to the current schema; the previous version is kept in "
                f"{context.upgrade_backup}"
            )
        self.refresh_action.setToolTip(
            "Show what others changed (F5). "
            + (
                "Their changes also appear as soon as they are saved."
                if context.changes.can_listen
                else "This window also looks whenever you come back to it."
            )
        )

    # ----- menus and shortcuts ---------------------------------------------------------------
    def _action(self, text: str, slot: Any, shortcut: Any = None, icon: str = "") -> QAction:
        action = QAction(text, self)
        if icon:
            action.setIcon(icons.icon(icon))
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        file_menu.addAction(
            self._action(
                "&Open database…", self.choose_database, QKeySequence.StandardKey.Open, "open"
            )
        )
        file_menu.addSeparator()
        self.import_action = self._action(
            "&Import…", self.import_file, QKeySequence("Ctrl+Shift+I"), "import"
        )
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        self.backup_action = self._action(
            "&Back up database…", self.back_up, QKeySequence("Ctrl+Shift+B"), "save"
        )
        file_menu.addAction(self.backup_action)
        self.restore_action = self._action(
            "&Restore from backup…", self.restore_backup, None, "open"
        )
        file_menu.addAction(self.restore_action)
        file_menu.addSeparator()
        self.users_action = self._action("&Users…", self.manage_users, None, "users")
        file_menu.addAction(self.users_action)
        self.password_action = self._action("Change my &password…", self.change_password)
        file_menu.addAction(self.password_action)
        self.lock_action = self._action("&Lock", self.lock, QKeySequence("Ctrl+L"), "lock")
        file_menu.addAction(self.lock_action)
        self.sign_out_action = self._action("Sign &out", self.sign_out, None, "sign_out")
        file_menu.addAction(self.sign_out_action)
        file_menu.addSeparator()
        file_menu.addAction(self._action("&Quit", self.close, QKeySequence("Ctrl+Q"), "quit"))

        edit_menu = menus.addMenu("&Edit")
        undo = self.undo_stack.createUndoAction(self, "&Undo")
        undo.setShortcut(QKeySequence("Ctrl+Z"))
        undo.setIcon(icons.icon("undo"))
        redo = self.undo_stack.createRedoAction(self, "&Redo")
        redo.setShortcut(QKeySequence("Ctrl+Shift+Z"))
        redo.setIcon(icons.icon("redo"))
        for action in (undo, redo):
            self.addAction(action)
            edit_menu.addAction(action)
        edit_menu.addSeparator()
        self.add_action = self._action("&Add…", self.add_record, "Ctrl+N", "add")
        edit_menu.addAction(self.add_action)
        self.edit_action = self._action("&Edit…", self.edit_record, None, "edit")
        edit_menu.addAction(self.edit_action)
        self.delete_action = self._action(
            "&Delete", self.delete_record, QKeySequence.StandardKey.Delete, "delete"
        )
        edit_menu.addAction(self.delete_action)
        edit_menu.addSeparator()
        edit_menu.addAction(self._action("&Find", self.find_in_page, "Ctrl+F", "filter"))

        view_menu = menus.addMenu("&View")
        for number, page in enumerate(self.pages, start=1):
            view_menu.addAction(
                self._action(
                    page.title,
                    lambda _=False, n=number - 1: self.show_page(n),
                    f"Ctrl+{number}",
                    page.icon,
                )
            )
        view_menu.addSeparator()
        view_menu.addAction(
            self._action(
                "Training &record of the selected trainee",
                self.open_training_record,
                "Ctrl+R",
                "records",
            )
        )
        self.details_action = self._action(
            "Show &details panel", self.set_details_visible, "Ctrl+I", "details"
        )
        self.details_action.setCheckable(True)
        self.details_action.setChecked(True)
        view_menu.addAction(self.details_action)
        view_menu.addSeparator()
        self.refresh_action = self._action(
            "Re&fresh", self.refresh, QKeySequence.StandardKey.Refresh, "refresh"
        )
        view_menu.addAction(self.refresh_action)

        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self._action("&About Trainer", self.show_about, None, "about"))

    # ----- pages -----------------------------------------------------------------------------
    # ----- who is signed in -------------------------------------------------------------------
    def _apply_role(self) -> None:
        """Hide what the signed-in person's role cannot do. The services refuse it anyway;
        this only spares people buttons that would answer "may not"."""
        actor = self.context.actor
        admin = actor.role is Role.ADMINISTRATOR
        changes_records = actor.role in (Role.ADMINISTRATOR, Role.COORDINATOR)
        self.users_action.setVisible(admin)
        self.restore_action.setVisible(admin)
        self.backup_action.setVisible(actor.may(Act.BACK_UP, hubs=actor.hubs))
        self.import_action.setVisible(actor.role is not Role.AUDITOR)
        for action in (self.add_action, self.edit_action, self.delete_action):
            action.setVisible(changes_records)
        for action in (self.password_action, self.lock_action, self.sign_out_action):
            action.setVisible(self.signed_in)
        network_wide = {"hub", "course"}  # an administrator's, not a coordinator's
        for page in self.pages:
            for table in page.tables:
                kind = table.kind.noun if table.kind is not None else ""
                if not changes_records or (admin is False and kind in network_wide):
                    for button in table.buttons:
                        button.hide()

    def manage_users(self) -> QDialog:
        return self._open(UsersDialog(self.context, self))

    def change_password(self) -> QDialog:
        return self._open(ChangePasswordDialog(self.context, self))

    def _open(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.open()
        return dialog

    def lock(self, why: str = "") -> LockDialog | None:
        """Cover the window until the signed-in person's password is given again."""
        if not self.signed_in or self.lock_dialog is not None:
            return self.lock_dialog
        self.stack.hide()  # nothing of the records shows behind the lock
        self.navigation.hide()
        self.statusBar().clearMessage()
        self.locked_label.setText(f"Locked — {self.context.actor.title}")
        self.locked_label.show()
        self.menuBar().setEnabled(False)
        dialog = LockDialog(self.context, why or "The window is locked.", self)
        dialog.unlocked.connect(self._unlocked)
        dialog.quit_requested.connect(self.close)
        self.lock_dialog = dialog
        dialog.open()
        return dialog

    def _locked_by_idle(self) -> None:
        minutes = self.idle.minutes
        self.lock(f"Locked after {minutes} minute{'s' if minutes != 1 else ''} without input.")

    def _unlocked(self) -> None:
        self.lock_dialog = None
        self.locked_label.hide()
        self.stack.show()
        self.navigation.show()
        self.menuBar().setEnabled(True)
        self.idle.reset()

    def sign_out(self) -> SignInDialog:
        """Sign out; whoever signs in next gets a window of their own on the same database."""
        self.context.users.sign_out()
        self.signed_in = False  # recorded once, here, not again on closing
        settings = self.context.settings
        fresh = ServiceContext.open(settings, create=False)
        dialog = SignInDialog(fresh)
        dialog.accepted.connect(lambda: self._hand_over_signed(dialog))
        dialog.rejected.connect(fresh.close)
        self.dialog = dialog
        self.hide()
        dialog.open()
        return dialog

    def _hand_over_signed(self, dialog: SignInDialog) -> None:
        if dialog.signed_in is not None:
            self._hand_over(dialog.signed_in)

    @property
    def page(self) -> Page:
        return self.pages[self.stack.currentIndex()]

    def add_record(self) -> None:
        self.page.add()

    def edit_record(self) -> None:
        self.page.edit()

    def delete_record(self) -> None:
        self.page.delete()

    def find_in_page(self) -> None:
        self.page.focus_filter()

    def show_page(self, index: int) -> None:
        if not 0 <= index < len(self.pages):
            return
        self.stack.setCurrentIndex(index)
        if self.navigation.currentRow() != index:
            self.navigation.setCurrentRow(index)
        self.page.reload()  # cheap (ids only), and shows what others changed meanwhile

    def _changed_under_dialog(self, entity_type: str, record_id: int, who: str) -> None:
        """Someone else saved the record open in an edit dialog: say so now, not at Save."""
        dialog = self.editor.dialog
        try:
            editing = dialog is not None and dialog.isVisible() and dialog.record is not None
        except RuntimeError:  # the last dialog, closed and deleted since
            return
        same = editing and dialog is not None and dialog.kind.entity_type == entity_type
        if same and dialog is not None and dialog.record.id == record_id:
            dialog.changed_elsewhere(who)

    def _record_changed(self, entity_type: str, record_id: int) -> None:
        self.page.reload(entity_type, record_id)
        self._stale = False
        self._fresh = True  # what others did as well is only told, the page is fresh
        try:
            self.watcher.look()
        finally:
            self._fresh = False

    # ----- others' changes -------------------------------------------------------------------
    def refresh(self) -> None:
        """F5: look for others' changes and show the page's data afresh either way."""
        changes = self.watcher.look()  # any changes: _others_changed reloads and tells
        if changes is None or changes.by_others(self.context.actor.username):
            return
        if self._editing():
            self.show_status("Nothing new from others; the page refreshes when the dialog closes")
            self._stale = True
            self._retry.start()
            return
        if not changes:
            self._reload_page()
        self.show_status("Refreshed — nobody else has changed anything since the last look")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.watcher.start_listening()  # once shown: a window never shown holds no connection

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self.watcher.look()  # one small query; the page is reloaded only if needed
            self._refresh_if_stale()

    def _others_changed(self, changes: Changes) -> None:
        """Show the page's data afresh (unless a dialog is editing: then once it closes) and
        say who changed what."""
        others = changes.by_others(self.context.actor.username)
        if self._fresh:  # after an edit here: its own message ("Trainer saved · Undo") stays
            if others:
                said = self.statusBar().currentMessage()
                self.show_status(f"{said} · also {others.summary()}" if said else others.summary())
            return
        if self._editing():
            self._stale = True
            self._retry.start()
            if others:
                self.show_status(
                    f"{others.summary()} — the page refreshes when the dialog is closed"
                )
            return
        self._reload_page()
        if others:
            self.show_status(f"{others.summary()} — refreshed")

    def _editing(self) -> bool:
        """A dialog is open over the window (an edit in progress, the lock): its page is not
        reloaded under it; a dialog that saves meets any conflict then."""
        if self.lock_dialog is not None or not self.isVisible():
            return True
        return any(
            isinstance(widget, QDialog) and widget.isVisible() and self._owns(widget)
            for widget in QApplication.topLevelWidgets()
        )

    def _owns(self, dialog: QWidget) -> bool:
        """Whether ``dialog`` was opened over this window (by it or one of its pages)."""
        parent = dialog.parentWidget()
        while parent is not None:
            if parent is self:
                return True
            parent = parent.parentWidget()
        return False

    def _refresh_if_stale(self) -> None:
        if not self._stale or not self.isVisible():
            self._retry.stop()  # hidden (signed out): the next activation tries again
        elif not self._editing():
            self._reload_page()

    def _reload_page(self) -> None:
        """Re-read what the page shows, as it is: selection, scroll, filters, sort and
        column widths stay."""
        self._stale = False
        self._retry.stop()
        page = self.page
        for table in page.tables:
            table.in_place = True
        try:
            page.reload()
        finally:
            for table in page.tables:
                table.in_place = False

    def set_details_visible(self, visible: bool) -> None:
        for page in self.pages:
            page.set_details_visible(visible)
        if self.details_action.isChecked() != visible:
            self.details_action.setChecked(visible)

    def show_status(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    # ----- file and help ---------------------------------------------------------------------
    def choose_database(self) -> None:
        path = open_file(
            self,
            self.context.settings,
            FileKind.DATABASES,
            "Open database",
            "Trainer databases (*.db *.sqlite);;All files (*)",
        )
        if path is not None:
            self.open_database(path)

    def open_database(self, path: Path) -> SignInDialog | None:
        """Reopen the app on another SQLite file, once someone has signed in to it (or made
        its first administrator); this window closes then."""
        try:
            context = ServiceContext.open(self.context.settings.with_database(path))
        except DomainError as error:
            QMessageBox.warning(self, "Cannot open database", str(error))
            return None
        dialog = SignInDialog(context, self)
        dialog.accepted.connect(lambda: self._hand_over_signed(dialog))
        dialog.rejected.connect(context.close)
        self.dialog = dialog
        dialog.open()
        return dialog

    def _hand_over(self, context: ServiceContext, status: str = "") -> MainWindow:
        """A window on ``context`` takes this one's place."""
        self.successor = MainWindow(context, owns_context=True)
        self.successor.backup_on_close = self.backup_on_close
        self.successor.show()
        if status:
            self.successor.show_status(status)
        self.close()
        return self.successor

    def back_up(self) -> BackupDialog:
        """Back up now, and how many automatic backups to keep."""
        dialog = BackupDialog(self.context, self)
        dialog.open()
        return dialog

    def restore_backup(self) -> RestoreDialog:
        dialog = RestoreDialog(self.context, self)
        dialog.restore_requested.connect(self.restore_from)
        dialog.open()
        return dialog

    def restore_from(self, path: Path) -> MainWindow | None:
        """Put the backup at ``path`` in place of this window's database (checked whole first,
        the current one kept aside); a window on the restored database takes this one's place.
        """
        settings = self.context.settings
        self.context.store.engine.dispose()  # no connection of ours may hold the old file
        try:
            restored = restore(settings, path, self.context.actor)
            context = ServiceContext.open(settings, actor=self.context.actor, create=False)
        except DomainError as error:
            QMessageBox.warning(self, "Cannot restore", str(error))
            return None
        self.backup_on_close = False  # the store now here is the backup itself
        return self._hand_over(context, restored.summary())

    def open_training_record(self) -> bool:
        """From the trainees list: that trainee's record on Records & matrix (to export)."""
        page = self.page
        trainee_id = page.detail.selected_id() if isinstance(page, CohortsPage) else None
        if trainee_id is None:
            self.show_status("Select a trainee on Cohorts & trainees first (Ctrl+4)")
            return False
        index = next(i for i, p in enumerate(self.pages) if isinstance(p, MatrixPage))
        self.show_page(index)
        records = self.pages[index]
        assert isinstance(records, MatrixPage)
        records.open_trainee(trainee_id)
        return True

    def import_file(self) -> ImportDialog:
        """Import trainees, enrolments or completions; the pages show them afterwards."""
        dialog = ImportDialog(self.context, self)
        dialog.finished.connect(lambda _: self._after_import(dialog))
        dialog.open()
        return dialog

    def _after_import(self, dialog: ImportDialog) -> None:
        if dialog.imported is not None:
            for page in self.pages:
                page.reload()
            self.show_status(f"{dialog.imported.summary()} · see the Audit page for each one")

    def show_about(self) -> None:
        QMessageBox.about(self, "About Trainer", self.about_text())

    def about_text(self) -> str:
        python = ".".join(str(part) for part in sys.version_info[:3])
        return (
            f"<h3>Trainer {__version__}</h3>"
            "<p>Plans, runs and evidences GMP training at the UK's cell and gene therapy "
            "training hubs.</p>"
            f"<p>Database: {self.context.database_name}</p>"
            f"<p>Qt {qVersion()} · PySide6 {pyside_version} · Python {python}</p>"
            "<p>Fonts: Noto Sans families and NanumGothic under the SIL Open Font License 1.1; "
            "Droid Sans Fallback under the Apache License 2.0.</p>"
        )

    # ----- remembering the layout ------------------------------------------------------------
    def _settings(self) -> QSettings:
        return QSettings(str(self.context.settings.ui_settings_file), QSettings.Format.IniFormat)

    def _restore(self) -> None:
        settings = self._settings()
        geometry = settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        else:
            self.setGeometry(first_geometry(self.screen().availableGeometry()))
            if self.geometry().size() == self.screen().availableGeometry().size():
                self.setWindowState(Qt.WindowState.WindowMaximized)
        state = settings.value("window/state")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        for page in self.pages:
            page.restore_state(settings)
        self.set_details_visible(str(settings.value("window/details", "true")) == "true")
        self.show_page(int(str(settings.value("window/page", 0))))

    def save_layout(self) -> None:
        settings = self._settings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/state", self.saveState())
        settings.setValue("window/page", self.stack.currentIndex())
        settings.setValue("window/details", "true" if self.details_action.isChecked() else "false")
        for page in self.pages:
            page.save_state(settings)
        settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.editor.closing = True
        self.watcher.stop()
        self._retry.stop()
        self.save_layout()
        self.idle.stop()
        if self.signed_in:
            with contextlib.suppress(DomainError):  # the store went away: closing carries on
                self.context.users.sign_out()
        if self.backup_on_close and self.context.backups.can_back_up:
            try:
                self.context.backups.on_exit()
            except DomainError as error:
                QMessageBox.warning(
                    self,
                    "Automatic backup failed",
                    f"{error}. The database itself is unchanged; back it up from File ▸ Back "
                    "up database… next time.",
                )
        if self._owns_context:
            self.context.close()
        super().closeEvent(event)
