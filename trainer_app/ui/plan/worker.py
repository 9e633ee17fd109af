"""Make a plan off the GUI thread; progress and the result come back as signals.

The work is one call of the planning service (build the scenario → solve → check → save);
this only gives it a thread. Cancel is cooperative: the planner polls ``should_stop`` and the
service keeps and saves the best plan found.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from trainer_app.ui.tasks import Job, guarded

# (on_progress, should_stop) -> the service's result (a MadePlan)
Work = Callable[[Callable[[Any], None], Callable[[], bool]], Any]


def on_python_thread(work: Callable[[], Any]) -> Any:
    """Run ``work`` on a thread Python started, and wait for it.

    CP-SAT calls its solution callback from the thread that called ``solve`` when the hint
    (a re-plan's previous plan) is already complete and feasible. Called from a Qt pool
    thread, that callback ended the process (a segmentation fault in ``take_gil`` when the
    callback took the GIL back, seen under gdb); from a thread Python's ``threading`` started,
    it does not.
    """
    found: list[Any] = []
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


class PlanSignals(QObject):
    progress = Signal(object)  # the planner's progress (elapsed, cost, bound, placed, message)
    finished = Signal(object)  # the service's result
    failed = Signal(str)


class PlanWorker(QObject):
    """One plan at a time; lives as long as the page that owns it."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = PlanSignals(self)
        self._stop = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.running = False
        self.signals.finished.connect(self._done)
        self.signals.failed.connect(self._done)

    def start(self, work: Work) -> None:
        """Run ``work(on_progress, should_stop)`` on a planner thread."""
        if self.running:
            raise RuntimeError("a plan is already being made")
        self._stop.clear()
        self.running = True
        signals, stop = self.signals, self._stop

        def run() -> Any:
            return on_python_thread(lambda: work(signals.progress.emit, stop.is_set))

        job = guarded(run, signals.finished.emit, signals.failed.emit, "The planner")
        self._pool.start(Job(job))

    def cancel(self) -> None:
        self._stop.set()

    def _done(self, *_: object) -> None:
        self.running = False

    def wait(self, msecs: int = -1) -> bool:
        """Stop and wait for the thread (closing the window, ending a test)."""
        self.cancel()
        return self._pool.waitForDone(msecs)
