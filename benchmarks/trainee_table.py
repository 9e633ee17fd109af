"""Trainee table at 50 000 rows: time to open it and to apply a text filter (target ≤ 100 ms).

Run: .venv/bin/python benchmarks/trainee_table.py [--trainees 50000] [--folder /tmp/bench]
The figures include Qt's first paint of the visible rows (offscreen platform). The baseline is
the bare SQL the model cannot avoid: one `SELECT id … ORDER BY name` over all trainees.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, median_ms, settings_for
from PySide6.QtWidgets import QApplication, QTableView

from trainer_app.services.context import ServiceContext
from trainer_app.ui.table_model import LazyTableModel

FILTERS = ["zoe", "wisniewski 12", "李", "qc analyst", "BM-00049"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trainer-app-bench"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    path = demo_database(args.folder, args.trainees)
    app = QApplication.instance() or QApplication([])
    with ServiceContext.open(settings_for(path)) as context:
        count = context.trainees.count()
        view = QTableView()
        view.resize(1200, 800)
        view.show()

        def open_table() -> None:
            model = LazyTableModel(context.trainees)
            view.setModel(model)
            model.refresh()
            view.repaint()
            app.processEvents()

        open_ms = median_ms(open_table, 7)
        model = view.model()
        assert isinstance(model, LazyTableModel)
        filter_samples = []
        for text in FILTERS:
            filter_samples.append(median_ms(lambda t=text: (model.set_query(t), view.repaint()), 5))
        model.set_query("")
        with sqlite3.connect(path) as raw:
            baseline_ms = median_ms(
                lambda: raw.execute("SELECT id FROM trainees ORDER BY name").fetchall(), 7
            )
    worst_filter = max(filter_samples)
    print(f"trainees: {count}")
    print(f"open table: {open_ms:.1f} ms (target 100 ms)")
    print(f"text filter: worst {worst_filter:.1f} ms over {FILTERS} (target 100 ms)")
    print(f"baseline bare SELECT id ORDER BY name: {baseline_ms:.1f} ms")
    print(
        f"ratio open/baseline: {open_ms / baseline_ms:.1f}x; "
        f"filter/baseline: {worst_filter / baseline_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
