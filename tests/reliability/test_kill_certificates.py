"""A certificate batch killed (SIGKILL, as a power cut or the task manager would) at random
moments, then run again: every certificate the register holds has its file, each file verifies
as issued, and no temporary file is left (issue 12).

Short form: 5 kills. Long form (a new copy of the demo whenever a batch has finished):
``TRAINER_APP_KILLS=50 pytest tests/reliability/test_kill_certificates.py``.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
from trainer_app.certificates import keys
from trainer_app.certificates.verify import check_file
from trainer_app.config import Settings
from trainer_app.domain.certificates import Verdict
from trainer_app.services.context import ServiceContext

DEMO_PASSWORD = {"TRAINER_APP_PASSWORD": "gmp-demo-2026"}  # its administrator's

KILLS = int(os.environ.get("TRAINER_APP_KILLS", "5"))
pytestmark = pytest.mark.slow


def _issue(files: DemoFiles, out: Path) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "trainer_app", "certificate", "issue", "--all-eligible"]
    command += ["--user", "admin"]  # the demo's administrator
    return subprocess.Popen(
        [*command, "-o", str(out), "--database", str(files.database), "--workers", "2"],
        env={**os.environ, "TRAINER_APP_DATA_DIR": str(files.data_dir), **DEMO_PASSWORD},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _context(files: DemoFiles) -> ServiceContext:
    settings = Settings.resolve(
        files.database, environ={"TRAINER_APP_DATA_DIR": str(files.data_dir)}
    )
    return ServiceContext.open(settings, create=False)


def _check_round(files: DemoFiles, out: Path, before: set[str]) -> int:
    """Every certificate issued since ``before`` has its one file, which verifies."""
    with _context(files) as context:
        service = context.certificates
        assert service.eligible() == [] and service.unwritten() == []
        issued = [c.number for c in service.register() if c.number not in before]
    known = keys.installation_keys(files.data_dir / "keys")
    names = {p.name for p in out.iterdir()}
    assert not [n for n in names if n.endswith(".part.pdf")], names
    assert not [n for n in names if " (" in n], names  # no second copy of a file
    for number in issued:
        assert f"{number}.pdf" in names, number
        assert check_file(out / f"{number}.pdf", known).verdict is Verdict.VALID, number
    return len(issued)


def test_a_batch_killed_at_random_moments_is_finished_by_the_next(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    chance = random.Random(os.environ.get("TRAINER_APP_KILL_SEED"))
    rounds, kills, written = 0, 0, 0
    while kills < KILLS:
        rounds += 1
        files = demo_files.copy_to(tmp_path / f"round-{rounds}")
        out = tmp_path / f"round-{rounds}" / "printed"
        with _context(files) as context:
            before = {c.number for c in context.certificates.register()}
        while kills < KILLS:
            batch = _issue(files, out)
            time.sleep(chance.uniform(0.3, 5.0))
            if batch.poll() is not None:  # finished before the kill
                said = batch.communicate()
                assert batch.returncode == 0 and "Traceback" not in said[1], said
                break
            os.kill(batch.pid, signal.SIGKILL)
            try:  # its output pipes close only when no helper process outlives it
                batch.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                pytest.fail("helper processes outlived the killed batch")
            kills += 1
        finishing = _issue(files, out)
        said = finishing.communicate(timeout=300)
        assert finishing.returncode == 0, said
        assert "Traceback" not in said[1] and "Traceback" not in said[0]
        written += _check_round(files, out, before)
    assert written > 0
