"""Start the desktop GUI: application object, fonts, style, error reporting, main window."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import TracebackType

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QLocale, QObject, Qt, Signal
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox, QStyleFactory

from trainer_app import APP_NAME, APP_TITLE
from trainer_app.domain.errors import DomainError
from trainer_app.logs import log, set_up_error_log, unexpected
from trainer_app.services.context import ServiceContext
from trainer_app.ui.fonts import apply_application_font, register_fonts
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.palette import application_palette, is_dark
from trainer_app.ui.sign_in import DEMO_HINT, SignInDialog

LAST_ACTION = "The last action"


def run_gui(context: ServiceContext, argv: list[str], *, demo: bool = False) -> int:
    """Ask who is there (or, on a store with no account, for its administrator), then show
    the main window acting for them and run until the user quits."""
    app = prepare_application(argv)
    install_excepthook(context.settings.data_dir)
    dialog = SignInDialog(context, hint=DEMO_HINT if demo else "")
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.signed_in is None:
        return 0
    window = create_main_window(dialog.signed_in)
    window.backup_on_close = True
    window.show()
    return app.exec()


def tell_cannot_open(message: str, argv: list[str]) -> None:
    """The store was refused at start-up: say why in a window, since someone who started the
    app from a desktop icon never sees the terminal's words."""
    prepare_application(argv)
    box = QMessageBox(
        QMessageBox.Icon.Critical,
        f"{APP_TITLE} — cannot open the database",
        message,
        QMessageBox.StandardButton.Ok,
    )
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    box.exec()


def prepare_application(argv: list[str]) -> QApplication:
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setOrganizationName(APP_NAME)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    # Date editors write months as the rest of the app does (trainer_app.domain.dates), not in
    # the desktop's language: the records are English and read by inspectors.
    QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
    apply_application_font(app, register_fonts())
    app.setStyle(QStyleFactory.create("Fusion"))
    app.setPalette(application_palette(app.style().standardPalette(), dark=is_dark()))
    return app


def create_main_window(context: ServiceContext) -> MainWindow:
    """The main window on ``context``, not yet shown (for tests and the start-up benchmark)."""
    prepare_application([])
    return MainWindow(context)


class ErrorReporter(QObject):
    """Says on screen, in plain words, that something unexpected stopped, wherever it happened.

    Lives on the GUI thread; an error raised on another thread is queued to it (a message box
    may only be made there). One box at a time: errors while it is up are counted on it."""

    reported = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.box: QMessageBox | None = None
        self.more = 0
        self.reported.connect(self._show)

    def _show(self, text: str) -> None:
        if self.box is not None:
            self.more += 1
            self.box.setInformativeText(
                f"{self.more} more unexpected problem{'s' if self.more > 1 else ''} since; "
                "the error log has each."
            )
            return
        box = QMessageBox(
            QMessageBox.Icon.Critical,
            f"{APP_TITLE} — unexpected problem",
            text,
            QMessageBox.StandardButton.Ok,
            QApplication.activeWindow(),
        )
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        box.setWindowModality(Qt.WindowModality.ApplicationModal)
        box.finished.connect(self._closed)
        self.box, self.more = box, 0
        box.show()  # not exec(): no event loop of its own inside a failing slot

    def _closed(self) -> None:
        if self.box is not None:
            self.box.deleteLater()
        self.box = None


def install_excepthook(data_dir: Path) -> ErrorReporter:
    """Unexpected errors, on any thread: the traceback appended to the error log in
    ``data_dir`` (`trainer_app.logs`), plain words on screen naming the log."""
    set_up_error_log(data_dir)
    reporter = ErrorReporter(QApplication.instance())

    def show(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        if isinstance(error, DomainError):  # a refusal in words that escaped its dialog
            log.warning("A refusal reached no dialog", exc_info=(kind, error, tb))
            text = str(error)
        else:
            text = unexpected(LAST_ACTION, error.with_traceback(tb))
        reporter.reported.emit(text)

    def show_thread(args: threading.ExceptHookArgs) -> None:
        error = args.exc_value if args.exc_value is not None else args.exc_type()
        show(args.exc_type, error, args.exc_traceback)

    sys.excepthook = show
    threading.excepthook = show_thread
    return reporter
