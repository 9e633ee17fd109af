"""Run the solver off the GUI thread; progress and the result come back as signals.

Cancel is cooperative: the solver polls ``should_stop`` and returns the best plan it has.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.ui.tasks import Job, guarded

Solve = Callable[..., Plan]  # solver.solve's signature


def real_solve(scenario: Scenario, **options: Any) -> Plan:
    # Imported on first use: OR-Tools takes a noticeable part of a second to load, and the
    # window should open without waiting for it.
    from trainer_app.scheduling.solver import solve

    return on_python_thread(lambda: solve(scenario, **options))


def on_python_thread(work: Callable[[], Plan]) -> Plan:
    """Run ``work`` on a thread Python started, and wait for it.

    CP-SAT calls its solution callback from the thread that called ``solve`` when the hint
    (a re-plan's previous plan) is already complete and feasible. Called from a Qt pool
    thread, that callback ended the process (a segmentation fault in ``take_gil`` when the
    callback took the GIL back, seen under gdb); from a thread Python's ``threading`` started,
    it does not.
    """
    found: list[Plan] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            found.append(work())
        except BaseException as error:  # handed to the caller's thread, which reports it
            failed.append(error)

    thread = threading.Thread(target=run, name="planner", daemon=True)
    thread.start()
    thread.join()
    if failed:
        raise failed[0]
    return found[0]


class SolveSignals(QObject):
    progress = Signal(object)  # solver.Progress
    finished = Signal(object)  # Plan
    failed = Signal(str)


class SolveWorker(QObject):
    """One solve at a time; lives as long as the page that owns it."""

    def __init__(self, solve: Solve = real_solve, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.solve = solve
        self.signals = SolveSignals(self)
        self._stop = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.running = False
        self.signals.finished.connect(self._done)
        self.signals.failed.connect(self._done)

    def start(self, scenario: Scenario, *, time_limit: float, workers: int = 0) -> None:
        if self.running:
            raise RuntimeError("a plan is already being made")
        self._stop.clear()
        self.running = True
        signals, solve, stop = self.signals, self.solve, self._stop

        def work() -> Plan:
            return solve(
                scenario,
                time_limit=time_limit,
                workers=workers,
                on_progress=signals.progress.emit,
                should_stop=stop.is_set,
            )

        job = guarded(work, signals.finished.emit, signals.failed.emit, "The planner")
        self._pool.start(Job(job))

    def cancel(self) -> None:
        self._stop.set()

    def _done(self, *_: object) -> None:
        self.running = False

    def wait(self, msecs: int = -1) -> bool:
        """Stop and wait for the thread (closing the window, ending a test)."""
        self.cancel()
        return self._pool.waitForDone(msecs)
