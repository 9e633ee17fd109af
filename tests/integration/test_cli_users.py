"""The command line signs in: commands that change a store with accounts need ``--user`` and
the password (from TRAINER_APP_PASSWORD or a prompt), and act with that person's role."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
from trainer_app.cli import main
from trainer_app.services.importers import write_template

DEMO_PASSWORD = "gmp-demo-2026"


@pytest.fixture
def demo(demo_files: DemoFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    copy = demo_files.copy_to(tmp_path / "demo")
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(copy.data_dir))
    monkeypatch.delenv("TRAINER_APP_PASSWORD", raising=False)
    monkeypatch.delenv("TRAINER_APP_NEW_PASSWORD", raising=False)
    return copy.database


def trail(database: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT actor, action, entity_type FROM audit_entries ORDER BY id"
        ).fetchall()


def test_a_write_without_a_user_or_with_a_wrong_password_changes_nothing(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sheet = write_template("trainees", tmp_path / "trainees.csv")
    before = trail(demo)
    assert main(["import", "trainees", str(sheet), "--database", str(demo)]) == 1
    assert "say who you are with --user NAME" in capsys.readouterr().err
    # Not at a terminal and no TRAINER_APP_PASSWORD: refused rather than waiting for input.
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    args = ["import", "trainees", str(sheet), "--user", "admin", "--database", str(demo)]
    assert main(args) == 1
    assert "No password: set TRAINER_APP_PASSWORD" in capsys.readouterr().err
    assert trail(demo) == before
    monkeypatch.setenv("TRAINER_APP_PASSWORD", "not the password")
    assert main(args) == 1
    assert "The user name or the password is wrong" in capsys.readouterr().err
    # The failed sign-in is the only thing written.
    assert trail(demo)[len(before) :] == [("admin", "sign_in_refused", "user")]
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    assert main(args) == 0
    assert "Imported 2 trainees" in capsys.readouterr().out
    added = trail(demo)[len(before) + 1 :]
    assert added[0] == ("admin", "sign_in", "user")
    assert {actor for actor, _, _ in added} == {"admin"}


def test_each_role_is_held_to_its_rules_on_the_command_line(
    demo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    sheet = write_template("trainees", tmp_path / "trainees.csv")
    for user in ("auditor", "trainer"):
        args = ["import", "trainees", str(sheet), "--user", user, "--database", str(demo)]
        assert main(args) == 1
        assert "may not add trainees" in capsys.readouterr().err
    # A dry run changes nothing, so it needs no account.
    assert main(["import", "trainees", str(sheet), "--dry-run", "--database", str(demo)]) == 0
    # The auditor exports (and the export is theirs in the trail).
    record = tmp_path / "record.pdf"
    args = ["export", "record", "TR-000001", "-o", str(record), "--user", "auditor"]
    assert main([*args, "--database", str(demo)]) == 0
    assert trail(demo)[-1] == ("auditor", "create", "export")
    key = ["certificate", "rotate-key", "--user", "coordinator", "--database", str(demo)]
    assert main(key) == 1
    assert "only an administrator may manage signing keys" in capsys.readouterr().err


def test_accounts_are_managed_from_the_command_line(
    demo: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["user", "list", "--database", str(demo)]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[2] for line in listed] == [
        "administrator",
        "auditor",
        "coordinator",
        "trainer",
    ]
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("TRAINER_APP_NEW_PASSWORD", "a long new passphrase")
    add = ["user", "add", "nkem", "--full-name", "Nkemdirim Obi", "--role", "coordinator"]
    assert (
        main([*add, "--hub", "SHF", "--hub", "nope", "--user", "admin", "--database", str(demo)])
        == 1
    )
    assert "No hub nope; the hubs are" in capsys.readouterr().err
    assert main([*add, "--hub", "SHF", "--user", "coordinator", "--database", str(demo)]) == 1
    assert "only an administrator may manage user accounts" in capsys.readouterr().err
    assert main([*add, "--hub", "SHF", "--user", "admin", "--database", str(demo)]) == 0
    monkeypatch.setenv("TRAINER_APP_PASSWORD", "wrong password")
    for _ in range(5):
        assert main(["backup", "-o", "x.db", "--user", "nkem", "--database", str(demo)]) == 1
    assert "locked for 15 minutes" in capsys.readouterr().err
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    assert main(["user", "unlock", "nkem", "--user", "admin", "--database", str(demo)]) == 0
    assert main(["user", "deactivate", "nkem", "--user", "admin", "--database", str(demo)]) == 0
    assert "nkem\tNkemdirim Obi\tcoordinator\tSHF\tinactive" in _listing(demo, capsys)


def _listing(demo: Path, capsys: pytest.CaptureFixture[str]) -> str:
    capsys.readouterr()
    assert main(["user", "list", "--database", str(demo)]) == 0
    return capsys.readouterr().out


def test_a_new_store_gets_its_first_administrator_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(tmp_path / "data"))
    database = tmp_path / "new.db"
    assert main(["db", "init", "--database", str(database)]) == 0
    monkeypatch.setenv("TRAINER_APP_NEW_PASSWORD", "first admin passphrase")
    add = ["user", "add", "ops", "--full-name", "Ops Lead", "--database", str(database)]
    assert main([*add, "--role", "auditor"]) == 1
    assert "The first account must be an administrator" in capsys.readouterr().err
    assert main([*add, "--role", "administrator"]) == 0
    assert "the store's first account" in capsys.readouterr().out
    assert trail(database)[-1] == ("ops", "create", "user")
