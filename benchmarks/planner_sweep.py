"""Validity sweep: solve many synthetic instances briefly, re-plan each after a trainer's leave,
and verify every plan with the checker.

Run after any planner change: .venv/bin/python benchmarks/planner_sweep.py [--seconds 4]
Prints each plan that breaks a hard rule (there should be none), cost disagreements between the
planner and the checker (none), and how many plans were partial within the time given.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter

from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import Plan, Scenario
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
            for label, case, result in (
                ("plan", scenario, plan),
                ("re-plan", *replanned(scenario, plan, args.seconds, seed)),
            ):
                runs += 1
                partial += report(
                    f"size {size} seed {seed} {label}", case, result, broken, args.seconds
                )
    print(f"{runs} plans: {sum(broken.values())} hard-rule violations, {partial} partial")


def replanned(scenario: Scenario, plan: Plan, seconds: float, seed: int) -> tuple[Scenario, Plan]:
    """The busiest trainer takes three of their teaching days as leave; plan again."""
    busiest = max(scenario.trainers, key=lambda t: sum(a.trainer == t.id for a in plan.assignments))
    locked = {lock.day for lock in scenario.locked if lock.trainer == busiest.id}
    taught = {a.day for a in plan.assignments if a.trainer == busiest.id}
    days = sorted(taught - locked)[:3]  # leave on a locked day would rightly be refused
    leave = frozenset((d, p) for d in days for p in range(scenario.calendar.periods_per_day))
    trainers = tuple(
        dataclasses.replace(t, unavailable=t.unavailable | leave) if t.id == busiest.id else t
        for t in scenario.trainers
    )
    again = dataclasses.replace(
        scenario, trainers=trainers, previous_plan=plan, weights={**scenario.weights, "moves": 10}
    )
    return again, solve(again, time_limit=seconds, workers=0, seed=seed)


def report(what: str, scenario: Scenario, plan: Plan, broken: Counter[str], seconds: float) -> bool:
    """Print what is wrong with ``plan``; say whether it is partial."""
    verdict = check(scenario, plan)
    rules = Counter(v.rule for v in verdict.hard_violations)
    unplaced = rules.pop("unplaced", 0)
    if rules:
        broken.update(rules)
        print(f"{what}: breaks {dict(rules)}")
    if abs(verdict.cost["total"] - plan.cost["total"]) > 1e-6:
        print(f"{what}: planner says {plan.cost['total']}, checker {verdict.cost['total']}")
    if unplaced:
        print(f"{what}: {unplaced} session(s) unplaced after {seconds:g} s")
    return bool(unplaced)


if __name__ == "__main__":
    main()
