"""Validity sweep: solve many synthetic instances briefly and verify every plan with the checker.

Run after any planner change: .venv/bin/python benchmarks/planner_sweep.py [--seconds 4]
Prints each plan that breaks a hard rule (there should be none), cost disagreements between the
planner and the checker (none), and how many plans were partial within the time given.
"""

from __future__ import annotations

import argparse
from collections import Counter

from trainer_app.scheduling.checker import check
from trainer_app.scheduling.solver import solve
from trainer_app.scheduling.synthetic import generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 500, 1000])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(range(11, 17)))
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args()
    broken: Counter[str] = Counter()
    partial = runs = 0
    for size in args.sizes:
        for seed in args.seeds:
            scenario = generate(size, seed=seed)
            plan = solve(scenario, time_limit=args.seconds, workers=0, seed=seed)
            verdict = check(scenario, plan)
            runs += 1
            rules = Counter(v.rule for v in verdict.hard_violations)
            unplaced = rules.pop("unplaced", 0)
            partial += bool(unplaced)
            if rules:
                broken.update(rules)
                print(f"size {size} seed {seed}: breaks {dict(rules)}")
            if abs(verdict.cost["total"] - plan.cost["total"]) > 1e-6:
                print(
                    f"size {size} seed {seed}: planner says {plan.cost['total']}, "
                    f"checker {verdict.cost['total']}"
                )
            if unplaced:
                print(
                    f"size {size} seed {seed}: {unplaced} session(s) unplaced after "
                    f"{args.seconds:g} s"
                )
    print(f"{runs} plans: {sum(broken.values())} hard-rule violations, {partial} partial")


if __name__ == "__main__":
    main()
