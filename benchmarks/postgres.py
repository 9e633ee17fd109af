"""PostgreSQL beside SQLite (issue 15): the same data built in a SQLite file and in a database
on a PostgreSQL server this script starts on loopback, each operation timed on both in one run.

Run: .venv/bin/python benchmarks/postgres.py [--trainees 50000] [--matrix 5000] [--rows 10000]
     [--edits 15] [--repeat 3] [--folder /var/tmp] [--set synchronous_commit=off ...]
     [--only edits table matrix import]

The server is PostgreSQL's own defaults as a packaged install has them: every commit flushed to
the disk (``fsync``, ``synchronous_commit`` and ``full_page_writes`` on; the tests turn them off),
``shared_buffers`` 128 MB, ``work_mem`` 4 MB, reached over TCP on 127.0.0.1 like a server on the
network, its data folder on the same disk as the SQLite files. SQLite is as the app opens it
(WAL, ``synchronous = NORMAL``: a commit is not flushed to the disk until a checkpoint, so a
power cut may lose the last ones; ``--set synchronous_commit=off`` gives the server the same
bargain). Operations on the two stores are measured in turn, section by section, so a machine
that gets busier or quieter weighs on both alike.

Measured, each a median (ms), on both stores:
- common edits through the services, each a median of ``--edits``: edit a trainer, add a
  trainee, edit a trainee, enrol a trainee, record one attendance mark, record an assessment;
  and enrolling a 200-person cohort at once (issue 5: ≤ 500 ms) — in a store of 50 000 trainees;
- the trainee table at 50 000 rows as the window shows it (trainee_table.py: open ≤ 100 ms,
  filter ≤ 100 ms; sort, the worst column either way);
- the matrix at 5 000 × 30 (matrix.py: computed and shown ≤ 1 s);
- an import of 10 000 rows from CSV (import_trainees.py: ≤ 3 s), each sample a fresh store.

Each PostgreSQL figure must be within 2× its SQLite figure and within the target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests.helpers
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import add_trainees, build_demo_store, median_ms, settings_at
from enrolment import COHORT, START, enrol_cohort, prepare
from import_trainees import ImportFigures, Stores, measure_import, sqlite_files, write_rows
from matrix import TODAY, build_matrix, measure_matrix
from PySide6.QtWidgets import QApplication
from trainee_table import measure_table

from tests.helpers import postgres
from trainer_app.config import Settings
from trainer_app.domain.people import Trainee, TraineeFields
from trainer_app.domain.records import AssessmentFields, AttendanceFields, Enrolment, Mark
from trainer_app.services.base import now_utc
from trainer_app.services.context import ServiceContext

ENROLLING = START - timedelta(days=14)  # the day the common edits are made
SECTIONS = ["edits", "table", "matrix", "import"]


@dataclass(frozen=True)
class Figure:
    """One operation's median ms on each store (SQLite, then PostgreSQL)."""

    operation: str
    ms: tuple[float, ...]
    target_ms: float | None = None


class Backend:
    """One kind of store: where its new stores are made."""

    def __init__(self, name: str, fresh: Stores) -> None:
        self.name = name
        self.fresh = fresh


def postgres_backend(server: postgres.Server, folder: Path) -> Backend:
    def fresh(name: str) -> Settings:
        return settings_at(server.new_database(), folder / name)

    return Backend("PostgreSQL", fresh)


