"""The sealed audit trail: checking a million entries (target ≤ 10 s), and what sealing adds to
the 10 000-row trainee import and to enrolling a 200-person cohort (target ≤ 15 %).

Run: .venv/bin/python benchmarks/audit_chain.py [--entries 1000000] [--repeat 5]

- ``audit verify`` on a store of ``--entries`` sealed entries (written straight into a fresh
  store, sealed with the installation's key as the app seals them). Baseline in the same run:
  reading the same entries and seals with no hash computed, so the report is a ratio.
- The import and the enrolment, each with sealing on and off in this same process (samples
  interleaved ABBA, fresh databases, the fastest CPU time of each): the overhead is the ratio.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import enrolment
import import_trainees
from _common import settings_for

from trainer_app.domain import audit_chain
from trainer_app.persistence import chain
from trainer_app.persistence.uow import transaction
from trainer_app.services.context import ServiceContext
from trainer_app.services.imports import TraineeImport

BATCH = 50_000


@contextlib.contextmanager
def sealing_off() -> Iterator[None]:
    """Within the block, transactions commit their audit entries without sealing them."""
    saved = chain.seal_pending

    def skip(session: object, _chain: object) -> None:
        session.info.pop(chain.PENDING, None)  # type: ignore[attr-defined]

    chain.seal_pending = skip  # type: ignore[assignment]
    try:
        yield
    finally:
        chain.seal_pending = saved


def fill(context: ServiceContext, count: int) -> None:
    """``count`` entries like the app's (a trainee changed: name and email), sealed."""
    key = context.store.chain.key  # type: ignore[union-attr]
    head = None
    for first in range(1, count + 1, BATCH):
        numbers = range(first, min(count, first + BATCH - 1) + 1)
        with transaction(context.store) as session:
            connection = session.connection()
            connection.exec_driver_sql(
                "INSERT INTO audit_entries (occurred_at, actor, action, entity_type, entity_id, "
                "entity_label, changes, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [entry_values(n) for n in numbers],
            )
            entries = list(chain.stored_entries(connection, "WHERE id >= :low", low=first))
            seals = audit_chain.seal(key, head, entries)
            connection.exec_driver_sql(
                "INSERT INTO audit_seals (seq, entry_id, key_id, link) VALUES (?, ?, ?, ?)",
                [(seq, entry_id, key.key_id, link) for seq, entry_id, link in seals],
            )
            head = audit_chain.Head(seals[-1][0], seals[-1][2])


def entry_values(n: int) -> tuple[object, ...]:
    changes = [
        {"field": "name", "old": "Siobhan Ni Bhriain", "new": "Siobhán Ní Bhriain"},
        {"field": "email", "old": None, "new": f"t{n}@example.org"},
    ]
    return (
        f"2026-{1 + n % 12:02d}-{1 + n % 28:02d} 09:{n % 60:02d}:00.{n % 10**6:06d}",
        "coordinator.lon",
        "update",
        "trainee",
        n % 50_000,
        f"TR-{n % 50_000:06d} Siobhán Ní Bhriain",
        json.dumps(changes),
        "spelling corrected from the passport" if n % 7 == 0 else "",
    )


def plain_read(context: ServiceContext) -> int:
    with context.store.engine.connect() as connection:
        return sum(1 for _ in chain.sealed_rows(connection))


def timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def cpu(run: Callable[[], object]) -> float:
    start = time.process_time()
    run()
    return time.process_time() - start


def overhead(
    label: str, prepare: Callable[[Path, int], Callable[[], object]], folder: Path, repeat: int
) -> tuple[float, float]:
    """Fastest CPU seconds of the work with sealing on and off, samples interleaved ABBA."""
    samples: dict[bool, list[float]] = {True: [], False: []}
    for index in range(repeat):
        for sealed in (True, False) if index % 2 == 0 else (False, True):
            work = prepare(folder, 2 * index + sealed)
            with contextlib.nullcontext() if sealed else sealing_off():
                samples[sealed].append(cpu(work))
    on, off = min(samples[True]), min(samples[False])
    ratio = on / off
    print(f"  {label:32} sealed {on * 1000:5.0f} ms, unsealed {off * 1000:5.0f} ms, {ratio:5.3f}×")
    return on, off


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="trainer-app-audit-") as temporary:
        folder = Path(temporary)
        with ServiceContext.open(settings_for(folder / "trail.db")) as context:
            built = timed(lambda: fill(context, args.entries))
            size = (folder / "trail.db").stat().st_size / 2**20
            read = min(timed(lambda: plain_read(context)) for _ in range(2))
            verdicts: list[audit_chain.Verdict] = []
            checks = [timed(lambda: verdicts.append(context.audit.verify())) for _ in range(2)]
            assert verdicts[-1].intact and verdicts[-1].checked == args.entries
        print(f"audit verify, {args.entries} entries ({size:.0f} MiB, built in {built:.0f} s):")
        print(f"  verify (every link recomputed)      {min(checks):6.2f} s   target ≤ 10 s")
        print(f"  baseline: read entries and seals    {read:6.2f} s")
        print(f"  verify / read                       {min(checks) / read:6.2f}×")

        source = folder / "trainees.csv"
        import_trainees.write_rows(source, 10_000, 1)

        def an_import(where: Path, index: int) -> Callable[[], object]:
            context = import_trainees.fresh_context(where, f"import-{index}")
            return lambda: (TraineeImport(context).apply(source), context.close())

        def an_enrolment(where: Path, index: int) -> Callable[[], object]:
            settings = settings_for(where / f"enrol-{index}.db")
            start = enrolment.START - timedelta(days=14)
            context = ServiceContext.open(settings, today=lambda: start)
            runs, ids = enrolment.prepare(context)
            return lambda: (context.enrolment.enrol_many(runs[0], ids[:200]), context.close())

        print(f"what sealing adds (fastest CPU time of {args.repeat} each; limit 1.15×):")
        overhead("import of 10 000 trainees", an_import, folder, args.repeat)
        overhead("enrolling a 200-person cohort", an_enrolment, folder, args.repeat)


if __name__ == "__main__":
    main()
