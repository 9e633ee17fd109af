"""A monkey for the window: seeded random clicks, keys and typing on every page and dialog.

It catches what nobody thought to script. It fails on an uncaught exception (on the GUI thread
or any other), the "unexpected problem" box, a Qt warning, a line in the error log, the window
freezing, or a database that no longer passes ``db check``; it then says the seed and the last
actions, so ``scripts/monkey --seed S --actions N`` replays the run.

Blocking calls a person answers (file choosers, questions, input boxes, context menus, the
print dialog) are answered by the monkey too, at random but within reason: a file is saved in a
scratch folder, an import is offered one of a few good and broken files.

Use it from pytest (`tests/ui/test_monkey.py`) or on its own:
``python -m tests.helpers.monkey --minutes 10 [--seed S] [--actions N]``.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import sys
import tempfile
import threading
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any
from unittest import mock

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import (
    QCoreApplication,
    QDate,
    QEvent,
    QMessageLogContext,
    QPoint,
    Qt,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtGui import QAction, QDesktopServices, QKeyEvent
from PySide6.QtPrintSupport import QPrintDialog
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDialog,
    QFileDialog,
    QHeaderView,
    QInputDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPlainTextEdit,
    QTabBar,
    QWidget,
)

from trainer_app.config import Settings
from trainer_app.logs import ERROR_LOG, close_error_log, set_up_error_log
from trainer_app.services.context import ServiceContext
from trainer_app.ui.main_window import MainWindow

# What people type: every script the hubs' names come in, and what breaks naive code.
TEXTS = (
    "GOWN",
    "Zoë Ní Bhriain",
    "Łukasz Wiśniewski",
    "Ελένη Παπαδοπούλου",
    "Дмитрий Иванов",
    "李伟",
    "محمد الأحمد",
    "אורית כהן",
    "राहुल वर्मा",
    "Ali\u202eecnyB",
    "\u200b\u200b",
    "e\u0301\u0301\u0301",
    "🧬🧪",
    "'; DROP TABLE trainees; --",
    "=SUM(A1:A9)",
    "   ",
    "12",
    "-5",
    "99999999999999999999",
    "1e400",
    "TR-000001",
    "LON",
    "x" * 300,
    "%s %d {0}",
    "\\n\\t",
)
KEYS = (
    Qt.Key.Key_Return,
    Qt.Key.Key_Escape,
    Qt.Key.Key_Tab,
    Qt.Key.Key_Space,
    Qt.Key.Key_Delete,
    Qt.Key.Key_Backspace,
    Qt.Key.Key_Up,
    Qt.Key.Key_Down,
    Qt.Key.Key_Left,
    Qt.Key.Key_Right,
    Qt.Key.Key_Home,
    Qt.Key.Key_End,
    Qt.Key.Key_PageDown,
    Qt.Key.Key_P,
    Qt.Key.Key_A,
    Qt.Key.Key_L,
    Qt.Key.Key_5,
)
CTRL = Qt.KeyboardModifier.ControlModifier
SHORTCUTS = (
    (Qt.Key.Key_N, CTRL),
    (Qt.Key.Key_F, CTRL),
    (Qt.Key.Key_S, CTRL),
    (Qt.Key.Key_R, CTRL),
    (Qt.Key.Key_I, CTRL),
    (Qt.Key.Key_Z, CTRL),
    (Qt.Key.Key_Z, CTRL | Qt.KeyboardModifier.ShiftModifier),
    (Qt.Key.Key_L, CTRL),
    (Qt.Key.Key_G, CTRL),
    (Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier),
    (Qt.Key.Key_Right, Qt.KeyboardModifier.AltModifier),
    (Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier),
)
# Messages from the offscreen test platform about itself, not about the app.
PLATFORM_NOISE = (
    "This plugin does not support propagateSizeHints",
    "This plugin does not support raise()",
    "This plugin does not support grabbing the keyboard",
    "This plugin does not support setting window opacity",
)
# Would end or replace the run itself, or lock the window for good (random passwords).
NOT_FOR_THE_MONKEY = ("&Quit", "Quit", "&Open database…", "Sign &out", "&Lock")
DEMO_ACCOUNTS = ("admin", "coordinator", "trainer", "auditor")  # one is signed in per seed
SLOW_ACTION_S = 10.0  # a click that keeps the window busy this long is a freeze


class MonkeyFailure(AssertionError):
    pass


@dataclass
class Report:
    seed: int
    actions: int = 0
    problems: list[str] = field(default_factory=list)
    told: list[str] = field(default_factory=list)  # refusals and notices shown, for the record
    slowest: tuple[float, str] = (0.0, "")
    last: deque[str] = field(default_factory=lambda: deque(maxlen=30))

    def replay(self) -> str:
        steps = "\n".join(f"  {n}" for n in self.last)
        return (
            f"monkey seed {self.seed}, {self.actions} actions "
            f"(replay: scripts/monkey --seed {self.seed} --actions {self.actions})\n"
            f"last actions:\n{steps}"
        )


class Monkey:
    """Random use of ``window`` with ``seed``; `run` raises `MonkeyFailure` on a problem."""

    def __init__(self, window: MainWindow, seed: int, scratch: Path) -> None:
        self.window = window
        self.random = random.Random(seed)
        self.scratch = scratch
        self.report = Report(seed)
        self._files = _import_files(scratch)

    # ----- running ---------------------------------------------------------------------------
    def run(self, *, actions: int | None = None, seconds: float | None = None) -> Report:
        deadline = time.monotonic() + seconds if seconds is not None else None
        with self._watching(), self._answering():
            while True:
                if actions is not None and self.report.actions >= actions:
                    break
                if deadline is not None and time.monotonic() >= deadline:
                    break
                self.step()
            self._settle(1.0)
            self._close_dialogs()
            self._settle(0.5)
            self._check_problems()
        return self.report

    def step(self) -> None:
        self.report.actions += 1
        action = self._choose()
        started = time.monotonic()
        description = action()
        self.report.last.append(f"{self.report.actions}: {description}")
        QCoreApplication.processEvents()
        took = time.monotonic() - started
        if took > self.report.slowest[0]:
            self.report.slowest = (took, description)
        if took > SLOW_ACTION_S:
            self.report.problems.append(f"the window was busy {took:.1f} s after: {description}")
        self._check_problems()

    def check_store(self, context: ServiceContext) -> None:
        problems = context.check()
        if problems:
            self.report.problems.extend(f"db check: {p}" for p in problems)
            self._check_problems()

    def _check_problems(self) -> None:
        log = self.window.context.settings.data_dir / ERROR_LOG
        if log.exists() and log.stat().st_size:
            self.report.problems.append("the error log: " + log.read_text(encoding="utf-8"))
            log.write_text("", encoding="utf-8")
        if self.report.problems:
            problems = "\n\n".join(self.report.problems)
            raise MonkeyFailure(f"{problems}\n\n{self.report.replay()}")

    # ----- choosing what to do ---------------------------------------------------------------
    def _choose(self) -> Callable[[], str]:
        dialog = self._top_dialog()
        weighted: list[tuple[int, Callable[[], str]]] = [
            (20, self.click_button),
            (20, self.click_row),
            (4, self.double_click_row),
            (16, self.type_text),
            (12, self.press_key),
            (5, self.press_shortcut),
            (7, self.choose_in_combo),
            (4, self.toggle_check),
            (3, self.switch_tab),
            (3, self.wait_for_work),
        ]
        if dialog is None:
            weighted += [(9, self.switch_page), (2, self.trigger_menu_action)]
        else:
            weighted += [(5, self.close_dialog)]
        total = sum(w for w, _ in weighted)
        pick = self.random.uniform(0, total)
        for weight, action in weighted:
            pick -= weight
            if pick <= 0:
                return action
        return weighted[-1][1]

    def _top_dialog(self) -> QDialog | None:
        shown = [w for w in QApplication.topLevelWidgets() if isinstance(w, QDialog)]
        shown = [w for w in shown if w.isVisible()]
        return shown[-1] if shown else None

    def _surface(self) -> QWidget:
        return self._top_dialog() or self.window

    def _widgets(self, kind: type[Any]) -> list[Any]:
        surface = self._surface()
        found = [w for w in surface.findChildren(kind) if _usable(w)]
        if isinstance(surface, kind) and _usable(surface):
            found.append(surface)
        return found

    @staticmethod
    def _name(widget: QWidget) -> str:
        text = widget.text() if isinstance(widget, QAbstractButton) else ""
        name = widget.accessibleName() or text or type(widget).__name__
        where = widget.window().windowTitle() or "window"
        return f"{name!r} in {where!r}"

    # ----- actions ---------------------------------------------------------------------------
    def click_button(self) -> str:
        buttons = [
            b
            for b in self._widgets(QAbstractButton)
            if not isinstance(b, QCheckBox) and b.text() not in NOT_FOR_THE_MONKEY
        ]
        if not buttons:
            return self.press_key()
        button = self.random.choice(buttons)
        description = f"click {self._name(button)}"
        _click(button)
        return description

    def _views(self) -> list[QAbstractItemView]:
        return [
            v
            for v in self._widgets(QAbstractItemView)
            if v.model() is not None and not isinstance(v, QHeaderView)
        ]

    def _random_index(self, view: QAbstractItemView) -> Any:
        model = view.model()
        rows = model.rowCount(view.rootIndex())
        try:
            columns = model.columnCount(view.rootIndex())
        except TypeError:  # a list model keeps columnCount to itself: it has one
            columns = 1
        if not rows or not columns:
            return None
        return model.index(
            self.random.randrange(min(rows, 400)), self.random.randrange(columns), view.rootIndex()
        )

    def click_row(self, *, double: bool = False) -> str:
        views = self._views()
        if not views:
            return self.press_key()
        view = self.random.choice(views)
        index = self._random_index(view)
        if index is None:
            return f"nothing to click in {self._name(view)}"
        view.scrollTo(index)
        rect = view.visualRect(index)
        if not rect.isValid() or not view.viewport().rect().intersects(rect):
            return f"row {index.row()} of {self._name(view)} is out of view"
        center = rect.center()
        description = f"{'double-' if double else ''}click row {index.row()}, column "
        description += f"{index.column()} of {self._name(view)}"
        QTest.mouseMove(view.viewport(), center)
        if double:
            QTest.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
        else:
            QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
        return description

    def double_click_row(self) -> str:
        return self.click_row(double=True)

    def type_text(self) -> str:
        fields = [
            f
            for f in self._widgets(QLineEdit) + self._widgets(QPlainTextEdit)
            if not (isinstance(f, QLineEdit) and f.isReadOnly())
        ] + self._widgets(QAbstractSpinBox)
        if not fields:
            return self.press_key()
        target = self.random.choice(fields)
        text = self.random.choice(TEXTS)
        if isinstance(target, QAbstractSpinBox) and self.random.random() < 0.7:
            text = self.random.choice(("0", "1", "7", "40", "250", "999999", "-3", "3.5"))
        description = f"type {text[:30]!r} into {self._name(target)}"
        _click(target)
        if self.random.random() < 0.6:  # replace what is there
            QTest.keyClick(target, Qt.Key.Key_A, CTRL)
            QTest.keyClick(target, Qt.Key.Key_Delete)
        _type(target, text)
        if isinstance(target, QDateEdit) and self.random.random() < 0.3:
            target.setDate(QDate(2027, 1, 1).addDays(self.random.randrange(-400, 400)))
        return description

    def press_key(self) -> str:
        focus = QApplication.focusWidget() or self._surface()
        key = self.random.choice(KEYS)
        QTest.keyClick(focus, key)
        return f"press {key.name} on {self._name(focus)}"

    def press_shortcut(self) -> str:
        focus = QApplication.focusWidget() or self._surface()
        key, modifiers = self.random.choice(SHORTCUTS)
        QTest.keyClick(focus, key, modifiers)
        return f"press {modifiers!r}+{key.name} on {self._name(focus)}"

    def choose_in_combo(self) -> str:
        combos = [c for c in self._widgets(QComboBox) if c.count()]
        if not combos:
            return self.press_key()
        combo = self.random.choice(combos)
        index = self.random.randrange(combo.count())
        _click(combo)  # a person opens it, then picks
        combo.hidePopup()
        combo.setCurrentIndex(index)
        combo.activated.emit(index)
        return f"choose {combo.itemText(index)!r} in {self._name(combo)}"

    def toggle_check(self) -> str:
        boxes = self._widgets(QCheckBox)
        if not boxes:
            return self.press_key()
        box = self.random.choice(boxes)
        _click(box)
        return f"tick/untick {self._name(box)}"

    def switch_tab(self) -> str:
        bars = [b for b in self._widgets(QTabBar) if b.count() > 1]
        if not bars:
            return self.press_key()
        bar = self.random.choice(bars)
        index = self.random.randrange(bar.count())
        _click(bar, bar.tabRect(index).center())
        return f"tab {bar.tabText(index)!r}"

    def switch_page(self) -> str:
        navigation = self.window.navigation
        row = self.random.randrange(navigation.count())
        rect = navigation.visualItemRect(navigation.item(row))
        _click(navigation.viewport(), rect.center())
        return f"page {navigation.item(row).text()!r}"

    def trigger_menu_action(self) -> str:
        actions = [
            a
            for a in self.window.findChildren(QAction)
            if a.isEnabled() and a.text() and a.text() not in NOT_FOR_THE_MONKEY
        ]
        action = self.random.choice(actions)
        action.trigger()
        return f"menu {action.text()!r}"

    def close_dialog(self) -> str:
        dialog = self._top_dialog()
        if dialog is None:
            return self.press_key()
        if self.random.random() < 0.5:
            QTest.keyClick(dialog, Qt.Key.Key_Escape)
            return f"Escape on {dialog.windowTitle()!r}"
        dialog.close()
        return f"close {dialog.windowTitle()!r}"

    def wait_for_work(self) -> str:
        self._settle(self.random.uniform(0.05, 0.5))
        return "wait for the window"

    # ----- answering what would block --------------------------------------------------------
    @contextmanager
    def _answering(self) -> Iterator[None]:
        hand = self.random

        def save_path(*_: Any, **__: Any) -> tuple[str, str]:
            if hand.random() < 0.3:
                return "", ""
            suffix = hand.choice((".pdf", ".csv", ".xlsx", ".ics", ""))
            return str(self.scratch / f"saved-{hand.randrange(10**6)}{suffix}"), ""

        def open_path(*_: Any, **__: Any) -> tuple[str, str]:
            if hand.random() < 0.3:
                return "", ""
            return str(hand.choice(self._files)), ""

        def folder(*_: Any, **__: Any) -> str:
            if hand.random() < 0.3:
                return ""
            path = self.scratch / f"folder-{hand.randrange(10**6)}"
            path.mkdir(exist_ok=True)
            return str(path)

        def question(*_: Any, **__: Any) -> QMessageBox.StandardButton:
            return hand.choice((QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.Cancel))

        def tell(_parent: Any, title: str, text: str, *_: Any, **__: Any) -> Any:
            self.report.told.append(f"{title}: {text}")
            return QMessageBox.StandardButton.Ok

        def alarm(_parent: Any, title: str, text: str, *_: Any, **__: Any) -> Any:
            self.report.problems.append(f"error box {title!r}: {text}")
            return QMessageBox.StandardButton.Ok

        def text(*_: Any, **__: Any) -> tuple[str, bool]:
            return hand.choice(TEXTS), hand.random() < 0.7

        def item(_parent: Any, _title: str, _label: str, items: list[str], *_: Any) -> Any:
            return (hand.choice(items), True) if items else ("", False)

        def modal(dialog: QDialog) -> int:
            """A dialog run modally: the monkey goes on using it until it closes."""
            dialog.open()
            for _ in range(40):
                if not dialog.isVisible():
                    break
                self.step()
            if dialog.isVisible():
                dialog.reject()
            return int(dialog.result())

        def menu(self_menu: QMenu, *_: Any, **__: Any) -> QAction | None:
            actions = [a for a in self_menu.actions() if a.isEnabled() and not a.isSeparator()]
            return hand.choice([*actions, None]) if actions else None

        patches = [
            (QFileDialog, "getSaveFileName", staticmethod(save_path)),
            (QFileDialog, "getOpenFileName", staticmethod(open_path)),
            (QFileDialog, "getExistingDirectory", staticmethod(folder)),
            (QMessageBox, "question", staticmethod(question)),
            (QMessageBox, "warning", staticmethod(tell)),
            (QMessageBox, "information", staticmethod(tell)),
            (QMessageBox, "about", staticmethod(tell)),
            (QMessageBox, "critical", staticmethod(alarm)),
            (QInputDialog, "getText", staticmethod(text)),
            (QInputDialog, "getItem", staticmethod(item)),
            (QMenu, "exec", menu),
            (QDialog, "exec", modal),
            (QPrintDialog, "exec", lambda _self: int(QDialog.DialogCode.Rejected)),
            (QDesktopServices, "openUrl", staticmethod(lambda _url: True)),
        ]
        with ExitStack() as stack:
            for owner, name, replacement in patches:
                stack.enter_context(mock.patch.object(owner, name, replacement))
            yield

    # ----- watching for problems -------------------------------------------------------------
    @contextmanager
    def _watching(self) -> Iterator[None]:
        problems = self.report.problems

        def on_exception(
            kind: type[BaseException], error: BaseException, tb: TracebackType | None
        ) -> None:
            problems.append("".join(traceback.format_exception(kind, error, tb)))

        def on_thread_exception(args: threading.ExceptHookArgs) -> None:
            problems.append(
                f"in thread {args.thread.name if args.thread else '?'}:\n"
                + "".join(
                    traceback.format_exception(args.exc_type, args.exc_value, args.exc_traceback)
                )
            )

        def on_message(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
            if previous is not None:
                previous(kind, context, message)
            if kind in (QtMsgType.QtDebugMsg, QtMsgType.QtInfoMsg):
                return
            if any(noise in message for noise in PLATFORM_NOISE):
                return
            problems.append(f"Qt {kind.name}: {message}")

        hooks = (sys.excepthook, threading.excepthook)
        sys.excepthook, threading.excepthook = on_exception, on_thread_exception
        previous = qInstallMessageHandler(on_message)
        # Faults in background work are told in words (a notice the monkey answers) and
        # written to the error log as the window does at start, where _check_problems finds them.
        set_up_error_log(self.window.context.settings.data_dir)
        try:
            yield
        finally:
            close_error_log()
            qInstallMessageHandler(previous)
            sys.excepthook, threading.excepthook = hooks

    # ----- tidying up ------------------------------------------------------------------------
    def _settle(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            QCoreApplication.processEvents()
            time.sleep(0.01)

    def _close_dialogs(self) -> None:
        for _ in range(10):
            dialog = self._top_dialog()
            if dialog is None:
                return
            dialog.reject()
            self._settle(0.05)


def _usable(widget: QWidget) -> bool:
    return widget.isVisible() and widget.isEnabled() and widget.width() > 0


def _click(widget: QWidget, pos: QPoint | None = None) -> None:
    """A real click lands on the innermost widget under the pointer."""
    pos = pos or (
        QPoint(8, widget.height() // 2)
        if isinstance(widget, QAbstractSpinBox)
        else widget.rect().center()
    )
    target = widget.childAt(pos) or widget
    pos = target.mapFrom(widget, pos)
    QTest.mouseMove(target, pos)
    QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)


def _type(widget: QWidget, text: str) -> None:
    for char in text:
        target = QApplication.focusWidget() or widget
        if " " <= char <= "~":
            QTest.keyClick(target, char)
            continue
        for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
            QApplication.sendEvent(
                target, QKeyEvent(kind, Qt.Key.Key_unknown, Qt.KeyboardModifier.NoModifier, char)
            )


def _import_files(folder: Path) -> list[Path]:
    """Files the monkey offers when asked to open one: good, odd and broken."""
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        "trainees.csv": "name,reference,hub\nZoë Adams,TR-900001,LON\n",
        "empty.csv": "",
        "binary.csv": "\x00\x01\x02PK\x03\x04",
        "latin1.csv": "name,reference\nJos\xe9,TR-1\n",
        "wrong.pdf": "%PDF-1.4 not really",
        "huge-number.csv": "name,reference,hub\nA,TR-1," + "9" * 500 + "\n",
    }
    paths = []
    for name, content in files.items():
        path = folder / name
        path.write_text(content, encoding="latin-1" if "latin1" in name else "utf-8")
        paths.append(path)
    return paths


# ----- on its own: scripts/monkey ------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Random use of the window on a demo database.")
    parser.add_argument("--minutes", type=float, default=1.0, help="how long (each seed)")
    parser.add_argument("--seed", type=int, help="one seed (default: several, at random)")
    parser.add_argument("--actions", type=int, help="stop after this many actions (replay)")
    parser.add_argument("--seeds", type=int, default=1, help="how many seeds to run in turn")
    args = parser.parse_args(argv)
    from trainer_app.services.demo import build_demo
    from trainer_app.ui.app import create_main_window, prepare_application

    prepare_application([])
    scratch = Path(tempfile.mkdtemp(prefix="trainer-monkey-"))
    template = scratch / "template.db"
    with ServiceContext.open(_settings(template, scratch / "template-data")) as context:
        build_demo(context)
    seeds = [args.seed] if args.seed is not None else [random.randrange(10**6)]
    while len(seeds) < args.seeds:
        seeds.append(random.randrange(10**6))
    failed = 0
    for seed in seeds:
        folder = scratch / f"seed-{seed}"
        folder.mkdir()
        shutil.copyfile(template, folder / "demo.db")
        shutil.copytree(scratch / "template-data" / "keys", folder / "data" / "keys")
        with ServiceContext.open(_settings(folder / "demo.db", folder / "data")) as context:
            who = random.Random(seed).choice(DEMO_ACCOUNTS)
            print(f"seed {seed}: signed in as {who}")
            window = create_main_window(
                context.signed_in(context.users.sign_in(who, "gmp-demo-2026"))
            )
            window.setWindowState(Qt.WindowState.WindowNoState)
            window.resize(1366, 768)
            window.show()
            monkey = Monkey(window, seed, folder / "files")
            started = time.monotonic()
            try:
                report = monkey.run(
                    actions=args.actions, seconds=None if args.actions else args.minutes * 60
                )
                monkey.check_store(context)
            except MonkeyFailure as failure:
                failed += 1
                print(f"FAILED\n{failure}", file=sys.stderr)
            else:
                took = time.monotonic() - started
                print(
                    f"seed {seed}: {report.actions} actions in {took:.0f} s, no problem; "
                    f"{len(report.told)} refusals or notices shown; slowest action "
                    f"{report.slowest[0]:.2f} s ({report.slowest[1]})"
                )
            finally:
                window.close()
                monkey._settle(0.5)
    shutil.rmtree(scratch, ignore_errors=True)
    return 1 if failed else 0


def _settings(database: Path, data: Path) -> Settings:
    data.mkdir(parents=True, exist_ok=True)
    return Settings.resolve(database, environ={"TRAINER_APP_DATA_DIR": str(data)})


if __name__ == "__main__":
    raise SystemExit(main())
