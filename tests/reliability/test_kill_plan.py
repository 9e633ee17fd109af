"""`plan SCENARIO -o OUT` killed (SIGKILL: no handler runs) at random moments: OUT is then
either as it was (absent, or the previous plan untouched) or a whole, valid plan, and no
temporary file is left beside it.

Five kills on every run; for the long form give the number of kills:

    TRAINER_APP_KILLS=50 python -m pytest -q tests/reliability/test_kill_plan.py
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import dump_json, plan_from_dict, scenario_to_dict
from trainer_app.scheduling.synthetic import generate

ROOT = Path(__file__).resolve().parents[2]
RUNS = int(os.environ.get("TRAINER_APP_KILLS", "5"))
PREVIOUS = '{"previous": "plan"}\n'


def start(scenario: Path, output: Path) -> subprocess.Popen[str]:
    options = ["--time-limit", "1", "--workers", "1", "--seed", "1"]
    return subprocess.Popen(
        [sys.executable, "-m", "trainer_app", "plan", str(scenario), "-o", str(output), *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )


def searched(process: subprocess.Popen[str]) -> None:
    """Wait for the progress line that comes just before the plan is checked and written."""
    assert process.stderr is not None
    for line in process.stderr:
        if line.rstrip().endswith("done"):
            return


def test_a_killed_plan_leaves_the_old_file_or_a_whole_plan_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    scenario_data = generate(80, seed=11)
    scenario = tmp_path / "scenario.json"
    scenario.write_text(dump_json(scenario_to_dict(scenario_data)), encoding="utf-8")
    # One whole run: how long a plan takes here, and how long from the end of the search to
    # the exit (checking and writing the plan), so that kills fall anywhere, and often there.
    reference = tmp_path / "reference.json"
    began = time.monotonic()
    with start(scenario, reference) as process:
        searched(process)
        ended = time.monotonic()
        assert process.wait(timeout=300) == 0
    whole, tail = time.monotonic() - began, time.monotonic() - ended
    reference.unlink()
    rng = random.Random(int(os.environ.get("TRAINER_APP_KILL_SEED", "0")) or None)
    outcomes: dict[str, int] = {"absent": 0, "untouched": 0, "whole plan": 0}
    for run in range(RUNS):
        folder = tmp_path / f"run{run}"
        folder.mkdir()
        output = folder / "plan.json"
        had_previous = run % 2 == 1
        if had_previous:
            output.write_text(PREVIOUS, encoding="utf-8")
        with start(scenario, output) as process:
            if run % 4 < 2:  # anywhere in the run
                at = rng.uniform(0, whole)
            else:  # after the search: while the plan is checked and written
                searched(process)
                at = rng.uniform(0, tail)
            time.sleep(at)
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
        assert sorted(p.name for p in folder.iterdir()) in ([], ["plan.json"]), (
            f"kill at {at:.2f} s of {whole:.2f} s left {sorted(os.listdir(folder))}"
        )
        if not output.exists():
            assert not had_previous, f"kill at {at:.2f} s removed the previous plan"
            outcomes["absent"] += 1
            continue
        text = output.read_text(encoding="utf-8")
        if text == PREVIOUS:
            outcomes["untouched"] += 1
            continue
        plan = plan_from_dict(json.loads(text))  # whole: it parses and reads
        verdict = check(scenario_data, plan)
        assert verdict.valid, f"kill at {at:.2f} s left a plan that is not valid"
        assert len(plan.assignments) == scenario_data.session_count()
        outcomes["whole plan"] += 1
    print(f"{RUNS} kills over a {whole:.2f} s plan ({tail:.2f} s writing): {outcomes}")
