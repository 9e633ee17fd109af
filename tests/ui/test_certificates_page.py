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
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QStyle,
    QStyleOptionViewItem,
    QTreeWidget,
)

from tests.helpers.pdf import rendered, scanned
from tests.integration.test_enrolment import World, earn, world
from trainer_app.certificates.render import read_embedded_payload
from trainer_app.domain.certificates import Verdict
from trainer_app.services.context import ServiceContext
from trainer_app.ui.certificates.dialogs import IssueDialog, PreviewDialog
from trainer_app.ui.certificates.page import CertificatesPage
from trainer_app.ui.file_dialogs import documents_folder

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


def issue_all(qtbot, page: CertificatesPage, folder: Path) -> IssueDialog:
    """Issue… on the page, Tick all, Issue: every waiting certificate into ``folder``."""
    qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    issue(qtbot, dialog, folder)
    return dialog


def click_tick_box(qtbot, tree: QTreeWidget, row: int) -> None:
    """A mouse click on the row's tick box, where the style draws it."""
    index = tree.indexFromItem(tree.topLevelItem(row), 0)
    option = QStyleOptionViewItem()
    tree.initViewItemOption(option)
    option.rect = tree.visualRect(index)
    option.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    box = tree.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, option, tree)
    qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=box.center())


def answer_folder(monkeypatch: pytest.MonkeyPatch, folder: Path) -> list[str]:
    """Answer the folder dialog with ``folder``; returns the folders it opened in."""
    opened_in: list[str] = []

    def ask(parent: object, caption: str, start: str = "") -> str:
        opened_in.append(start)
        return str(folder)

    monkeypatch.setattr(QFileDialog, "getExistingDirectory", staticmethod(ask))
    return opened_in


def test_from_the_page_nothing_is_ticked_until_the_coordinator_ticks(
    qtbot, window, page, context, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert page.waiting.text() == "3 completions waiting for a certificate"
    assert (
        page.picture.message
        == "No certificates issued yet. Issue… shows the completions waiting for one."
    )
    qtbot.mouseClick(page.issue_button, Qt.MouseButton.LeftButton)
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    assert dialog.list.topLevelItemCount() == 3 and dialog.ticked() == []
    assert dialog.issue_button.text() == "Issue 0 certificates…"
    assert not dialog.issue_button.isEnabled()
    assert (
        dialog.count.text() == "0 of 3 ticked · Tick the completions to issue (Space), or Tick all"
    )
    assert dialog.issue_button.toolTip() == "Tick the completions to issue (Space), or Tick all"
    if dialog.picture.image is None:
        qtbot.waitSignal(dialog.picture.drawn, timeout=WAIT).wait()
    assert dialog.picture.image is not None and dialog.picture.image.width() > 300
    assert dialog.caption.text() == "Preview: not ticked, so not issued. Space ticks it."
    assert context.certificates.register() == []  # a preview issues nothing

    # a click on 李伟's tick box, then Down to the next and Space ticks it too
    names = [dialog.list.topLevelItem(row).text(0) for row in range(3)]
    assert [dialog.list.topLevelItem(row).text(2) for row in range(3)] == ["GOWN 1.0"] * 3
    li = names.index("李伟")
    click_tick_box(qtbot, dialog.list, li)
    assert dialog.count.text() == "1 of 3 ticked"
    assert dialog.issue_button.text() == "Issue 1 certificate…" and dialog.issue_button.isEnabled()
    dialog.list.setFocus()
    dialog.list.setCurrentItem(dialog.list.topLevelItem(li))
    shown = dialog.picture.image
    qtbot.keyClick(dialog.list, Qt.Key.Key_Down if li < 2 else Qt.Key.Key_Up)
    qtbot.waitUntil(lambda: dialog.picture.image is not shown, timeout=WAIT)  # previewed
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)
    assert dialog.count.text() == "2 of 3 ticked"
    second = names[dialog.list.indexOfTopLevelItem(dialog.list.currentItem())]
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)  # Space again unticks it
    assert dialog.count.text() == "1 of 3 ticked"
    qtbot.keyClick(dialog.list, Qt.Key.Key_Space)

    folder = tmp_path / "issued"
    folder.mkdir()
    opened_in = answer_folder(monkeypatch, folder)
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    issued = context.certificates.register()
    assert sorted(c.trainee_name for c in issued) == sorted(["李伟", second])
    first = min(issued, key=lambda c: c.number)
    issued_on = context.certificates.content(first.number).issued_on  # the day printed
    combined = f"certificates-{issued_on.isoformat()}-{first.number}.pdf"
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{c.number}.pdf" for c in issued] + [combined]
    )
    keys = context.settings.key_folder
    assert dialog.outcome.text() == (
        f"Issued 2 certificates: 2 saved as PDFs in {folder}, and {combined} to print. "
        f"A new certificate signing key ({_fingerprint(keys)}) was created "
        f"in {keys}: back it up with the database. Without it no further certificate can be "
        "signed."  # the store's first certificates: the first set-up of its key
    )
    assert dialog.list.topLevelItemCount() == 1 and page.model.rowCount() == 2  # kept up

    # Tick all (one click) issues the last one, into the same folder: nothing overwritten
    qtbot.mouseClick(dialog.all_button, Qt.MouseButton.LeftButton)
    assert dialog.count.text() == "1 of 1 ticked"
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        qtbot.mouseClick(dialog.issue_button, Qt.MouseButton.LeftButton)
    assert window.statusBar().currentMessage() == "Issued 1 certificate"
    assert opened_in == [str(documents_folder()), str(folder)]  # then where the last went
    assert len(context.certificates.register()) == 3
    assert len(PdfReader(folder / combined).pages) == 2  # the first batch's print file stays
    assert len(list(folder.iterdir())) == 4
    assert dialog.list.topLevelItemCount() == 0 and not dialog.issue_button.isEnabled()
    assert dialog.picture.message == "Every completion here has its certificate."
    assert dialog.count.text() == "None waiting"
    qtbot.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)
    assert page.dialog is None
    assert page.waiting.text() == "No completion earned on a run is waiting for a certificate"
    assert not page.issue_button.isEnabled()
    assert page.model.rowCount() == 3


