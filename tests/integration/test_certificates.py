"""Certificates from recorded completions: numbers, signed payloads, the register, revocation,
reissue, and verification (offline by signature, then against the register)."""

from __future__ import annotations

import dataclasses
import os
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from tests.integration.test_enrolment import World, asep_elsewhere, complete_gown, earn, world
from trainer_app.certificates import keys
from trainer_app.domain.certificates import Verdict, number_is_well_formed, split_payload
from trainer_app.domain.errors import DomainError, NotFound, ValidationError
from trainer_app.domain.records import Completion

pytestmark = pytest.mark.both_stores

__all__ = ["world"]


def test_a_certificate_is_issued_once_per_completion_and_verifies(world: World) -> None:
    w = world
    (completion,) = earn(w, "GOWN-2027-01", w.gown, [w.people[1]])
    assert w.ctx.certificates.eligible() == [completion]
    certificate, content = w.ctx.certificates.issue(completion)
    assert certificate.number == "LON-2027-000001-" + certificate.number[-1]
    assert number_is_well_formed(certificate.number)
    assert (content.trainee_name, content.course_code, content.completed_on) == (
        "李伟",
        "GOWN",
        date(2027, 1, 12),
    )
    assert content.expires_on == date(2028, 1, 12)
    assert content.assessment_outcome == "Practical assessment passed"
    assert (content.trainer, content.signatory) == ("Dr Amara Okafor", "Dr Imogen Achebe-Hart")
    again, same = w.ctx.certificates.issue(completion)
    assert again.number == certificate.number and same == content
    assert w.ctx.certificates.eligible() == []
    assert w.ctx.certificates.verify(content.payload)[0] is Verdict.VALID
    second, _ = w.ctx.certificates.issue(next(c.id for c in _complete(w, w.people[2])))
    assert second.number.startswith("LON-2027-000002-")


def _complete(w: World, person: int) -> list[Completion]:
    complete_gown(w, person, date(2026, 7, 1))
    return w.ctx.training.completions_of(person)


def test_one_changed_character_or_another_key_is_caught(world: World, tmp_path: Path) -> None:
    w = world
    complete_gown(w, w.people[0], date(2026, 6, 1))
    (completion,) = w.ctx.training.completions_of(w.people[0])
    _, content = w.ctx.certificates.issue(completion.id)
    facts, _, _ = split_payload(content.payload)
    assert facts.name == "Siobhán Ní Bhriain"
    middle = len(content.payload) // 2
    flipped = "B" if content.payload[middle] != "B" else "C"
    forged = content.payload[:middle] + flipped + content.payload[middle + 1 :]
    assert w.ctx.certificates.verify(forged)[0] in (Verdict.TAMPERED, Verdict.MALFORMED)
    assert w.ctx.certificates.verify("hello")[0] is Verdict.MALFORMED
    other = keys.create_first(tmp_path / "other")
    assert keys.check(content.payload, [other.public])[0] is Verdict.UNKNOWN_KEY


def test_revoked_completions_and_certificates(world: World) -> None:
    w = world
    complete_gown(w, w.people[0], date(2026, 6, 1))
    (completion,) = w.ctx.training.completions_of(w.people[0])
    certificate, content = w.ctx.certificates.issue(completion.id)
    with pytest.raises(ValidationError, match="Say why"):
        w.ctx.certificates.revoke(certificate.number, " ")
    revoked = w.ctx.certificates.revoke(certificate.number, "Issued to the wrong person")
    assert revoked.revoked and revoked.revoke_reason == "Issued to the wrong person"
    assert w.ctx.certificates.verify(content.payload)[0] is Verdict.REVOKED
    with pytest.raises(DomainError, match="already revoked"):
        w.ctx.certificates.revoke(certificate.number, "again")

    new, new_content = w.ctx.certificates.reissue(certificate.number, "Name corrected")
    assert new.replaces == certificate.number and new_content.reissue_of == certificate.number
    assert w.ctx.certificates.verify(new_content.payload)[0] is Verdict.VALID
    register = {c.number: c for c in w.ctx.certificates.register()}
    assert register[certificate.number].replaced_by == new.number

    w.ctx.training.revoke_completion(completion.id, "Assessment found invalid")
    w.ctx.certificates.revoke(new.number, "Completion revoked")
    with pytest.raises(DomainError, match="completion was revoked"):
        w.ctx.certificates.issue(completion.id)
    with pytest.raises(NotFound, match="There is no certificate LON-2027-999999-1"):
        w.ctx.certificates.revoke("lon-2027-999999-1", "x")


