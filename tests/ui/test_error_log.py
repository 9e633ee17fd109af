"""Unexpected errors in the window: the traceback in the error log, plain words on screen.

Background work (a task, the newest-wins worker, the planner) and the excepthook (a slot or a
thread that raises) each leave the whole traceback in the error log of the data folder, and
what the user reads says what stopped and names that file.
"""

from __future__ import annotations

import re
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from tests.ui import test_plan_scenario as fx
from trainer_app import logs
from trainer_app.ui.app import install_excepthook
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.plan.page import PlanPage
from trainer_app.ui.tasks import Latest, Report, ShouldStop, Task

WAIT = 5_000


@pytest.fixture
def error_log(data_dir: Path) -> Iterator[Path]:
    path = logs.set_up_error_log(data_dir)
    yield path
    logs.close_error_log()


def read(log: Path) -> str:
    return log.read_text(encoding="utf-8")


def traceback_of(function: str, log: Path) -> re.Match[str] | None:
    return re.search(rf'File ".*test_error_log\.py", line \d+, in {function}\n', read(log))


def count_the_pages(report: Report, stop: ShouldStop) -> int:
    pages: dict[str, int] = {}
    return pages["certificates"]


def test_a_background_task_that_fails_names_the_log_that_holds_its_traceback(
    qtbot, error_log: Path
) -> None:
    task = Task(what="Issuing the certificates")
    with qtbot.waitSignal(task.failed, timeout=WAIT) as failed:
        task.start(count_the_pages)
    assert failed.args == [
        "Issuing the certificates stopped because of a fault in Trainer (KeyError: "
        f"'certificates'). Your saved data is safe. The details were written to {error_log}."
    ]
    assert traceback_of("count_the_pages", error_log)
    assert '    return pages["certificates"]\n' in read(error_log)
    task.wait()


def draw_nothing() -> object:
    return None.width  # type: ignore[attr-defined]


def test_the_newest_wins_worker_logs_a_fault_too(qtbot, error_log: Path) -> None:
    latest = Latest(what="Drawing the certificate")
    with qtbot.waitSignal(latest.failed, timeout=WAIT) as failed:
        latest.request(draw_nothing)
    assert str(failed.args[0]).startswith(
        "Drawing the certificate stopped because of a fault in Trainer (AttributeError: "
    )
    assert str(failed.args[0]).endswith(f"The details were written to {error_log}.")
    assert traceback_of("draw_nothing", error_log)
    latest.wait()


def test_a_planner_crash_leaves_its_traceback_in_the_log(
    qtbot, window: MainWindow, answers, monkeypatch, error_log: Path
) -> None:
    window.show_page(next(i for i, p in enumerate(window.pages) if isinstance(p, PlanPage)))
    page = window.page
    assert isinstance(page, PlanPage)

    def solve_with_a_bug(scenario, **options):
        return sorted([scenario, None])

    monkeypatch.setattr(page.context.planning, "solve", solve_with_a_bug)
    with qtbot.waitSignal(page.worker.signals.failed, timeout=WAIT):
        page.start_solve(fx.scenario(), time_limit=5)
    title, text = answers[-1]
    assert title == "The planner could not make a plan"
    assert text.startswith("The planner stopped because of a fault in Trainer (TypeError: ")
    assert text.endswith(f"Your saved data is safe. The details were written to {error_log}.")
    assert "The planner stopped unexpectedly" in read(error_log)
    assert traceback_of("solve_with_a_bug", error_log)


@pytest.fixture
def hooked(qtbot, monkeypatch, data_dir: Path) -> Iterator[Path]:
    """The window's excepthook, as `run_gui` installs it; pytest's own put back after."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    reporter = install_excepthook(data_dir)
    yield data_dir / logs.ERROR_LOG
    if reporter.box is not None:
        reporter.box.close()
    logs.close_error_log()
    reporter.deleteLater()


def box_shown(qtbot) -> QMessageBox:
    def shown() -> list[QMessageBox]:
        return [
            w for w in QApplication.allWidgets() if isinstance(w, QMessageBox) and w.isVisible()
        ]

    qtbot.waitUntil(lambda: len(shown()) == 1, timeout=WAIT)
    return shown()[0]


def save_the_leave() -> None:
    leave = {"from": "2027-01-04"}
    print(leave["to"])  # the bug: no end date


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_slot_is_logged_and_told_in_words(qtbot, hooked: Path) -> None:
    QTimer.singleShot(0, save_the_leave)
    box = box_shown(qtbot)
    assert box.windowTitle() == "Trainer — unexpected problem"
    assert box.text() == (
        "The last action stopped because of a fault in Trainer (KeyError: 'to'). Your saved "
        f"data is safe. The details were written to {hooked}."
    )
    assert traceback_of("save_the_leave", hooked)

    QTimer.singleShot(0, save_the_leave)  # again while the box is up: one box, counted
    qtbot.waitUntil(lambda: box.informativeText() != "", timeout=WAIT)
    assert box.informativeText() == "1 more unexpected problem since; the error log has each."
    assert read(hooked).count("KeyError: 'to'") == 2
    box.close()


@pytest.mark.qt_no_exception_capture
def test_an_error_in_a_thread_of_its_own_is_shown_on_the_window_s_thread(
    qtbot, hooked: Path
) -> None:
    def watch_the_clock() -> None:
        raise OSError("the clock stopped")

    thread = threading.Thread(target=watch_the_clock, name="watchdog")
    thread.start()
    thread.join()
    box = box_shown(qtbot)
    assert box.text().startswith(
        "The last action stopped because of a fault in Trainer (OSError: the clock stopped)."
    )
    assert "ERROR [watchdog] trainer_app: The last action stopped unexpectedly" in read(hooked)
    assert traceback_of("watch_the_clock", hooked)
    box.close()
