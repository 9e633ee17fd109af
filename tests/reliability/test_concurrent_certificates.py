"""Two certificate batches at once on one database, in two real processes (two coordinators):
both finish, no number is given twice, no completion gets two certificates, and nobody sees a
database's own words ("UNIQUE constraint failed", "database is locked") (issue 12)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext

DEMO_PASSWORD = {"TRAINER_APP_PASSWORD": "gmp-demo-2026"}  # its administrator's

pytestmark = pytest.mark.slow


def test_two_batches_at_once_number_every_certificate_once(
    demo_files: DemoFiles, tmp_path: Path
) -> None:
    files = demo_files.copy_to(tmp_path / "shared")
    settings = Settings.resolve(
        files.database, environ={"TRAINER_APP_DATA_DIR": str(files.data_dir)}
    )
    with ServiceContext.open(settings, create=False) as context:
        before = {c.number for c in context.certificates.register()}
        waiting = set(context.certificates.eligible())
    assert len(waiting) > 20
    env = {**os.environ, "TRAINER_APP_DATA_DIR": str(files.data_dir), **DEMO_PASSWORD}
    command = [sys.executable, "-m", "trainer_app", "certificate", "issue", "--all-eligible"]
    command += ["--user", "admin"]  # the demo's administrator
    command += ["--workers", "1", "--database", str(files.database)]
    batches = [
        subprocess.Popen(
            [*command, "-o", str(tmp_path / f"coordinator-{n}")],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in (1, 2)
    ]
    said = [batch.communicate(timeout=600) for batch in batches]
    for batch, (out, err) in zip(batches, said, strict=True):
        assert batch.returncode == 0, err
        # On a busy machine one batch can finish before the other starts: it then finds nothing
        # waiting, which is the right answer; what must never happen is a number given twice.
        assert err == "" and out.startswith(("Issued ", "No completion is waiting")), (out, err)
    assert any(out.startswith("Issued ") for out, _ in said)
    with ServiceContext.open(settings, create=False) as context:
        new = [c for c in context.certificates.register() if c.number not in before]
        assert context.certificates.eligible() == []
    assert sorted(c.completion_id for c in new) == sorted(waiting)  # one each, none twice
    assert len({c.number for c in new}) == len(new)
    written = {p.stem for n in (1, 2) for p in (tmp_path / f"coordinator-{n}").glob("*-*.pdf")}
    assert {c.number for c in new} <= written