class Desk:
    """A store of ``trainees`` trainees with two published runs (enrolment.py's), and the
    edits a coordinator makes on it all day, through the services; the i-th of each kind
    gets ``i``."""

    def __init__(self, ctx: ServiceContext, trainees: int) -> None:
        self.ctx = ctx
        self.runs, self.ids = prepare(ctx)
        add_trainees(ctx, trainees - ctx.trainees.count())
        self.hub = ctx.hubs.list()[0].id
        self.trainer = ctx.trainers.list()[0]
        self.added: list[Trainee] = []
        self.enrolled: list[Enrolment] = []
        self.later = ctx.recording(lambda: START + timedelta(days=1), now_utc)  # run held
        self.session = self.later.training.register(self.runs[0]).sessions[0].id

    def edit_trainer(self, i: int) -> None:
        before = self.trainer
        self.trainer = self.ctx.trainers.update(
            before.id, before.row_version, replace(before, notes=f"Note {i}")
        )

    def add_trainee(self, i: int) -> None:
        fields = TraineeFields(
            reference=f"ED-{i:06d}", name=f"Ngozi Okonkwo {i}", hub_id=self.hub, role="QC analyst"
        )
        self.added.append(self.ctx.trainees.create(fields))

    def edit_trainee(self, i: int) -> None:
        before = self.added[i]
        self.ctx.trainees.update(
            before.id, before.row_version, replace(before, organisation=f"Cellular {i}")
        )

    def enrol(self, i: int) -> None:
        self.enrolled.append(self.ctx.enrolment.enrol(self.runs[0], self.ids[i]))

    def assess(self, i: int) -> None:
        self.later.training.record_assessment(
            AssessmentFields(
                enrolment_id=self.enrolled[i].id,
                assessed_on=START,
                assessor="Ruth Abernethy",
                theory_score=Decimal(70 + i),
                practical_passed=True,
            )
        )

    def attend(self, i: int) -> None:  # the course is then complete
        mark = AttendanceFields(session_id=self.session, trainee_id=self.ids[i], mark=Mark.PRESENT)
        self.later.training.record_attendance([mark])

    def enrol_cohort(self) -> float:
        return enrol_cohort(self.ctx, self.runs[1], self.ids[COHORT : 2 * COHORT]) * 1000


EDITS: tuple[tuple[str, Callable[[Desk, int], None]], ...] = (
    ("edit a trainer", Desk.edit_trainer),
    ("add a trainee", Desk.add_trainee),
    ("edit a trainee", Desk.edit_trainee),
    ("enrol a trainee", Desk.enrol),
    ("record an assessment", Desk.assess),
    ("record an attendance mark", Desk.attend),
)


def common_edits(stores: list[Settings], trainees: int, edits: int) -> list[Figure]:
    """Each edit a median of ``edits``, one at a time, on each store in turn."""
    with ExitStack() as stack:
        desks = [
            Desk(stack.enter_context(ServiceContext.open(s, today=lambda: ENROLLING)), trainees)
            for s in stores
        ]
        figures = [Figure(name, _alternating(desks, edit, edits)) for name, edit in EDITS]
        cohort = tuple(desk.enrol_cohort() for desk in desks)
        figures.append(Figure(f"enrol a {COHORT}-person cohort at once", cohort, 500))
    return figures


def _alternating(
    desks: list[Desk], edit: Callable[[Desk, int], None], count: int
) -> tuple[float, ...]:
    """Median ms of ``count`` edits on each desk, one on each in turn: a burst of load from
    elsewhere falls on both stores alike."""
    samples: list[list[float]] = [[] for _ in desks]
    for i in range(count):
        for desk, taken in zip(desks, samples, strict=True):
            taken.append(median_ms(lambda d=desk, n=i: edit(d, n), 1))
    return tuple(statistics.median(taken) for taken in samples)


def table(app: QApplication, stores: list[Settings], trainees: int) -> list[Figure]:
    for settings in stores:
        build_demo_store(settings, trainees)
    with ExitStack() as stack:
        measured = [measure_table(app, stack.enter_context(ServiceContext.open(s))) for s in stores]
    n = _number(measured[0].trainees)
    return [
        Figure(f"trainee table {n}: open", tuple(m.open_ms for m in measured), 100),
        Figure(
            f"trainee table {n}: text filter (worst)", tuple(m.filter_ms for m in measured), 100
        ),
        Figure(f"trainee table {n}: sort (worst column)", tuple(m.sort_ms for m in measured)),
    ]


def matrix(app: QApplication, stores: list[Settings], trainees: int) -> list[Figure]:
    for settings in stores:
        build_matrix(settings, trainees)
    with ExitStack() as stack:
        measured = [
            measure_matrix(app, stack.enter_context(ServiceContext.open(s, today=lambda: TODAY)))
            for s in stores
        ]
    shown = measured[0][0]
    size = f"{_number(len(shown.people))} × {len(shown.courses)}"
    return [
        Figure(f"matrix {size}: computed (service)", tuple(m[1] for m in measured)),
        Figure(f"matrix {size}: heatmap shown", tuple(m[2] for m in measured)),
        Figure(f"matrix {size}: computed and shown", tuple(m[1] + m[2] for m in measured), 1000),
    ]


