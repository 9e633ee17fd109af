"""Record training a trainee completed outside this app's runs: held elsewhere (with the
evidence attached and who verified it) or earlier here, before the app (history)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.errors import DomainError, ValidationError
from trainer_app.domain.records import Completion, CompletionFields, CompletionSource
from trainer_app.services.context import ServiceContext
from trainer_app.ui.dialogs import choices
from trainer_app.ui.dialogs.editors import from_qdate, to_qdate
from trainer_app.ui.dialogs.form import add_form_field
from trainer_app.ui.file_dialogs import FileKind, open_file


class CompletionDialog(QDialog):
    def __init__(self, context: ServiceContext, trainee_id: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.context, self.trainee_id = context, trainee_id
        self.saved: Completion | None = None
        self.evidence: bytes | None = None
        trainee = context.trainees.get(trainee_id)
        self.setWindowTitle(f"Record training · {trainee.name}")
        self.setAccessibleName("Record training")
        self.messages: dict[str, QLabel] = {}
        self.form = QFormLayout()

        self.source = QComboBox()
        self.source.addItem("Held elsewhere (evidence attached)", CompletionSource.EXTERNAL)
        self.source.addItem("Held here before this app (history)", CompletionSource.IMPORTED)
        self.source.currentIndexChanged.connect(self._source_changed)
        self.course = QComboBox()
        for course_id, label in choices.courses(context):
            self.course.addItem(label, course_id)
        self.completed_on = QDateEdit(to_qdate(context.training.today()))
        self.completed_on.setCalendarPopup(True)
        self.completed_on.setDisplayFormat(dates.QT_DAY)
        self.version = QLineEdit()
        self.version.setPlaceholderText("The course's current version")
        self.provider = QLineEdit()
        self.provider.setPlaceholderText("e.g. Cell and Gene Therapy Catapult, Stevenage")
        self.verified_by = QLineEdit()
        self.verified_by.setPlaceholderText("Who checked the certificate")
        self.evidence_name = QLabel("No file attached")
        attach = QPushButton("Attach…")
        attach.setAccessibleName("Attach evidence")
        attach.clicked.connect(self.attach)
        evidence_row = QWidget()
        row = QHBoxLayout(evidence_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.evidence_name, 1)
        row.addWidget(attach)
        self.notes = QPlainTextEdit()
        self.notes.setFixedHeight(60)
        for name, label, widget in (
            ("source", "Where", self.source),
            ("course_id", "Course", self.course),
            ("completed_on", "Completed on", self.completed_on),
            ("course_version", "Version", self.version),
            ("provider", "Provider", self.provider),
            ("verified_by", "Verified by", self.verified_by),
            ("evidence", "Evidence", evidence_row),
            ("notes", "Notes", self.notes),
        ):
            self._add(name, label, widget)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setAccessibleName("Save")
        self.banner = QLabel()
        self.banner.setWordWrap(True)
        self.banner.setAccessibleName("Problem")
        self.banner.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.banner)
        layout.addLayout(self.form)
        layout.addWidget(buttons)
        self.resize(620, 480)

    def _add(self, name: str, label: str, widget: QWidget) -> None:
        self.messages[name] = add_form_field(self.form, label, widget)

    def _source_changed(self) -> None:
        external = self.source.currentData() == CompletionSource.EXTERNAL
        for widget in (self.provider, self.verified_by):
            widget.setEnabled(external)

    def ask_evidence_path(self) -> Path | None:
        return open_file(
            self,
            self.context.settings,
            FileKind.EVIDENCE,
            "Evidence",
            "Certificates (*.pdf *.png *.jpg *.jpeg);;All files (*)",
        )

    def attach(self) -> None:
        path = self.ask_evidence_path()
        if path is None:
            return
        try:
            data = path.read_bytes()
        except OSError as error:
            self._show({"evidence": f"Cannot read {path.name}: {error.strerror}"})
            return
        self.evidence = data
        self.evidence_name.setText(f"{path.name} ({len(data) / 1024:.0f} KB)")
        self.evidence_name.setProperty("file_name", path.name)

    def fields(self) -> CompletionFields:
        name = self.evidence_name.property("file_name") or ""
        external = self.source.currentData() == CompletionSource.EXTERNAL
        return CompletionFields(
            trainee_id=self.trainee_id,
            course_id=int(self.course.currentData()),
            completed_on=from_qdate(self.completed_on.date()),
            source=CompletionSource(self.source.currentData()),
            course_version=self.version.text(),
            provider=self.provider.text() if external else "",
            verified_by=self.verified_by.text() if external else "",
            evidence_name=str(name) if external else "",
            evidence=self.evidence if external else None,
            notes=self.notes.toPlainText(),
        )

    def accept(self) -> None:
        try:
            self.saved = self.context.training.add_completion(self.fields())
        except ValidationError as error:
            self._show({e.field: e.message for e in error.errors})
            return
        except DomainError as error:
            self.banner.setText(str(error))
            self.banner.show()
            return
        super().accept()

    def _show(self, problems: dict[str, str]) -> None:
        for name, label in self.messages.items():
            text = problems.get(name, "")
            label.setText(text)
            label.setVisible(bool(text))
