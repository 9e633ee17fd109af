"""Lower-bound benchmark: how close the planner's bound comes to the best possible cost.

- ITC-2007 comp01–comp14 (the field's benchmark, mapped one to one by the shared
  ``to_scenario.py``): bound against the best-known cost; the bound must never exceed it, and
  on the instances believed solved to optimality (comp01 5, comp04 35, comp07 6, comp08 37,
  comp10 4, comp11 0) it is a check of validity against the optimum itself.
- The tight GMP network terms (``large-3``, ``large-7``): bound against the cost of the complete
  plan supplied with each (costed by the independent checker).
- Synthetic terms of three sizes: bound against the generator's planted plan.

Time is the bound's own (reach analysis, per-run bounds, flow, cohort models), with the
budget the planner gives it: 10 % of the planning time (``--planning`` seconds).

Run: .venv/bin/python benchmarks/bounds.py [--shared ../shared/benchmarks] [--planning 60]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import time
from pathlib import Path
from types import ModuleType

from trainer_app.scheduling.bounds import lower_bound
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.instance import build_instance
from trainer_app.scheduling.reach import Reach
from trainer_app.scheduling.scenario import (
    Scenario,
    load_json,
    plan_from_dict,
    scenario_from_dict,
)
from trainer_app.scheduling.solver import BOUND_SHARE
from trainer_app.scheduling.synthetic import generate_with_plan

OPTIMAL = {"comp01": 5, "comp04": 35, "comp07": 6, "comp08": 37, "comp10": 4, "comp11": 0}


def _module(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("to_scenario", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def measure(scenario: Scenario, budget: float) -> tuple[float, float, str]:
    started = time.monotonic()
    inst = build_instance(scenario)
    found = lower_bound(inst, budget=budget, reach=Reach(inst))
    seconds = time.monotonic() - started
    parts = ", ".join(f"{term} {value:g}" for term, value in found.units.items() if value and term)
    cohorts = f"cohort models {found.cohorts_solved}/{found.cohorts_bounded}/{found.cohorts}"
    return found.total, seconds, f"{parts or '—'}; {cohorts}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shared", type=Path, default=Path("../shared/benchmarks"))
    parser.add_argument("--planning", type=float, default=60.0, help="planning time (s)")
    parser.add_argument("--instances", nargs="*", default=[f"comp{i:02d}" for i in range(1, 15)])
    args = parser.parse_args()
    budget = BOUND_SHARE * args.planning
    print(f"bound budget {budget:g} s (of {args.planning:g} s planning)\n")
    failures = []

    itc = args.shared / "itc2007"
    if itc.is_dir():
        to_scenario = _module(itc / "to_scenario.py")
        best = json.loads((itc / "best_known.json").read_text())["instances"]
        print("| instance | bound | best known | bound/best | time (s) | parts |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        sums = [0.0, 0.0]
        for name in args.instances:
            data = to_scenario.scenario(str(itc / "instances" / f"{name}.ctt"))
            scenario = scenario_from_dict(load_json(json.dumps(data), name))
            bound, seconds, parts = measure(scenario, budget)
            known = best[name]["best_known"]
            sums[0] += bound
            sums[1] += known
            ratio = f"{bound / known:.2f}" if known else "—"
            mark = " (optimum)" if name in OPTIMAL else ""
            print(f"| {name} | {bound:g} | {known}{mark} | {ratio} | {seconds:.2f} | {parts} |")
            if bound > known + 1e-9:
                failures.append(f"{name}: bound {bound} above best known {known}")
        print(f"| sum | {sums[0]:g} | {sums[1]:g} | {sums[0] / sums[1]:.3f} | | |\n")

    network = args.shared / "network"
    cases: list[tuple[str, Scenario, float]] = []
    for name in ("large-3", "large-7"):
        path = network / f"{name}.scenario.json"
        if path.exists():
            scenario = scenario_from_dict(load_json(path.read_bytes(), name))
            complete = network / f"{name}.complete-plan.json"
            plan = plan_from_dict(load_json(complete.read_bytes(), name))
            cases.append((name, scenario, check(scenario, plan).cost["total"]))
    for sessions, seed in ((100, 1), (500, 2), (1500, 3)):
        scenario, planted = generate_with_plan(sessions, seed)
        cases.append(
            (f"synthetic {sessions}/{seed}", scenario, check(scenario, planted).cost["total"])
        )
    print("| term | bound | complete plan's cost | bound/cost | time (s) | parts |")
    print("| --- | ---: | ---: | ---: | ---: | --- |")
    for name, scenario, cost in cases:
        bound, seconds, parts = measure(scenario, budget)
        ratio = f"{bound / cost:.2f}" if cost else "—"
        print(f"| {name} | {bound:g} | {cost:g} | {ratio} | {seconds:.2f} | {parts} |")
        if bound > cost + 1e-9:
            failures.append(f"{name}: bound {bound} above a complete plan's cost {cost}")
    if failures:
        raise SystemExit("INVALID BOUND: " + "; ".join(failures))
    print("\nEvery bound is at most the best known / a complete plan's cost.")


if __name__ == "__main__":
    main()
