"""A short monkey run on the demo database: seeded random use of every page and dialog (see
tests/helpers/monkey.py). Longer runs: ``scripts/monkey --minutes 10``. A failure prints the seed
and the last actions; ``scripts/monkey --seed S --actions N`` replays it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers.monkey import Monkey
from tests.ui.usage.conftest import open_window
from trainer_app.services.context import ServiceContext

# Fixed seeds keep CI's run the same from one commit to the next; scripts/monkey tries new ones.
SEEDS = [int(s) for s in os.environ.get("TRAINER_MONKEY_SEEDS", "11,23,37").split(",")]
ACTIONS = int(os.environ.get("TRAINER_MONKEY_ACTIONS", "350"))


@pytest.mark.slow
@pytest.mark.parametrize("seed", SEEDS)
def test_random_use_breaks_nothing(
    qtbot, demo_context: ServiceContext, tmp_path: Path, seed: int
) -> None:
    window = open_window(qtbot, demo_context, (1366, 768))
    monkey = Monkey(window, seed, tmp_path / "files")
    try:
        report = monkey.run(actions=ACTIONS)
        monkey.check_store(demo_context)
    finally:
        window.close()
    # At least: steps taken in a modal dialog that the last action opened count as well.
    assert report.actions >= ACTIONS
