"""Trainee import at 10 000 rows with full validation (target ≤ 3 s from file to committed rows).

Run: .venv/bin/python benchmarks/import_trainees.py [--rows 10000] [--seed 1] [--repeat 3]
     [--hygiene]

A CSV of synthetic trainees (fixed seed: names in several scripts, half the references blank,
most rows in one or two cohorts) is written to a temporary folder. Each sample starts from a
fresh database with six hubs and eight cohorts made through the services. Timed: reading the
file, the preview (read + every check), and the import (preview + one audited transaction).
Baseline: the same validated rows given straight to ``TraineeService.bulk_create``, the write
no import can avoid, so the report is a ratio.

``--hygiene`` also times the import with the text-hygiene rules (``text_problem``) and the
file limits checked while streaming (``_within_limits``) switched off in this same process,
samples interleaved, to show what those checks cost (issue 12: at most 10 %).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import astuple, dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import settings_for

from trainer_app.config import Settings
from trainer_app.domain import text
from trainer_app.domain.network import HubFields
from trainer_app.domain.people import CohortFields, TraineeType
from trainer_app.services import imports
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


Stores = Callable[[str], Settings]  # settings for a new, empty store of this name


def sqlite_files(folder: Path) -> Stores:
    """New SQLite files in ``folder`` (one of the same name before is removed)."""

    def fresh(name: str) -> Settings:
        path = folder / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return settings_for(path)

    return fresh


def fresh_context(settings: Settings) -> ServiceContext:
    """The new store of ``settings`` with the file's hubs and cohorts."""
    context = ServiceContext.open(settings)
    for code in HUBS:
        context.hubs.create(HubFields(code=code, name=f"Hub {code}"))
    for cohort in COHORTS:
        context.cohorts.create(CohortFields(name=cohort))
    return context


def sample(stores: Stores, run: Callable[[ServiceContext], object], repeat: int) -> float:
    """Median seconds of ``run`` over ``repeat`` fresh databases (set-up not timed)."""
    times = []
    for index in range(repeat):
        with fresh_context(stores(f"sample-{index}")) as context:
            start = time.perf_counter()
            run(context)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


@dataclass(frozen=True)
class ImportFigures:
    """Median seconds over fresh stores."""

    read: float
    preview: float
    imported: float
    baseline: float  # ``bulk_create`` of the same validated rows


def measure_import(stores: Stores, source: Path, rows: int, repeat: int) -> ImportFigures:
    with fresh_context(stores("items")) as context:
        items = TraineeImport(context).preview(source).items
        assert len(items) == rows, "the generated file should be clean"
    return ImportFigures(
        read=sample(stores, lambda _: read_table(source), repeat),
        preview=sample(stores, lambda c: TraineeImport(c).preview(source), repeat),
        imported=sample(stores, lambda c: TraineeImport(c).apply(source), repeat),
        baseline=sample(stores, lambda c: c.trainees.bulk_create(items, reason="baseline"), repeat),
    )


class ChecksOff:
    """Within the block, names and notes are not checked for hygiene and the rows of a file
    are not checked against the limits (the code paths before issue 12)."""

    def __enter__(self) -> None:
        self.saved = text.text_problem, imports._within_limits
        text.text_problem = lambda *args, **kwargs: None  # type: ignore[assignment]
        imports._within_limits = lambda path, rows, should_stop: rows  # type: ignore[assignment]

    def __exit__(self, *exc: object) -> None:
        text.text_problem, imports._within_limits = self.saved


def hygiene_cost(stores: Stores, source: Path, repeat: int) -> tuple[float, ...]:
    """Preview, import and checking-step seconds with the checks on and off (samples
    interleaved), and the seconds the checks take alone on the file's cells.

    CPU seconds of this process, the fastest sample of each: on a shared machine the wall
    clock mostly measures the other processes (medians of wall time swung ±30 % here).
    """
    runs: dict[tuple[str, bool], list[float]] = {}
    for index in range(repeat):
        # ABBA order: a load that rises or falls during the run weighs on both alike.
        for checks in (True, False) if index % 2 == 0 else (False, True):
            for what in ("preview", "import"):
                switch = contextlib.nullcontext() if checks else ChecksOff()
                with fresh_context(stores(f"hygiene-{index}")) as context, switch:
                    importer = TraineeImport(context)
                    start = time.process_time()
                    importer.preview(source) if what == "preview" else importer.apply(source)
                    runs.setdefault((what, checks), []).append(time.process_time() - start)
    table = read_table(source)
    # The checking step alone, on the table in memory: the figure the load of a shared machine
    # disturbs least (no database write, no file), interleaved likewise.
    with fresh_context(stores("hygiene-check")) as context:
        for index in range(4 * repeat):
            for checks in (True, False) if index % 2 == 0 else (False, True):
                switch = contextlib.nullcontext() if checks else ChecksOff()
                with switch:
                    start = time.process_time()
                    TraineeImport(context).check(table)
                    runs.setdefault(("check", checks), []).append(time.process_time() - start)
    alone = []
    for _ in range(repeat):
        start = time.process_time()
        list(imports._within_limits(source, table.rows, None))
        for row in table.rows:
            for cell in row:
                text.text_problem(cell, "x", multiline=False)
        alone.append(time.process_time() - start)
    return (
        *(min(runs[key]) for key in (("preview", True), ("preview", False))),
        *(min(runs[key]) for key in (("import", True), ("import", False))),
        *(min(runs[key]) for key in (("check", True), ("check", False))),
        min(alone),
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--hygiene", action="store_true", help="cost of the issue-12 checks")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-import-") as temporary:
        folder = Path(temporary)
        source = folder / "trainees.csv"
        write_rows(source, args.rows, args.seed)
        size = source.stat().st_size
        stores = sqlite_files(folder)
        figures = measure_import(stores, source, args.rows, args.repeat)
        read, preview, imported, baseline = astuple(figures)
        cost = hygiene_cost(stores, source, args.repeat) if args.hygiene else None
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
    if cost:
        on_preview, off_preview, on_import, off_import, on_check, off_check, alone = cost
        print("  issue-12 checks (text hygiene, limits while streaming), on / off, CPU time:")
        print(
            f"    preview  {on_preview * 1000:6.0f} / {off_preview * 1000:6.0f} ms   "
            f"{on_preview / off_preview:5.3f}×"
        )
        print(
            f"    import   {on_import * 1000:6.0f} / {off_import * 1000:6.0f} ms   "
            f"{on_import / off_import:5.3f}×   limit 1.10×"
        )
        print(
            f"    checking step, in memory ×{4 * args.repeat}: {on_check * 1000:.0f} / "
            f"{off_check * 1000:.0f} ms   {on_check / off_check:5.3f}×"
        )
        print(
            f"    the checks alone on every cell: {alone * 1000:.0f} ms = "
            f"{alone / off_import:.1%} of the import without them"
        )


if __name__ == "__main__":
    main()
