"""A picture of a certificate's page, drawn from the very PDF that would be saved or printed.

The preview rasterises the PDF bytes with PDFium (`pypdfium2`, the engine of Chrome's PDF
viewer), so what the administrator checks on screen is the file itself — fonts, fallback,
shaping, QR code and all — not a second drawing of it. The picture is plain RGB bytes; the
GUI wraps them in an image without copying through any other format.
"""

from __future__ import annotations

import ctypes
import threading
from dataclasses import dataclass

from trainer_app.domain.certificates import CertificateContent

# PDFium is not thread-safe: one rendering at a time, whichever thread asks.
_PDFIUM = threading.Lock()
MAX_PIXELS = 4000  # the longer side of a preview; a 300-dpi A4 page is 3 508


@dataclass(frozen=True)
class Picture:
    """RGB pixels, ``stride`` bytes a row, top row first."""

    width: int
    height: int
    stride: int
    rgb: bytes


def picture_of_pdf(pdf: bytes, width: int, page: int = 0) -> Picture:
    """Page ``page`` of ``pdf`` drawn ``width`` pixels wide (height in proportion)."""
    if not 16 <= width <= MAX_PIXELS:
        raise ValueError(f"A preview is 16 to {MAX_PIXELS} pixels wide, not {width}")
    import pypdfium2  # 70 ms to import: paid by the first preview, in the background, not at start

    with _PDFIUM:
        document = pypdfium2.PdfDocument(pdf)
        try:
            sheet = document[page]
            scale = (width - 0.5) / sheet.get_width()  # PDFium rounds the size up
            bitmap = sheet.render(scale=scale, rev_byteorder=True, fill_color=(255, 255, 255, 255))
            try:
                size = bitmap.stride * bitmap.height
                rgb = ctypes.string_at(ctypes.addressof(bitmap.buffer), size)
                return Picture(bitmap.width, bitmap.height, bitmap.stride, rgb)
            finally:
                bitmap.close()
                sheet.close()
        finally:
            document.close()


def preview(content: CertificateContent, width: int, *, draft: bool = False) -> Picture:
    """The certificate as it prints, ``width`` pixels wide; a ``draft`` (not yet issued) is
    crossed by a "Preview — not issued" mark."""
    from trainer_app.certificates.render import certificate_pdf

    return picture_of_pdf(certificate_pdf(content, draft=draft), width)
