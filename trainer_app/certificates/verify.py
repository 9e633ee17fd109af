"""Is this file a certificate exactly as it was issued?

A certificate PDF passes only if all of these hold:

1. it carries one PDF signature (PAdES), intact, covering the whole file: any byte changed,
   added or cut off after signing breaks it;
2. that signature was made by one of this installation's keys (current or retired) — the key of
   the signer certificate, not just its name;
3. the embedded payload (what the QR code carries) is genuine, signed by that same key;
4. what the page shows — number, name, course, version and dates — is what the payload says,
   and the file has one page.

Anything else is an answer too, never a traceback: ``altered`` with the reason in one
sentence, ``unknown key`` (signed by another installation), or ``malformed`` (no certificate
in it at all). Nothing is written. Revocation is the register's to say (the service).
"""

from __future__ import annotations

import contextlib
import io
import logging
import re
import unicodedata
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.utils import CryptographyDeprecationWarning

from trainer_app.certificates import keys
from trainer_app.certificates.embedded import payload_in
from trainer_app.domain import dates
from trainer_app.domain.certificates import CertificateFacts, Verdict
from trainer_app.domain.errors import DomainError

MAX_BYTES = 20 * 1024 * 1024  # a certificate is about 100 kB; a larger file is not one


@dataclass(frozen=True)
class FileVerdict:
    """The answer for one file: the verdict, the facts its payload claims (if any could be
    read), the payload itself, and why, in one sentence, when it is not valid."""

    verdict: Verdict
    facts: CertificateFacts | None
    payload: str = ""
    reason: str = ""


def check_file(path: Path, known: list[Ed25519PublicKey]) -> FileVerdict:
    """Check the certificate PDF at ``path`` against the public keys ``known``; `DomainError`
    only when the file cannot be read at all."""
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            return FileVerdict(
                Verdict.MALFORMED,
                None,
                reason=f"{path.name} is {size // 1_048_576} MB: far too large to be a certificate.",
            )
        data = path.read_bytes()
    except OSError as error:
        raise DomainError(f"{path.name} cannot be read: {error.strerror or error}") from error
    return check_pdf(data, known)