def test_the_signing_key_is_private_and_refused_when_missing_or_readable(tmp_path: Path) -> None:
    folder = tmp_path / "keys"
    key = keys.create_first(folder)
    path = folder / keys.PRIVATE_NAME
    assert os.stat(path).st_mode & 0o777 == 0o600
    assert keys.load_current(folder).fingerprint == key.fingerprint
    assert (folder / keys.PUBLIC_NAME).read_bytes() == key.public_pem()
    path.chmod(0o644)
    with pytest.raises(DomainError, match="can be read by other users"):
        keys.load(path)
    path.chmod(0o600)
    path.write_bytes(b"not a key")
    with pytest.raises(DomainError, match="is not a usable certificate signing key"):
        keys.load(path)
    with pytest.raises(DomainError, match="is missing"):
        keys.load(tmp_path / "nowhere.pem")


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_cli_issues_verifies_revokes_lists_reprints_and_reissues(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from pypdf import PdfReader

    from tests.helpers.pdf import rendered, scanned
    from trainer_app.certificates.render import read_embedded_payload
    from trainer_app.cli import main

    w = world
    earn(w, "GOWN-2027-01", w.gown, w.people[:2])
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    data_dir = w.ctx.settings.data_dir
    w.ctx.close()
    environ_key = "TRAINER_APP_DATA_DIR"
    os.environ[environ_key] = str(data_dir)
    try:
        out = tmp_path / "printed"
        assert (
            main(["certificate", "issue", "--all-eligible", "-o", str(out), "--database", database])
            == 0
        )
        said = capsys.readouterr().out
        pdfs = sorted(p for p in out.glob("LON-*.pdf"))
        (combined,) = out.glob("certificates-*.pdf")  # named after the batch: never overwritten
        assert combined.name.endswith(f"-{pdfs[0].stem}.pdf")
        assert (
            f"Issued 2 certificates in {out} (one PDF each, and {combined.name} to print)" in said
        )
        assert len(pdfs) == 2 and len(PdfReader(combined).pages) == 2
        first = pdfs[0]
        assert "Siobhán Ní Bhriain" in PdfReader(first).pages[0].extract_text() or "李伟" in (
            PdfReader(first).pages[0].extract_text()
        )
        assert main(["certificate", "verify", str(first), "--database", database]) == 0
        said = capsys.readouterr().out
        assert said.startswith("valid: LON-") and "Genuine: signed by this installation" in said

        code = scanned(rendered(first, 150))
        assert main(["certificate", "verify", "--payload", code, "--database", database]) == 0
        capsys.readouterr()
        public = tmp_path / "issuer.pem"
        assert main(["certificate", "public-key", "-o", str(public), "--database", database]) == 0
        assert main(["certificate", "verify", "--payload", code, "--key", str(public)]) == 0
        assert "Revocation is checked only against a database" in capsys.readouterr().out
        forged = code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:]
        assert main(["certificate", "verify", "--payload", forged, "--key", str(public)]) == 1
        assert capsys.readouterr().out.startswith(("tampered", "malformed"))

        number = first.stem
        assert (
            main(
                [
                    "certificate",
                    "revoke",
                    number,
                    "--reason",
                    "Wrong course",
                    "--database",
                    database,
                ]
            )
            == 0
        )
        capsys.readouterr()
        assert main(["certificate", "verify", str(first), "--database", database]) == 1
        assert capsys.readouterr().out.startswith(f"revoked: {number}")

        # the register from the command line: list, an identical reprint, a reissue
        assert main(["certificate", "list", "--database", database]) == 0
        listed = capsys.readouterr().out.splitlines()
        assert listed[-1] == "2 certificates"
        assert any(line.startswith(number) and line.endswith("· Revoked") for line in listed)
        other = pdfs[1].stem
        copy = tmp_path / "copy.pdf"
        assert main(["certificate", "reprint", other, "-o", str(copy), "--database", database]) == 0
        assert read_embedded_payload(copy) == read_embedded_payload(pdfs[1])
        renewed = tmp_path / "renewed.pdf"
        reissue = ["certificate", "reissue", other, "--reason", "Name corrected", "-o"]
        assert main([*reissue, str(renewed), "--database", database]) == 0
        assert f"replaces {other}; written to {renewed}" in capsys.readouterr().out
        assert main(["certificate", "verify", str(renewed), "--database", database]) == 0
        capsys.readouterr()
        assert main(["certificate", "list", "--status", "revoked", "--database", database]) == 0
        revoked_lines = capsys.readouterr().out.splitlines()
        assert revoked_lines[-1] == "2 certificates"
        assert any("Revoked (reissued as " in line for line in revoked_lines)
    finally:
        del os.environ[environ_key]


