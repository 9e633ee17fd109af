"""Planner benchmark on synthetic network instances (~100, ~500, ~1500 sessions, fixed seeds).

For each size: time to the first plan with every session placed (target ≤ 10 s for the largest),
cost and lower bound at 10 s and at 60 s, and a re-plan after one trainer's leave (target ≤ 5 s,
≤ 5 % of sessions moved). Every plan is verified by the independent checker. As a baseline the
generator's planted timetable (valid by construction) is costed in the same run.

Run: .venv/bin/python benchmarks/planner.py [--sizes 100 500 1500] [--long 60] [--seed 1]
"""

from __future__ import annotations

import argparse
import dataclasses
import time

from trainer_app.scheduling.checker import check
from trainer_app.scheduling.moves import candidates
from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.scheduling.solver import Progress, solve
from trainer_app.scheduling.synthetic import generate_with_plan

PERIODS = 4


def run(scenario: Scenario, limit: float, seed: int) -> tuple[Plan, float | None]:
    """Solve; return the plan and when every session was first placed."""
    first_complete: list[float] = []
    total = scenario.session_count()

    def progress(p: Progress) -> None:
        if p.placed_sessions == total and not first_complete and p.cost is not None:
            first_complete.append(p.elapsed)

    plan = solve(scenario, time_limit=limit, workers=0, seed=seed, on_progress=progress)
    verdict = check(scenario, plan)
    assert verdict.cost["total"] == plan.cost["total"], "solver and checker disagree"
    return plan, first_complete[0] if first_complete else None


def leave_for_busiest(scenario: Scenario, plan: Plan, when: str) -> tuple[Scenario, int]:
    """The same scenario after the busiest trainer books three of their teaching days as leave:
    the first three of the term (``start``: the hardest case, as nothing can move earlier and
    every cohort's later courses wait on its first ones) or three mid-term (``middle``)."""
    busiest = max(scenario.trainers, key=lambda t: sum(a.trainer == t.id for a in plan.assignments))
    locked = {lock.day for lock in scenario.locked if lock.trainer == busiest.id}
    taught = sorted({a.day for a in plan.assignments if a.trainer == busiest.id} - locked)
    first = 0 if when == "start" else max(0, len(taught) // 2 - 1)
    days = taught[first : first + 3]  # leave on a locked day would rightly be refused
    leave = frozenset((d, p) for d in days for p in range(PERIODS))
    trainers = tuple(
        dataclasses.replace(t, unavailable=t.unavailable | leave) if t.id == busiest.id else t
        for t in scenario.trainers
    )
    affected = sum(1 for a in plan.assignments if a.trainer == busiest.id and a.day in days)
    again = dataclasses.replace(
        scenario, trainers=trainers, previous_plan=plan, weights={**scenario.weights, "moves": 10}
    )
    return again, affected


def describe(plan: Plan, scenario: Scenario) -> str:
    verdict = check(scenario, plan)
    bound = plan.solver.get("lower_bound")
    return (
        f"cost {verdict.cost['total']:g} (bound {bound if bound is not None else '—'}), "
        f"{'valid' if verdict.valid else f'{len(verdict.hard_violations)} violations'}, "
        f"status {plan.status}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 500, 1500])
    parser.add_argument("--short", type=float, default=10.0)
    parser.add_argument("--long", type=float, default=60.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for size in args.sizes:
        scenario, planted = generate_with_plan(size, seed=args.seed)
        print(
            f"\n== {scenario.session_count()} sessions, {len(scenario.offerings)} runs, "
            f"{len(scenario.calendar.days)} days, {len(scenario.trainers)} trainers, "
            f"{len(scenario.facilities)} facilities"
        )
        print(f"baseline (planted timetable): {describe(planted, scenario)}")
        started = time.perf_counter()
        check(scenario, planted)
        checked = time.perf_counter() - started
        a = planted.assignments[0]
        started = time.perf_counter()
        candidates(scenario, planted, a.offering, a.session)
        where = time.perf_counter() - started
        print(
            f"independent check of a whole plan: {checked * 1000:.0f} ms; "
            f"'where could this go?' for one session: {where * 1000:.0f} ms"
        )
        short, first = run(scenario, args.short, args.seed)
        print(
            f"first complete plan: {first:.2f} s"
            if first is not None
            else "first complete plan: not within the limit"
        )
        print(f"at {args.short:g} s: {describe(short, scenario)}")
        long, _ = run(scenario, args.long, args.seed)
        print(f"at {args.long:g} s: {describe(long, scenario)}")
        for when in ("middle", "start"):
            again, affected = leave_for_busiest(scenario, long, when)
            started = time.monotonic()
            replanned, done = run(again, 5.0, args.seed)
            before = {a.key: a for a in long.assignments}
            moved = sum(1 for a in replanned.assignments if before.get(a.key) != a)
            share = 100 * moved / max(1, len(long.assignments))
            print(
                f"re-plan after leave at the {when} of term ({affected} sessions hit): complete "
                f"after {done if done is not None else float('nan'):.2f} s, {moved} moved "
                f"({share:.1f} %), {describe(replanned, again)}, "
                f"{time.monotonic() - started:.1f} s in all"
            )


if __name__ == "__main__":
    main()
