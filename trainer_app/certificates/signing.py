"""The PDF digital signature of a certificate file: PAdES baseline (B-B), over the whole file,
made with the installation's Ed25519 signing key (the same key, and the same custody, as the QR
payload's signature).

The signer is a self-signed X.509 certificate made from that key: subject "trainer-app
certificates <fingerprint>" of the UK cell and gene therapy training hubs. It is built the same
way every time (fixed serial number and validity; Ed25519 signatures are deterministic), and so
is the signature: its signing time is the day of issue and the file's second document id is a
digest of the unsigned file. Signing the same certificate again gives the same bytes, so a
reprint is an identical copy.

PDF readers list the signature in their signature panel; they call the signer unknown until
the installation's certificate (`signer_certificate_pem`, written by
``trainer-app certificate public-key --x509``) is trusted.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from datetime import UTC, date, datetime, time
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.utils import CryptographyDeprecationWarning
from cryptography.x509.oid import NameOID

from trainer_app.certificates.keys import SigningKey

with warnings.catch_warnings():
    # pyhanko imports cryptography's DSA support, which warns that DSA is deprecated; no DSA key
    # is ever used here.
    warnings.simplefilter("ignore", CryptographyDeprecationWarning)
    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import PdfSigner, PdfSigningSession
    from pyhanko_certvalidator.registry import SimpleCertificateStore

NETWORK = "UK cell and gene therapy training hubs"
FIELD = "Certificate"
# Bytes kept for the signature (CMS, about 1.3 kB with the signer's certificate). Given, so that
# pyhanko does not build the whole signature once more only to measure it.
SIGNATURE_ROOM = 4096
_VALID_FROM = datetime(2000, 1, 1, tzinfo=UTC)
_VALID_UNTIL = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


def signer_certificate(key: SigningKey) -> x509.Certificate:
    """The installation's self-signed certificate for ``key``, the same bytes every time."""
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, NETWORK),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, "trainer-app installation"),
            x509.NameAttribute(NameOID.COMMON_NAME, f"trainer-app certificates {key.fingerprint}"),
        ]
    )
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public)
        .serial_number(int(key.fingerprint, 16) or 1)
        .not_valid_before(_VALID_FROM)
        .not_valid_after(_VALID_UNTIL)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .sign(key.private, None)
    )


def signer_certificate_pem(key: SigningKey) -> bytes:
    return signer_certificate(key).public_bytes(serialization.Encoding.PEM)


class DocumentSigner:
    """Signs certificate PDFs with one key; made once per batch (building the signer
    certificate costs more than one signature)."""

    def __init__(self, key: SigningKey) -> None:
        self.key = key
        der = signer_certificate(key).public_bytes(serialization.Encoding.DER)
        self._signer = signers.SimpleSigner(
            signing_cert=asn1_x509.Certificate.load(der),
            signing_key=asn1_keys.PrivateKeyInfo.load(
                key.private.private_bytes(
                    serialization.Encoding.DER,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            ),
            cert_registry=SimpleCertificateStore(),  # type: ignore[no-untyped-call]
        )

    def sign(self, pdf: bytes, *, signed_on: date, reason: str) -> bytes:
        """``pdf`` with a PAdES signature over the whole file, dated ``signed_on``."""
        writer = _Writer(io.BytesIO(pdf), strict=False)
        first_id = writer.document_id[0]
        writer._document_id = generic.ArrayObject(  # pyhanko draws a random one otherwise
            [
                generic.ByteStringObject(first_id),
                generic.ByteStringObject(hashlib.sha256(pdf).digest()[:16]),
            ]
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=FIELD,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha512",
            reason=reason,
        )
        when = datetime.combine(signed_on, time(), tzinfo=UTC)
        out = io.BytesIO()
        _DatedSigner(metadata, self._signer, when).sign_pdf(
            writer, output=out, bytes_reserved=SIGNATURE_ROOM
        )
        return out.getvalue()


class _Writer(IncrementalPdfFileWriter):
    """pyhanko's incremental writer, leaving the document information as it was written:
    pyhanko would stamp the clock's time into it as the modification date."""

    def _update_meta(self) -> None:
        return


class _DatedSigner(PdfSigner):
    """pyhanko's signer with the signing time given rather than read from the clock."""

    def __init__(self, metadata: Any, signer: Any, when: datetime) -> None:
        super().__init__(metadata, signer)
        self._when = when

    def init_signing_session(
        self, pdf_out: Any, existing_fields_only: bool = False
    ) -> PdfSigningSession:
        session: PdfSigningSession = super().init_signing_session(pdf_out, existing_fields_only)
        session.system_time = self._when
        return session