def test_no_completion_no_certificate_and_an_edited_pdf_is_caught(
    world: World, tmp_path: Path
) -> None:
    from trainer_app.certificates.render import read_embedded_payload, render_certificate

    w = world
    with pytest.raises(NotFound, match="a certificate needs a recorded one"):
        w.ctx.certificates.issue(999)
    complete_gown(w, w.people[0], date(2026, 6, 1))
    (completion,) = w.ctx.training.completions_of(w.people[0])
    _, content = w.ctx.certificates.issue(completion.id)
    pdf = tmp_path / "certificate.pdf"
    render_certificate(content, pdf)
    assert w.ctx.certificates.verify(read_embedded_payload(pdf))[0] is Verdict.VALID
    raw = pdf.read_bytes()
    facts_start = raw.index(b"TACERT1.") + len(b"TACERT1.") + 10
    edited = raw[:facts_start] + (b"x" if raw[facts_start : facts_start + 1] != b"x" else b"y")
    pdf.write_bytes(edited + raw[facts_start + 1 :])
    assert w.ctx.certificates.verify(read_embedded_payload(pdf))[0] in (
        Verdict.TAMPERED,
        Verdict.MALFORMED,
    )


def test_a_preview_of_a_batch_issues_nothing_and_shows_the_numbers_to_come(world: World) -> None:
    w = world
    first, second = earn(w, "GOWN-2027-01", w.gown, w.people[:2])
    audited = w.ctx.audit.count()
    drafts = w.ctx.certificates.drafts([first, second])
    assert [d.trainee_name for d in drafts] == ["Siobhán Ní Bhriain", "李伟"]
    assert [d.number[:15] for d in drafts] == ["LON-2027-000001", "LON-2027-000002"]
    assert all(number_is_well_formed(d.number) for d in drafts)
    # one at a time, as the preview of a batch shows them: numbered after those before it
    assert w.ctx.certificates.drafts([second], after=[first])[0].number == drafts[1].number
    waiting = w.ctx.certificates.waiting()
    assert [(x.trainee_name, x.course_code, x.hub_code) for x in waiting] == [
        ("Siobhán Ní Bhriain", "GOWN", "LON"),
        ("李伟", "GOWN", "LON"),
    ]
    # nothing issued, nothing audited, and the preview's QR content proves nothing
    assert w.ctx.certificates.register() == [] and w.ctx.audit.count() == audited
    assert w.ctx.certificates.eligible() == [first, second]
    assert w.ctx.certificates.verify(drafts[0].payload)[0] is Verdict.UNKNOWN_KEY
    # issuing gives what was previewed, signed; a preview of it then shows the real one
    _, content = w.ctx.certificates.issue(second)
    assert content == dataclasses.replace(drafts[1], number=content.number, payload=content.payload)
    assert w.ctx.certificates.drafts([second]) == [content]
    assert w.ctx.certificates.drafts([first])[0].number == drafts[1].number  # next free
    w.ctx.training.revoke_completion(first, "Recorded against the wrong trainee")
    with pytest.raises(DomainError, match="revoked"):
        w.ctx.certificates.drafts([first])
    with pytest.raises(NotFound, match="needs a recorded one"):
        w.ctx.certificates.drafts([999])


