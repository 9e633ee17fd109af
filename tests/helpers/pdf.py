"""Reading generated PDFs for real: which fonts they embed, a page drawn by poppler, a QR code
decoded by zbar."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from pypdf import PdfReader


def embedded_fonts(path: Path) -> dict[str, bool]:
    """Base font name of every font used -> whether its program is embedded."""
    found: dict[str, bool] = {}
    for page in PdfReader(path).pages:
        resources: Any = page["/Resources"].get_object()
        for ref in resources["/Font"].get_object().values():
            font: Any = ref.get_object()
            descriptor = font.get("/FontDescriptor")
            if descriptor is None and "/DescendantFonts" in font:
                descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
            embedded = descriptor is not None and "/FontFile2" in descriptor.get_object()
            found[str(font["/BaseFont"])] = embedded
    return found


def rendered(pdf: Path, resolution: int, page: int = 1) -> Path:
    """Page ``page`` of ``pdf`` drawn by poppler's pdftoppm as a PNG beside it."""
    stem = pdf.with_name(f"{pdf.stem}-{resolution}")
    subprocess.run(
        [
            shutil.which("pdftoppm") or "pdftoppm",
            "-r",
            str(resolution),
            "-png",
            "-singlefile",
            "-f",
            str(page),
            "-l",
            str(page),
            str(pdf),
            str(stem),
        ],
        check=True,
    )
    return stem.with_suffix(".png")


def scanned(png: Path) -> str:
    """The text of the QR code in ``png``, as zbar decodes it."""
    return subprocess.run(
        [shutil.which("zbarimg") or "zbarimg", "--raw", "-q", str(png)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