def test_batches_into_one_folder_keep_every_earlier_file(
    qtbot, page, context, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two batches of several into the same folder: each keeps its own print file; a file
    already named like a new certificate is kept, and the outcome says so."""
    folder = tmp_path / "certificates"
    folder.mkdir()
    answer_folder(monkeypatch, folder)
    dialog = issue_all(qtbot, page, folder)
    first_batch = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert len(first_batch) == 4  # three certificates and their print file
    dialog.close_button.click()

    earn(world, "GOWN-2027-02", world.gown, world.people[3:5], day=2)
    numbers = [
        c.number
        for c in context.certificates.drafts(
            [w.completion_id for w in context.certificates.waiting()]
        )
    ]
    (folder / f"{numbers[0]}.pdf").write_bytes(b"someone else's file")
    page.reload()
    dialog = issue_all(qtbot, page, folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir() if p.name in first_batch} == (
        first_batch
    )
    assert (folder / f"{numbers[0]}.pdf").read_bytes() == b"someone else's file"
    assert (folder / f"{numbers[0]} (2).pdf").exists()
    combined = [p for p in folder.iterdir() if p.name.startswith("certificates-")]
    assert len(combined) == 2 and all(len(PdfReader(p).pages) in (3, 2) for p in combined)
    assert dialog.outcome.text().endswith(
        f"A file of the same name already there was kept; the new one is {numbers[0]} (2).pdf."
    )
    dialog.close_button.click()


def test_the_register_shows_saves_and_prints_the_certificate(
    qtbot, qtmodeltester, page, context, tmp_path: Path
) -> None:
    issue_all(qtbot, page, tmp_path / "issued").close_button.click()
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
    issue_all(qtbot, page, tmp_path).close_button.click()
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
    page.search.setText("lukasz")  # case and accents ignored, once the typing pauses
    qtbot.waitUntil(lambda: {c.trainee_name for c in page.model.rows} == {"Łukasz Nowak"})
    page.search.clear()
    qtbot.waitUntil(lambda: len(page.model.rows) > 1)
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
    dialog.all_button.click()
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
    assert dialog.outcome.text().startswith(
        f"Stopped: 1 issued, 0 saved as PDFs in {folder}. Issue again to write the missing "
        "files (or reprint them from the register)."
    )
    assert list(folder.iterdir()) == []  # no half batch, no print file
    assert dialog.list.topLevelItemCount() == 2 and dialog.count.text() == "2 of 2 ticked"
    assert issued.trainee_name not in [dialog.list.topLevelItem(row).text(0) for row in range(2)]
    dialog.close_button.click()
    assert page.model.rowCount() == 1
    assert page.waiting.text().endswith("· 1 issued without a PDF yet: Issue… writes them")

    # issuing again writes the file the stopped batch never wrote, with the new ones
    page.issue_button.click()
    dialog = page.dialog
    assert isinstance(dialog, IssueDialog)
    assert dialog.issue_button.text() == "Write 1 missing PDF…" and dialog.issue_button.isEnabled()
    dialog.all_button.click()
    assert dialog.issue_button.text() == "Issue 2 certificates…"
    dialog.ask_folder = lambda: folder  # type: ignore[method-assign]
    with qtbot.waitSignal(dialog.task.finished, timeout=WAIT):
        dialog.issue_button.click()
    assert "The files of 1 certificate an interrupted batch had issued were written too." in (
        dialog.outcome.text()
    )
    numbers = sorted(c.number for c in context.certificates.register())
    assert len(numbers) == 3 and issued.number in numbers
    assert sorted(p.name for p in folder.glob("LON-*.pdf")) == [f"{n}.pdf" for n in numbers]
    assert len(list(folder.glob("certificates-*.pdf"))) == 1 and len(list(folder.iterdir())) == 4
    assert context.certificates.unwritten() == []
    dialog.close_button.click()


def _fingerprint(folder: Path) -> str:
    from trainer_app.certificates import keys

    return keys.fingerprint(keys.installation_keys(folder)[0])


def plain(label: QLabel) -> str:
    """A rich-text label as the user reads it."""
    document = QTextDocument()
    document.setHtml(label.text())
    return document.toPlainText()


def test_verify_a_pdf_or_a_scanned_code(qtbot, page, context, tmp_path: Path) -> None:
    issue_all(qtbot, page, tmp_path).close_button.click()
    pdf = next(tmp_path.glob("LON-*.pdf"))
    dialog = page.verify()
    assert "Nothing to verify yet" in plain(dialog.details)
    dialog.ask_pdf = lambda: pdf  # type: ignore[method-assign]
    dialog.open_button.click()
    assert dialog.verdict.text() == "✓ Valid"
    assert "Genuine: signed by this installation's key" in plain(dialog.details)
    assert pdf.stem in plain(dialog.details)
    code = dialog.code.toPlainText()

    # the same file with one byte of its page changed: its code alone is still genuine
    data = pdf.read_bytes()
    at = data.index(b"stream\n", 2000) + 100
    altered = tmp_path / "altered" / pdf.name
    altered.parent.mkdir()
    altered.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    dialog.ask_pdf = lambda: altered  # type: ignore[method-assign]
    dialog.open_button.click()
    assert dialog.verdict.text() == "✗ Altered: not the file issued"
    assert f"{pdf.name}: The file was changed after it was signed" in plain(dialog.details)

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


def test_a_certificates_signatures_show_in_its_details(
    qtbot, page, context, tmp_path: Path
) -> None:
    from trainer_app.domain.access import AccountFields, Role
    from trainer_app.domain.signatures import Meaning, SignedKind

    issue_all(qtbot, page, tmp_path / "issued").close_button.click()
    with qtbot.waitSignal(page.picture.drawn, timeout=WAIT):
        page.view.selectRow(0)
    chosen = page.selected()
    assert chosen is not None and "Signed" not in page.details.toPlainText()
    admin = context.users.create_first_administrator(
        AccountFields("ana", "Dr Ana Silva", Role.ADMINISTRATOR), "a long passphrase"
    )
    context.signed_in(admin).signatures.sign(
        SignedKind.CERTIFICATE, chosen.id, Meaning.ISSUED, "a long passphrase"
    )
    page.view.selectRow(1)
    page.view.selectRow(0)
    assert "Issued by Dr Ana Silva (ana)" in page.details.toPlainText()
    assert "— valid" in page.details.toPlainText()
