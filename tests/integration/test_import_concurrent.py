"""Imports run at the same time by two people (two processes on one store) both go in: the
references the imports make for blank cells are taken inside the write, never twice, and no
raw database message reaches anyone."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from tests.helpers import builders
from trainer_app.config import Settings
from trainer_app.services.context import ServiceContext

pytestmark = pytest.mark.both_stores

ROWS = 3000
COMMAND = (sys.executable, "-m", "trainer_app", "import", "trainees")


def blank_references(path: Path, who: str) -> Path:
    with path.open("w", encoding="utf-8", newline="") as file:
        out = csv.writer(file)
        out.writerow(["reference", "name", "hub"])
        out.writerows(["", f"{who} trainee {n}", "LON"] for n in range(ROWS))
    return path


@pytest.mark.slow
def test_two_imports_with_blank_references_at_once_both_go_in(
    settings: Settings, tmp_path: Path
) -> None:
    with ServiceContext.open(settings) as ctx:
        builders.hub(ctx, "LON", "London")
    env = {
        **os.environ,
        "TRAINER_APP_DATA_DIR": str(tmp_path / "data"),
        "TRAINER_APP_DATABASE_URL": settings.database_url,  # a file or a server, as configured
    }
    files = [blank_references(tmp_path / f"{who}.csv", who) for who in ("ann", "bob", "cem")]
    children = [
        subprocess.Popen(
            [*COMMAND, str(file)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for file in files
    ]
    outcomes = [(child.wait(timeout=120), *child.communicate()) for child in children]
    for status, out, err in outcomes:
        assert "constraint" not in err.lower() and "Traceback" not in err
        assert (status, err) == (0, "")
        assert f"Imported {ROWS:,} trainees".replace(",", " ") in out
    with ServiceContext.open(settings, create=False) as ctx:
        with ctx.store.engine.connect() as db:
            count, distinct = db.execute(
                text("SELECT count(*), count(DISTINCT reference) FROM trainees")
            ).one()
        assert ctx.audit.verify().intact
    assert count == distinct == 3 * ROWS


def test_previews_made_before_another_import_still_go_in_with_fresh_references(
    context: ServiceContext, tmp_path: Path
) -> None:
    """Two windows preview a file each, then both import: the second gets references after the
    first's, not a raw "UNIQUE constraint failed" message."""
    from trainer_app.services.imports import TraineeImport

    builders.hub(context, "LON", "London")
    first = TraineeImport(context).preview(blank_references(tmp_path / "ann.csv", "ann"))
    second = TraineeImport(context).preview(blank_references(tmp_path / "bob.csv", "bob"))
    assert first.items[0].reference == second.items[0].reference == "TR-000001"
    TraineeImport(context).apply(first)
    TraineeImport(context).apply(second)
    references = [t.reference for t in context.trainees.list()]
    assert len(set(references)) == len(references) == 2 * ROWS
    assert {"TR-000001", f"TR-{2 * ROWS:06d}"} <= set(references)
