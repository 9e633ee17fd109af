"""The Certificates page: issue every waiting completion in the background, the register, an
identical reprint, revoke and reissue with reasons."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from pypdf import PdfReader

from tests.helpers import builders as b
from trainer_app.certificates.render import read_embedded_payload
from trainer_app.domain.certificates import Verdict
from trainer_app.domain.records import CompletionFields
from trainer_app.ui.certificates_page import CertificatesPage


def test_issue_reprint_revoke_and_reissue(
    qtbot, qtmodeltester, window, context, answers, tmp_path: Path
) -> None:
    hub = b.hub(context, "LON", "London")
    gown = b.course(context, "GOWN", title="Gowning qualification")
    for reference, name in (("TR-000001", "Siobhán Ní Bhriain"), ("TR-000002", "李伟")):
        trainee = b.trainee(context, hub.id, reference, name)
        context.training.add_completion(
            CompletionFields(
                trainee_id=trainee.id, course_id=gown.id, completed_on=date(2026, 3, 2)
            )
        )
    index = next(i for i, p in enumerate(window.pages) if isinstance(p, CertificatesPage))
    window.show_page(index)
    page = window.page
    assert isinstance(page, CertificatesPage)
    assert page.waiting.text() == "2 completions waiting for a certificate"

    folder = tmp_path / "printed"
    folder.mkdir()
    page.ask_folder = lambda: folder  # type: ignore[method-assign]
    with qtbot.waitSignal(page.task.finished, timeout=30_000):
        page.issue_button.click()
    assert page.model.rowCount() == 2
    qtmodeltester.check(page.model)
    assert page.waiting.text() == "Every completion has its certificate"
    assert len(PdfReader(folder / "all-certificates.pdf").pages) == 2
    assert "Issued 2 certificates" in window.statusBar().currentMessage()

    page.view.selectRow(0)
    chosen = page.selected()
    assert chosen is not None
    copy = tmp_path / "copy.pdf"
    page.ask_file = lambda suggestion: copy  # type: ignore[method-assign]
    page.reprint()
    original = folder / f"{chosen.number}.pdf"
    assert read_embedded_payload(copy) == read_embedded_payload(original)

    page.ask_reason = lambda title: "Wrong spelling of the name"  # type: ignore[method-assign]
    page.reissue()
    assert any(c.replaces == chosen.number for c in page.model.rows)
    revoked = next(c for c in page.model.rows if c.number == chosen.number)
    assert revoked.revoked and revoked.replaced_by
    assert context.certificates.verify(read_embedded_payload(original))[0] is Verdict.REVOKED
    assert page.model.data(page.model.index(page.model.rows.index(revoked), 6)).startswith(
        "Revoked (reissued as "
    )
