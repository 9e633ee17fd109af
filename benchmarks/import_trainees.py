"""Trainee import at 10 000 rows with full validation (target ≤ 3 s from file to committed rows).

Run: .venv/bin/python benchmarks/import_trainees.py [--rows 10000] [--seed 1] [--repeat 3]

A CSV of synthetic trainees (fixed seed: names in several scripts, half the references blank,
most rows in one or two cohorts) is written to a temporary folder. Each sample starts from a
fresh database with six hubs and eight cohorts made through the services. Timed: reading the
file, the preview (read + every check), and the import (preview + one audited transaction).
Baseline: the same validated rows given straight to ``TraineeService.bulk_create``, the write
no import can avoid, so the report is a ratio.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import settings_for

from trainer_app.domain.network import HubFields
from trainer_app.domain.people import CohortFields, TraineeType
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import TraineeImport, read_table

HUBS = ("LON", "BRI", "SHF", "STE", "MAN", "EDI")
COHORTS = tuple(f"Cohort {name} 2027" for name in ("MSc", "ATAC A", "ATAC B", "NHS QC", "Ind 1"))
COHORTS += ("MSc Cell & Gene Therapy 2027", "ATAC apprentices Spring 2027", "Łódź exchange 2027")
GIVEN = ("Zoë", "Siobhán", "Łukasz", "Amara", "Sofía", "Björn", "Ελένη", "Дмитрий", "李", "Priya")
FAMILY = ("Clarke", "Ní Bhriain", "Wiśniewski", "Okafor", "García", "Παπαδοπούλου", "伟", "Sharma")


def write_rows(path: Path, rows: int, seed: int) -> None:
    rng = random.Random(seed)
    types = [t.label for t in TraineeType]
    with path.open("w", encoding="utf-8-sig", newline="") as file:
        out = csv.writer(file)
        out.writerow(
            ["reference", "name", "hub", "type", "organisation", "role", "email", "cohorts"]
        )
        for i in range(rows):
            share = rng.random()
            cohorts = (
                "" if share < 0.08 else "; ".join(rng.sample(COHORTS, 2 if share > 0.88 else 1))
            )
            out.writerow(
                [
                    f"IMP-{i:06d}" if i % 2 else "",
                    f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} {i}",
                    rng.choice(HUBS),
                    rng.choice(types),
                    f"Organisation {rng.randrange(97)}",
                    rng.choice(("QC analyst", "Manufacturing scientist", "")),
                    f"trainee{i}@example.org" if rng.random() < 0.9 else "",
                    cohorts,
                ]
            )


def fresh_context(folder: Path, name: str) -> ServiceContext:
    path = folder / f"{name}.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    context = ServiceContext.open(settings_for(path))
    for code in HUBS:
        context.hubs.create(HubFields(code=code, name=f"Hub {code}"))
    for cohort in COHORTS:
        context.cohorts.create(CohortFields(name=cohort))
    return context


def sample(folder: Path, run: Callable[[ServiceContext], object], repeat: int) -> float:
    """Median seconds of ``run`` over ``repeat`` fresh databases (set-up not timed)."""
    times = []
    for index in range(repeat):
        with fresh_context(folder, f"sample-{index}") as context:
            start = time.perf_counter()
            run(context)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-import-") as temporary:
        folder = Path(temporary)
        source = folder / "trainees.csv"
        write_rows(source, args.rows, args.seed)
        size = source.stat().st_size
        with fresh_context(folder, "items") as context:
            items = TraineeImport(context).preview(source).items
            assert len(items) == args.rows, "the generated file should be clean"

        read = sample(folder, lambda _: read_table(source), args.repeat)
        preview = sample(folder, lambda c: TraineeImport(c).preview(source), args.repeat)
        imported = sample(folder, lambda c: TraineeImport(c).apply(source), args.repeat)
        baseline = sample(
            folder, lambda c: c.trainees.bulk_create(items, reason="baseline"), args.repeat
        )
    print(
        f"{args.rows} rows ({size / 2**20:.1f} MB), seed {args.seed}, "
        f"median of {args.repeat} fresh databases"
    )
    print(f"  read the CSV                          {read * 1000:7.0f} ms")
    print(f"  preview (read + every check)          {preview * 1000:7.0f} ms")
    print(f"  import (preview + one transaction)    {imported * 1000:7.0f} ms   target ≤ 3000 ms")
    print(f"  baseline: bulk_create of the same rows {baseline * 1000:6.0f} ms")
    print(f"  import / baseline                     {imported / baseline:7.2f}×")
    per_row = 1e6 / args.rows
    print(f"  per row: checks {preview * per_row:.0f} µs, write {baseline * per_row:.0f} µs")


if __name__ == "__main__":
    main()