def imports(backends: list[Backend], source: Path, rows: int, repeat: int) -> list[Figure]:
    """Samples taken on each store in turn, each on a fresh store; medians."""
    samples: list[list[ImportFigures]] = [[] for _ in backends]
    for _ in range(repeat):
        for backend, taken in zip(backends, samples, strict=True):
            taken.append(measure_import(backend.fresh, source, rows, 1))

    def ms(what: Callable[[ImportFigures], float]) -> tuple[float, ...]:
        return tuple(statistics.median(what(f) for f in taken) * 1000 for taken in samples)

    n = _number(rows)
    return [
        Figure(f"import {n} rows: preview (read and check)", ms(lambda f: f.preview)),
        Figure(f"import {n} rows: import (one transaction)", ms(lambda f: f.imported), 3000),
        Figure(f"import {n} rows: baseline bulk_create", ms(lambda f: f.baseline)),
    ]


def _number(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def report(figures: list[Figure]) -> None:
    print()
    print("| Operation | SQLite ms | PostgreSQL ms | Ratio | Target | Verdict |")
    print("| --- | --- | --- | --- | --- | --- |")
    for figure in figures:
        lite, pg = figure.ms
        ratio = pg / lite
        misses = []
        if ratio > 2:
            misses.append("over 2×")
        if figure.target_ms is not None and max(lite, pg) > figure.target_ms:
            misses.append("over target")
        verdict = "**" + ", ".join(misses) + "**" if misses else "ok"
        target = f"≤ {figure.target_ms:.0f}" if figure.target_ms is not None else "—"
        print(
            f"| {figure.operation} | {lite:.1f} | {pg:.1f} | {ratio:.2f}× | {target} | {verdict} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--matrix", type=int, default=5_000, help="trainees of the matrix")
    parser.add_argument("--rows", type=int, default=10_000, help="rows of the import")
    parser.add_argument("--edits", type=int, default=15, help="samples of each common edit")
    parser.add_argument("--repeat", type=int, default=3, help="fresh stores per import figure")
    parser.add_argument("--folder", type=Path, default=Path(tempfile.gettempdir()))
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a server setting on top of the defaults, e.g. synchronous_commit=off",
    )
    parser.add_argument(
        "--only",
        nargs="+",
        choices=SECTIONS,
        default=SECTIONS,
        help="measure only these sections",
    )
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    top = Path(tempfile.mkdtemp(prefix="trainer-app-pg-bench-", dir=args.folder))
    top.chmod(0o755)  # the server runs as the postgres user and must reach its folder
    try:
        (top / "sqlite").mkdir()
        (top / "server").mkdir()
        server = postgres.start(top / "server", settings=args.set)
        try:
            print(_describe(server), f"load average {os.getloadavg()[0]:.1f}")
            source = top / "trainees.csv"
            write_rows(source, args.rows, 1)
            backends = [
                Backend("SQLite", sqlite_files(top / "sqlite")),
                postgres_backend(server, top / "server-keys"),
            ]

            def stores(name: str) -> list[Settings]:
                return [backend.fresh(name) for backend in backends]

            figures = []
            for section, measure in (
                ("edits", lambda: common_edits(stores("edits"), args.trainees, args.edits)),
                ("table", lambda: table(app, stores("table"), args.trainees)),
                ("matrix", lambda: matrix(app, stores("matrix"), args.matrix)),
                ("import", lambda: imports(backends, source, args.rows, args.repeat)),
            ):
                if section not in args.only:
                    continue
                started = time.perf_counter()
                figures += measure()
                took = time.perf_counter() - started
                print(f"{section}: built and measured in {took:.0f} s", flush=True)
        finally:
            server.stop()
        report(figures)
        print(f"\nload average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    finally:
        shutil.rmtree(top, ignore_errors=True)


def _describe(server: postgres.Server) -> str:
    """The server's version and the settings that decide how fast a commit is."""
    names = (
        "server_version",
        "fsync",
        "synchronous_commit",
        "full_page_writes",
        "wal_sync_method",
        "shared_buffers",
        "work_mem",
        "lc_collate",
    )
    import psycopg

    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres") as connection:
        values = [f"{n}={connection.execute(f'SHOW {n}').fetchone()[0]}" for n in names]  # type: ignore[index]
    return "PostgreSQL: " + ", ".join(values) + ";"


if __name__ == "__main__":
    main()
