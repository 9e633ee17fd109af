"""The error log: full tracebacks appended with a time and the thread, set up once."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from trainer_app import logs


@pytest.fixture
def error_log(data_dir: Path) -> Iterator[Path]:
    path = logs.set_up_error_log(data_dir)
    yield path
    logs.close_error_log()


def divide_the_hours_by_nobody() -> float:
    hours = 12
    return hours / 0


def failed_message() -> str:
    try:
        divide_the_hours_by_nobody()
    except ZeroDivisionError as error:
        return logs.unexpected("The planner", error)
    raise AssertionError("did not raise")


def test_an_unexpected_error_is_logged_with_its_whole_traceback(error_log: Path) -> None:
    message = failed_message()
    assert message == (
        "The planner stopped because of a fault in Trainer (ZeroDivisionError: division by zero)."
        f" Your saved data is safe. The details were written to {error_log}."
    )
    text = error_log.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert re.match(
        r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} ERROR \[MainThread\] trainer_app: "
        r"The planner stopped unexpectedly \(trainer-app \d",
        first,
    ), first
    assert "Traceback (most recent call last):" in text
    assert re.search(r'test_error_log\.py", line \d+, in divide_the_hours_by_nobody', text)
    assert "    return hours / 0" in text
    assert text.rstrip().endswith("ZeroDivisionError: division by zero")


def test_errors_are_appended_and_setting_up_twice_writes_each_once(
    data_dir: Path, error_log: Path
) -> None:
    assert logs.set_up_error_log(data_dir) == error_log  # the window started again
    failed_message()

    def in_a_thread() -> None:
        try:
            raise KeyError("trainee 42")
        except KeyError as error:
            logs.unexpected("Drawing the certificate", error)

    worker = threading.Thread(target=in_a_thread, name="certificate-preview")
    worker.start()
    worker.join()
    lines = error_log.read_text(encoding="utf-8").splitlines()
    entries = [line for line in lines if "stopped unexpectedly" in line]
    assert len(entries) == 2
    assert "ERROR [certificate-preview] trainer_app: Drawing the certificate" in entries[1]
    assert lines.count("ZeroDivisionError: division by zero") == 1
    assert lines[-1] == "KeyError: 'trainee 42'"


def test_the_app_s_own_warnings_go_to_the_log_and_its_chatter_does_not(
    error_log: Path,
) -> None:
    logging.getLogger("trainer_app.scheduling.solver").debug("step 3 of 9")
    logging.getLogger("trainer_app.services").warning("a key file is readable by others")
    logging.getLogger("some_library").error("not ours")
    (line,) = error_log.read_text(encoding="utf-8").splitlines()
    assert line.endswith(
        " WARNING [MainThread] trainer_app.services: a key file is readable by others"
    )


def test_the_log_moves_with_the_data_folder_and_is_made_only_when_needed(
    tmp_path: Path, error_log: Path
) -> None:
    assert not error_log.exists()  # nothing went wrong yet
    other = logs.set_up_error_log(tmp_path / "elsewhere")
    assert logs.error_log() == other != error_log
    failed_message()
    assert other.exists() and not error_log.exists()


def test_a_full_log_rotates_and_keeps_the_newest(
    monkeypatch: pytest.MonkeyPatch, data_dir: Path
) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 3_000)
    path = logs.set_up_error_log(data_dir)
    try:
        for _ in range(40):  # about 20 kB
            failed_message()
    finally:
        logs.close_error_log()
    rotated = sorted(data_dir.glob(f"{logs.ERROR_LOG}*"))
    assert [p.name for p in rotated] == [
        logs.ERROR_LOG,
        *(f"{logs.ERROR_LOG}.{n}" for n in range(1, logs.BACKUPS + 1)),
    ]
    assert all(p.stat().st_size <= 3_000 for p in rotated)
    assert path.read_text(encoding="utf-8").rstrip().endswith("division by zero")


def test_without_a_log_the_words_do_not_name_one() -> None:
    assert logs.error_log() is None
    assert failed_message() == (
        "The planner stopped because of a fault in Trainer (ZeroDivisionError: division by zero)."
        " Your saved data is safe."
    )


def test_on_screen_the_reason_is_one_short_line_and_the_log_has_it_all(error_log: Path) -> None:
    detail = "UPDATE certificates SET …\n" + "x" * 500
    try:
        raise RuntimeError(f"(sqlite3.OperationalError) database is locked [{'y' * 300}]\n{detail}")
    except RuntimeError as error:
        message = logs.unexpected("Issuing the certificates", error)
    reason = message.split("(", 1)[1].rsplit("). Your saved data", 1)[0]
    assert "\n" not in message and len(reason) == len("RuntimeError: ") + logs.REASON_CHARS
    assert reason.endswith("…")
    assert "x" * 500 in error_log.read_text(encoding="utf-8")
