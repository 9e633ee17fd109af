"""Damage done to real SQLite files on purpose, the way disks, copies and other programs do it,
and a snapshot of a folder to prove a refusal left every file as it was."""

from __future__ import annotations

import hashlib
import random
import sqlite3
from pathlib import Path

PAGE = 4096


def folder_state(folder: Path) -> dict[str, tuple[str, int]]:
    """Every file in ``folder`` (a -wal, -shm or backup appearing shows too): its hash and mode."""
    return {
        path.name: (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mode)
        for path in sorted(folder.iterdir())
        if path.is_file()
    }


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)


def leaf_pages(path: Path, name: str) -> list[int]:
    """The b-tree leaf pages of the table or index ``name`` (SQLite's dbstat table)."""
    with _raw(path) as raw:
        pages = [
            row[0]
            for row in raw.execute(
                "SELECT pageno FROM dbstat WHERE name = ? AND pagetype = 'leaf' ORDER BY pageno",
                (name,),
            )
        ]
    raw.close()
    assert pages, f"no page of {name}"
    return pages


def write_into_page(path: Path, page: int, offset: int, data: bytes) -> None:
    with path.open("r+b") as handle:
        handle.seek((page - 1) * PAGE + offset)
        handle.write(data)


def alter_index_keys(path: Path, index: str) -> None:
    """Change letters in the keys of an index's first leaf page: every page still well formed,
    but the index no longer agrees with its table (only the full integrity check sees it)."""
    page = leaf_pages(path, index)[0]
    with path.open("r+b") as handle:
        handle.seek(page * PAGE - 96)
        tail = handle.read(96)
        handle.seek(page * PAGE - 96)
        handle.write(bytes(b ^ 0x01 if 65 <= b <= 122 else b for b in tail))


def scribble_on_index(path: Path, index: str, *, seed: int = 1) -> None:
    """Random bytes over the middle of an index's first leaf page."""
    write_into_page(path, leaf_pages(path, index)[0], 300, random.Random(seed).randbytes(600))


def truncate(path: Path, keep: float) -> None:
    size = path.stat().st_size
    with path.open("r+b") as handle:
        handle.truncate(int(size * keep) // PAGE * PAGE)


def run_sql(path: Path, *statements: str) -> None:
    """Change the file as another program would (it leaves no -wal behind on closing)."""
    raw = sqlite3.connect(path)
    with raw:
        for statement in statements:
            raw.execute(statement)
    raw.close()
    for suffix in ("-wal", "-shm"):
        assert not Path(f"{path}{suffix}").exists()
