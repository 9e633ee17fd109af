"""An import killed at a random moment (``kill -9``: no clean-up, no handler runs) leaves the
store exactly as it was or holding the whole import, and ``db check`` passes.

Runs: ``TRAINER_APP_KILLS`` (default 5 in CI; 50 for the long run in docs/reliability.md).
"""

from __future__ import annotations

import csv
import hashlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers import builders
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext

RUNS = int(os.environ.get("TRAINER_APP_KILLS", "5"))
ROWS = 4000
TABLES = ("trainees", "cohort_memberships", "audit_entries")


def contents(database: Path) -> tuple[int, str]:
    """Trainee count and a digest of every row of the tables an import writes."""
    digest = hashlib.sha256()
    with sqlite3.connect(database) as db:
        for table in TABLES:
            for row in db.execute(f"SELECT * FROM {table} ORDER BY rowid"):
                digest.update(repr(row).encode())
        (count,) = db.execute("SELECT count(*) FROM trainees").fetchone()
    return count, digest.hexdigest()


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="kill -9 is a POSIX signal")
def test_an_import_killed_at_any_moment_is_all_or_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pristine = tmp_path / "pristine.db"
    data_dir = tmp_path / "data"
    settings = Settings.resolve(pristine, environ={"TRAINER_APP_DATA_DIR": str(data_dir)})
    with ServiceContext.open(settings) as ctx:
        builders.hub(ctx, "LON", "London")
        builders.cohort(ctx, "MSc Cell & Gene Therapy 2027")
    source = tmp_path / "trainees.csv"
    with source.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["reference", "name", "hub", "email", "cohorts"])
        out.writerows(
            ["", f"Trainee {n}", "LON", f"t{n}@example.org", "MSc Cell & Gene Therapy 2027"]
            for n in range(ROWS)
        )
    before = contents(pristine)
    env = {**os.environ, "TRAINER_APP_DATA_DIR": str(data_dir)}

    def start(database: Path) -> subprocess.Popen[bytes]:
        command = [sys.executable, "-m", "trainer_app", "import", "trainees", str(source)]
        return subprocess.Popen(
            [*command, "--database", str(database)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
        )

    # How long an import takes here, uninterrupted: the kills fall anywhere within it and a
    # little after (the write is the last part; a busy machine makes runs slower).
    timed = tmp_path / "timed.db"
    shutil.copy(pristine, timed)
    started = time.perf_counter()
    assert start(timed).wait(timeout=300) == 0
    duration = time.perf_counter() - started
    whole = contents(timed)
    assert whole[0] == before[0] + ROWS

    rng = random.Random(int(os.environ.get("TRAINER_APP_KILL_SEED", "12")))
    seen = {"nothing": 0, "whole": 0}
    for run in range(RUNS):
        database = tmp_path / f"run-{run}.db"
        shutil.copy(pristine, database)
        child = start(database)
        time.sleep(rng.uniform(0.3, 1.6) * duration)
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=60)
        after = contents(database)
        if after == before:
            seen["nothing"] += 1
        else:
            assert after[0] == whole[0], f"run {run}: {after[0]} trainees, a partial import"
            seen["whole"] += 1
        assert main(["db", "check", "--database", str(database)]) == 0, capsys.readouterr()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
    print(f"kill -9 during {RUNS} imports of {ROWS} rows ({duration:.1f} s): {seen}")
