"""The Certificates page and its dialogs: preview the waiting completions and issue some or
all in the background, the register with the selected certificate drawn as it prints, an
identical copy saved or printed, revoke and reissue with reasons."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtGui import QTextDocument
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QLabel

from tests.helpers.pdf import rendered, scanned
from tests.integration.test_enrolment import World, earn, world
from trainer_app.certificates.render import read_embedded_payload
from trainer_app.domain.certificates import Verdict
from trainer_app.services.context import ServiceContext
from trainer_app.ui.certificates.dialogs import IssueDialog, PreviewDialog
from trainer_app.ui.certificates.page import CertificatesPage

WAIT = 30_000
__all__ = ["world"]


@pytest.fixture
def context(world: World) -> ServiceContext:
    return world.ctx


@pytest.fixture
def page(qtbot, window, world: World, answers) -> CertificatesPage:
    """Siobhán, 李伟 and Łukasz completed GOWN-2027-01; none has a certificate yet."""
    earn(world, "GOWN-2027-01", world.gown, world.people[:3])
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, CertificatesPage))
    window.show_page(index)
    shown = window.page
    assert isinstance(shown, CertificatesPage)
    return shown


def issue(qtbot, dialog: IssueDialog, folder: Path) -> None:
    folder.mkdir(exist_ok=True)
    dialog.ask_folder = lambda: folder  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        dialog.issue_button.click()


def test_preview_then_issue_one_then_the_rest(qtbot, window, page, context, tmp_path: Path) -> None:
    assert page.waiting.text() == "3 completions waiting for a certificate"
    assert (
        page.picture.message
        == "No certificates issued yet. Issue… shows the completions waiting for one."
    )
    page.issue_button.click()
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    assert (
        dialog.list.topLevelItemCount() == 3
        and dialog.issue_button.text() == "Issue 3 certificates…"
    )
    if dialog.picture.image is None:
        qtbot.waitSignal(dialog.picture.drawn, timeout=WAIT).wait()
    assert dialog.picture.image is not None and dialog.picture.image.width() > 300
    assert "not a certificate yet" in dialog.caption.text()
    assert context.certificates.register() == []  # a preview issues nothing

    # from the keyboard: Down shows the next one, Space unticks and ticks it again
    first_shown = dialog.picture.image
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down)
    qtbot.waitUntil(lambda: dialog.picture.image is not first_shown, timeout=WAIT)
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    assert dialog.count.text() == "2 of 3 ticked"
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    assert dialog.count.text() == "3 of 3 ticked"

    # show 李伟's, untick the others and issue it alone
    items = [dialog.list.topLevelItem(row) for row in range(3)]
    assert [item.text(2) for item in items] == ["GOWN 1.0"] * 3
    li = next(item for item in items if item.text(0) == "李伟")
    dialog.list.setCurrentItem(li)
    for item in items:
        if item is not li:
            item.setCheckState(0, Qt.CheckState.Unchecked)
    assert dialog.issue_button.text() == "Issue 1 certificate…"
    assert dialog.count.text() == "1 of 3 ticked"
    issue(qtbot, dialog, tmp_path / "one")
    (alone,) = context.certificates.register()
    assert alone.trainee_name == "李伟"
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{alone.number}.pdf"]
    assert dialog.outcome.text() == f"Issued 1 certificate: 1 saved as PDFs in {tmp_path / 'one'}."
    assert dialog.list.topLevelItemCount() == 2 and page.model.rowCount() == 1  # the page kept up

    dialog.all_button.click()
    issue(qtbot, dialog, tmp_path / "rest")
    assert window.statusBar().currentMessage() == "Issued 2 certificates"
    assert dialog.list.topLevelItemCount() == 0 and not dialog.issue_button.isEnabled()
    assert dialog.picture.message == "Every completion here has its certificate."
    assert dialog.count.text() == "None waiting"
    assert "and all-certificates.pdf to print" in dialog.outcome.text()
    assert len(PdfReader(tmp_path / "rest" / "all-certificates.pdf").pages) == 2
    dialog.close_button.click()
    assert page.dialog is None
    assert page.waiting.text() == "No completion earned on a run is waiting for a certificate"
    assert not page.issue_button.isEnabled()
    assert page.model.rowCount() == 3


def test_the_register_shows_saves_and_prints_the_certificate(
    qtbot, qtmodeltester, page, context, tmp_path: Path
) -> None:
    page.issue_button.click()
    assert isinstance(page.dialog, IssueDialog)
    issue(qtbot, page.dialog, tmp_path / "issued")
    page.dialog.close_button.click()
    qtmodeltester.check(page.model)

    with qtbot.waitSignal(page.picture.drawn, timeout=WAIT):
        page.view.selectRow(0)
    chosen = page.selected()
    assert chosen is not None and page.picture.image is not None
    original = tmp_path / "issued" / f"{chosen.number}.pdf"

    page.reprint()
    dialog = page.dialog
    assert isinstance(dialog, PreviewDialog)
    assert dialog.windowTitle() == f"Certificate {chosen.number}"
    dialog.resize(1700, 1250)  # a big picture: its QR code scans like the paper's
    qtbot.waitUntil(
        lambda: dialog.picture.image is not None and dialog.picture.image.width() > 1500,
        timeout=WAIT,
    )  # drawn again, sharper, once the resizing stopped
    png = tmp_path / "preview.png"
    assert dialog.picture.image is not None and dialog.picture.image.save(str(png))
    payload = read_embedded_payload(original)
    assert scanned(png) == payload

    copy = tmp_path / "copy.pdf"
    dialog.ask_file = lambda: copy  # type: ignore[method-assign]
    assert dialog.save_copy() == copy
    assert read_embedded_payload(copy) == payload

    printed = tmp_path / "printed.pdf"

    def to_file() -> QPrinter:
        printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(printed))
        return printer

    dialog.ask_printer = to_file  # type: ignore[method-assign]
    assert dialog.print_page()
    (sheet,) = PdfReader(printed).pages
    width, height = float(sheet.mediabox.width), float(sheet.mediabox.height)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape, in points
    assert scanned(rendered(printed, 150)) == payload  # what came out of the printer verifies
    dialog.reject()
    assert page.dialog is None


def test_revoke_and_reissue_need_reasons(qtbot, page, context, tmp_path: Path) -> None:
    page.issue_button.click()
    assert isinstance(page.dialog, IssueDialog)
    issue(qtbot, page.dialog, tmp_path)
    page.dialog.close_button.click()
    page.view.selectRow(0)
    chosen = page.selected()
    assert chosen is not None
    original = tmp_path / f"{chosen.number}.pdf"
    page.ask_reason = lambda title: "Wrong spelling of the name"  # type: ignore[method-assign]
    page.reissue()
    new = page.selected()
    assert new is not None and new.replaces == chosen.number
    assert isinstance(page.dialog, PreviewDialog)  # ready to save or print the new one
    assert page.dialog.windowTitle() == f"Certificate {new.number}"
    page.dialog.reject()
    assert any(c.replaces == chosen.number for c in page.model.rows)
    revoked = next(c for c in page.model.rows if c.number == chosen.number)
    assert revoked.revoked and revoked.replaced_by
    assert context.certificates.verify(read_embedded_payload(original))[0] is Verdict.REVOKED
    assert page.model.data(page.model.index(page.model.rows.index(revoked), 6)).startswith(
        "Revoked (reissued as "
    )
    tip = page.model.index(page.model.rows.index(revoked), 6).data(Qt.ItemDataRole.ToolTipRole)
    assert tip.endswith(": Reissued: Wrong spelling of the name")
    page.status_box.setCurrentText("Revoked")
    assert [c.number for c in page.model.rows] == [chosen.number]
    page.status_box.setCurrentText("Valid")
    assert chosen.number not in [c.number for c in page.model.rows]
    page.status_box.setCurrentText("All certificates")
    page.search.setText("lukasz")  # case and accents ignored
    assert {c.trainee_name for c in page.model.rows} == {"Łukasz Nowak"}
    page.search.clear()
    page.ask_reason = lambda title: None  # type: ignore[method-assign]
    page.view.selectRow(0)
    before = [c.revoked for c in page.model.rows]
    page.revoke()  # asked, then Cancel: nothing changes
    assert [c.revoked for c in page.model.rows] == before


def test_cancel_keeps_what_was_issued_and_says_so(
    qtbot, page, context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started, go = threading.Event(), threading.Event()
    real = context.certificates.issue_many

    def held_back(ids: list[int], **kwargs: Any) -> Any:
        """The real batch, held after its first certificate until the test has pressed Cancel."""
        progress = kwargs.pop("progress")

        def report(done: int, total: int) -> None:
            progress(done, total)
            if done == 1:
                started.set()
                go.wait(WAIT / 1000)

        return real(ids, progress=report, **kwargs)

    monkeypatch.setattr(context.certificates, "issue_many", held_back)
    page.issue_button.click()
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    folder = tmp_path / "printed"
    folder.mkdir()
    dialog.ask_folder = lambda: folder  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        dialog.issue_button.click()
        assert started.wait(WAIT / 1000)
        assert dialog.cancel_button.isVisible() and not dialog.close_button.isEnabled()
        dialog.reject()  # Escape while issuing: the dialog stays until the batch has stopped
        assert dialog.isVisible()
        dialog.cancel_button.click()
        go.set()
    (issued,) = context.certificates.register()
    assert dialog.outcome.text() == (
        f"Stopped: 1 issued, 0 saved as PDFs in {folder}. Reprint the others from the register."
    )
    assert list(folder.iterdir()) == []  # no half batch, no print file
    assert dialog.list.topLevelItemCount() == 2 and dialog.count.text() == "2 of 2 ticked"
    assert issued.trainee_name not in [dialog.list.topLevelItem(row).text(0) for row in range(2)]
    dialog.close_button.click()
    assert page.model.rowCount() == 1


def plain(label: QLabel) -> str:
    """A rich-text label as the user reads it."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def test_verify_a_pdf_or_a_scanned_code(qtbot, page, context, tmp_path: Path) -> None:
    page.issue_button.click()
    assert isinstance(page.dialog, IssueDialog)
    issue(qtbot, page.dialog, tmp_path)
    page.dialog.close_button.click()
    pdf = next(tmp_path.glob("LON-*.pdf"))
    dialog = page.verify()
    assert "Nothing to verify yet" in plain(dialog.details)
    dialog.ask_pdf = lambda: pdf  # type: ignore[method-assign]
    dialog.open_button.click()
    assert dialog.verdict.text() == "✓ Valid"
    assert "Genuine: signed by this installation's key" in plain(dialog.details)
    assert pdf.stem in plain(dialog.details)
    code = dialog.code.toPlainText()

    middle = len(code) // 2
    dialog.code.setPlainText(
        code[:middle] + ("B" if code[middle] != "B" else "C") + code[middle + 1 :]
    )
    assert dialog.verdict.text() in ("✗ Not genuine", "✗ Not a certificate code")
    dialog.code.setPlainText("hello")
    assert dialog.verdict.text() == "✗ Not a certificate code"

    context.certificates.reissue(pdf.stem, "Course title corrected")
    dialog.code.setPlainText(code)
    assert dialog.verdict.text() == "✗ Revoked"
    assert "Reason: Reissued: Course title corrected. Replaced by certificate" in (
        plain(dialog.details)
    )
    dialog.reject()
    assert page.dialog is None
