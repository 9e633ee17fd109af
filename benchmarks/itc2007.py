"""ITC-2007 track 3 (curriculum-based course timetabling): the planner against the field.

For each instance, in the same run: the planner (``solve``, the instance mapped one to one onto
the scenario format by the shared ``to_scenario.py``) and a plain whole-instance CP-SAT model
(itc2007_baseline.py), each with the same time limit and workers; both timetables scored by the
shared evaluator ``ctt.py`` (the competition's rules) and the planner's also by our checker. Prints
one line per instance and the sums against the best-known costs.

Run: .venv/bin/python benchmarks/itc2007.py [--seconds 60] [--workers 2] [--only planner|plain]
     [--data ../shared/benchmarks/itc2007] [comp01 comp07 ...]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import ModuleType

sys.path.insert(0, str(Path(__file__).resolve().parent))

import itc2007_baseline

from trainer_app.scheduling import solver as planner
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import scenario_from_dict

# ../shared beside the repository (a worktree may sit one folder further down)
DEFAULT_DATA = next(
    (
        p
        for up in Path(__file__).resolve().parents[2:4]
        if (p := up / "shared" / "benchmarks" / "itc2007").is_dir()
    ),
    Path(__file__).resolve().parents[2] / "shared" / "benchmarks" / "itc2007",
)
INSTANCES = [f"comp{i:02d}" for i in range(1, 15)]


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def score(data: Path, name: str, lines: list[str]) -> tuple[int, int]:
    """(hard, soft) by the shared evaluator."""
    with tempfile.NamedTemporaryFile("w", suffix=".sol", delete=False) as f:
        f.write("".join(line + "\n" for line in lines))
    out = subprocess.run(
        [sys.executable, str(data / "ctt.py"), str(data / "instances" / f"{name}.ctt"), f.name],
        capture_output=True,
        text=True,
        check=True,
    )
    Path(f.name).unlink()
    result = json.loads(out.stdout)
    return int(result["hard"]), int(result["soft"])


class Rate(logging.Handler):
    """Picks the local search's moves per second out of the planner's debug log."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.last = ""

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if text.startswith("anneal "):
            self.last = text


def run_planner(
    data: Path, name: str, to_scenario: ModuleType, seconds: float, workers: int, rate: Rate
) -> tuple[int, int, bool, float, str]:
    scenario = scenario_from_dict(to_scenario.scenario(str(data / "instances" / f"{name}.ctt")))
    started = time.monotonic()
    rate.last = ""
    plan = planner.solve(scenario, time_limit=seconds, workers=workers, seed=0)
    wall = time.monotonic() - started
    valid = check(scenario, plan).valid
    lines = [f"{a.offering} {a.facility} {a.day} {a.period}" for a in plan.assignments]
    hard, soft = score(data, name, lines)
    return hard, soft, valid, wall, rate.last.split(", ")[-1] if rate.last else "-"


def run_plain(data: Path, name: str, seconds: float, workers: int) -> tuple[int, int, float]:
    ctt = itc2007_baseline.read_ctt((data / "instances" / f"{name}.ctt").read_text())
    started = time.monotonic()
    lines = itc2007_baseline.solve(ctt, seconds, workers)
    wall = time.monotonic() - started
    if not lines:
        return -1, -1, wall
    hard, soft = score(data, name, lines)
    return hard, soft, wall


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("instances", nargs="*", default=INSTANCES)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", choices=("planner", "plain"))
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    data: Path = args.data
    if not (data / "ctt.py").exists() or not (data / "instances").is_dir():
        print(f"no ITC-2007 data at {data} (ctt.py and instances/ expected); use --data")
        return 2
    to_scenario = _module(data / "to_scenario.py")
    best = json.loads((data / "best_known.json").read_text())["instances"]
    rate = Rate()
    log = logging.getLogger("trainer_app.scheduling.solver")
    log.setLevel(logging.DEBUG)
    log.addHandler(rate)
    print(
        f"{args.seconds:g} s per instance, {args.workers} worker(s); soft cost by ctt.py "
        "(hard must be 0)"
    )
    print(f"{'':8}{'planner':>9}{'plain':>8}{'best':>7}   planner: valid, wall, local search")
    sums = {"planner": 0, "plain": 0, "best": 0}
    valid_count = 0
    plain_missing = 0
    for name in args.instances:
        known = int(best[name]["best_known"])
        sums["best"] += known
        ours = plain = "-"
        note = ""
        if args.only != "plain":
            hard, soft, valid, wall, moves = run_planner(
                data, name, to_scenario, args.seconds, args.workers, rate
            )
            ok = hard == 0 and valid
            valid_count += ok
            ours = str(soft) if ok else f"hard{hard}"
            sums["planner"] += soft
            note = f"{'valid' if ok else 'INVALID'}, {wall:.1f}s, {moves}"
        if args.only != "planner":
            hard, soft, _wall = run_plain(data, name, args.seconds, args.workers)
            plain = str(soft) if hard == 0 else ("none" if hard < 0 else f"hard{hard}")
            sums["plain"] += max(soft, 0)
            plain_missing += hard != 0
        print(f"{name:8}{ours:>9}{plain:>8}{known:>7}   {note}", flush=True)
    b = sums["best"]
    print(
        f"{'sum':8}{sums['planner']:>9}{sums['plain']:>8}{b:>7}   "
        f"planner {sums['planner'] / b:.2f}x, plain {sums['plain'] / b:.2f}x best known; "
        f"planner valid {valid_count}/{len(args.instances)}"
        + (f"; plain found no valid timetable on {plain_missing}" if plain_missing else "")
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
