"""Sign… : an electronic signature on one of a trainee's records.

The dialog shows exactly what is signed (the record's facts), who signs (the full name, as
the signature will show it) and asks for the meaning and the password again. The rules are
``SignatureService``'s: a refusal is shown in the dialog, which stays open.
"""

from __future__ import annotations

from html import escape

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain.audit import field_label
from trainer_app.domain.errors import DomainError
from trainer_app.domain.signatures import MEANINGS, Meaning, Signature
from trainer_app.services.context import ServiceContext
from trainer_app.services.signatures import Signable
from trainer_app.ui.sign_in import message_label, password_field


class SignDialog(QDialog):
    """Choose the record and the meaning, read what is signed, give the password."""

    def __init__(
        self, context: ServiceContext, records: list[Signable], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.context = context
        self.records = records
        self.signed: Signature | None = None
        self.setWindowTitle("Sign a record")
        self.setAccessibleName("Sign a record")
        self.setMinimumWidth(620)
        self.record = QComboBox()
        self.record.setAccessibleName("Record")
        for signable in records:
            self.record.addItem(signable.label[:1].upper() + signable.label[1:])
        self.meaning = QComboBox()
        self.meaning.setAccessibleName("Meaning")
        self.content = QTextBrowser()
        self.content.setAccessibleName("What is signed")
        self.content.setMaximumHeight(170)
        actor = context.actor
        signer = QLabel(
            f"<b>{escape(actor.display_name or actor.username)}</b> ({escape(actor.username)})"
        )
        signer.setAccessibleName("Signer")
        self.password = password_field("Password")
        statement = QLabel(
            "Your signature is bound to the record as shown: if the record changes later, the "
            "signature is shown as no longer valid. It is kept with its meaning, your full "
            "name and the time, and is recorded in the audit trail."
        )
        statement.setWordWrap(True)
        statement.setStyleSheet("color: palette(placeholder-text);")
        form = QFormLayout()
        form.addRow("&Record", self.record)
        form.addRow("", self.content)
        form.addRow("&Meaning", self.meaning)
        form.addRow("Signed by", signer)
        form.addRow("&Password", self.password)
        self.message = message_label("Signature message")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.sign_button.setAccessibleName("Sign")
        self.sign_button.clicked.connect(self.submit)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(statement)
        layout.addWidget(self.message)
        layout.addWidget(buttons)
        self.record.currentIndexChanged.connect(self._record_changed)
        self._record_changed()
        self.password.setFocus()

    @property
    def chosen(self) -> Signable:
        return self.records[self.record.currentIndex()]

    def _record_changed(self) -> None:
        signable = self.chosen
        self.meaning.clear()
        for meaning in MEANINGS[signable.kind]:
            self.meaning.addItem(meaning.label, meaning.value)
        rows = "".join(
            f"<tr><td style='color:gray; padding-right:10px'>{escape(field_label(name))}</td>"
            f"<td>{escape(value or '—')}</td></tr>"
            for name, value in signable.facts.items()
            if name != "payload"
        )
        self.content.setHtml(f"<table cellspacing='0' cellpadding='2'>{rows}</table>")

    def submit(self) -> None:
        signable = self.chosen
        meaning = Meaning(self.meaning.currentData())
        try:
            self.signed = self.context.signatures.sign(
                signable.kind, signable.record_id, meaning, self.password.text()
            )
        except DomainError as error:
            self.message.setText(str(error))
            self.message.show()
            self.password.clear()
            self.password.setFocus()
            return
        self.accept()
