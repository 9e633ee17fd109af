"""A certificate PDF is bound to its signature (issue 12): the file as issued verifies, and
every change an outside tester made says "altered" and exits non-zero; a reprint is the same
file byte for byte; any PDF validator accepts the signature (pyhanko, trusting the
installation's certificate)."""

from __future__ import annotations

import io
import os
from datetime import date
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DecodedStreamObject, NameObject
from reportlab.pdfgen.canvas import Canvas

from tests.integration.test_enrolment import World, earn, world
from trainer_app.cli import main
from trainer_app.domain.certificates import Verdict

pytestmark = pytest.mark.both_stores

__all__ = ["world"]


@pytest.fixture
def issued(world: World, tmp_path: Path) -> tuple[World, list[Path], str]:
    earn(world, "GOWN-2027-01", world.gown, world.people[:2])
    out = tmp_path / "printed"
    outcome = world.ctx.certificates.issue_batch(world.ctx.certificates.eligible(), out)
    assert outcome.issued == 2 and outcome.key is not None and outcome.key.created
    return world, sorted(out.glob("LON-*.pdf")), str(out)


def _payload(data: bytes) -> bytes:
    start = data.index(b"/TrainerAppCertificate (") + len(b"/TrainerAppCertificate (")
    return data[start : data.index(b")", start)]


def _blank_pdf_with(payload: bytes) -> bytes:
    """A one-page PDF carrying ``payload`` just as a certificate does, and nothing else."""
    from trainer_app.certificates.embedded import embed

    stream = io.BytesIO()
    canvas = Canvas(stream)
    embed(canvas, payload.decode("ascii"))
    canvas.drawString(100, 100, "Certificate")
    canvas.showPage()
    canvas.save()
    return stream.getvalue()


def _name_painted_over(path: Path, target: Path) -> None:
    """What an editor does: a white box over the name and another name on it, saved as an
    incremental update (the signed bytes stay, something is added after them)."""
    writer = PdfWriter(str(path), incremental=True)
    page = writer.pages[0]
    overlay = DecodedStreamObject()
    overlay.set_data(
        b"1 1 1 rg 90 320 660 60 re f 0 0 0 rg BT /F1 30 Tf 250 340 Td (Mallory) Tj ET"
    )
    contents = page["/Contents"]
    existing = list(contents) if isinstance(contents, ArrayObject) else [contents]
    page[NameObject("/Contents")] = ArrayObject([*existing, writer._add_object(overlay)])
    with target.open("wb") as stream:
        writer.write(stream)


def test_every_change_to_the_file_says_altered(
    issued: tuple[World, list[Path], str], tmp_path: Path
) -> None:
    w, (first, second), _ = issued
    service = w.ctx.certificates
    data, other = first.read_bytes(), second.read_bytes()
    at = data.index(b"stream\n", 2000) + 300
    swapped = data.replace(_payload(data), _payload(other))
    assert swapped != data
    variants = {
        "bytes flipped in a page stream": data[:at] + bytes([data[at] ^ 0x20]) + data[at + 1 :],
        "truncated to 92 %": data[: len(data) * 92 // 100],
        "another certificate's code swapped in": swapped,
        "a blank PDF carrying the genuine code": _blank_pdf_with(_payload(data)),
        "a text file carrying the genuine code": b"/TrainerAppCertificate ("
        + _payload(data)
        + b")",
        "one byte appended": data + b"\n",
    }
    folder = tmp_path / "variants"
    folder.mkdir()
    for what, content in variants.items():
        path = folder / f"{what}.pdf"
        path.write_bytes(content)
        found = service.verify_file(path)
        assert found.verdict is Verdict.ALTERED, what
        assert found.reason.endswith("."), what
    painted = folder / "name painted over.pdf"
    _name_painted_over(first, painted)
    assert painted.read_bytes().startswith(data) and len(PdfReader(painted).pages) == 1
    found = service.verify_file(painted)
    assert (found.verdict, found.reason) == (
        Verdict.ALTERED,
        "Something was added to the file after it was signed.",
    )
    assert service.verify_file(first).verdict is Verdict.VALID
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{what}.pdf" for what in variants] + ["name painted over.pdf"]
    )  # verifying wrote nothing


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_cli_says_altered_and_exits_1_with_no_traceback(
    issued: tuple[World, list[Path], str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    w, (first, _), _ = issued
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(w.ctx.settings.data_dir))
    data = first.read_bytes()
    at = data.index(b"stream\n", 2000) + 300
    flipped = tmp_path / "flipped.pdf"
    flipped.write_bytes(data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :])
    assert main(["certificate", "verify", str(flipped), "--database", database]) == 1
    said = capsys.readouterr()
    assert said.out.startswith("altered: LON-2027-")
    assert "The file was changed after it was signed" in said.out
    assert said.err == ""
    assert main(["certificate", "verify", str(first), "--database", database]) == 0
    assert capsys.readouterr().out.startswith("valid: ")
    # offline, with the issuer's public key only
    public = tmp_path / "issuer.pem"
    assert main(["certificate", "public-key", "-o", str(public), "--database", database]) == 0
    capsys.readouterr()
    assert main(["certificate", "verify", str(first), "--key", str(public)]) == 0
    assert main(["certificate", "verify", str(flipped), "--key", str(public)]) == 1


