"""The error log: every unexpected error, with its full traceback, in one file in the data folder.

`set_up_error_log` is called once when the window starts; from then on anything logged at
warning level or above under the ``trainer_app`` logger is appended to
``trainer-app-errors.log`` with the time, the thread and the whole traceback. The file is kept
small by rotation (the older part moves to ``….log.1``, ``….log.2``, …); nothing is ever
truncated to its first line. `unexpected` writes one such entry for work that stopped and returns
the words to show the user: what stopped and where the details are.

Plain standard-library logging, so that every layer may log; only the window sets it up.
"""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler
from pathlib import Path

from trainer_app import __version__

ERROR_LOG = "trainer-app-errors.log"
LOGGER = "trainer_app"
MAX_BYTES = 1_000_000  # then the log rotates: a few hundred tracebacks each
BACKUPS = 3
REASON_CHARS = 200  # of the error's own words on screen
FORMAT = "%(asctime)s %(levelname)s [%(threadName)s] %(name)s: %(message)s"

log = logging.getLogger(LOGGER)


class _ErrorLog(RotatingFileHandler):
    """Our handler, told apart from any other a host program attached."""


def set_up_error_log(data_dir: Path) -> Path:
    """Append warnings and errors of the app to the error log in ``data_dir``; returns its path.

    Once is enough: set up again for the same folder it changes nothing (no line is written
    twice); for another folder the log moves there. The file is created at the first entry."""
    path = (data_dir / ERROR_LOG).absolute()
    for handler in list(log.handlers):
        if isinstance(handler, _ErrorLog):
            if Path(handler.baseFilename) == path:
                return path
            log.removeHandler(handler)
            handler.close()
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = _ErrorLog(path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True)
    handler.setLevel(logging.WARNING)
    handler.setFormatter(logging.Formatter(FORMAT))
    log.addHandler(handler)
    if log.getEffectiveLevel() > logging.WARNING:
        log.setLevel(logging.WARNING)
    return path


def error_log() -> Path | None:
    """The file errors are written to, if the log is set up."""
    for handler in log.handlers:
        if isinstance(handler, _ErrorLog):
            return Path(handler.baseFilename)
    return None


def close_error_log() -> None:
    """Detach the error log (tests, or a host program that is done with the app)."""
    for handler in list(log.handlers):
        if isinstance(handler, _ErrorLog):
            log.removeHandler(handler)
            handler.close()


def unexpected(what: str, error: BaseException) -> str:
    """Log ``error`` with its traceback as a fault in ``what`` ("The planner"); the words for
    the user: what stopped, and where the details were written."""
    log.error("%s stopped unexpectedly (trainer-app %s)", what, __version__, exc_info=error)
    said = str(error).strip().splitlines()[0] if str(error).strip() else ""
    if len(said) > REASON_CHARS:  # the log has all of it
        said = said[: REASON_CHARS - 1] + "…"
    reason = f"{type(error).__name__}: {said}" if said else type(error).__name__
    words = f"{what} stopped because of a fault in Trainer ({reason}). Your saved data is safe."
    where = error_log()
    return words if where is None else f"{words} The details were written to {where}."
