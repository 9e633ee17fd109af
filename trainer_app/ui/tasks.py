"""Long work off the GUI thread, so the window never freezes.

- `Latest` runs one computation at a time; asked again while busy, it runs only the newest
  request next and drops the result the user no longer wants (filters typed quickly).
- `Task` runs one long job with progress and a cooperative Cancel (an import, a group export).
- `Job` and `guarded` are the pieces both use (and the planner's worker).

Results and errors come back as signals on the GUI thread; errors in words, never a traceback
on screen. An unexpected error (a bug, not a refusal) is written with its traceback to the error
log (`trainer_app.logs`) from the thread it happened in, and the words name the log.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from trainer_app.domain.errors import DomainError
from trainer_app.logs import unexpected

Report = Callable[[int, int], None]  # (done, total)
ShouldStop = Callable[[], bool]
PROGRESS_STEPS = 100
IN_THE_BACKGROUND = "The work in the background"


class Job(QRunnable):
    def __init__(self, run: Callable[[], None]) -> None:
        super().__init__()
        self._run = run

    def run(self) -> None:
        self._run()


class _Relay(QObject):
    """Lives on the GUI thread; signals emitted from the pool's thread are queued to it."""

    progress = Signal(int, int)
    result = Signal(object)
    error = Signal(str)


def guarded(
    work: Callable[[], object],
    done: Callable[[object], None],
    failed: Callable[[str], None],
    what: str = IN_THE_BACKGROUND,
) -> Callable[[], None]:
    """``work`` for a pool thread: its result to ``done``, any error in words to ``failed``;
    an unexpected one is logged with its traceback first (``what`` names the work stopped)."""

    def run() -> None:
        try:
            result = work()
        except DomainError as error:
            failed(str(error))
        except Exception as error:  # the window must outlive a bug, and support must see it
            failed(unexpected(what, error))
        else:
            done(result)

    return run


class Latest(QObject):
    """One computation at a time; the newest request wins."""

    finished = Signal(object)
    failed = Signal(str)
    busy_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None, what: str = IN_THE_BACKGROUND) -> None:
        super().__init__(parent)
        self.what = what
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._relay = _Relay(self)
        self._relay.result.connect(self._done)
        self._relay.error.connect(self._failed)
        self._pending: Callable[[], object] | None = None
        self.running = False

    def request(self, work: Callable[[], object]) -> None:
        if self.running:
            self._pending = work
            return
        self.running = True
        self.busy_changed.emit(True)
        self._start(work)

    def _start(self, work: Callable[[], object]) -> None:
        relay = self._relay
        self._pool.start(Job(guarded(work, relay.result.emit, relay.error.emit, self.what)))

    def _next(self) -> bool:
        """Start the newest waiting request, if any (the result just in is stale)."""
        work, self._pending = self._pending, None
        if work is None:
            self.running = False
            self.busy_changed.emit(False)
            return False
        self._start(work)
        return True

    def _done(self, result: object) -> None:
        if not self._next():
            self.finished.emit(result)

    def _failed(self, message: str) -> None:
        if not self._next():
            self.failed.emit(message)

    def wait(self, msecs: int = -1) -> bool:
        """Drop waiting requests and wait for the running one (closing, ending a test)."""
        self._pending = None
        return self._pool.waitForDone(msecs)


class Task(QObject):
    """One cancellable job with progress: ``work(report, should_stop)``."""

    progress = Signal(int, int)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None, what: str = IN_THE_BACKGROUND) -> None:
        super().__init__(parent)
        self.what = what
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._stop = threading.Event()
        self._relay = _Relay(self)
        self._relay.progress.connect(self.progress)
        self._relay.result.connect(self._done)
        self._relay.error.connect(self._failed)
        self.running = False

    def start(self, work: Callable[[Report, ShouldStop], object]) -> None:
        if self.running:
            raise RuntimeError("a task is already running")
        self._stop.clear()
        self.running = True
        relay, stop = self._relay, self._stop

        def report(done: int, total: int) -> None:
            # About a hundred steps are all a progress bar shows; a signal per record of
            # 50 000 would only queue up on the GUI thread.
            if done == total or done % max(1, total // PROGRESS_STEPS) == 0:
                relay.progress.emit(done, total)

        job = guarded(
            lambda: work(report, stop.is_set), relay.result.emit, relay.error.emit, self.what
        )
        self._pool.start(Job(job))

    def cancel(self) -> None:
        self._stop.set()

    @property
    def cancelled(self) -> bool:
        return self._stop.is_set()

    def _done(self, result: object) -> None:
        self.running = False
        self.finished.emit(result)

    def _failed(self, message: str) -> None:
        self.running = False
        self.failed.emit(message)

    def wait(self, msecs: int = -1) -> bool:
        """Cancel and wait for the thread (closing the window, ending a test)."""
        self.cancel()
        return self._pool.waitForDone(msecs)
