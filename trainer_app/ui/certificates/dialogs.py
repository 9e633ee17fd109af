"""Issuing certificates after a preview, and a certificate's preview before a reprint.

`IssueDialog` lists the completions waiting for a certificate: every one across the network,
none ticked (the coordinator ticks what to issue; Tick all is one click), or a run's or a
trainee's, all ticked (a narrow, deliberate choice). The one selected is previewed as it will
print, marked "Preview · not issued", with the number it will most likely get. Issue writes the
ticked ones in the background (progress, Cancel): one PDF each and, for more than one, a
combined file to print, named after the batch; files already in the folder are kept.

`PreviewDialog` shows an issued certificate large, to save an identical copy or print it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QPageLayout, QPageSize, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QSplitter,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trainer_app.config import Settings
from trainer_app.domain import dates
from trainer_app.domain.certificates import Certificate, CertificateContent, Waiting
from trainer_app.domain.errors import DomainError
from trainer_app.services.certificates import BatchOutcome
from trainer_app.services.context import ServiceContext
from trainer_app.ui.certificates.picture import CertificatePicture, as_image
from trainer_app.ui.file_dialogs import FileKind, choose_folder, save_file
from trainer_app.ui.icons import action_button
from trainer_app.ui.tasks import Report, ShouldStop, Task

PAGE_INCHES_WIDE = 297 / 25.4  # A4 landscape
PRINT_DPI = 300  # printing sends the page as a picture at most this sharp


COLUMNS = ("Trainee", "Reference", "Course", "Completed")


def _item(w: Waiting, ticked: bool) -> QTreeWidgetItem:
    item = QTreeWidgetItem(
        [
            w.trainee_name,
            w.trainee_reference,
            f"{w.course_code} {w.course_version}",
            dates.day(w.completed_on),
        ]
    )
    item.setData(0, Qt.ItemDataRole.UserRole, w.completion_id)
    item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
    item.setCheckState(0, Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
    return item


def _completion(item: QTreeWidgetItem) -> int:
    return int(item.data(0, Qt.ItemDataRole.UserRole))


class IssueDialog(QDialog):
    issued = Signal(int)  # how many certificates were issued (the register changed)

    def __init__(
        self,
        context: ServiceContext,
        waiting: list[Waiting],
        heading: str,
        parent: QWidget | None = None,
        *,
        ticked: bool,
    ) -> None:
        """``ticked``: every line ticked at first (a run's or a trainee's completions), or
        none (everything waiting across the network: the coordinator picks)."""
        super().__init__(parent)
        self.context = context
        self.setWindowTitle("Issue certificates")
        self.setAccessibleName("Issue certificates")
        self.heading = QLabel(heading)
        self.heading.setWordWrap(True)
        font = self.heading.font()
        font.setWeight(font.Weight.DemiBold)
        self.heading.setFont(font)

        self.list = QTreeWidget()
        self.list.setAccessibleName("Completions waiting")
        self.list.setRootIsDecorated(False)
        self.list.setAlternatingRowColors(True)
        self.list.setUniformRowHeights(True)
        self.list.setHeaderLabels(COLUMNS)
        self.list.addTopLevelItems([_item(w, ticked) for w in waiting])
        for index in range(len(COLUMNS)):
            self.list.resizeColumnToContents(index)
        self.list.currentItemChanged.connect(lambda *_: self._preview())
        self.list.itemChanged.connect(lambda *_: self._ticked())
        self.count = QLabel()
        self.count.setAccessibleName("Count")
        self.count.setStyleSheet("color: palette(placeholder-text);")
        self.all_button = action_button("all", "Tick &all")
        self.all_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Checked))
        self.none_button = action_button("remove", "Tick &none")
        self.none_button.clicked.connect(lambda: self._tick_all(Qt.CheckState.Unchecked))

        self.picture = CertificatePicture()
        self.picture.failed.connect(self._failed_to_draw)
        self.caption = QLabel()
        self.caption.setAccessibleName("Preview caption")
        self.caption.setWordWrap(True)
        self.caption.setStyleSheet("color: palette(placeholder-text);")

        self.progress = QProgressBar()
        self.progress.setAccessibleName("Issuing progress")
        self.progress.hide()
        self.outcome = QLabel()
        self.outcome.setAccessibleName("Outcome")
        self.outcome.setWordWrap(True)
        self.outcome.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.task = Task(self)
        self.task.progress.connect(self._progress)
        self.task.finished.connect(self._finished)
        self.task.failed.connect(self._failed)
        self.folder: Path | None = None

        self.issue_button = action_button("certificate", "Issue…")
        self.issue_button.setDefault(True)
        self.issue_button.clicked.connect(self.issue)
        self.cancel_button = action_button("cancel", "Cancel issuing")
        self.cancel_button.clicked.connect(self.task.cancel)
        self.cancel_button.hide()
        self.open_button = action_button("open", "Open folder")
        self.open_button.clicked.connect(self.open_folder)
        self.open_button.hide()
        self.close_button = action_button("remove", "Close")
        self.close_button.clicked.connect(self.reject)

        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.heading)
        column.addWidget(self.list, 1)
        ticks = QHBoxLayout()
        ticks.addWidget(self.all_button)
        ticks.addWidget(self.none_button)
        ticks.addStretch(1)
        ticks.addWidget(self.count)
        column.addLayout(ticks)
        right = QWidget()
        column = QVBoxLayout(right)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(self.picture, 1)
        column.addWidget(self.caption)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([430, 650])
        buttons = QHBoxLayout()
        buttons.addWidget(self.progress, 1)
        buttons.addWidget(self.outcome, 1)
        for button in (self.cancel_button, self.open_button, self.issue_button):
            buttons.addWidget(button)
        buttons.addWidget(self.close_button)
        layout = QVBoxLayout(self)
        layout.addWidget(split, 1)
        layout.addLayout(buttons)
        self.resize(1120, 620)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self._ticked()
        items = self._items()
        if items:
            self.list.setCurrentItem(items[0])
            self.list.setFocus()  # arrows move through the preview, Space ticks
        else:
            self.picture.clear("Every completion here has its certificate.")

    # ----- what is ticked ------------------------------------------------------------------
    def ticked(self) -> list[int]:
        return [
            _completion(item)
            for item in self._items()
            if item.checkState(0) == Qt.CheckState.Checked
        ]

    def _items(self) -> list[QTreeWidgetItem]:
        found = (self.list.topLevelItem(row) for row in range(self.list.topLevelItemCount()))
        return [item for item in found if item is not None]

    def _tick_all(self, state: Qt.CheckState) -> None:
        self.list.blockSignals(True)  # one update after, not one per line
        for item in self._items():
            item.setCheckState(0, state)
        self.list.blockSignals(False)
        self._ticked()

    def _ticked(self) -> None:
        count, listed = len(self.ticked()), len(self._items())
        hint = "Tick the completions to issue (Space), or Tick all"
        if not listed:
            self.count.setText("None waiting")
        elif count:
            self.count.setText(f"{count} of {listed} ticked")
        else:
            self.count.setText(f"0 of {listed} ticked · {hint}")
        missing = len(self.context.certificates.unwritten())
        if missing and not count:  # an interrupted batch left certificates without files
            self.issue_button.setText(f"Write {missing} missing PDF{'s' if missing != 1 else ''}…")
            self.issue_button.setToolTip(
                "Certificates issued by a batch that was interrupted before writing them"
            )
        else:
            self.issue_button.setText(f"Issue {count} certificate{'s' if count != 1 else ''}…")
            self.issue_button.setToolTip("" if count else hint)
        self.issue_button.setEnabled((count > 0 or missing > 0) and not self.task.running)
        self._preview()  # numbers to come depend on what is ticked before

    # ----- the preview ---------------------------------------------------------------------
    def _preview(self) -> None:
        current = self.list.currentItem()
        if current is None:
            return
        completion = _completion(current)
        ticked = self.ticked()
        before = ticked[: ticked.index(completion)] if completion in ticked else ticked
        drafts = self.context.certificates.drafts
        self.picture.show_certificate(lambda: drafts([completion], after=before)[0], draft=True)
        self.caption.setText(
            "Preview: not a certificate yet. Numbers are given when issued, in the order listed."
            if completion in ticked
            else "Preview: not ticked, so not issued. Space ticks it."
        )

    # ----- issuing -------------------------------------------------------------------------
    def ask_folder(self) -> Path | None:
        return choose_folder(
            self, self.context.settings, FileKind.CERTIFICATES, "Save the certificates in"
        )

    def issue(self) -> None:
        chosen = self.ticked()
        folder = self.ask_folder() if chosen or self.context.certificates.unwritten() else None
        if folder is None:
            return
        self.folder = folder
        service = self.context.certificates

        def work(report: Report, stop: ShouldStop) -> BatchOutcome:
            # Issue, then write every file on every core; files an interrupted batch left
            # unwritten are written too.
            return service.issue_batch(chosen, folder, progress=report, should_stop=stop)

        self._busy(True)
        self.outcome.clear()
        self.task.start(work)

    def _busy(self, busy: bool) -> None:
        self.progress.setVisible(busy)
        self.cancel_button.setVisible(busy)
        self.outcome.setVisible(not busy)
        for widget in (self.list, self.all_button, self.none_button, self.close_button):
            widget.setEnabled(not busy)
        self.issue_button.setEnabled(
            not busy and bool(self.ticked() or self.context.certificates.unwritten())
        )

    def _progress(self, done: int, total: int) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)

    def _failed_to_draw(self, message: str) -> None:
        self.caption.setText(message)

    def _finished(self, result: object) -> None:
        self._busy(False)
        assert isinstance(result, BatchOutcome)
        count, paths, combined = result.issued, list(result.paths), result.combined
        self._forget_issued()
        if count:
            self.issued.emit(count)
        saved = f"{len(paths)} saved as PDFs in {self.folder}"
        if result.stopped:
            text = (
                f"Stopped: {count} issued, {saved}. Issue again to write the missing files "
                "(or reprint them from the register)."
            )
        elif combined is not None:
            text = f"Issued {count} certificates: {saved}, and {combined.name} to print."
        else:
            text = f"Issued {count} certificate{'' if count == 1 else 's'}: {saved}."
        if result.resumed:
            text += (
                f" The files of {result.resumed} certificate{'' if result.resumed == 1 else 's'}"
                " an interrupted batch had issued were written too."
            )
        if result.key is not None and result.key.created:
            text += f" {result.key.news}."
        self.outcome.setText(text + _kept(paths))
        self.open_button.setVisible(bool(paths))

    def _failed(self, message: str) -> None:
        self._busy(False)
        self._forget_issued()
        self.outcome.setText(f"Not all issued: {message}")
        self.issued.emit(0)

    def _forget_issued(self) -> None:
        """Take what now has a certificate off the list (the rest still waits)."""
        done = self.context.certificates.certified([_completion(i) for i in self._items()])
        for item in reversed(self._items()):
            if _completion(item) in done:
                self.list.takeTopLevelItem(self.list.indexOfTopLevelItem(item))
        self._ticked()
        if not self.list.topLevelItemCount():
            self.picture.clear("Every completion here has its certificate.")
            self.caption.clear()

    def open_folder(self) -> None:
        if self.folder is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder)))

    def reject(self) -> None:
        """Close (Escape, the window's close button): not while issuing — Cancel first, so
        that the outcome (what was issued, where it was saved) is seen."""
        if self.task.running:
            return
        self.picture.wait()
        super().reject()


def _kept(paths: list[Path]) -> str:
    """Say so when files already in the folder made the new ones take other names."""
    renamed = [p.name for p in paths if p.stem.endswith(")")]
    if not renamed:
        return ""
    listed = ", ".join(renamed[:3]) + (" …" if len(renamed) > 3 else "")
    return (
        f" Files of the same name already there were kept; the new ones are named {listed}."
        if len(renamed) > 1
        else f" A file of the same name already there was kept; the new one is {listed}."
    )


class PreviewDialog(QDialog):
    """An issued certificate, large: save an identical copy or print it."""

    def __init__(
        self,
        certificate: Certificate,
        content: CertificateContent,
        settings: Settings,
        write_copy: Callable[[str, Path], Path],
        parent: QWidget | None = None,
    ) -> None:
        """``write_copy(number, path)`` writes the signed file as issued (the service's)."""
        super().__init__(parent)
        self.certificate, self.content, self.settings = certificate, content, settings
        self.write_copy = write_copy
        self.setWindowTitle(f"Certificate {certificate.number}")
        self.picture = CertificatePicture()
        self.picture.show_certificate(lambda: content, draft=False)
        state = QLabel(
            f"Revoked: {certificate.revoke_reason}. A copy is identical to what was issued; "
            "verifying it against the register reports it revoked."
            if certificate.revoked
            else "An identical copy of the certificate as issued."
        )
        state.setWordWrap(True)
        state.setAccessibleName("Certificate state")
        self.save_button = action_button("save", "&Save a copy…", "The same PDF as issued")
        self.save_button.clicked.connect(self.save_copy)
        self.print_button = action_button("print", "&Print…", "Print the page (A4 landscape)")
        self.print_button.clicked.connect(self.print_page)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.print_button, QDialogButtonBox.ButtonRole.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(state)
        layout.addWidget(buttons)
        self.resize(1000, 780)
        self.setWindowModality(Qt.WindowModality.WindowModal)

    def ask_file(self) -> Path | None:
        return save_file(
            self,
            self.settings,
            FileKind.CERTIFICATES,
            "Save a copy",
            f"{self.certificate.number}.pdf",
            "PDF (*.pdf)",
        )

    def ask_printer(self) -> QPrinter | None:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        dialog = QPrintDialog(printer, self)
        return printer if dialog.exec() == QDialog.DialogCode.Accepted else None

    def save_copy(self) -> Path | None:
        path = self.ask_file()
        if path is None:
            return None
        try:
            self.write_copy(self.certificate.number, path)
        except (DomainError, OSError) as error:
            QMessageBox.warning(self, "Cannot save the certificate", str(error))
            return None
        return path

    def print_page(self) -> bool:
        printer = self.ask_printer()
        if printer is None:
            return False
        print_certificate(self.content, printer)
        return True

    def done(self, result: int) -> None:
        self.picture.wait()
        super().done(result)


def print_certificate(content: CertificateContent, printer: QPrinter) -> None:
    """The certificate on A4 landscape, edge to edge, as a picture at the printer's resolution
    (at most `PRINT_DPI`)."""
    printer.setPageLayout(
        QPageLayout(
            QPageSize(QPageSize.PageSizeId.A4),
            QPageLayout.Orientation.Landscape,
            QMarginsF(0, 0, 0, 0),
        )
    )
    printer.setFullPage(True)
    printer.setDocName(f"Certificate {content.number}")
    from trainer_app.certificates.preview import preview

    dpi = min(printer.resolution(), PRINT_DPI)
    width = round(PAGE_INCHES_WIDE * dpi)
    image = as_image(preview(content, width))
    painter = QPainter(printer)
    try:
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        painter.drawImage(QRectF(printer.paperRect(QPrinter.Unit.DevicePixel)), image)
    finally:
        painter.end()
