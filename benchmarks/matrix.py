"""Training matrix at 5 000 trainees × 30 courses: time the service's computation and the
Records & matrix page's heatmap (model built, view painted once). Target ≤ 1 s together.

Run: .venv/bin/python benchmarks/matrix.py [--trainees 5000] [--folder /tmp/bench] [--profile]
The baseline is the bare SQL the matrix cannot avoid: one SELECT of every completion.
``--profile`` prints the service's cProfile hot spots (cumulative time).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import random
import sqlite3
import sys
import time
from datetime import date, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import median_ms, settings_for
from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from trainer_app.config import Settings
from trainer_app.domain.courses import CourseFields
from trainer_app.domain.network import HubFields
from trainer_app.domain.people import TraineeFields
from trainer_app.domain.records import CompletionFields
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import Matrix, RoleFields

COURSES = 30
ROLES = ("Manufacturing scientist", "QC analyst", "QA officer", "Facilities technician")
TODAY = date(2027, 1, 11)


def matrix_database(folder: Path, trainees: int) -> Path:
    path = folder / f"matrix-{trainees}.db"
    if not path.exists():
        build_matrix(settings_for(path), trainees)
    return path


def build_matrix(settings: Settings, trainees: int) -> None:
    """4 hubs, 30 courses (most expire), 4 roles needing 12–20 courses each, ``trainees``
    people, and about 70 % of the required training on record, some old, some of an older
    version: every status of the matrix. In the new store of ``settings``."""
    rng = random.Random(5000)
    with ServiceContext.open(settings, today=lambda: TODAY) as context:
        hubs = [
            context.hubs.create(HubFields(code=code, name=f"{code} training hub")).id
            for code in ("LON", "BRI", "SHF", "STE")
        ]
        courses = [
            context.courses.create(
                CourseFields(
                    code=f"C{n:02d}",
                    title=f"GMP course {n}",
                    version="2.0" if n % 7 == 0 else "1.0",
                    validity_months=None if n % 5 == 0 else 24,
                )
            )
            for n in range(1, COURSES + 1)
        ]
        needs: dict[str, list[int]] = {}
        for number, role in enumerate(ROLES):
            chosen = rng.sample([c.id for c in courses], 12 + 2 * number)
            needs[role] = chosen
            context.matrix.save_role(
                RoleFields(name=role, requirements=frozenset((c, None) for c in chosen))
            )
        context.trainees.bulk_create(
            [
                TraineeFields(
                    reference=f"BM-{i:07d}",
                    name=f"Trainee {rng.choice('ABCDEFGHKLMNPRSTWZ')}{i:05d}",
                    hub_id=hubs[i % len(hubs)],
                    organisation=f"Organisation {i % 23}",
                    role=ROLES[i % len(ROLES)],
                )
                for i in range(trainees)
            ],
            reason="Benchmark data",
        )
        items = []
        for trainee_id in context.trainees.query_ids():
            role = ROLES[(trainee_id - 1) % len(ROLES)]
            for course_id in needs[role]:
                if rng.random() < 0.7:
                    items.append(
                        CompletionFields(
                            trainee_id=trainee_id,
                            course_id=course_id,
                            completed_on=TODAY - timedelta(days=rng.randrange(30, 900)),
                            course_version="1.0",
                        )
                    )
        for start in range(0, len(items), 20_000):
            context.training.add_completions(items[start : start + 20_000], reason="Benchmark")


class Painted(QObject):
    """Notes when the view's viewport has painted."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def page_reload(app: QApplication, context: ServiceContext) -> tuple[float, float]:
    """The whole page once: from reload() to the matrix shown, and the longest time the GUI
    thread did not get to run a 10 ms timer meanwhile (how responsive the window stays)."""
    from trainer_app.ui.matrix.page import MatrixPage
    from trainer_app.ui.record_editor import RecordEditor

    holder = QWidget()
    page = MatrixPage(context, RecordEditor(context, holder))
    page.resize(1400, 900)
    page.show()
    ticks = [time.perf_counter()]
    stall = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        stall[0] = max(stall[0], now - ticks[-1])
        ticks.append(now)

    timer = QTimer()
    timer.setInterval(10)
    timer.timeout.connect(tick)
    loop = QEventLoop()
    page.matrix_shown.connect(loop.quit)
    timer.start()
    started = time.perf_counter()
    ticks.append(started)
    page.reload()
    loop.exec()
    elapsed = time.perf_counter() - started
    timer.stop()
    page.wait()
    page.close()
    return elapsed * 1000, stall[0] * 1000


def measure_matrix(app: QApplication, context: ServiceContext) -> tuple[Matrix, float, float]:
    """The matrix, and the medians in ms of (a) computing it in the service and (b) the
    heatmap's model built and its view painted once."""
    from trainer_app.ui.matrix.heatmap import HeatmapModel, HeatmapView

    matrix = context.matrix.matrix()
    service_ms = median_ms(context.matrix.matrix, 3)
    view = HeatmapView()
    view.resize(1400, 800)
    view.show()
    painted = Painted()
    view.viewport().installEventFilter(painted)

    def show() -> None:
        before = painted.count
        model = HeatmapModel()
        model.set_matrix(matrix)
        view.setModel(model)
        while painted.count == before:
            app.processEvents()

    show_ms = median_ms(show, 5)
    view.close()
    return matrix, service_ms, show_ms


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=5_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trainer-app-bench"))
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    path = matrix_database(args.folder, args.trainees)
    print(f"database ready in {time.perf_counter() - started:.1f} s: {path}")
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with ServiceContext.open(settings_for(path), today=lambda: TODAY) as context:
        matrix, service_ms, show_ms = measure_matrix(app, context)
        reload_ms, stall_ms = page_reload(app, context)
        with sqlite3.connect(path) as raw:
            baseline_ms = median_ms(lambda: raw.execute("SELECT * FROM completions").fetchall(), 5)
        if args.profile:
            profile = cProfile.Profile()
            profile.runcall(context.matrix.matrix)
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    total = service_ms + show_ms
    print(
        f"matrix: {len(matrix.people)} trainees × {len(matrix.courses)} courses, "
        f"{len(matrix.cells)} cells, {len(matrix.required)} required"
    )
    print(f"(a) context.matrix.matrix(): {service_ms:.0f} ms")
    print(f"(b) heatmap model + first paint: {show_ms:.0f} ms")
    print(f"total: {total:.0f} ms (target 1000 ms)")
    print(
        f"(c) the page: reload() until the heatmap shows: {reload_ms:.0f} ms (the service runs "
        f"off the GUI thread); longest GUI stall meanwhile: {stall_ms:.0f} ms"
    )
    print(f"baseline bare SELECT * FROM completions: {baseline_ms:.1f} ms")
    print(
        f"ratio service/baseline: {service_ms / baseline_ms:.1f}x; "
        f"page/baseline: {show_ms / baseline_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
