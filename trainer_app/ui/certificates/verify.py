"""Verify a certificate someone hands in: open its PDF, or paste the text of its QR code (a
phone's scanner app shows it). The verdict comes from the same service as
``trainer-app certificate verify``: for a PDF, the file exactly as issued (its PDF signature,
its code, what its page shows); for a code, its signature; then this store's register."""

from __future__ import annotations

from html import escape
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.certificates import CertificateFacts, Verdict
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui import icons
from trainer_app.ui.file_dialogs import FileKind, open_file
from trainer_app.ui.palette import error_colour

HEADLINES = {
    Verdict.VALID: "✓ Valid",
    Verdict.TAMPERED: "✗ Not genuine",
    Verdict.ALTERED: "✗ Altered: not the file issued",
    Verdict.REVOKED: "✗ Revoked",
    Verdict.UNKNOWN_KEY: "? Unknown issuer",
    Verdict.MALFORMED: "✗ Not a certificate code",
}
VALID_COLOUR = "#1B7F3B"


class VerifyDialog(QDialog):
    def __init__(self, context: ServiceContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Verify a certificate")
        intro = QLabel(
            "Open a certificate's PDF, or paste the text of its QR code (a phone's scanner app "
            "shows it). A PDF is checked as a whole file (its PDF signature, its code, what "
            "its page shows), a code by its signature; then this database's register."
        )
        intro.setWordWrap(True)
        self.code = QPlainTextEdit()
        self.code.setAccessibleName("Certificate code")
        self.code.setPlaceholderText("TACERT1.…")
        self.code.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)
        self.code.textChanged.connect(self.check)
        self.open_button = QPushButton(icons.icon("open"), "&Open PDF…")
        self.open_button.setAccessibleName("Open PDF")
        self.open_button.clicked.connect(self.open_pdf)
        self.verdict = QLabel()
        self.verdict.setAccessibleName("Verdict")
        font = self.verdict.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setWeight(font.Weight.DemiBold)
        self.verdict.setFont(font)
        self.details = QLabel()
        self.details.setAccessibleName("What it states")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.details.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.code, 1)
        row.addWidget(self.open_button, 0, Qt.AlignmentFlag.AlignTop)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.verdict)
        layout.addWidget(self.details, 1)
        layout.addWidget(buttons)
        self.resize(680, 460)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.check()

    def ask_pdf(self) -> Path | None:
        return open_file(
            self, self.context.settings, FileKind.VERIFY, "Open a certificate", "PDF (*.pdf)"
        )

    def open_pdf(self) -> None:
        path = self.ask_pdf()
        if path is None:
            return
        self.check_file(path)

    def check_file(self, path: Path) -> None:
        """The file as a whole: its PDF signature, its code, and what its page shows."""
        try:
            found = self.context.certificates.verify_file(path)
        except (DomainError, OSError) as error:
            self._show("✗ Cannot read it", escape(str(error)), error_colour().name())
            return
        self.code.blockSignals(True)  # the code alone would not say whether the file changed
        self.code.setPlainText(found.payload)
        self.code.blockSignals(False)
        self._verdict(
            found.verdict, found.facts, f"{path.name}: {found.reason}" if found.reason else ""
        )

    def check(self) -> None:
        text = self.code.toPlainText().strip()
        if not text:
            self.verdict.clear()
            self.details.setText("<span style='color:gray'>Nothing to verify yet.</span>")
            return
        verdict, facts = self.context.certificates.verify(text)
        self._verdict(verdict, facts, "")

    def _verdict(self, verdict: Verdict, facts: CertificateFacts | None, reason: str) -> None:
        colour = VALID_COLOUR if verdict is Verdict.VALID else error_colour().name()
        if verdict is Verdict.UNKNOWN_KEY:
            colour = "#B26B00"
        self._show(HEADLINES[verdict], self._explained(verdict, facts, reason), colour)

    def _explained(self, verdict: Verdict, facts: CertificateFacts | None, reason: str) -> str:
        meaning = f"{reason} {verdict.meaning}" if reason else verdict.meaning
        if verdict is Verdict.REVOKED and facts is not None:
            found = [c for c in self.context.certificates.register(facts.number) if c.revoked]
            if found:
                meaning += f" Reason: {found[0].revoke_reason}."
                if found[0].replaced_by:
                    meaning += f" Replaced by certificate {found[0].replaced_by}."
        html = f"<p>{escape(meaning)}</p>"
        if facts is not None:
            rows = [
                ("Number", facts.number),
                ("Name", facts.name),
                ("Course", f"{facts.course_code} {facts.course_title} · version {facts.version}"),
                ("Completed", dates.day(facts.completed_on)),
                ("Issued", dates.day(facts.issued_on)),
                (
                    "Valid until",
                    dates.day(facts.expires_on) if facts.expires_on else "Does not expire",
                ),
                ("Hub", facts.hub),
            ]
            caption = "What it states" if verdict is Verdict.VALID else "What it claims"
            html += f"<p style='color:gray'>{caption}:</p><table>" + "".join(
                f"<tr><td style='color:gray;padding-right:10px'>{escape(k)}</td>"
                f"<td>{escape(v)}</td></tr>"
                for k, v in rows
            )
            html += "</table>"
        return html

    def _show(self, headline: str, html: str, colour: str) -> None:
        self.verdict.setText(headline)
        self.verdict.setStyleSheet(f"color: {colour};")
        self.details.setText(html)
