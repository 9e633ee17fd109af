"""The progress area shown while the planner works: figures, the live chart and Cancel."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton

from trainer_app.ui import icons
from trainer_app.ui.plan.chart import CostChart


def _figure(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


class ProgressArea(QFrame):
    def __init__(self) -> None:
        super().__init__()
        self.setAccessibleName("Planning progress")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.message = QLabel("Planning…")
        self.message.setAccessibleName("Planner message")
        self.elapsed = QLabel()
        self.best = QLabel()
        self.bound = QLabel()
        self.placed = QLabel()
        for label, name in (
            (self.elapsed, "Elapsed"),
            (self.best, "Best cost"),
            (self.bound, "Lower bound"),
            (self.placed, "Sessions placed"),
        ):
            label.setAccessibleName(name)
        self.chart = CostChart()
        self.cancel_button = QPushButton(icons.icon("cancel"), "Cancel")
        self.cancel_button.setAccessibleName("Cancel planning")
        self.cancel_button.setToolTip("Stop now and keep the best plan found so far (Esc)")
        self.cancel_button.setShortcut("Esc")
        grid = QGridLayout(self)
        grid.addWidget(self.message, 0, 0, 1, 2)
        for row, (title, label) in enumerate(
            (
                ("Elapsed", self.elapsed),
                ("Best cost", self.best),
                ("Lower bound", self.bound),
                ("Sessions placed", self.placed),
            ),
            start=1,
        ):
            grid.addWidget(QLabel(title), row, 0)
            grid.addWidget(label, row, 1)
        grid.addWidget(self.cancel_button, 5, 0, 1, 2)
        grid.addWidget(self.chart, 0, 2, 6, 1)
        grid.setColumnStretch(2, 1)

    def begin(self, total_sessions: int | None = None) -> None:
        """``total_sessions`` when known before the scenario is built (else the first report
        says)."""
        self.chart.clear()
        self.message.setText("Planning… the best plan so far is kept if you cancel")
        self.elapsed.setText("0 s")
        self.best.setText("—")
        self.bound.setText("—")
        self.placed.setText("—" if total_sessions is None else f"0 of {total_sessions}")
        self.cancel_button.setEnabled(True)
        self.show()

    def report(self, progress: Any) -> None:
        """``progress``: solver.Progress (elapsed, cost, bound, placed/total, message)."""
        self.elapsed.setText(f"{progress.elapsed:.1f} s")
        self.best.setText(_figure(progress.cost))
        self.bound.setText(_figure(progress.bound))
        self.placed.setText(f"{progress.placed_sessions} of {progress.total_sessions}")
        if progress.message:
            self.message.setText(progress.message)
        self.chart.add(progress.elapsed, progress.cost, progress.bound)

    def stopping(self) -> None:
        self.message.setText("Stopping… keeping the best plan found")
        self.cancel_button.setEnabled(False)
