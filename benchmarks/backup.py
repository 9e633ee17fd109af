"""Backing up a store of 50 000 trainees and their records (target ≤ 5 s), and checking a
backup before a restore.

Run: .venv/bin/python benchmarks/backup.py [--trainees 50000] [--repeat 3]

The store: the demo (hubs, courses, runs, history) with trainees added to ``--trainees``, each
with two completions (imported history), all through the audited services: about 150 000 rows
of records and as many audit entries. Timed: ``BackupService.backup`` (SQLite's online backup,
the page-by-page check of the copy, its SHA-256 and the audit entry) and ``inspect`` (every
check a restore makes first, the seals included). Baseline in the same run: copying the file
with ``shutil.copyfile`` (which a live store must never be backed up by), so the report is a
ratio.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, settings_for

from trainer_app.domain.records import CompletionFields
from trainer_app.services import backup
from trainer_app.services.context import ServiceContext

BATCH = 5_000


def add_history(context: ServiceContext) -> None:
    """Two completions (imported history) for every trainee."""
    courses = [c.id for c in context.courses.list()[:2]]
    ids = [t.id for t in context.trainees.list()]
    for first in range(0, len(ids), BATCH):
        context.training.add_completions(
            [
                CompletionFields(trainee_id=t, course_id=c, completed_on=date(2025, 3, 1 + k))
                for t in ids[first : first + BATCH]
                for k, c in enumerate(courses)
            ],
            reason="history imported for the benchmark",
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-backup-") as temporary:
        folder = Path(temporary)
        started = time.perf_counter()
        path = demo_database(folder, args.trainees)
        settings = settings_for(path)
        with ServiceContext.open(settings) as context:
            add_history(context)
            rows = context.trainees.count()
        built = time.perf_counter() - started
        size = path.stat().st_size / 2**20
        copies, backups, checks = [], [], []
        with ServiceContext.open(settings) as context:
            for index in range(args.repeat):
                plain = folder / f"plain-{index}.db"
                start = time.perf_counter()
                shutil.copyfile(path, plain)
                copies.append(time.perf_counter() - start)
                target = folder / f"backup-{index}.db"
                start = time.perf_counter()
                context.backups.backup(target)
                backups.append(time.perf_counter() - start)
                start = time.perf_counter()
                backup.inspect(settings, target)
                checks.append(time.perf_counter() - start)
    copy, made, check = (statistics.median(x) for x in (copies, backups, checks))
    print(
        f"store: {rows} trainees with their records, {size:.0f} MiB (built in {built:.0f} s); "
        f"median of {args.repeat}"
    )
    print(f"  backup (online copy, page check, SHA-256, audited)  {made:6.2f} s   target ≤ 5 s")
    print(f"  check before restore (pages, schema, seals)         {check:6.2f} s")
    print(f"  baseline: plain file copy                           {copy:6.2f} s")
    print(f"  backup / plain copy                                 {made / copy:6.1f}×")


if __name__ == "__main__":
    main()
