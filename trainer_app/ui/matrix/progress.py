"""The progress strip of a background export: what is happening, how far, and Cancel."""

from __future__ import annotations

from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QProgressBar, QPushButton

from trainer_app.ui import icons


class ExportProgress(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Export progress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel()
        self.message.setAccessibleName("Export message")
        self.bar = QProgressBar()
        self.bar.setAccessibleName("Trainees done")
        self.bar.setFormat("%v of %m")
        self.bar.setMinimumWidth(220)
        self.cancel_button = QPushButton(icons.icon("cancel"), "Cancel")
        self.cancel_button.setAccessibleName("Cancel export")
        self.cancel_button.setToolTip("Stop the export; no file is written (Esc)")
        self.cancel_button.setShortcut("Esc")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 4, 8, 4)
        row.addWidget(self.message, 1)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.hide()

    def begin(self, message: str) -> None:
        self.message.setText(message)
        self.bar.setRange(0, 0)  # busy until the first record is done
        self.cancel_button.setEnabled(True)
        self.show()

    def report(self, done: int, total: int) -> None:
        self.bar.setRange(0, total)
        self.bar.setValue(done)

    def stopping(self) -> None:
        self.message.setText("Stopping… no file will be written")
        self.cancel_button.setEnabled(False)
