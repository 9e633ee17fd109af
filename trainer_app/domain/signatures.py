"""Electronic signatures: who signed which record, meaning what, when, and whether the record
is still what they signed.

A signature holds a digest of the record's content at the moment of signing (its kind, its
id and each fact, canonically written), and a seal: HMAC-SHA-256 with the installation's
audit key over everything the signature says. So:

- a record changed after signing no longer matches its digest: the signature is shown as no
  longer valid, with why;
- a signature copied onto another record does not match that record (the id is in the
  digest), and one edited in the database file does not match its seal.

Pure: the services read records and keys and pass plain values here.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from trainer_app.domain import dates


class SignedKind(enum.StrEnum):
    ASSESSMENT = "assessment"
    COMPLETION = "completion"
    CERTIFICATE = "certificate"

    @property
    def label(self) -> str:
        return self.value


class Meaning(enum.StrEnum):
    """What a signature says the signer did (21 CFR 11.50(a)(3))."""

    PERFORMED = "performed"
    REVIEWED = "reviewed"
    APPROVED = "approved"
    ISSUED = "issued"

    @property
    def label(self) -> str:
        return {
            "performed": "Performed by",
            "reviewed": "Reviewed by",
            "approved": "Approved by",
            "issued": "Issued by",
        }[self.value]


MEANINGS: Mapping[SignedKind, tuple[Meaning, ...]] = {
    SignedKind.ASSESSMENT: (Meaning.PERFORMED, Meaning.REVIEWED),
    SignedKind.COMPLETION: (Meaning.REVIEWED, Meaning.APPROVED),
    SignedKind.CERTIFICATE: (Meaning.ISSUED, Meaning.APPROVED),
}


class Validity(enum.StrEnum):
    VALID = "valid"
    CHANGED = "changed"  # the record is no longer what was signed
    TAMPERED = "tampered"  # the signature itself does not match its seal
    UNCHECKED = "unchecked"  # sealed with a key not held on this workstation

    @property
    def words(self) -> str:
        return {
            "valid": "valid",
            "changed": "NO LONGER VALID: the record changed after it was signed",
            "tampered": "NOT VALID: the signature was altered or copied in the database",
            "unchecked": "not checked: it was sealed on another workstation whose key is not "
            "held here",
        }[self.value]


def content_digest(kind: SignedKind, record_id: int, facts: Mapping[str, str | None]) -> str:
    """SHA-256 (hex) of a record's content: its kind, id and every fact, in one canonical
    JSON text (sorted keys, no spaces), so the same content always gives the same digest."""
    text = json.dumps(
        [kind.value, record_id, dict(sorted(facts.items()))],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SignatureFacts:
    """What a signature says, exactly as stored."""

    kind: SignedKind
    record_id: int
    meaning: Meaning
    username: str
    full_name: str
    signed_at: datetime  # UTC
    digest: str

    def message(self) -> bytes:
        return json.dumps(
            [
                self.kind.value,
                self.record_id,
                self.meaning.value,
                self.username,
                self.full_name,
                dates.as_utc(self.signed_at).isoformat(),
                self.digest,
            ],
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode("utf-8")

    def seal(self, secret: bytes) -> bytes:
        return hmac.new(secret, self.message(), hashlib.sha256).digest()


@dataclass(frozen=True)
class Signature:
    """A signature as people see it: who, meaning what, when, and whether it still holds."""

    id: int
    facts: SignatureFacts
    validity: Validity

    @property
    def valid(self) -> bool:
        return self.validity is Validity.VALID

    def manifest(self) -> str:
        """ "Approved by Dr Ana Silva (asilva), 7 Dec 2026 10:42 UTC — valid": the line the
        record shows and prints."""
        f = self.facts
        return (
            f"{f.meaning.label} {f.full_name} ({f.username}), "
            f"{dates.utc_moment(f.signed_at)} — {self.validity.words}"
        )


def judge(
    facts: SignatureFacts,
    stored_seal: bytes,
    key_secret: bytes | None,
    current_digest: str,
) -> Validity:
    """A stored signature against its seal (with the key it was sealed with, if held) and
    against the record's content now."""
    if key_secret is None:
        return Validity.UNCHECKED
    if not hmac.compare_digest(facts.seal(key_secret), stored_seal):
        return Validity.TAMPERED
    if facts.digest != current_digest:
        return Validity.CHANGED
    return Validity.VALID
