"""Others' changes in an open window: the look made when the window is activated (nothing
changed: one small query) and a refresh after another coordinator renamed a trainee (the look,
re-reading the trainees table, and Qt's paint), with the trainees page showing.

Run: .venv/bin/python benchmarks/refresh.py [--trainees 50000] [--folder /tmp/bench] [--postgres]
With --postgres the same store is built on a PostgreSQL server started for the run on loopback
(tests.helpers.postgres), and the latency from a commit to the window showing it is measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import add_trainees, demo_database, median_ms, settings_for
from PySide6.QtWidgets import QApplication

from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import build_demo
from trainer_app.ui.app import create_main_window
from trainer_app.ui.pages.cohorts import CohortsPage

ROUNDS = 7


def measure(settings: Settings, app: QApplication) -> None:
    with (
        ServiceContext.open(settings, create=False) as context,
        ServiceContext.open(settings, create=False) as other,
    ):
        count = context.trainees.count()
        window = create_main_window(context)
        window.resize(1366, 768)
        window.show()
        page = next(i for i, p in enumerate(window.pages) if isinstance(p, CohortsPage))
        window.show_page(page)
        app.processEvents()
        table = window.page.tables[-1]
        table.select_row(10)
        trainee_id = table.selected_id()
        assert trainee_id is not None
        look_ms = median_ms(window.watcher.look, ROUNDS * 3)
        rounds = iter(range(1_000))

        def rename_then_refresh() -> float:
            trainee = other.trainees.get(trainee_id)
            name = f"Renamed elsewhere {next(rounds)}"
            other.trainees.update(trainee.id, trainee.row_version, replace(trainee, name=name))
            start = time.perf_counter()
            window.refresh()
            window.repaint()
            app.processEvents()
            return (time.perf_counter() - start) * 1000

        refresh_ms = sorted(rename_then_refresh() for _ in range(ROUNDS))[ROUNDS // 2]
        assert table.selected_id() == trainee_id
        print(f"trainees: {count}")
        print(f"focus check, nothing changed: {look_ms:.2f} ms")
        print(f"refresh after a change elsewhere (look + reload + paint): {refresh_ms:.1f} ms")
        if window.watcher.listening:
            listener = window.watcher.listener
            assert listener is not None and listener.wait_listening(5)
            samples = []
            for _ in range(ROUNDS):
                trainee = other.trainees.get(trainee_id)
                name = f"Renamed live {next(rounds)}"
                other.trainees.update(trainee.id, trainee.row_version, replace(trainee, name=name))
                committed = time.perf_counter()
                row = table.model.row_of(trainee_id)
                while row is None or table.model.index(row, 0).data() != name:
                    app.processEvents()
                    time.sleep(0.001)
                    if time.perf_counter() - committed > 5:
                        raise SystemExit("the change did not appear within 5 s")
                    row = table.model.row_of(trainee_id)
                samples.append((time.perf_counter() - committed) * 1000)
            samples.sort()
            print(
                f"commit elsewhere → shown, no action (PostgreSQL NOTIFY, 300 ms coalescing "
                f"included): median {samples[len(samples) // 2]:.0f} ms, worst {samples[-1]:.0f} ms"
            )
        window.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trainer-app-bench"))
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    if not args.postgres:
        path = demo_database(args.folder, args.trainees)
        measure(settings_for(path), app)
        return
    from tests.helpers import postgres

    folder = Path(tempfile.mkdtemp(prefix="trainer-app-postgres-"))
    server = postgres.start(folder)
    try:
        data = args.folder / "pg-data"
        settings = Settings.resolve(
            None,
            environ={
                "TRAINER_APP_DATA_DIR": str(data),
                "TRAINER_APP_DATABASE_URL": server.new_database(),
            },
        )
        with ServiceContext.open(settings) as context:
            build_demo(context, trainees=min(args.trainees, 300))
            if args.trainees > 300:
                add_trainees(context, args.trainees - 300)
        measure(settings, app)
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
