"""The installation's Ed25519 signing key: created once, kept outside the database file, readable
only by its owner; its public key is exported for anyone who verifies certificates offline."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from trainer_app.domain.certificates import (
    CertificateFacts,
    Verdict,
    payload,
    split_payload,
)
from trainer_app.domain.errors import DomainError

PRIVATE_NAME = "certificate-signing-key.pem"
PUBLIC_NAME = "certificate-signing-key.pub.pem"


def fingerprint(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


@dataclass(frozen=True)
class SigningKey:
    private: Ed25519PrivateKey

    @property
    def public(self) -> Ed25519PublicKey:
        return self.private.public_key()

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.public)

    def sign(self, facts: CertificateFacts) -> str:
        """The payload of ``facts`` (which must name this key), signed."""
        if facts.key != self.fingerprint:
            raise ValueError("the facts name another key")
        return payload(facts, self.private.sign(facts.to_json()))

    def public_pem(self) -> bytes:
        return self.public.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )


def load_or_create(folder: Path) -> SigningKey:
    """The key in ``folder`` (created, owner-only, on first use), with its public key beside."""
    path = folder / PRIVATE_NAME
    if not path.exists():
        folder.mkdir(parents=True, exist_ok=True)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(pem)
        signing = SigningKey(key)
        (folder / PUBLIC_NAME).write_bytes(signing.public_pem())
        return signing
    return load(path)


def load(path: Path) -> SigningKey:
    """Read the private key; refused in words when it is missing, unreadable, not a key, or
    readable by others (a signing key anyone can copy proves nothing)."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise DomainError(
            f"The certificate signing key {path} is missing; certificates cannot be signed. "
            "Restore it from the backup (a new key would not verify older certificates)"
        ) from error
    except OSError as error:
        raise DomainError(
            f"The certificate signing key {path} cannot be read ({error.strerror})"
        ) from error
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DomainError(
            f"The certificate signing key {path} can be read by other users; "
            f"make it private (chmod 600 {path}) and try again"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise DomainError(f"{path} is not a usable certificate signing key") from error
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError(f"{path} is not an Ed25519 certificate signing key")
    return SigningKey(key)


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as error:
        raise DomainError(f"Cannot read the public key {path} ({error.strerror})") from error
    except ValueError as error:
        raise DomainError(f"{path} is not a public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise DomainError(f"{path} is not an Ed25519 public key")
    return key


def installation_keys(folder: Path) -> list[Ed25519PublicKey]:
    """The public key of this installation's signing key in ``folder`` (read from the public
    key file beside it, so a verifier needs no access to the private key); none if there is
    no key there yet."""
    public = folder / PUBLIC_NAME
    if public.exists():
        return [load_public(public)]
    if (folder / PRIVATE_NAME).exists():
        return [load(folder / PRIVATE_NAME).public]
    return []


def check(text: str, keys: list[Ed25519PublicKey]) -> tuple[Verdict, CertificateFacts | None]:
    """Is ``text`` a payload signed by one of ``keys`` over exactly its facts? (Revocation is
    the store's to say.)"""
    try:
        facts, signed, signature = split_payload(text)
    except DomainError:
        return Verdict.MALFORMED, None
    key = next((k for k in keys if fingerprint(k) == facts.key), None)
    if key is None:
        return Verdict.UNKNOWN_KEY, facts
    try:
        key.verify(signature, signed)
    except InvalidSignature:
        return Verdict.TAMPERED, facts
    return Verdict.VALID, facts
