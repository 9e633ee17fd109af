"""Trainee table at 50 000 rows: time to open it and to apply a text filter (target ≤ 100 ms).

Run: .venv/bin/python benchmarks/trainee_table.py [--trainees 50000] [--folder /tmp/bench]
The figures include Qt's first paint of the visible rows (offscreen platform). The baseline is
the bare SQL the model cannot avoid: one `SELECT id … ORDER BY name` over all trainees.
Sorting (worst column, either way) and counting the trainees are timed too.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import demo_database, median_ms, settings_for
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QTableView

from trainer_app.services.context import ServiceContext
from trainer_app.ui.table_model import LazyTableModel

FILTERS = ["zoe", "wisniewski 12", "李", "qc analyst", "BM-00049"]


@dataclass(frozen=True)
class TableFigures:
    """Medians in ms; ``filter_ms`` and ``sort_ms`` are the worst filter and sort."""

    trainees: int
    open_ms: float
    filter_ms: float
    sort_ms: float
    count_ms: float


def measure_table(app: QApplication, context: ServiceContext) -> TableFigures:
    """The trainee table as the window shows it: the real model in a 1200 × 800 view, each
    action timed until the visible rows are painted."""
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
    filter_ms = max(
        median_ms(lambda t=text: (model.set_query(t), view.repaint()), 5) for text in FILTERS
    )
    model.set_query("")
    sort_ms = max(
        median_ms(lambda c=column, o=order: (model.sort(c, o), view.repaint()), 3)
        for column in range(model.columnCount())
        for order in (Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder)
    )
    count_ms = median_ms(context.trainees.count, 7)
    view.close()
    return TableFigures(context.trainees.count(), open_ms, filter_ms, sort_ms, count_ms)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--trainees", type=int, default=50_000)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/trainer-app-bench"))
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    path = demo_database(args.folder, args.trainees)
    app = QApplication.instance() or QApplication([])
    assert isinstance(app, QApplication)
    with ServiceContext.open(settings_for(path)) as context:
        figures = measure_table(app, context)
        with sqlite3.connect(path) as raw:
            baseline_ms = median_ms(
                lambda: raw.execute("SELECT id FROM trainees ORDER BY name").fetchall(), 7
            )
    print(f"trainees: {figures.trainees}")
    print(f"open table: {figures.open_ms:.1f} ms (target 100 ms)")
    print(f"text filter: worst {figures.filter_ms:.1f} ms over {FILTERS} (target 100 ms)")
    print(f"sort: worst column and order {figures.sort_ms:.1f} ms")
    print(f"count the trainees: {figures.count_ms:.1f} ms")
    print(f"baseline bare SELECT id ORDER BY name: {baseline_ms:.1f} ms")
    print(
        f"ratio open/baseline: {figures.open_ms / baseline_ms:.1f}x; "
        f"filter/baseline: {figures.filter_ms / baseline_ms:.1f}x"
    )


if __name__ == "__main__":
    main()
