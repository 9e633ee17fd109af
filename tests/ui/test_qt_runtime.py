"""The Qt bindings themselves: a defect there would crash the app however good its code."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    progress = Signal(int, int)


def test_emitting_signals_does_not_leak_references(qapp) -> None:
    """PySide6 6.12.0 dropped a reference to True on each emit: on Python 3.11 the process
    aborts after a few thousand (a long plan or import reports progress that often)."""
    emitter = _Emitter()
    seen: list[int] = []
    emitter.progress.connect(lambda done, total: seen.append(done))
    before = sys.getrefcount(True), sys.getrefcount(None)
    for n in range(500):
        emitter.progress.emit(n, 500)
    assert (sys.getrefcount(True), sys.getrefcount(None)) == before
    assert len(seen) == 500