def test_what_waits_for_a_certificate(world: World) -> None:
    """Earned on a run and still valid waits; history imported is issued per trainee; training
    held elsewhere never gets one."""
    w = world
    siobhan, li, lukasz = w.people[:3]
    (earned,) = earn(w, "GOWN-2027-01", w.gown, [siobhan])
    complete_gown(w, li, date(2026, 6, 1))  # history from the old spreadsheets
    (imported,) = w.ctx.training.completions_of(li)
    complete_gown(w, lukasz, date(2024, 6, 1))  # lapsed in 2025
    (lapsed,) = w.ctx.training.completions_of(lukasz)
    external = asep_elsewhere(w, li)
    assert w.ctx.certificates.eligible() == [earned]
    assert w.ctx.certificates.eligible(trainee_id=li) == [imported.id]
    assert w.ctx.certificates.eligible(trainee_id=lukasz) == [lapsed.id]  # reissue a lost one
    with pytest.raises(DomainError, match="held elsewhere; its certificate is the provider's"):
        w.ctx.certificates.issue(external.id)
    _, content = w.ctx.certificates.issue(imported.id)
    assert content.assessment_outcome == "Completed (training record)"
    (zoe,) = earn(w, "GOWN-2027-02", w.gown, [w.people[3]], day=3, theory=Decimal("90.0"))
    _, content = w.ctx.certificates.issue(zoe)
    assert content.assessment_outcome == "Theory 90 % · practical assessment passed"


def test_the_training_record_lists_each_certificate_and_its_revocation(
    world: World, tmp_path: Path
) -> None:
    from pypdf import PdfReader

    from trainer_app.exports.record import write_record_csv, write_record_pdf

    w = world
    (completion,) = earn(w, "GOWN-2027-01", w.gown, [w.people[0]])
    first, _ = w.ctx.certificates.issue(completion)
    second, _ = w.ctx.certificates.reissue(first.number, "Name misspelt")
    record = w.ctx.matrix.training_record(w.people[0])
    (entry,) = record.entries
    assert entry.completion is not None
    assert [(c.number, c.revoke_reason) for c in entry.completion.certificates] == [
        (first.number, "Reissued: Name misspelt"),
        (second.number, ""),
    ]
    csv_file, pdf_file = tmp_path / "record.csv", tmp_path / "record.pdf"
    write_record_csv(record, csv_file)
    lines = [
        line
        for line in csv_file.read_text("utf-8-sig").split("\nSignatures")[0].splitlines()
        if ",Certificate," in line  # the history block's, not the audit history's
    ]
    assert len(lines) == 2
    assert f"{first.number}, issued 12 Jan 2027; revoked " in lines[0]
    assert lines[0].endswith(': Reissued: Name misspelt"')
    assert lines[1].endswith(f'"{second.number}, issued 12 Jan 2027"')
    write_record_pdf(record, pdf_file)
    text = " ".join(page.extract_text() for page in PdfReader(pdf_file).pages)
    assert first.number in text and second.number in text
