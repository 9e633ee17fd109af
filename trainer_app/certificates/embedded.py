"""The signed payload inside the certificate PDF, so a verifier needs no camera.

It is written as one extra entry of the PDF's document information dictionary,
``/TrainerAppCertificate (TACERT1.….…)``: a literal string, uncompressed, in plain ASCII (the
payload is base64url and dots). Any PDF reader lists it with the other document properties
(pypdf: ``PdfReader(path).metadata["/TrainerAppCertificate"]``), and `read_embedded_payload`
finds it in the raw bytes without a PDF library: the last such entry in the file wins, as a
PDF updated in place appends its new information dictionary at the end.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from reportlab.pdfbase.pdfdoc import PDFInfo, PDFString
from reportlab.pdfgen.canvas import Canvas

from trainer_app.domain.errors import DomainError

KEY = "TrainerAppCertificate"
_ENTRY = re.compile(rb"/" + KEY.encode() + rb"\s*([(<])")
_PAYLOAD = re.compile(r"^[A-Za-z0-9_.\-]+$")
_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


class _InfoWithPayload(PDFInfo):  # type: ignore[misc]
    """ReportLab's information dictionary, unchanged, with the payload entry first."""

    def __init__(self, standard: PDFInfo, payload: str) -> None:
        super().__init__()
        self.__dict__.update(standard.__dict__)
        self._payload = payload

    def format(self, document: Any) -> bytes:
        standard: bytes = super().format(document)
        opening = b"<<\n"
        if not standard.startswith(opening):  # ReportLab changed how it writes dictionaries
            raise RuntimeError("Unexpected PDF information dictionary from ReportLab")
        value: bytes = PDFString(self._payload).format(document)
        return opening + b"/" + KEY.encode() + b" " + value + b"\n" + standard[len(opening) :]


def embed(canvas: Canvas, payload: str) -> None:
    """Write ``payload`` into the document information of the PDF ``canvas`` will save."""
    if not _PAYLOAD.match(payload):
        raise ValueError("A certificate payload is base64url text and dots")
    document = canvas._doc  # ReportLab has no public way to add an information entry
    document.info = _InfoWithPayload(document.info, payload)


def read_embedded_payload(path: Path) -> str:
    """The payload embedded in the certificate PDF at ``path``, exactly as found (verifying it
    is the signature's job); `DomainError` when the file has none or cannot be read."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise DomainError(f"{path.name} cannot be read: {error.strerror or error}") from error
    text = payload_in(data)
    if text is None:
        raise DomainError(f"{path.name} is not a trainer-app certificate (no embedded code)")
    return text


def payload_in(data: bytes) -> str | None:
    """The payload embedded in the bytes of a file, exactly as found; None if there is none."""
    entries = list(_ENTRY.finditer(data))
    text = _string_at(data, entries[-1].start(1)) if entries else None
    return text or None


def _string_at(data: bytes, start: int) -> str | None:
    """The PDF string (literal or hexadecimal) that begins at ``data[start]``."""
    raw = _hexadecimal(data, start) if data[start : start + 1] == b"<" else _literal(data, start)
    if raw is None:
        return None
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace")
    return raw.decode("latin-1")


def _hexadecimal(data: bytes, start: int) -> bytes | None:
    end = data.find(b">", start)
    if end < 0:
        return None
    digits = re.sub(rb"\s", b"", data[start + 1 : end])
    try:
        return bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
    except ValueError:
        return None


def _literal(data: bytes, start: int) -> bytes | None:
    """A literal string: balanced parentheses, backslash escapes (PDF 32000-1, 7.3.4.2)."""
    out = bytearray()
    depth = 0
    i = start
    while i < len(data):
        byte = data[i : i + 1]
        if byte == b"\\":
            i += 1
            following = data[i : i + 1]
            if following in _ESCAPES:
                out += _ESCAPES[following]
            elif following and following in b"01234567":
                octal = re.match(rb"[0-7]{1,3}", data[i : i + 3])
                digits = octal.group() if octal else following
                out.append(int(digits, 8) & 0xFF)
                i += len(digits) - 1
            elif following == b"\r":
                i += 1 if data[i + 1 : i + 2] == b"\n" else 0
            elif following != b"\n":
                out += following
        elif byte == b"(":
            depth += 1
            if depth > 1:
                out += byte
        elif byte == b")":
            depth -= 1
            if depth == 0:
                return bytes(out)
            out += byte
        else:
            out += byte
        i += 1
    return None
