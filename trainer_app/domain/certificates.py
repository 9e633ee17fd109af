"""Certificates of completed training: numbers, what is printed, and the signed payload.

- A **number** is ``HUB-YYYY-NNNNNN-C``: the issuing hub's code, the year of issue, a sequence
  per hub and year, and a Damm check digit over the year and sequence (it catches every single
  wrong digit and every swap of two neighbouring digits).
- The **payload** is what the QR code carries and the PDF embeds: the facts of the certificate
  as canonical JSON, base64url, then ``.`` and the Ed25519 signature of those bytes:
  ``TACERT1.<facts>.<signature>``. The facts name the signing key (its fingerprint), so a
  verifier offline needs only the public key.
"""

from __future__ import annotations

import base64
import binascii
import enum
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from trainer_app.domain.errors import DomainError

PAYLOAD_PREFIX = "TACERT1"
_NUMBER = re.compile(r"^([A-Z0-9]{2,8})-(\d{4})-(\d{6})-(\d)$")

# The Damm algorithm's quasigroup of order 10 (weak totally anti-symmetric).
_DAMM = (
    (0, 3, 1, 7, 5, 9, 8, 6, 4, 2),
    (7, 0, 9, 2, 1, 5, 4, 8, 6, 3),
    (4, 2, 0, 6, 8, 7, 1, 3, 5, 9),
    (1, 7, 5, 0, 9, 8, 3, 4, 2, 6),
    (6, 1, 2, 3, 0, 4, 5, 9, 7, 8),
    (3, 6, 7, 4, 2, 0, 9, 5, 8, 1),
    (5, 8, 6, 9, 7, 2, 0, 1, 3, 4),
    (8, 9, 4, 5, 3, 6, 2, 0, 1, 7),
    (9, 4, 3, 8, 6, 1, 7, 2, 0, 5),
    (2, 5, 8, 1, 4, 3, 6, 7, 9, 0),
)


def damm(digits: str) -> int:
    """The Damm check digit of a string of decimal digits."""
    interim = 0
    for digit in digits:
        interim = _DAMM[interim][int(digit)]
    return interim


def certificate_number(hub_code: str, year: int, sequence: int) -> str:
    body = f"{year:04d}{sequence:06d}"
    return f"{hub_code.upper()}-{year:04d}-{sequence:06d}-{damm(body)}"


def number_is_well_formed(number: str) -> bool:
    """The shape is right and the check digit agrees (a typo in a number typed in is caught
    before any look-up)."""
    match = _NUMBER.match(number.strip().upper())
    if match is None:
        return False
    _hub, year, sequence, check = match.groups()
    return damm(year + sequence) == int(check)


class Verdict(enum.StrEnum):
    VALID = "valid"
    TAMPERED = "tampered"  # the code's signature does not match its facts
    ALTERED = "altered"  # the file is not the one issued (edited, cut, copied into another)
    REVOKED = "revoked"  # genuine, but withdrawn by the issuer
    UNKNOWN_KEY = "unknown key"  # signed with a key this verifier does not hold
    MALFORMED = "malformed"  # not a trainer-app certificate payload at all

    @property
    def meaning(self) -> str:
        """What the verdict means for whoever holds the certificate, in words."""
        return {
            Verdict.VALID: "Genuine: signed by this installation's key, issued and not revoked.",
            Verdict.TAMPERED: (
                "Not genuine: what it states does not match its signature, or the register "
                "never issued it. Treat it as forged."
            ),
            Verdict.ALTERED: (
                "Not genuine: this file is not the certificate as it was issued. It was changed "
                "after signing, or its code was copied into another file. Treat it as forged."
            ),
            Verdict.REVOKED: "Genuine, but revoked by the issuer: it no longer certifies anything.",
            Verdict.UNKNOWN_KEY: (
                "Signed with a key this installation does not hold, perhaps another hub's. "
                "Check it with that hub's public key (trainer-app certificate verify --key)."
            ),
            Verdict.MALFORMED: "Not a trainer-app certificate code: nothing to verify.",
        }[self]


