"""What Python's garbage collector would free that still has a Qt object behind it.

A Qt object without a Qt parent lives as long as its Python wrapper. Once the wrapper is caught
in a reference cycle (a page holding its model, the model's callbacks holding the page), only the
cyclic garbage collector frees it — and the collector runs on whichever thread happens to
allocate, often a worker drawing certificates. Deleting a GUI-thread Qt object there races the
GUI thread (a model and its filter proxy freed on a worker while the GUI thread delivered the
model's ``destroyed`` signal to the proxy: the rare segmentation fault of issue 11). So the
collector must only ever meet wrappers whose Qt object is gone already.
"""

from __future__ import annotations

import gc

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtGui import QPixmap

# Objects that belong to the GUI thread; values such as QColor or QImage may die anywhere.
GUI_THREAD_TYPES = (QObject, QPixmap)


def live_qt_objects_in_garbage() -> list[str]:
    """The type names of the live GUI-thread Qt objects among the garbage now (then freed, on
    this thread); empty when every one was deleted by its Qt owner."""
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        gc.collect()
        found = sorted(
            type(thing).__qualname__
            for thing in gc.garbage
            if isinstance(thing, GUI_THREAD_TYPES) and shiboken6.isValid(thing)
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
    if found:
        gc.collect()  # here, on the GUI thread, not later on a worker
    return found
