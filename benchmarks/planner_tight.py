"""Completeness sweep: tight synthetic terms (a complete plan is planted in each) and, when
present, the tight network terms in ../shared/benchmarks/network/.

For each term: sessions left out at the time limit (should be 0: a complete plan exists), time
to the first complete plan, and the checker's verdict on every plan (no hard-rule violation
other than sessions left out, and the same cost as the planner's).

Run: .venv/bin/python benchmarks/planner_tight.py [--sizes 300 800 1500] [--seeds 1 2 3]
     [--seconds 10] [--workers 2] [--network DIR]
"""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import Scenario, load_json, scenario_from_dict
from trainer_app.scheduling.solver import Progress, solve
from trainer_app.scheduling.synthetic import generate_with_plan

NETWORK = Path(__file__).resolve().parents[1].parent / "shared" / "benchmarks" / "network"


def measure(name: str, scenario: Scenario, seconds: float, workers: int, seed: int) -> bool:
    """Plan ``scenario``; print one line; say whether the plan is complete and valid."""
    total = scenario.session_count()
    first: list[float] = []

    def progress(p: Progress) -> None:
        if p.placed_sessions == total and p.cost is not None and not first:
            first.append(p.elapsed)

    started = time.perf_counter()
    plan = solve(scenario, time_limit=seconds, workers=workers, seed=seed, on_progress=progress)
    elapsed = time.perf_counter() - started
    verdict = check(scenario, plan)
    rules = Counter(v.rule for v in verdict.hard_violations)
    unplaced = rules.pop("unplaced", 0)
    agrees = abs(verdict.cost["total"] - plan.cost["total"]) < 1e-6
    complete = f"{first[0]:.2f} s" if first else "—"
    print(
        f"{name:<34} {total:>5} sessions  unplaced {unplaced:>3}  first complete {complete:>8}  "
        f"cost {verdict.cost['total']:>7g}  {elapsed:5.1f} s"
        + (f"  BREAKS {dict(rules)}" if rules else "")
        + ("" if agrees else f"  planner says {plan.cost['total']:g}"),
        flush=True,
    )
    return not unplaced and not rules and agrees


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[300, 800, 1500])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0, help="the planner's seed")
    parser.add_argument("--network", type=Path, default=NETWORK)
    args = parser.parse_args()
    done = runs = 0
    for size in args.sizes:
        for seed in args.seeds:
            scenario, planted = generate_with_plan(size, seed, tight=True)
            assert check(scenario, planted).valid, "the planted plan must be valid"
            runs += 1
            done += measure(
                f"tight {size} seed {seed} ({len(scenario.calendar.days)} days)",
                scenario,
                args.seconds,
                args.workers,
                args.seed,
            )
    if args.network.is_dir():
        for path in sorted(args.network.glob("*.scenario.json")):
            scenario = scenario_from_dict(load_json(path.read_bytes(), path.name))
            runs += 1
            done += measure(path.name, scenario, args.seconds, args.workers, args.seed)
    print(f"{done} of {runs} terms complete and valid within {args.seconds:g} s")


if __name__ == "__main__":
    main()
