"""No Qt object of the window is left for Python's garbage collector (see
`tests.helpers.collector`): closing the window deletes every Qt object its pages made, on the GUI
thread. The runs list's model and filter, the lazy tables' models and the registers' models were
left to the collector until issue 11."""

from __future__ import annotations

import gc

from PySide6.QtCore import QCoreApplication, QEvent

from tests.helpers.collector import live_qt_objects_in_garbage
from trainer_app.services.context import ServiceContext
from trainer_app.ui.app import create_main_window


def test_closing_the_window_deletes_every_qt_object_it_made(qtbot, context: ServiceContext) -> None:
    gc.collect()  # what earlier tests left
    window = create_main_window(context)
    window.show()
    qtbot.waitExposed(window)
    for index in range(len(window.pages)):  # every page built and shown once
        window.show_page(index)
    window.close()
    window.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    del window
    assert live_qt_objects_in_garbage() == []
