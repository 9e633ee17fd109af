"""The certificate verifier against random and mutated input (issue 12): PDFs with bytes
flipped, cut, inserted or spliced, random files, and random or mutated code texts. Every one
gets a clear verdict (or a refusal in words), never a traceback; only the untouched file and
the untouched code are valid; nothing is written.

Short form: a few hundred examples, well under 30 s. Long form:
``TRAINER_APP_FUZZ_EXAMPLES=20000 pytest tests/reliability/test_fuzz_certificates.py``.
"""

from __future__ import annotations

import dataclasses
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers.fuzz import fuzz_settings
from trainer_app.certificates import keys
from trainer_app.certificates.render import certificate_file
from trainer_app.certificates.signing import DocumentSigner
from trainer_app.certificates.verify import check_file, check_pdf
from trainer_app.domain.certificates import CertificateContent, Verdict, split_payload
from trainer_app.domain.errors import DomainError

FUZZ = fuzz_settings(150)

_FOLDER = Path(tempfile.mkdtemp(prefix="certificate-fuzz-"))
_KEY = keys.create_first(_FOLDER / "keys")
_KNOWN = [_KEY.public]


def _content() -> CertificateContent:
    return CertificateContent(
        number="LON-2027-000001-7",
        trainee_name="Siobhán Ní Bhriain",
        course_code="GOWN",
        course_title="Cleanroom behaviour and gowning qualification",
        course_version="2.1",
        completed_on=date(2027, 1, 12),
        issued_on=date(2027, 1, 14),
        expires_on=date(2028, 1, 12),
        cpd_hours=Decimal("7.5"),
        learning_outcomes=("Gown for a Grade B cleanroom",),
        assessment_outcome="Practical assessment passed",
        trainer="Dr Amara Okafor",
        signatory="Dr Imogen Achebe-Hart",
        signatory_role="Head of Training",
        hub_code="LON",
        hub_name="London hub",
        payload="",
    )


def _genuine() -> tuple[bytes, str]:
    content = _content()
    content = dataclasses.replace(content, payload=_KEY.sign(content.facts(_KEY.fingerprint)))
    return certificate_file(content, DocumentSigner(_KEY)), content.payload


GENUINE, CODE = _genuine()


def _answer(data: bytes) -> Verdict:
    found = check_pdf(data, _KNOWN)
    assert isinstance(found.verdict, Verdict)
    if found.verdict is not Verdict.VALID:
        assert found.reason, found  # a sentence saying why
    return found.verdict


def test_the_genuine_file_is_valid() -> None:
    assert _answer(GENUINE) is Verdict.VALID


def test_a_signed_page_that_shows_other_facts_than_its_code_is_altered() -> None:
    """Even signed by the installation's key, a page must show what its code states."""
    for change in (
        {"trainee_name": "Mallory Forger"},
        {"expires_on": date(2030, 1, 12)},
        {"number": "LON-2027-000002-5"},
    ):
        shown = dataclasses.replace(_content(), **change, payload=CODE)  # type: ignore[arg-type]
        found = check_pdf(certificate_file(shown, DocumentSigner(_KEY)), _KNOWN)
        assert found.verdict is Verdict.ALTERED, change
        assert found.reason.startswith("The page does not show the "), found.reason


@FUZZ
@given(st.data())
def test_mutated_files_are_never_valid(data: st.DataObject) -> None:
    raw = bytearray(GENUINE)
    kind = data.draw(st.sampled_from(["flip", "cut", "insert", "splice", "overwrite"]))
    at = data.draw(st.integers(0, len(raw) - 1))
    if kind == "flip":
        raw[at] ^= data.draw(st.integers(1, 255))
    elif kind == "cut":
        end = data.draw(st.integers(at + 1, min(len(raw), at + 4096)))
        del raw[at:end]
    elif kind == "insert":
        raw[at:at] = data.draw(st.binary(min_size=1, max_size=64))
    elif kind == "splice":  # a piece of the file moved elsewhere
        piece = bytes(raw[at : at + data.draw(st.integers(1, 512))])
        raw[data.draw(st.integers(0, len(raw))) : 0] = piece
    else:
        chunk = data.draw(st.binary(min_size=1, max_size=32))
        raw[at : at + len(chunk)] = chunk
    mutated = bytes(raw)
    verdict = _answer(mutated)
    assert verdict is not Verdict.VALID or mutated == GENUINE


@FUZZ
@given(st.binary(max_size=4096), st.sampled_from([b"", b"%PDF-1.4\n", b"%PDF-1.7\n%\xe2\xe3"]))
def test_random_files_get_a_verdict(noise: bytes, header: bytes) -> None:
    assert _answer(header + noise) is not Verdict.VALID


@FUZZ
@given(st.text(max_size=600))
def test_random_code_texts_get_a_verdict(text: str) -> None:
    verdict, _facts = keys.check(text, _KNOWN)
    assert isinstance(verdict, Verdict) and verdict is not Verdict.VALID


@FUZZ
@given(st.integers(0, len(CODE) - 1), st.characters(codec="ascii"))
def test_a_code_with_one_character_changed_is_not_valid(at: int, character: str) -> None:
    mutated = CODE[:at] + character + CODE[at + 1 :]
    verdict, _facts = keys.check(mutated, _KNOWN)
    # base64's last character has spare bits: a change there can decode to the same bytes,
    # which are then the same facts under the same signature (not a forgery)
    assert verdict is not Verdict.VALID or split_payload(mutated)[1:] == split_payload(CODE)[1:]


def test_files_on_disk_are_read_not_written(tmp_path: Path) -> None:
    for name, content in {
        "empty.pdf": b"",
        "genuine.pdf": GENUINE,
        "cut.pdf": GENUINE[: len(GENUINE) * 92 // 100],
    }.items():
        (tmp_path / name).write_bytes(content)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    verdicts = {name: check_file(tmp_path / name, _KNOWN).verdict for name in before}
    assert verdicts == {
        "empty.pdf": Verdict.MALFORMED,
        "genuine.pdf": Verdict.VALID,
        "cut.pdf": Verdict.ALTERED,
    }
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    with pytest.raises(DomainError, match="cannot be read"):
        check_file(tmp_path / "missing.pdf", _KNOWN)
