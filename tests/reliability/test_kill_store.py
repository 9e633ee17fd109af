"""A writer killed with SIGKILL at a random moment (power cut, OOM killer, kill -9): afterwards
the store either opens and checks clean, or keeps its old schema and upgrades on the next run, or
is refused with a sentence and left untouched. Never a half-written store taken silently.

Five kills by default; TRAINER_APP_KILLS=50 for the long form (docs/reliability.md)."""

from __future__ import annotations

import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from subprocess import Popen

import pytest

from tests.helpers import damage
from tests.helpers.demo import DemoFiles
from trainer_app.persistence.db import alembic_config

ROUNDS = int(os.environ.get("TRAINER_APP_KILLS", "5"))
OLDER = "0003"
DEMO_TRAINEES = 40

pytestmark = pytest.mark.slow


def cli(*args: str) -> list[str]:
    return [sys.executable, "-m", "trainer_app", *args]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cli(*args), capture_output=True, text=True, check=False, timeout=120)


@pytest.fixture(scope="module")
def older_store(demo_files: DemoFiles, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo store taken back to schema 0003 (before certificates), as an older
    trainer-app left it."""
    from alembic import command
    from sqlalchemy import create_engine

    path = tmp_path_factory.mktemp("older") / "trainer.db"
    shutil.copyfile(demo_files.database, path)
    url = f"sqlite:///{path}"
    config = alembic_config(url)
    engine = create_engine(url)  # foreign keys off: the certificates refer to one another
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, OLDER)
    engine.dispose()
    return path


def trainees(path: Path) -> int:
    raw = sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True)
    (count,) = raw.execute("SELECT count(*) FROM trainees").fetchone()
    raw.close()
    return int(count)


def judge(path: Path, expected_trainees: int) -> str:
    """What a user meets after the kill: one of the allowed outcomes, or the test fails."""
    for backup in path.parent.glob("*.bak"):  # a backup under its name is a whole one
        raw = sqlite3.connect(f"file:{backup}?mode=ro&immutable=1", uri=True)
        assert raw.execute("PRAGMA integrity_check").fetchall() == [("ok",)], backup
        assert raw.execute("SELECT version_num FROM alembic_version").fetchall() == [(OLDER,)]
        raw.close()
    if not path.exists():
        return "no store made"
    check = run("db", "check", "--database", str(path))
    assert "Traceback" not in check.stderr, check.stderr
    if check.returncode == 0:
        outcome = "opens and checks clean"
    elif "run 'trainer-app db upgrade'" in check.stderr:
        upgrade = run("db", "upgrade", "--database", str(path))
        assert upgrade.returncode == 0, upgrade.stderr
        assert run("db", "check", "--database", str(path)).returncode == 0
        outcome = "old schema kept, upgraded on the next run"
    else:
        before = damage.folder_state(path.parent)
        again = run("certificate", "list", "--database", str(path))
        assert again.returncode == 1 and "Nothing was changed" in again.stderr, again.stderr
        assert damage.folder_state(path.parent) == before
        return "refused cleanly"
    assert trainees(path) == expected_trainees  # an upgrade keeps every row; a demo is whole
    return outcome


def start_and_wait_for_first_write(command: list[str], folder: Path) -> tuple[Popen, float]:
    """Start the writer; return once it has made its first file in ``folder`` (a -wal, a
    backup, a new store being built), with the time that took."""
    present = set(folder.iterdir())
    started = time.monotonic()
    writer = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while set(folder.iterdir()) == present and writer.poll() is None:
        time.sleep(0.001)
    return writer, time.monotonic() - started


def test_a_writer_killed_at_random_moments_never_leaves_a_half_written_store(
    older_store: Path, tmp_path: Path
) -> None:
    rng = random.Random(int(os.environ.get("TRAINER_APP_KILL_SEED", "2027")))
    expected = trainees(older_store)
    writers = {
        "db upgrade": lambda path: cli("db", "upgrade", "--database", str(path)),
        "demo": lambda path: cli("demo", "--database", str(path), "--trainees", str(DEMO_TRAINEES)),
    }

    def folder_for(name: str, label: str) -> Path:
        path = tmp_path / label / "trainer.db"
        path.parent.mkdir()
        if name == "db upgrade":
            shutil.copyfile(older_store, path)
        return path

    writing = {}  # how long each writes to the folder when left alone
    for name, command in writers.items():
        path = folder_for(name, name.replace(" ", "-"))
        writer, _ = start_and_wait_for_first_write(command(path), path.parent)
        started = time.monotonic()
        assert writer.wait(timeout=120) == 0
        writing[name] = time.monotonic() - started
        assert run("db", "check", "--database", str(path)).returncode == 0
    outcomes: Counter[str] = Counter()
    for round_ in range(ROUNDS):
        name = "demo" if round_ % 5 == 4 else "db upgrade"
        path = folder_for(name, f"round-{round_}")
        writer, _ = start_and_wait_for_first_write(writers[name](path), path.parent)
        time.sleep(rng.uniform(0, 1) * writing[name])  # a moment while it writes
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        outcome = judge(path, expected if name == "db upgrade" else DEMO_TRAINEES)
        outcomes[f"{name}: {outcome}"] += 1
    print(f"\n{ROUNDS} kills: {dict(outcomes)}; writing took {writing}")
    assert sum(outcomes.values()) == ROUNDS
