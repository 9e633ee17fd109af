"""File ▸ Import…: choose what and which file, see every problem by row and column, then import
all or nothing. Checking and writing run off the GUI thread with progress and Cancel."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.services.context import ServiceContext
from trainer_app.services.importers import IMPORTERS, write_template
from trainer_app.services.imports import ImportPreview, ImportResult
from trainer_app.ui import icons
from trainer_app.ui.file_dialogs import FileKind, open_file, save_file
from trainer_app.ui.tasks import Task

KIND_LABELS = {
    "trainees": "Trainees",
    "enrolments": "Enrolments on published runs",
    "completions": "Past completions (training history)",
}
FILE_FILTER = "Spreadsheets (*.csv *.xlsx);;All files (*)"


WRAPPED_PROBLEMS = 500


class ImportDialog(QDialog):
    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Import")
        self.setAccessibleName("Import")
        self.resize(820, 560)
        self.preview: ImportPreview[Any] | None = None
        self.imported: ImportResult | None = None
        self.runner = Task(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)

        self.kind = QComboBox()
        self.kind.setAccessibleName("What to import")
        for kind in IMPORTERS:
            self.kind.addItem(KIND_LABELS.get(kind, kind.capitalize()), kind)
        self.kind.currentIndexChanged.connect(self._reset)
        self.file = QLineEdit()
        self.file.setReadOnly(True)
        self.file.setAccessibleName("File")
        self.file.setPlaceholderText("A .csv or .xlsx file, up to 20 MB")
        self.browse = browse = QPushButton(icons.icon("open"), "Choose file…")
        browse.setAccessibleName("Choose file")
        browse.clicked.connect(self.choose_file)
        template = QPushButton("Save template…")
        template.setAccessibleName("Save template")
        template.setToolTip("A file with the right headings, example rows and notes on each column")
        template.clicked.connect(self.save_template)
        row = QHBoxLayout()
        row.addWidget(self.file, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("Import:", self.kind)
        form.addRow("File:", row)
        form.addRow("", template)

        self.summary = QLabel("Choose a file: every row is checked before anything is imported.")
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Summary")
        self.problems = QTableWidget(0, 3)
        self.problems.setAccessibleName("Problems")
        self.problems.setHorizontalHeaderLabels(["Row", "Column", "Problem"])
        self.problems.verticalHeader().hide()
        self.problems.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Messages can be two lines long (a hidden character named, what to do about it):
        # wrap them in the Problem column rather than cut them off at the window's edge.
        self.problems.setWordWrap(True)
        self.problems.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.problems.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Progress")
        self.progress.hide()

        self.buttons = QDialogButtonBox()
        self.import_button = self.buttons.addButton(
            "Import", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.import_button.setAccessibleName("Import all rows")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.apply)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self.cancel)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.summary)
        layout.addWidget(self.problems, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.buttons)

    # ----- choosing ------------------------------------------------------------------------
    @property
    def kind_name(self) -> str:
        return str(self.kind.currentData())

    def ask_open_path(self) -> Path | None:
        settings = self.context.settings
        return open_file(self, settings, FileKind.IMPORTS, "Import from", FILE_FILTER)

    def ask_save_path(self, suggestion: str) -> Path | None:
        settings = self.context.settings
        return save_file(self, settings, FileKind.IMPORTS, "Save template", suggestion, FILE_FILTER)

    def choose_file(self) -> None:
        path = self.ask_open_path()
        if path is not None:
            self.check(path)

    def save_template(self) -> None:
        path = self.ask_save_path(f"{self.kind_name}-template.xlsx")
        if path is None:
            return
        try:
            write_template(self.kind_name, path)
        except Exception as error:  # a DomainError in words, or the disk's own message
            self.summary.setText(str(error))
            return
        self.summary.setText(f"Template saved to {path}")

    # ----- checking and importing ------------------------------------------------------------
    def check(self, path: Path) -> None:
        if self.runner.running:  # one file at a time: Choose file is off until this one is done
            return
        self._reset()
        self.file.setText(str(path))
        importer = IMPORTERS[self.kind_name](self.context)
        self._busy(f"Checking {path.name}…")
        self.runner.start(
            lambda progress, stop: importer.preview(path, progress=progress, should_stop=stop)
        )

    def apply(self) -> None:
        if self.preview is None or not self.preview.ready:
            return
        importer = IMPORTERS[self.kind_name](self.context)
        preview = self.preview
        self._busy(f"Importing {len(preview.items)} rows…")
        self.runner.start(lambda progress, stop: importer.apply(preview, should_stop=stop))

    def cancel(self) -> None:
        if self.runner.running:
            self.runner.cancel()
            self.summary.setText("Stopping…")
        else:
            self.reject()

    def _busy(self, text: str) -> None:
        self.summary.setText(text)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.import_button.setEnabled(False)
        self.kind.setEnabled(False)
        self.browse.setEnabled(False)

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _finished(self, outcome: object) -> None:
        self._idle()
        if isinstance(outcome, ImportResult):
            self.imported = outcome
            self.summary.setText(f"{outcome.summary()} from {self.file.text()}.")
            self.import_button.setEnabled(False)
            self.cancel_button.setText("Close")
            return
        assert isinstance(outcome, ImportPreview)
        self.preview = outcome
        text = outcome.summary()
        if outcome.notes:
            text += " · " + " · ".join(outcome.notes)
        self.summary.setText(text)
        # Rows fit their wrapped message; past a few hundred problems measuring every row
        # would make the list slow, and each message is in its tooltip anyway.
        self.problems.verticalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
            if len(outcome.problems) <= WRAPPED_PROBLEMS
            else QHeaderView.ResizeMode.Fixed
        )
        self.problems.setRowCount(len(outcome.problems))
        for index, problem in enumerate(outcome.problems):
            cells = (str(problem.row or ""), problem.column or "", problem.message)
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                if column == 0:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.problems.setItem(index, column, item)
        self.import_button.setEnabled(outcome.ready)

    def _failed(self, message: str) -> None:
        self._idle()
        self.summary.setText(message)

    def _idle(self) -> None:
        self.progress.hide()
        self.kind.setEnabled(True)
        self.browse.setEnabled(True)

    def _reset(self) -> None:
        self.preview, self.imported = None, None
        self.problems.setRowCount(0)
        self.import_button.setEnabled(False)

    def done(self, result: int) -> None:
        self.runner.wait()
        super().done(result)
