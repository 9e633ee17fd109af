"""Certificates: the register of issued certificates — search, the selected one drawn as it
prints, reprint an identical copy (save or print), revoke with a reason, reissue — and issuing
the completions waiting for a certificate after a preview (`IssueDialog`)."""

from __future__ import annotations

from collections.abc import Callable
from html import escape

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSettings, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from trainer_app.domain import dates
from trainer_app.domain.certificates import Certificate, Waiting
from trainer_app.domain.errors import DomainError
from trainer_app.domain.signatures import SignedKind
from trainer_app.ui.certificates.dialogs import IssueDialog, PreviewDialog
from trainer_app.ui.certificates.picture import CertificatePicture
from trainer_app.ui.certificates.verify import VerifyDialog
from trainer_app.ui.icons import action_button
from trainer_app.ui.pages.base import Page
from trainer_app.ui.palette import error_colour
from trainer_app.ui.record_table import adopt_model
from trainer_app.ui.search import search_box, when_typing_pauses

COLUMNS = ("Number", "Trainee", "Reference", "Course", "Issued", "Expires", "Status")
Index = QModelIndex | QPersistentModelIndex


class RegisterModel(QAbstractTableModel):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[Certificate] = []

    def set_rows(self, rows: list[Certificate]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        return None

    def data(self, index: Index, role: int = 0) -> object:
        if not index.isValid():
            return None
        c = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return (
                c.number,
                c.trainee_name,
                c.trainee_reference,
                f"{c.course_code} {c.course_version}",
                dates.day(c.issued_at.date()),
                dates.day(c.expires_on) if c.expires_on else "Does not expire",
                c.status,
            )[index.column()]
        if role == Qt.ItemDataRole.ToolTipRole and index.column() == len(COLUMNS) - 1:
            return c.status + (f": {c.revoke_reason}" if c.revoked else "")
        if role == Qt.ItemDataRole.ForegroundRole and c.revoked:
            return error_colour() if index.column() == len(COLUMNS) - 1 else Qt.GlobalColor.gray
        return None


class CertificatesPage(Page):
    key = "certificates"
    title = "Certificates"
    icon = "certificate"

    def build(self) -> QWidget:
        self.model = RegisterModel()
        self.view = QTableView()
        self.view.setAccessibleName("Certificate register")
        self.view.setModel(self.model)
        adopt_model(self.view, self.model)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_selected())
        self.search = search_box("Number, name or reference", "Find certificates")
        when_typing_pauses(self.search, self._show_rows)
        self.status_box = QComboBox()
        self.status_box.setAccessibleName("Show")
        for label, revoked in (("All certificates", None), ("Valid", False), ("Revoked", True)):
            self.status_box.addItem(label, revoked)
        self.status_box.currentIndexChanged.connect(lambda _i: self._show_rows())
        self.issue_button = self._button(
            "certificate",
            "Issue…",
            self.issue_waiting,
            "Preview and issue the completions waiting for a certificate (Ctrl+N)",
        )
        self.reprint_button = self._button(
            "preview", "Reprint…", self.reprint, "Save or print an identical copy (Enter)"
        )
        self.revoke_button = self._button(
            "delete", "Revoke…", self.revoke, "Withdraw the certificate, with the reason (Del)"
        )
        self.reissue_button = self._button(
            "replan", "Reissue…", self.reissue, "A new number for the same completion"
        )
        self.verify_button = self._button(
            "verify",
            "Verify…",
            self.verify,
            "Check a certificate someone hands in: its PDF or QR code",
        )
        self.waiting = QLabel("")
        self.waiting.setAccessibleName("Waiting for certificates")
        self.picture = CertificatePicture()
        self._pictured = ""  # the number of the certificate drawn
        self.view.activated.connect(lambda _index: self.reprint())

        bar = QHBoxLayout()
        bar.addWidget(self.search, 1)
        bar.addWidget(self.status_box)
        for button in (
            self.issue_button,
            self.reprint_button,
            self.revoke_button,
            self.reissue_button,
            self.verify_button,
        ):
            bar.addWidget(button)
        top = QWidget()
        column = QVBoxLayout(top)
        column.setContentsMargins(0, 0, 0, 0)
        column.addLayout(bar)
        column.addWidget(self.view, 1)
        column.addWidget(self.waiting)
        self.body = QSplitter(Qt.Orientation.Vertical)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(top)
        self.body.addWidget(self.picture)
        self.body.setStretchFactor(0, 1)
        self.body.setStretchFactor(1, 1)
        self.body.setSizes([420, 420])
        self._update_actions()
        return self.body

    def inner_splitters(self) -> list[QSplitter]:
        return [self.body]

    @staticmethod
    def _button(icon: str, text: str, slot: Callable[[], object], tip: str = "") -> QPushButton:
        button = action_button(icon, text, tip)
        button.clicked.connect(slot)
        return button

    # ----- showing -------------------------------------------------------------------------
    def reload(self, entity_type: str = "", record_id: int | None = None) -> None:
        self._show_rows()
        count = len(self.context.certificates.eligible())
        missing = len(self.context.certificates.unwritten())
        text = (
            f"{count} completion{'s' if count != 1 else ''} waiting for a certificate"
            if count
            else "No completion earned on a run is waiting for a certificate"
        )
        if missing:  # a batch was interrupted between issuing and writing
            text += f" · {missing} issued without a PDF yet: Issue… writes them"
        self.waiting.setText(text)
        self.issue_button.setEnabled(count > 0 or missing > 0)
        self._update_actions()

    def _show_rows(self) -> None:
        """The register as the search narrows it, keeping the selection where it can."""
        chosen = self.selected()
        revoked = self.status_box.currentData()
        self.model.set_rows(self.context.certificates.register(self.search.text(), revoked=revoked))
        if chosen is not None:
            for row, c in enumerate(self.model.rows):
                if c.number == chosen.number:
                    self.view.selectRow(row)
        self._show_selected()

    def selected(self) -> Certificate | None:
        index = self.view.currentIndex()
        return self.model.rows[index.row()] if index.isValid() else None

    def _update_actions(self) -> None:
        chosen = self.selected()
        self.reprint_button.setEnabled(chosen is not None)
        self.revoke_button.setEnabled(chosen is not None and not chosen.revoked)
        self.reissue_button.setEnabled(chosen is not None)

    def _show_selected(self) -> None:
        self._update_actions()
        chosen = self.selected()
        if chosen is None:
            self.details.show_placeholder()
            self._pictured = ""
            self.picture.clear(
                "Select a certificate to see it as it prints"
                if self.model.rows
                else "No certificates issued yet. Issue… shows the completions waiting for one."
            )
            return
        content = self.context.certificates.content(chosen.number)
        if self._pictured != chosen.number:  # a reprint is identical: draw each one once
            self._pictured = chosen.number
            self.picture.show_certificate(lambda: content, draft=False)
        rows = [
            ("Trainee", f"{content.trainee_name} ({chosen.trainee_reference})"),
            (
                "Course",
                f"{content.course_code} {content.course_title} · version {content.course_version}",
            ),
            ("Completed", dates.day(content.completed_on)),
            ("Issued", f"{dates.day(content.issued_on)} by {chosen.issued_by}"),
            (
                "Valid until",
                dates.day(content.expires_on) if content.expires_on else "Does not expire",
            ),
            ("Assessment", content.assessment_outcome),
            ("Trainer", content.trainer or "—"),
            ("Signatory", f"{content.signatory}, {content.signatory_role}"),
            ("Status", chosen.status + (f": {chosen.revoke_reason}" if chosen.revoked else "")),
        ]
        signed = self.context.signatures.of(SignedKind.CERTIFICATE, chosen.id)
        rows += [("Signed", signature.manifest()) for signature in signed]
        table = "".join(
            f"<tr><td style='color:gray;padding-right:8px'>{escape(k)}</td>"
            f"<td>{escape(v)}</td></tr>"
            for k, v in rows
        )
        self.details.show_html(f"<h3>{escape(chosen.number)}</h3><table>{table}</table>")

    # ----- verbs ---------------------------------------------------------------------------
    def ask_reason(self, title: str) -> str | None:
        text, ok = QInputDialog.getText(self, title, "Reason (kept in the register and audit):")
        return text if ok else None

    def issue_waiting(self) -> None:
        waiting = self.context.certificates.waiting()
        if not waiting and not self.context.certificates.unwritten():
            self.say("No completion is waiting for a certificate")
            return
        self.open_issue_dialog(
            waiting, "Completions earned on a run here, still valid, without a certificate"
        )

    def open_issue_dialog(self, waiting: list[Waiting], heading: str) -> IssueDialog:
        """Everything waiting across the network: nothing ticked at first, the coordinator
        ticks what to issue now."""
        dialog = IssueDialog(self.context, waiting, heading, self, ticked=False)
        dialog.issued.connect(self._issued)
        self.open_dialog(dialog)
        return dialog

    def _issued(self, count: int) -> None:
        self.reload()
        if count:
            self.say(f"Issued {count} certificate{'s' if count != 1 else ''}")

    def reprint(self) -> None:
        """The certificate large, to save an identical copy or print it."""
        chosen = self.selected()
        if chosen is None:
            return
        content = self.context.certificates.content(chosen.number)
        self.open_dialog(
            PreviewDialog(
                chosen,
                content,
                self.context.settings,
                self.context.certificates.write_certificate,
                self,
            )
        )

    def revoke(self) -> None:
        chosen = self.selected()
        reason = self.ask_reason("Revoke certificate") if chosen else None
        if chosen is None or reason is None:
            return
        try:
            self.context.certificates.revoke(chosen.number, reason)
        except DomainError as error:
            self.editor.inform("Cannot revoke", str(error))
            return
        self.say(f"Certificate {chosen.number} revoked")
        self.reload()

    def reissue(self) -> None:
        chosen = self.selected()
        reason = self.ask_reason("Reissue certificate") if chosen else None
        if chosen is None or reason is None:
            return
        try:
            new, _ = self.context.certificates.reissue(chosen.number, reason)
        except DomainError as error:
            self.editor.inform("Cannot reissue", str(error))
            return
        self.say(f"Certificate {new.number} issued, replacing {chosen.number}")
        # The new one must be in the list to be shown: no search, no "Revoked only".
        self.search.clear()
        self.status_box.setCurrentIndex(0)
        self.reload()
        row = next((i for i, c in enumerate(self.model.rows) if c.number == new.number), None)
        if row is not None:
            self.view.selectRow(row)
            self.reprint()  # straight to saving or printing the new certificate

    def verify(self) -> VerifyDialog:
        dialog = VerifyDialog(self.context, self)
        self.open_dialog(dialog)
        return dialog

    # ----- the window's verbs ----------------------------------------------------------------
    def add(self) -> None:
        self.issue_waiting()

    def edit(self) -> None:
        self.reprint()

    def delete(self) -> None:
        self.revoke()

    def focus_filter(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def say(self, text: str) -> None:
        self.editor.status.emit(text)

    def save_state(self, settings: QSettings) -> None:
        super().save_state(settings)
        self.picture.wait()
