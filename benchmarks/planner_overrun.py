"""Does the planner stop at its time limit when runs are left out?

A generated term of about 400 sessions, plus two runs for one trainer who has a single slot in
the term (so one of them is left out, and the planner looks for a proof of why), planned with
time limits of 4 and 10 s; as the baseline, the same term without that pair (nothing left out,
nothing to explain), in the same run. Prints the wall time beyond the limit of each plan.

Run: .venv/bin/python benchmarks/planner_overrun.py [--sessions 400] [--repeats 3]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

from trainer_app.scheduling.scenario import Offering, Scenario, Trainer
from trainer_app.scheduling.solver import solve
from trainer_app.scheduling.synthetic import generate


def with_a_pair_left_out(scenario: Scenario) -> Scenario:
    """The term plus two runs for a trainer free only on the first morning: one must go."""
    hub, periods = scenario.hubs[0].id, scenario.calendar.periods_per_day
    only = {(0, 0), (0, 1)}
    away = frozenset(
        (day, period)
        for day in range(len(scenario.calendar.days))
        for period in range(periods)
        if (day, period) not in only
    )
    return dataclasses.replace(
        scenario,
        trainers=(*scenario.trainers, Trainer("TX", hub, frozenset({"CX1", "CX2"}), away)),
        offerings=(
            *scenario.offerings,
            Offering("RUN-X1", "CX1", 1, 4, session_length=2, hub=hub),
            Offering("RUN-X2", "CX2", 1, 4, session_length=2, hub=hub),
        ),
    )


def overrun(scenario: Scenario, limit: float, seed: int) -> tuple[float, int]:
    started = time.monotonic()
    plan = solve(scenario, time_limit=limit, workers=2, seed=seed)
    return time.monotonic() - started - limit, len(plan.unplaced)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=400)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    base = generate(args.sessions, seed=1)
    cases = {"nothing left out": base, "a run left out": with_a_pair_left_out(base)}
    for limit in (4.0, 10.0):
        for name, scenario in cases.items():
            found = [overrun(scenario, limit, seed) for seed in range(args.repeats)]
            beyond = [round(b, 2) for b, _ in found]
            print(
                f"limit {limit:4.0f} s, {name:16}: beyond the limit {beyond} s "
                f"(median {statistics.median(beyond):+.2f} s), runs left out "
                f"{[n for _, n in found]}",
                flush=True,
            )


if __name__ == "__main__":
    main()
