"""Writing a file whole or not at all, for every layer that writes one (exports, certificates,
templates, the command line's plans)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable
from pathlib import Path


def temporary_beside(path: Path) -> Path:
    """A fresh hidden name in ``path``'s folder, keeping its suffix (some writers insist)."""
    return path.with_name(f".{path.name}.{uuid.uuid4().hex}.part{path.suffix}")


def replace_atomically(path: Path, write: Callable[[Path], object]) -> None:
    """Write through a temporary file beside ``path`` and rename it into place: a failure
    never leaves half a file, and an older file at ``path`` stays until the new one is whole."""
    temporary = temporary_beside(path)
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def sync_folder(folder: Path) -> None:
    """Put a rename in ``folder`` itself on disk (best effort: not every system can open a
    folder)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
