"""Where a batch of certificates is written: one PDF each, named by its number, and the batch's
combined file for printing, named after the batch (``certificates-2026-10-12-LON-2026-000042-7
.pdf``: the day of issue, then its first number, so batches sort by date). A file already in the
folder is never overwritten: the new one is named `` (2)``, `` (3)`` … instead. The window and
the command line both name their files here.
"""

from __future__ import annotations

import os
import re
import uuid
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


def part_path(path: Path) -> Path:
    """A hidden temporary name beside ``path`` that says which process writes it
    (``.LON-2026-000042-7.pdf.4711-<random>.part.pdf``), so that a later batch can tell a
    file left by a process that was killed from one another batch is writing right now."""
    return path.with_name(f".{path.name}.{os.getpid()}-{uuid.uuid4().hex}.part{path.suffix}")


def write_whole(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file renamed into place: never half a
    file, and an older file at ``path`` stays until the new one is whole."""
    temporary = part_path(path)
    try:
        with temporary.open("wb") as stream:
            stream.write(data)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def remove_leftovers(folder: Path) -> int:
    """Remove the temporary files of certificate batches that were killed before they could
    (any process whose id is in the name and no longer runs); how many were removed."""
    removed = 0
    if not folder.is_dir():
        return 0
    for path in folder.glob(".*.part.pdf"):
        found = _WRITER.search(path.name)
        if found is None or process_running(int(found.group(1))):
            continue
        path.unlink(missing_ok=True)
        removed += 1
    return removed


_WRITER = re.compile(r"\.(\d+)-[0-9a-f]{32}\.part\.pdf$")


def process_running(pid: int) -> bool:
    """Is a process with this id running on this computer?"""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    return True