@dataclass(frozen=True, kw_only=True)
class CertificateFacts:
    """What the signature covers (and the QR code carries): short keys keep the code small."""

    number: str
    name: str
    course_code: str
    course_title: str
    version: str
    completed_on: date
    issued_on: date
    expires_on: date | None
    hub: str
    key: str  # fingerprint of the signing key

    def to_json(self) -> bytes:
        data = {
            "n": self.number,
            "p": self.name,
            "c": self.course_code,
            "t": self.course_title,
            "v": self.version,
            "d": self.completed_on.isoformat(),
            "i": self.issued_on.isoformat(),
            "e": self.expires_on.isoformat() if self.expires_on else None,
            "h": self.hub,
            "k": self.key,
        }
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> CertificateFacts:
        data: dict[str, Any] = json.loads(raw.decode())
        return cls(
            number=str(data["n"]),
            name=str(data["p"]),
            course_code=str(data["c"]),
            course_title=str(data["t"]),
            version=str(data["v"]),
            completed_on=date.fromisoformat(data["d"]),
            issued_on=date.fromisoformat(data["i"]),
            expires_on=date.fromisoformat(data["e"]) if data["e"] else None,
            hub=str(data["h"]),
            key=str(data["k"]),
        )


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def payload(facts: CertificateFacts, signature: bytes) -> str:
    return f"{PAYLOAD_PREFIX}.{_b64(facts.to_json())}.{_b64(signature)}"


def split_payload(text: str) -> tuple[CertificateFacts, bytes, bytes]:
    """The facts, the exact signed bytes and the signature; DomainError when it is not a
    certificate payload (truncated, garbled, another QR code)."""
    parts = text.strip().split(".")
    if len(parts) != 3 or parts[0] != PAYLOAD_PREFIX:
        raise DomainError("This is not a trainer-app certificate code")
    try:
        signed, signature = _unb64(parts[1]), _unb64(parts[2])
        facts = CertificateFacts.from_json(signed)
    except (
        binascii.Error,
        ValueError,
        KeyError,
        TypeError,
        UnicodeDecodeError,
        RecursionError,  # JSON nested thousands deep
    ) as error:
        raise DomainError("The certificate code is damaged and cannot be read") from error
    return facts, signed, signature


@dataclass(frozen=True, kw_only=True)
class CertificateContent:
    """Everything printed on one certificate."""

    number: str
    trainee_name: str
    course_code: str
    course_title: str
    course_version: str
    completed_on: date
    issued_on: date
    expires_on: date | None
    cpd_hours: Decimal
    learning_outcomes: tuple[str, ...]
    assessment_outcome: str  # e.g. "Theory 86 % · practical passed", or "Completed elsewhere"
    trainer: str  # who delivered the training ("" when not known)
    signatory: str  # the hub's authorised signatory
    signatory_role: str
    hub_code: str
    hub_name: str
    payload: str  # the signed payload: QR code and embedded in the PDF
    reissue_of: str = ""  # the number this certificate replaces, if any

    def facts(self, key: str) -> CertificateFacts:
        """What the signature covers, taken from what is printed; ``key`` names the signer."""
        return CertificateFacts(
            number=self.number,
            name=self.trainee_name,
            course_code=self.course_code,
            course_title=self.course_title,
            version=self.course_version,
            completed_on=self.completed_on,
            issued_on=self.issued_on,
            expires_on=self.expires_on,
            hub=self.hub_code,
            key=key,
        )


@dataclass(frozen=True, kw_only=True)
class Waiting:
    """A completion that stands and has no certificate yet: one line of a batch to issue."""

    completion_id: int
    trainee_name: str
    trainee_reference: str
    course_code: str
    course_version: str
    completed_on: date
    hub_code: str


@dataclass(frozen=True, kw_only=True)
class Certificate:
    """An issued certificate as the register lists it."""

    id: int
    number: str
    completion_id: int
    trainee_id: int
    trainee_name: str
    trainee_reference: str
    course_code: str
    course_title: str
    course_version: str
    hub_code: str
    issued_at: datetime
    issued_by: str
    expires_on: date | None
    revoked_at: datetime | None = None
    revoke_reason: str = ""
    replaces: str = ""  # number of the certificate this one replaced
    replaced_by: str = ""

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def status(self) -> str:
        """``Valid``, ``Valid · replaces …``, ``Revoked`` or ``Revoked (reissued as …)``."""
        if self.revoked:
            return f"Revoked{' (reissued as ' + self.replaced_by + ')' if self.replaced_by else ''}"
        return f"Valid{' · replaces ' + self.replaces if self.replaces else ''}"
