"""The installation's Ed25519 signing key and its custody.

The key lives outside the database file, in the data folder's ``keys/``: the private key
(owner-only) and its public key beside it. A key is created only on an explicit first set-up
(`create_first`: ``trainer-app certificate init-key``, or the first certificate ever issued by
a store that has issued none); after that a missing or unreadable private key is refused with
what to do, never quietly replaced, and no public key file is ever overwritten. Rotation
(`rotate`) retires the current key into ``keys/retired/`` (its public key, so older
certificates keep verifying, and its private key, so they can still be reprinted identically)
and makes a new one. Verifying reads public keys only.
"""

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
RETIRED = "retired"  # keys/retired/<fingerprint>.pem and <fingerprint>.pub.pem


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
        return public_pem(self.public)

    def private_pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )


def public_pem(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


@dataclass(frozen=True)
class KeyState:
    """What the key folder holds."""

    has_private: bool
    has_public: bool

    @property
    def empty(self) -> bool:
        return not self.has_private and not self.has_public


def state(folder: Path) -> KeyState:
    return KeyState((folder / PRIVATE_NAME).exists(), (folder / PUBLIC_NAME).exists())


def load_current(folder: Path) -> SigningKey:
    """The key that signs new certificates; refused in words when missing or unusable."""
    return load(folder / PRIVATE_NAME)


def create_first(folder: Path) -> SigningKey:
    """Make the installation's first key. Refused when the folder already holds one (or its
    public key alone: the private key was lost, and a new key must be a rotation)."""
    if not state(folder).empty:
        raise DomainError(
            f"{folder} already holds a certificate signing key; nothing was changed "
            "(to replace it, use trainer-app certificate rotate-key)"
        )
    return _create(folder)


def rotate(folder: Path) -> tuple[str | None, SigningKey]:
    """Retire the current key (its public key, and its private key when there is one) into
    ``retired/`` and make a new current key; returns the retired fingerprint and the new key.

    Works with the private key lost too (its public key is kept, so older certificates still
    verify). Each step is safe to repeat if interrupted: nothing is overwritten."""
    current = state(folder)
    if current.empty:
        raise DomainError(
            f"There is no certificate signing key in {folder} to rotate; "
            "create one with trainer-app certificate init-key"
        )
    retired_folder = folder / RETIRED
    retired_folder.mkdir(parents=True, exist_ok=True)
    public = load_public(folder / PUBLIC_NAME) if current.has_public else None
    if public is None:
        public = load(folder / PRIVATE_NAME).public
    old = fingerprint(public)
    kept = retired_folder / f"{old}.pub.pem"
    if not kept.exists():
        _write_new(kept, public_pem(public), 0o644)
    if current.has_private:
        private = folder / PRIVATE_NAME
        load(private)  # a damaged key is refused before it is moved
        os.replace(private, retired_folder / f"{old}.pem")
    (folder / PUBLIC_NAME).unlink(missing_ok=True)  # kept under retired/ above
    return old, _create(folder)


def _create(folder: Path) -> SigningKey:
    folder.mkdir(parents=True, exist_ok=True)
    signing = SigningKey(Ed25519PrivateKey.generate())
    _write_new(folder / PRIVATE_NAME, signing.private_pem(), 0o600)
    _write_new(folder / PUBLIC_NAME, signing.public_pem(), 0o644)
    return signing


def _write_new(path: Path, data: bytes, mode: int) -> None:
    """Write a file that must not exist yet (a key file is never overwritten)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as error:
        raise DomainError(f"{path} already exists; it was left as it is") from error
    with os.fdopen(descriptor, "wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())


def load(path: Path) -> SigningKey:
    """Read the private key; refused in words when it is missing, unreadable, not a key, or
    readable by others (a signing key anyone can copy proves nothing)."""
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError as error:
        raise DomainError(
            f"The certificate signing key {path} is missing; no certificate can be signed. "
            "Restore it from your backup of the data folder's keys/ (a new key would not "
            "match the certificates already issued); nothing was changed"
        ) from error
    except OSError as error:
        raise DomainError(
            f"The certificate signing key {path} cannot be read ({error.strerror}); "
            "restore it from your backup; nothing was changed"
        ) from error
    if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise DomainError(
            f"The certificate signing key {path} can be read by other users; "
            f"make it private (chmod 600 {path}) and try again"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as error:
        raise DomainError(
            f"{path} is not a usable certificate signing key; restore it from your backup"
        ) from error
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError(f"{path} is not an Ed25519 certificate signing key")
    return SigningKey(key)


def load_pem(data: bytes) -> SigningKey:
    """A key from its PEM text (as handed to a helper process)."""
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise DomainError("Not an Ed25519 certificate signing key")
    return SigningKey(key)


def load_public(path: Path) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(path.read_bytes())
    except OSError as error:
        raise DomainError(f"Cannot read the public key {path} ({error.strerror})") from error
    except (ValueError, TypeError) as error:
        raise DomainError(f"{path} is not a public key") from error
    if not isinstance(key, Ed25519PublicKey):
        raise DomainError(f"{path} is not an Ed25519 public key")
    return key


def installation_keys(folder: Path) -> list[Ed25519PublicKey]:
    """Every public key of this installation, the current one first, then the retired ones
    (read from the public key files, so a verifier needs no access to a private key); none if
    there is no key there yet."""
    found: list[Ed25519PublicKey] = []
    public = folder / PUBLIC_NAME
    if public.exists():
        found.append(load_public(public))
    elif (folder / PRIVATE_NAME).exists():
        found.append(load(folder / PRIVATE_NAME).public)
    retired = folder / RETIRED
    if retired.is_dir():
        found.extend(load_public(path) for path in sorted(retired.glob("*.pub.pem")))
    return found


def key_for(folder: Path, key_fingerprint: str) -> SigningKey:
    """The private key (current or retired) with this fingerprint: to reprint a certificate
    exactly as it was signed."""
    current = folder / PRIVATE_NAME
    if current.exists():
        key = load(current)
        if key.fingerprint == key_fingerprint:
            return key
    retired = folder / RETIRED / f"{key_fingerprint}.pem"
    if retired.exists():
        return load(retired)
    raise DomainError(
        f"The key {key_fingerprint} that signed this certificate is not in {folder} (nor its "
        "retired keys): restore it from your backup to reprint it, or reissue the certificate"
    )


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