def test_a_reprint_is_the_same_signed_file(
    issued: tuple[World, list[Path], str], tmp_path: Path
) -> None:
    w, (first, _), _ = issued
    copy = w.ctx.certificates.write_certificate(first.stem, tmp_path / "copy.pdf")
    assert copy.read_bytes() == first.read_bytes()


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_pdf_validator_accepts_the_signature_over_the_whole_file(
    issued: tuple[World, list[Path], str], tmp_path: Path
) -> None:
    import warnings

    from cryptography.utils import CryptographyDeprecationWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        from asn1crypto import pem, x509
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

    w, (first, _), _ = issued
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    certificate = tmp_path / "installation.pem"
    os.environ["TRAINER_APP_DATA_DIR"] = str(w.ctx.settings.data_dir)
    try:
        x509_export = ["certificate", "public-key", "--x509", "-o", str(certificate)]
        assert main([*x509_export, "--database", database]) == 0
    finally:
        del os.environ["TRAINER_APP_DATA_DIR"]
    _, _, der = pem.unarmor(certificate.read_bytes())
    trusted = x509.Certificate.load(der)
    assert "trainer-app certificates" in trusted.subject.human_friendly
    with first.open("rb") as stream:
        (signature,) = PdfFileReader(stream).embedded_signatures
        status = validate_pdf_signature(
            signature, signer_validation_context=ValidationContext(trust_roots=[trusted])
        )
    assert status.bottom_line and status.intact and status.valid and status.trusted
    assert status.coverage is SignatureCoverageLevel.ENTIRE_FILE
    assert status.signer_reported_dt is not None
    assert status.signer_reported_dt.date() == w.ctx.certificates.content(first.stem).issued_on
    assert date(2027, 1, 1) <= status.signer_reported_dt.date()


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_missing_files_of_a_dead_batch_are_written_by_the_next(
    world: World,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket

    w = world
    earn(w, "GOWN-2027-01", w.gown, w.people[:3])
    service = w.ctx.certificates
    dead = f"{socket.gethostname()[:60]} 999999999 0123456789abcdef"  # no such process
    issued = service.issue_many(service.eligible(), file_pending=dead)
    numbers = sorted(c.number for c, _ in issued)
    assert sorted(c.number for c in service.unwritten()) == numbers
    out = tmp_path / "printed"
    out.mkdir()
    leftover = out / f".{numbers[0]}.pdf.999999999-{'0' * 32}.part.pdf"
    leftover.write_bytes(b"half a file")
    database = w.ctx.settings.database_url.removeprefix("sqlite:///")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(w.ctx.settings.data_dir))
    command = ["certificate", "issue", "--missing-files", "-o", str(out), "--database", database]
    assert main(command) == 0
    said = capsys.readouterr().out
    assert "Removed 1 unfinished file(s) of an interrupted batch" in said
    assert "Wrote the missing files of 3 certificates issued by an interrupted batch" in said
    assert sorted(p.stem for p in out.glob("LON-*.pdf")) == numbers
    assert not leftover.exists() and service.unwritten() == []
    assert main(command) == 0
    assert "No completion is waiting for a certificate; nothing was written" in (
        capsys.readouterr().out
    )
