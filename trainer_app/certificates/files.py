"""Where a batch of certificates is written: one PDF each, named by its number, and the batch's
combined file for printing, named after the batch (``certificates-2026-10-12-LON-2026-000042-7
.pdf``: the day of issue, then its first number, so batches sort by date). A file already in the
folder is never overwritten: the new one is named `` (2)``, `` (3)`` … instead. The window and
the command line both name their files here.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from trainer_app.domain.certificates import CertificateContent

_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]*$")


def free_path(folder: Path, stem: str, suffix: str = ".pdf") -> Path:
    """``folder/stem.pdf``, or the first of ``stem (2).pdf``, ``stem (3).pdf`` … not taken."""
    path, copy = folder / f"{stem}{suffix}", 1
    while path.exists():
        copy += 1
        path = folder / f"{stem} ({copy}){suffix}"
    return path


def certificate_path(folder: Path, number: str) -> Path:
    """The PDF of the certificate ``number`` in ``folder``, beside any earlier one."""
    if not _FILE_NAME.match(number):
        raise ValueError(f"Not a certificate number to name a file after: {number!r}")
    return free_path(folder, number)


def batch_path(folder: Path, contents: Sequence[CertificateContent]) -> Path:
    """The combined file of a batch (``contents`` in print order), beside earlier batches'."""
    first = contents[0]
    return free_path(folder, f"certificates-{first.issued_on.isoformat()}-{first.number}")