def check_pdf(data: bytes, known: list[Ed25519PublicKey]) -> FileVerdict:
    """`check_file` on the bytes of a file."""
    with _quiet():
        return _check(data, known)


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """pyhanko logs what it finds wrong in a damaged file, tracebacks included; the verdict
    says it in one sentence instead."""
    loggers = [logging.getLogger(name) for name in ("pyhanko", "pyhanko_certvalidator")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _check(data: bytes, known: list[Ed25519PublicKey]) -> FileVerdict:
    text = payload_in(data)
    claimed = _claimed(text)
    signature, problem = _signature(data, known)
    if signature is None:
        if text is None:
            return FileVerdict(
                Verdict.MALFORMED, None, reason="It is not a trainer-app certificate PDF."
            )
        return FileVerdict(Verdict.ALTERED, claimed, text, problem)
    signer_key, intact, whole = signature
    signer = keys.fingerprint(signer_key) if signer_key is not None else ""
    if signer_key is not None and signer not in {keys.fingerprint(k) for k in known}:
        return FileVerdict(
            Verdict.UNKNOWN_KEY,
            claimed,
            text or "",
            "The file is signed, but not by a key this installation holds.",
        )
    if not intact:
        return FileVerdict(
            Verdict.ALTERED,
            claimed,
            text or "",
            "The file was changed after it was signed: its PDF signature no longer matches.",
        )
    if not whole:
        return FileVerdict(
            Verdict.ALTERED,
            claimed,
            text or "",
            "Something was added to the file after it was signed.",
        )
    if text is None:
        return FileVerdict(
            Verdict.MALFORMED,
            None,
            reason="Signed by this installation, but it holds no certificate (a print file?).",
        )
    verdict, facts = keys.check(text, known)
    if verdict is not Verdict.VALID or facts is None:
        return FileVerdict(
            Verdict.ALTERED if verdict is not Verdict.MALFORMED else Verdict.MALFORMED,
            facts,
            text,
            "Its certificate code is not genuine.",
        )
    if facts.key != signer:
        return FileVerdict(
            Verdict.ALTERED,
            facts,
            text,
            "The file and its certificate code were signed by different keys.",
        )
    mismatch = _page_disagrees(data, facts)
    if mismatch:
        return FileVerdict(Verdict.ALTERED, facts, text, mismatch)
    return FileVerdict(Verdict.VALID, facts, text)


def _claimed(text: str | None) -> CertificateFacts | None:
    """What a payload claims, if it can be read at all (genuine or not)."""
    if text is None:
        return None
    from trainer_app.domain.certificates import split_payload

    try:
        return split_payload(text)[0]
    except DomainError:
        return None


def _signature(
    data: bytes, known: list[Ed25519PublicKey]
) -> tuple[tuple[Ed25519PublicKey | None, bool, bool] | None, str]:
    """The PDF signature of ``data``: the signer's public key, whether it is intact (checked
    only for a key in ``known``), and whether it covers the whole file; or None and why there
    is none to check."""
    if not data.startswith(b"%PDF-"):
        return None, "It is not a PDF: a certificate code copied into another file proves nothing."
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pyhanko warns about damaged files it reads anyway
        from pyhanko.pdf_utils.reader import PdfFileReader
        from pyhanko.sign.validation import validate_pdf_signature
        from pyhanko.sign.validation.status import SignatureCoverageLevel
        from pyhanko_certvalidator import ValidationContext

        # A damaged or hostile file can make a PDF parser fail in many ways (pyhanko raises
        # its own errors, but also ValueError, KeyError, IndexError …); every one of them means
        # the same to whoever checks a certificate: this is not the file that was signed.
        try:
            reader = PdfFileReader(io.BytesIO(data), strict=False)
            signatures = reader.embedded_signatures
        except Exception:
            return None, "The file is damaged: it cannot be read as the PDF that was issued."
        if len(signatures) != 1:
            return None, (
                "It carries no PDF signature: it is not the file that was issued."
                if not signatures
                else "It carries more than one PDF signature: it was changed after issue."
            )
        embedded = signatures[0]
        try:
            signer = embedded.signer_cert
            public = _public_key(signer)
            if public is None or keys.fingerprint(public) not in {
                keys.fingerprint(k) for k in known
            }:
                return (public, False, False), ""
            if embedded.evaluate_signature_coverage() != SignatureCoverageLevel.ENTIRE_FILE:
                return (public, True, False), ""
            # Trusted because its key is one of ours (checked just above), not for its name.
            context = ValidationContext(trust_roots=[signer])
            status = validate_pdf_signature(
                embedded, signer_validation_context=context, skip_diff=True
            )
        except Exception:  # as above
            return (None, False, False), ""
        whole = status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        return (public, bool(status.intact and status.valid and status.trusted), whole), ""


def _public_key(certificate: object) -> Ed25519PublicKey | None:
    from cryptography import x509

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        loaded = x509.load_der_x509_certificate(certificate.dump())  # type: ignore[attr-defined]
    public = loaded.public_key()
    return public if isinstance(public, Ed25519PublicKey) else None


def _page_disagrees(data: bytes, facts: CertificateFacts) -> str:
    """Why the page does not show what the payload says ("" when it does)."""
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        if len(reader.pages) != 1:
            return "A certificate has one page; this file has several."
        shown = _plain(reader.pages[0].extract_text())
    except Exception:  # see _signature: a parser's failure means the same here
        return "The page cannot be read."
    expected = [
        ("number", facts.number),
        ("course", facts.course_title),
        ("course version", f"{facts.course_code} · Version {facts.version}"),
        ("completion date", dates.day(facts.completed_on)),
        ("issue date", f"Issued {dates.day(facts.issued_on)}"),
        (
            "expiry date",
            f"Valid until {dates.day(facts.expires_on)}" if facts.expires_on else "Does not expire",
        ),
    ]
    for what, value in expected:
        if _plain(value) not in shown:
            return f"The page does not show the {what} its certificate code states."
    for word in _plain(facts.name).split():
        if word not in shown and word[::-1] not in shown:  # right-to-left names come reversed
            return "The page does not show the name its certificate code states."
    return ""


def _plain(text: str) -> str:
    """Text as compared: compatibility forms folded (ligatures, Arabic presentation forms),
    white space collapsed to one space."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()
