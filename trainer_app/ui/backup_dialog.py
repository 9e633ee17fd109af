"""File ▸ Back up database… and File ▸ Restore from backup…: the backup services in a window.

Both work off the GUI thread (a large store takes seconds) and say what they did in words. The
restore dialog checks the chosen file whole first and shows what it holds; *Restore* is only
offered for a file that passed, and the window then reopens on the restored database.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError
from trainer_app.services import backup as backups
from trainer_app.services.backup import MAX_KEEP, BackupDone, BackupFacts
from trainer_app.services.context import ServiceContext
from trainer_app.ui import icons
from trainer_app.ui.file_dialogs import FileKind, open_file, save_file, start_folder
from trainer_app.ui.tasks import Latest, Report, ShouldStop, Task

DATABASE_FILTER = "Trainer backups (*.db);;All files (*)"


def _path_row(field: QLineEdit, choose: QPushButton) -> QHBoxLayout:
    row = QHBoxLayout()
    row.addWidget(field, 1)
    row.addWidget(choose)
    return row


class BackupDialog(QDialog):
    """Back up now (with progress and Cancel), and how many automatic backups to keep."""

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.service = context.backups
        self.made: BackupDone | None = None
        self.replace = False  # the file dialog asked before an existing file is replaced
        self.setWindowTitle("Back up database")
        self.setAccessibleName("Back up database")
        self.setMinimumWidth(560)
        stem = Path(context.database_name).stem or "trainer"
        stamp = datetime.now(UTC).strftime("%Y-%m-%d-%H%M")
        suggested = start_folder(context.settings, FileKind.DATABASES) / f"{stem}-{stamp}.db"
        self.path = QLineEdit(str(suggested))
        self.path.setAccessibleName("Backup file")
        choose = QPushButton("Choose…")
        choose.setAccessibleName("Choose backup file")
        choose.clicked.connect(self._choose)
        self.back_up = icons.action_button(
            "save", "&Back up", "Copy the database now, check the copy and write its checksum"
        )
        self.back_up.setDefault(True)
        self.back_up.clicked.connect(self.start)
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Backup progress")
        self.bar.hide()
        self.message = QLabel(
            "The copy is taken while the database is in use, checked page by page, and its "
            "SHA-256 is written beside it (FILE.sha256)."
        )
        self.message.setAccessibleName("Backup message")
        self.message.setWordWrap(True)
        self.keep = QSpinBox()
        self.keep.setAccessibleName("Backups to keep")
        self.keep.setRange(0, MAX_KEEP)
        self.keep.setSpecialValueText("none (off)")
        self.keep.setValue(self.service.backups_to_keep())
        self.keep.setToolTip(
            "When the window closes, a backup goes to the folder below; the oldest beyond this "
            "number are removed. 0 turns automatic backups off."
        )
        where = QLabel(f"Kept in {self.service.folder}")
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form = QFormLayout()
        form.addRow("Back up to", _path_row(self.path, choose))
        form.addRow("", self.back_up)
        form.addRow("Automatic backups on closing", self.keep)
        form.addRow("", where)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.cancel = self.buttons.addButton(
            "Stop backing up", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.cancel.setAccessibleName("Stop backing up")
        self.cancel.hide()
        self.cancel.clicked.connect(self._stop)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.bar)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.task = Task(self, "Backing up the database")
        self.task.progress.connect(self._progress)
        self.task.finished.connect(self._finished)
        self.task.failed.connect(self._failed)

    def _choose(self) -> None:
        name = Path(self.path.text()).name or "trainer.db"
        chosen = save_file(
            self, self.context.settings, FileKind.DATABASES, "Back up to", name, DATABASE_FILTER
        )
        if chosen is not None:
            self.path.setText(str(chosen))
            self.replace = chosen.exists()

    def start(self) -> None:
        text = self.path.text().strip()
        if not text:
            self.message.setText("Give the file to back up to.")
            return
        target = Path(text).expanduser()
        if not target.is_absolute():  # a bare name goes in the backups folder, not the app's cwd
            target = start_folder(self.context.settings, FileKind.DATABASES) / target
            self.path.setText(str(target))
        service, replace = self.service, self.replace and target.exists()

        def work(report: Report, should_stop: ShouldStop) -> BackupDone:
            return service.backup(target, replace=replace, progress=report, should_stop=should_stop)

        self.back_up.setEnabled(False)
        self.cancel.show()
        self.bar.setRange(0, 0)
        self.bar.show()
        self.message.setText(f"Backing up to {target}…")
        self.task.start(work)

    def _progress(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def _stop(self) -> None:
        self.task.cancel()
        self.message.setText("Stopping… nothing will be written")

    def _finished(self, result: object) -> None:
        assert isinstance(result, BackupDone)
        self.made = result
        self._idle()
        self.message.setText(result.summary())

    def _failed(self, message: str) -> None:
        self._idle()
        self.message.setText(message)

    def _idle(self) -> None:
        self.bar.hide()
        self.cancel.hide()
        self.back_up.setEnabled(True)

    def save_setting(self) -> None:
        """Save the number of automatic backups to keep, if it changed."""
        if self.keep.value() != self.service.backups_to_keep():
            self.service.set_backups_to_keep(self.keep.value())

    def reject(self) -> None:
        if self.task.running:
            self._stop()
            return
        try:
            self.save_setting()
        except DomainError as error:
            self.message.setText(str(error))
            return
        self.task.wait()
        super().reject()


class RestoreDialog(QDialog):
    """Choose a backup; it is checked whole and described; then *Restore* replaces the
    database with it (the current one kept aside) and the window reopens on it."""

    restore_requested = Signal(Path)

    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.checked: Path | None = None
        self.setWindowTitle("Restore from backup")
        self.setAccessibleName("Restore from backup")
        self.setMinimumWidth(600)
        self.path = QLineEdit()
        self.path.setAccessibleName("Backup to restore")
        self.path.setPlaceholderText("A backup file (.db) made by Back up database or on closing")
        self.path.editingFinished.connect(self.check)
        choose = QPushButton("Choose…")
        choose.setAccessibleName("Choose backup to restore")
        choose.clicked.connect(self._choose)
        self.facts = QLabel("Choose a backup: it is checked whole before anything is replaced.")
        self.facts.setAccessibleName("What the backup holds")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.restore = self.buttons.addButton("&Restore", QDialogButtonBox.ButtonRole.AcceptRole)
        self.restore.setAccessibleName("Restore")
        self.restore.setEnabled(False)
        self.restore.clicked.connect(self._restore)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Backup", _path_row(self.path, choose))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.facts)
        layout.addStretch(1)
        layout.addWidget(self.buttons)
        self.checker = Latest(self, "Checking the backup")
        self.checker.finished.connect(self._checked)
        self.checker.failed.connect(self._refused)

    def _choose(self) -> None:
        chosen = open_file(
            self, self.context.settings, FileKind.DATABASES, "Restore from", DATABASE_FILTER
        )
        if chosen is not None:
            self.path.setText(str(chosen))
            self.check()

    def check(self) -> None:
        text = self.path.text().strip()
        self.restore.setEnabled(False)
        self.checked = None
        if not text:
            return
        path = Path(text).expanduser()
        settings = self.context.settings
        self.facts.setText(f"Checking {path.name}…")
        self.checker.request(lambda: (path, backups.inspect(settings, path)))

    def _checked(self, result: object) -> None:
        assert isinstance(result, tuple)
        path, facts = result
        assert isinstance(path, Path) and isinstance(facts, BackupFacts)
        trail = facts.trail.summary() if facts.trail is not None else "No audit seals (older)."
        self.facts.setText(
            f"<b>{path.name}</b> passed every check: schema {facts.revision}, "
            f"{facts.trainees} trainees, {facts.audit_entries} audit entries, "
            f"{facts.size / 2**20:.1f} MiB, last written {dates.utc_moment(facts.modified)}; "
            f"SHA-256 {facts.sha256[:16]}…"
            f"{' (matches its .sha256 file)' if facts.checksum_file else ''}. {trail}<br><br>"
            f"Restoring replaces <b>{Path(self.context.database_name).name}</b> with it; the "
            "current database is first copied aside beside it, and the window reopens on the "
            "restored one."
        )
        self.checked = path
        self.restore.setEnabled(True)
        self.adjustSize()  # the description is several lines: show it whole

    def _refused(self, message: str) -> None:
        self.facts.setText(message)
        self.adjustSize()

    def _restore(self) -> None:
        if self.checked is not None:
            self.restore_requested.emit(self.checked)
            self.accept()

    def reject(self) -> None:
        self.checker.wait()
        super().reject()

    def accept(self) -> None:
        self.checker.wait()
        super().accept()
