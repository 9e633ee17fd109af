"""Start the desktop GUI: application object, fonts, style, error reporting, main window."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from pathlib import Path
from types import TracebackType

os.environ.setdefault("QT_API", "pyside6")

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication, QMessageBox, QStyleFactory

from trainer_app import APP_NAME, APP_TITLE
from trainer_app.domain.errors import DomainError
from trainer_app.services.context import ServiceContext
from trainer_app.ui.fonts import apply_application_font, register_fonts
from trainer_app.ui.main_window import MainWindow
from trainer_app.ui.palette import application_palette, is_dark

ERROR_LOG = "trainer-app-errors.log"


def run_gui(context: ServiceContext, argv: list[str]) -> int:
    """Show the main window on ``context`` and run until the user quits."""
    app = prepare_application(argv)
    install_excepthook(context.settings.data_dir / ERROR_LOG)
    window = create_main_window(context)
    window.show()
    return app.exec()


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


def install_excepthook(log_file: Path) -> None:
    """Unexpected errors: plain words on screen, the traceback in a log file."""

    def show(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        logger = logging.getLogger("trainer_app.ui")
        if not logger.handlers:
            logger.addHandler(logging.FileHandler(log_file, encoding="utf-8"))
        logger.error("".join(traceback.format_exception(kind, error, tb)))
        if isinstance(error, DomainError):
            text = str(error)
        else:
            text = (
                f"Something went wrong that Trainer did not expect ({kind.__name__}: {error}).\n\n"
                "Your saved data is safe; the last change may not have been saved. "
                f"Details for support were written to {log_file}."
            )
        QMessageBox.critical(None, "Trainer — unexpected problem", text)

    sys.excepthook = show
