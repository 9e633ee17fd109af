"""Making a plan: solve, then have the independent checker judge the result.

``solve_and_check`` is the whole sequence for a scenario file (``trainer-app plan``);
``PlanningService.make_plan`` and ``replan`` put the store around it (build the scenario from
the store, save the draft with the checker's verdict) for the Plan page. Nothing else calls
the solver.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from trainer_app.domain.errors import DomainError
from trainer_app.scheduling.scenario import Plan, Scenario
from trainer_app.services.planning_verdict import CheckedPlan, check_plan

if TYPE_CHECKING:
    from trainer_app.scheduling.solver import Progress


class ProgressReport(Protocol):
    """What the planner reports as it works (scheduling.solver.Progress)."""

    @property
    def elapsed(self) -> float: ...
    @property
    def cost(self) -> float | None: ...
    @property
    def bound(self) -> float | None: ...
    @property
    def placed_sessions(self) -> int: ...
    @property
    def total_sessions(self) -> int: ...
    @property
    def message(self) -> str: ...


Solve = Callable[..., Plan]  # scheduling.solver.solve's signature
OnProgress = Callable[[ProgressReport], None]
ShouldStop = Callable[[], bool]
MAX_TIME_LIMIT = 86_400  # seconds: a day
MAX_WORKERS = 256
CHECKING = "checking the plan with the independent checker"


@dataclass(frozen=True, kw_only=True)
class SolveOptions:
    """How long and how wide the planner searches."""

    time_limit: float = 30.0  # seconds
    workers: int = 0  # 0: every core
    seed: int = 0

    def validated(self) -> SolveOptions:
        if not 0 < self.time_limit <= MAX_TIME_LIMIT:  # also NaN and inf
            raise DomainError(
                f"The time limit must be more than 0 and at most {MAX_TIME_LIMIT:,} seconds (a day)"
            )
        if not 0 <= self.workers <= MAX_WORKERS:
            raise DomainError(f"Workers must be from 0 (every core) to {MAX_WORKERS}")
        if not 0 <= self.seed < 2**31:
            raise DomainError(f"The seed must be from 0 to {2**31 - 1:,}")
        return self


DEFAULT_OPTIONS = SolveOptions()


def real_solve(scenario: Scenario, **options: Any) -> Plan:
    # Imported on first use: OR-Tools takes a noticeable part of a second to load, and the
    # window should open without waiting for it.
    from trainer_app.scheduling.solver import solve

    return solve(scenario, **options)


def solve_and_check(
    scenario: Scenario,
    options: SolveOptions = DEFAULT_OPTIONS,
    *,
    on_progress: OnProgress | None = None,
    should_stop: ShouldStop | None = None,
    solve: Solve = real_solve,
) -> CheckedPlan:
    """The best plan the planner finds for ``scenario`` in the time given, with the checker's
    cost, hard violations and status (never the solver's own).

    ``should_stop`` is polled: when it says yes the planner returns the best plan so far, which
    is checked like any other. ``on_progress`` hears the planner's progress, then a last report
    while the checker works.
    """
    options = options.validated()
    plan = solve(
        scenario,
        time_limit=options.time_limit,
        workers=options.workers,
        seed=options.seed,
        on_progress=on_progress,
        should_stop=should_stop,
    )
    if on_progress is not None:
        on_progress(_checking(scenario, plan))
    return check_plan(scenario, plan)


def _checking(scenario: Scenario, plan: Plan) -> Progress:
    from trainer_app.scheduling.solver import Progress

    elapsed = plan.solver.get("elapsed_seconds")
    total = plan.cost.get("total")
    return Progress(
        elapsed=float(elapsed) if isinstance(elapsed, int | float) else 0.0,
        cost=None if total is None else float(total),
        bound=plan.lower_bound,
        placed_sessions=len(plan.assignments),
        total_sessions=scenario.session_count(),
        message=CHECKING,
    )
