"""The headless commands: exit codes, messages on stderr, nothing written on failure."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
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


# ----- which store, help, pipes ----------------------------------------------------------------


@pytest.fixture
def own_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh installation: an empty user data folder, no database URL set."""
    folder = tmp_path / "user-data"
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(folder))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    return folder


def test_demo_help_says_the_database_is_required_and_shows_no_default(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as done:
        main(["demo", "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    database = text[text.index("--database PATH the") :]
    assert database.startswith("--database PATH the SQLite file to write; it must not exist yet")
    assert "default" not in database.split("--seed")[0]


def test_without_database_commands_use_your_own_database_created_on_first_use(
    own_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a fresh installation the documented commands work on your own database, the one the
    window opens, as the window would: created when first needed."""
    assert main(["certificate", "list"]) == 0
    assert capsys.readouterr().out == "0 certificates\n"
    assert (own_data / "trainer.db").exists()
    printed = tmp_path / "printed"
    assert main(["certificate", "issue", "--all-eligible", "-o", str(printed)]) == 0
    assert "No completion is waiting for a certificate" in capsys.readouterr().out


def test_a_database_named_must_exist_and_is_never_created(
    own_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "hbu.db"
    assert main(["certificate", "list", "--database", str(typo)]) == 1
    assert capsys.readouterr().err.strip() == f"trainer-app: There is no database at {typo}"
    assert not typo.exists()


def test_a_reader_that_stops_reading_ends_the_command_quietly(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    """`trainer-app certificate list | head`: the reader goes away; no traceback, and the exit
    status of a Unix tool stopped by SIGPIPE."""
    demo = demo_files.copy_to(tmp_path / "demo")
    command = [sys.executable, "-m", "trainer_app", "certificate", "list"]
    child = subprocess.Popen(
        [*command, "--database", str(demo.database)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "TRAINER_APP_DATA_DIR": str(demo.data_dir)},
    )
    assert child.stdout is not None and child.stderr is not None
    child.stdout.close()  # before the command has written a line
    said = child.stderr.read().decode()
    child.stderr.close()
    assert child.wait(timeout=60) == 141
    assert said == ""


# ----- certificates on the demo database -------------------------------------------------------


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DemoFiles:
    """A copy of the demo; its data folder (with the signing key) is this installation's."""
    copy = demo_files.copy_to(tmp_path / "demo")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(copy.data_dir))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    return copy


def test_a_reprint_is_the_issued_file_byte_for_byte(
    demo: DemoFiles,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.helpers.pdf import rendered, scanned
    from trainer_app.certificates.render import read_embedded_payload

    database = ["--database", str(demo.database)]
    printed = tmp_path / "printed"
    monkeypatch.setenv("TRAINER_APP_PASSWORD", "gmp-demo-2026")  # the demo administrator's
    issue = ["certificate", "issue", "--all-eligible", "-o", str(printed), "--user", "admin"]
    assert main([*issue, *database]) == 0
    issued = sorted(printed.glob("*-*.pdf"))[0]
    copies = [tmp_path / "copy-1.pdf", tmp_path / "copy-2.pdf"]
    for copy in copies:
        reprint = ["certificate", "reprint", issued.stem, "-o", str(copy), *database]
        assert main(reprint) == 0
    assert copies[0].read_bytes() == issued.read_bytes()
    assert copies[1].read_bytes() == issued.read_bytes()
    capsys.readouterr()

    assert main(["certificate", "verify", str(copies[1]), *database]) == 0
    assert capsys.readouterr().out.startswith(f"valid: {issued.stem}")
    assert scanned(rendered(copies[1], 150)) == read_embedded_payload(issued)


def test_a_certificate_issued_long_ago_reprints_identically(
    demo: DemoFiles, tmp_path: Path
) -> None:
    database = ["--database", str(demo.database)]
    first, second = tmp_path / "first.pdf", tmp_path / "second.pdf"
    assert main(["certificate", "reprint", "LON-2026-000007-7", "-o", str(first), *database]) == 0
    assert main(["certificate", "reprint", "lon-2026-000007-7", "-o", str(second), *database]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_a_scanned_code_is_checked_with_this_installations_key_where_there_is_no_database(
    demo: DemoFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from trainer_app.certificates.render import read_embedded_payload

    copy = tmp_path / "copy.pdf"
    reprint = ["certificate", "reprint", "LON-2026-000007-7", "-o", str(copy)]
    assert main([*reprint, "--database", str(demo.database)]) == 0
    capsys.readouterr()
    code = read_embedded_payload(copy)
    no_database = demo.data_dir / "trainer.db"  # the user's own: none on this machine

    assert main(["certificate", "verify", "--payload", code]) == 0
    said = capsys.readouterr().out.splitlines()
    assert said[0].startswith("valid: LON-2026-000007-7 · Niamh Ní Bhriain · GMP-FUND 3.2")
    assert said[1] == (
        "Genuine: signed by this installation's key. Revocation was not checked: there is no "
        f"database at {no_database} (give it with --database to check that too)."
    )
    assert main(["certificate", "verify", str(copy)]) == 0
    capsys.readouterr()
    forged = code[:-5] + ("A" if code[-5] != "A" else "B") + code[-4:]
    assert main(["certificate", "verify", "--payload", forged]) == 1
    assert capsys.readouterr().out.startswith(("tampered", "malformed"))
    assert not no_database.exists()


def test_with_no_database_and_no_key_verify_says_what_to_give(
    demo: DemoFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    from trainer_app.certificates.render import read_embedded_payload

    copy = tmp_path / "copy.pdf"
    reprint = ["certificate", "reprint", "LON-2026-000007-7", "-o", str(copy)]
    assert main([*reprint, "--database", str(demo.database)]) == 0
    elsewhere = tmp_path / "another-machine"
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(elsewhere))
    capsys.readouterr()

    assert main(["certificate", "verify", "--payload", read_embedded_payload(copy)]) == 1
    assert capsys.readouterr().err.strip() == (
        f"trainer-app: There is no database at {elsewhere / 'trainer.db'} and this installation "
        "has no signing key to check against: give the database with --database, or the "
        "issuer's public key with --key PUBLIC.pem"
    )
    assert not elsewhere.exists()


def test_rules_lists_every_rule_and_cost_term(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    assert "  trainer_clash         A trainer teaches one session at a time." in out
    assert "  facility_changes      weight 1, per distinct facility beyond the first" in out
    assert "  late_finish           weight 0, per session ending in the last period" in out
    assert out.count("\n") == 2 + 21 + 8 + 1
