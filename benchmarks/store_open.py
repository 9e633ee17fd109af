"""The check on open: what SQLite's integrity checks cost as a store grows.

Run: .venv/bin/python benchmarks/store_open.py [--folder /tmp/bench] [--large-mb 400]
Stores: the demo (300 trainees), the demo with 50 000 trainees, and that store with its audit
trail copied onto itself until the file passes --large-mb. For each: the median time of
`ServiceContext.open` + close as every command and the window do it (which check it runs depends
on the size, `THOROUGH_CHECK_LIMIT`), and the bare `PRAGMA quick_check` and
`PRAGMA integrity_check` on the same file through sqlite3 (the warm page cache: a cold disk
adds its read time).
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, median_ms, settings_for

from trainer_app.persistence.db import THOROUGH_CHECK_LIMIT
from trainer_app.services.context import ServiceContext

AUDIT = "occurred_at, actor, action, entity_type, entity_id, entity_label, changes, reason"


def inflate(source: Path, target: Path, megabytes: int) -> Path:
    if not target.exists():
        shutil.copyfile(source, target)
        raw = sqlite3.connect(target)
        while target.stat().st_size < megabytes * 1024 * 1024:
            raw.execute(f"INSERT INTO audit_entries ({AUDIT}) SELECT {AUDIT} FROM audit_entries")
            raw.commit()
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        raw.close()
    return target


def pragma_ms(path: Path, pragma: str, repeat: int) -> float:
    def run() -> None:
        raw = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
        assert raw.execute(f"PRAGMA {pragma}").fetchall() == [("ok",)]
        raw.close()

    return median_ms(run, repeat)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trainer-app-bench"))
    parser.add_argument("--large-mb", type=int, default=400)
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    demo = demo_database(args.folder)
    big = demo_database(args.folder, 50_000)
    large = inflate(big, args.folder / "large.db", args.large_mb)
    print(f"full integrity check on open up to {THOROUGH_CHECK_LIMIT // 2**20} MiB\n")
    print("| Store | Size | Open + close | quick_check | integrity_check |")
    print("| --- | --- | --- | --- | --- |")
    for label, path in (("demo", demo), ("50 000 trainees", big), ("large", large)):
        repeat = 3 if path is large else 9

        def open_and_close(path: Path = path) -> None:
            ServiceContext.open(settings_for(path), create=False).close()

        size = path.stat().st_size / 2**20
        print(
            f"| {label} | {size:.0f} MiB | {median_ms(open_and_close, repeat):.0f} ms | "
            f"{pragma_ms(path, 'quick_check', repeat):.0f} ms | "
            f"{pragma_ms(path, 'integrity_check', repeat):.0f} ms |",
            flush=True,
        )


if __name__ == "__main__":
    main()
