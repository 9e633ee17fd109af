"""The headless commands: exit codes, messages on stderr, nothing written on failure."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from trainer_app import __version__
from trainer_app.cli import main
from trainer_app.persistence.db import SCHEMA_HEAD


def test_version_via_python_dash_m() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "trainer_app", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert result.stdout.strip() == f"trainer-app {__version__}"


def test_demo_builds_a_database_that_checks_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo", "--database", str(path), "--trainees", "40"]) == 0
    assert "Demo database written to" in capsys.readouterr().out
    assert main(["db", "check", "--database", str(path)]) == 0
    assert f": OK (schema {SCHEMA_HEAD}" in capsys.readouterr().out


def test_demo_refuses_to_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "taken.db"
    path.write_bytes(b"")
    assert main(["demo", "--database", str(path)]) == 1
    assert "already exists" in capsys.readouterr().err
    assert path.read_bytes() == b""


def test_db_check_on_a_missing_file_fails_without_creating_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "missing.db"
    assert main(["db", "check", "--database", str(path)]) == 1
    assert capsys.readouterr().err.strip() == f"trainer-app: There is no database at {path}"
    assert not path.exists()


def test_db_check_reports_broken_rules(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "t.db"
    assert main(["db", "upgrade", "--database", str(path)]) == 1  # upgrade never creates
    capsys.readouterr()
    from trainer_app.config import Settings
    from trainer_app.services.context import ServiceContext

    ServiceContext.open(Settings.resolve(path, environ={})).close()
    with sqlite3.connect(path) as raw:  # an orphan written behind the app's back
        raw.execute("PRAGMA foreign_keys = OFF")
        raw.execute("INSERT INTO trainer_qualifications (trainer_id, course_id) VALUES (41, 42)")
    assert main(["db", "check", "--database", str(path)]) == 1
    err = capsys.readouterr().err
    assert "problem(s) found" in err and "refers to a missing row of" in err


def test_db_upgrade_on_a_current_database(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "t.db"
    assert main(["demo", "--database", str(path), "--trainees", "10"]) == 0
    assert main(["db", "upgrade", "--database", str(path)]) == 0
    assert f"is up to date (schema {SCHEMA_HEAD})" in capsys.readouterr().out


def test_corrupt_database_message_on_stderr(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "corrupt.db"
    path.write_text("not a database")
    assert main(["db", "check", "--database", str(path)]) == 1
    assert "is not a trainer-app database" in capsys.readouterr().err


def test_a_failed_demo_build_leaves_no_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    assert main(["demo", "--database", str(path), "--trainees", "-5"]) == 1
    assert "trainees" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
