"""Long work off the GUI thread: a task takes ``progress(done, total)`` and ``should_stop()``
and its result or its error (in words) comes back as a signal. One task at a time per runner.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from trainer_app.domain.errors import DomainError

Task = Callable[[Callable[[int, int], None], Callable[[], bool]], Any]


class TaskSignals(QObject):
    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)


class _Job(QRunnable):
    def __init__(self, run: Callable[[], None]) -> None:
        super().__init__()
        self._run = run

    def run(self) -> None:
        self._run()


class TaskRunner(QObject):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.signals = TaskSignals(self)
        self._stop = threading.Event()
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self.running = False
        self.signals.finished.connect(self._done)
        self.signals.failed.connect(self._done)

    def start(self, task: Task) -> None:
        if self.running:
            raise RuntimeError("a task is already running")
        self._stop.clear()
        self.running = True
        signals, stop = self.signals, self._stop

        def work() -> None:
            try:
                result = task(signals.progress.emit, stop.is_set)
            except DomainError as error:
                signals.failed.emit(str(error))
            except Exception as error:  # shown in words; the window must outlive a bug
                signals.failed.emit(f"The task stopped unexpectedly ({error!r}).")
            else:
                signals.finished.emit(result)

        self._pool.start(_Job(work))

    def cancel(self) -> None:
        self._stop.set()

    def _done(self, *_: object) -> None:
        self.running = False

    def wait(self, msecs: int = -1) -> bool:
        self.cancel()
        return self._pool.waitForDone(msecs)
