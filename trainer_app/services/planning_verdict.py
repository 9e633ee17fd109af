"""The independent checker's verdict on a plan, and how a plan's quality is put into words.

Whoever made a plan (the solver, a drag on the timeline, a file), what is stored and shown is
what ``scheduling.checker`` finds: its cost per term, its hard violations and the status they
imply. The solver's own cost and status are never trusted alone. The words for the bound and
for each left-out run are here once, for the Plan page and the ``trainer-app plan`` command.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trainer_app.scheduling.checker import CheckResult, check
from trainer_app.scheduling.rules import Rule
from trainer_app.scheduling.scenario import Plan, PlanStatus, Scenario, UnplacedRun, Verdict
from trainer_app.services.base import join_words

UNPLACED_RULE = Rule.UNPLACED  # the checker's rule for a session the plan does not place
BOUND_TOLERANCE = 1e-6  # the solver rounds its bound to 6 decimals
COMPETING_SHOWN = 6


@dataclass(frozen=True)
class CheckedPlan:
    """A plan with the checker's verdict written into it (``plan.cost``, ``plan.status``,
    ``plan.hard_violations``), and the units behind each cost term."""

    scenario: Scenario
    plan: Plan
    units: Mapping[str, float]

    @property
    def valid(self) -> bool:
        return not self.plan.hard_violations

    @property
    def broken_sessions(self) -> frozenset[tuple[str, int]]:
        """The sessions a hard violation names (the timeline marks them)."""
        return frozenset(
            (str(v["offering"]), int(v["session"]))
            for v in self.plan.hard_violations
            if v.get("offering") is not None and v.get("session") is not None
        )

    @property
    def rule_breaks(self) -> tuple[str, ...]:
        """The hard violations other than left-out sessions, in words."""
        return tuple(
            str(v.get("message", v))
            for v in self.plan.hard_violations
            if v.get("rule") != UNPLACED_RULE
        )

    @property
    def left_out(self) -> tuple[str, ...]:
        """The runs (scenario offering ids) with a session the plan does not place."""
        return left_out(self.plan)


def check_plan(scenario: Scenario, plan: Plan) -> CheckedPlan:
    """``plan`` with the independent checker's cost, hard violations and status.

    Left-out runs keep the verdict the planner gave them (``plan.unplaced``) while the checker
    still finds them left out; a run placed since (a move) loses its entry.
    """
    return verdict_of(scenario, plan, check(scenario, plan))


def verdict_of(scenario: Scenario, plan: Plan, result: CheckResult) -> CheckedPlan:
    """``check_plan`` when the checker has already given its ``result`` on ``plan``."""
    violations = tuple(v.to_dict() for v in result.hard_violations)
    still_out = {v.offering for v in result.hard_violations if v.rule == UNPLACED_RULE}
    verdict = dataclasses.replace(
        plan,
        status=checked_status(scenario, plan, result),
        cost=dict(result.cost),
        hard_violations=violations,
        unplaced=tuple(u for u in plan.unplaced if u.offering in still_out),
    )
    return CheckedPlan(scenario, verdict, dict(result.units))


def checker_report(scenario: Scenario, plan: Plan) -> dict[str, Any]:
    """The checker's verdict as ``trainer-app check`` prints it: valid, cost, units and hard
    violations."""
    return check(scenario, plan).to_dict()


def checked_status(scenario: Scenario, plan: Plan, result: CheckResult) -> PlanStatus:
    """The status the checker's findings allow.

    Valid: optimal only when the checker's cost meets the planner's proven lower bound, else
    feasible. Only sessions left out: partial when any of the plan's own runs is placed; with
    nothing placed, the planner's word (infeasible or unknown) stands. Any other broken rule:
    unknown (the plan is not workable as it is)."""
    if result.valid:
        bound, total = plan.lower_bound, result.cost.get("total", 0.0)
        at_bound = bound is not None and total <= bound + BOUND_TOLERANCE * max(1.0, abs(total))
        return PlanStatus.OPTIMAL if at_bound else PlanStatus.FEASIBLE
    if any(v.rule != UNPLACED_RULE for v in result.hard_violations):
        return PlanStatus.UNKNOWN
    context = {o.id for o in scenario.offerings if o.published}
    if any(a.offering not in context for a in plan.assignments):
        return PlanStatus.PARTIAL
    if plan.status in (PlanStatus.INFEASIBLE, PlanStatus.UNKNOWN):
        return plan.status
    return PlanStatus.UNKNOWN


# ----- words --------------------------------------------------------------------------------

STATUS_WORDS = {
    PlanStatus.OPTIMAL: "Best possible plan",
    PlanStatus.FEASIBLE: "Workable plan",
    PlanStatus.PARTIAL: "Partial plan: some runs are left out",
    PlanStatus.INFEASIBLE: "No workable plan",
    PlanStatus.UNKNOWN: "No workable plan found",
}

VERDICT_WORDS = {
    Verdict.CANNOT_BE_PLACED: "Cannot be placed",
    Verdict.NOT_PLACED_IN_TIME: "Not placed within the time given",
}


def bound_words(plan: Plan) -> str:
    """How far the plan can at most be from the best possible, from its proven lower bound:
    "proven best", "at most 12 % above the best possible", "no bound yet"."""
    gap, bound, total = plan.gap, plan.lower_bound, plan.cost.get("total")
    if plan.status is PlanStatus.PARTIAL or plan.unplaced:
        return "no bound while runs are left out"
    if plan.status not in (PlanStatus.OPTIMAL, PlanStatus.FEASIBLE):
        return "no bound: the plan is not workable"
    if gap is None or bound is None or total is None:
        return "no bound yet"
    if gap <= BOUND_TOLERANCE:
        return "proven best"
    if bound <= 0:
        return "no useful bound yet (the best possible might cost 0)"
    ratio = float(total) / bound
    best = f"the best possible (which costs at least {bound:g})"
    if ratio >= 2:  # "1867 % above" reads as noise; a multiple reads as what it is
        return f"at most {math.ceil(ratio * 10 - BOUND_TOLERANCE) / 10:g} × {best}"
    above = math.ceil(100 * (ratio - 1) - BOUND_TOLERANCE)
    return f"at most {max(1, above)} % above {best}"


def cost_words(plan: Plan) -> str:
    """ "cost 42, at most 12 % above the best possible"."""
    return f"cost {plan.cost.get('total', 0):g}, {bound_words(plan)}"


def unplaced_words(run: UnplacedRun) -> str:
    """ "Cannot be placed: no trainer is qualified for …", the run's honest status."""
    return f"{VERDICT_WORDS[run.verdict]}: {run.reason}"


def competing_words(run: UnplacedRun) -> str:
    """ "Competes with A, B and C for trainers, rooms or its cohort's time" (or "")."""
    if not run.competing:
        return ""
    shown = list(run.competing[:COMPETING_SHOWN])
    more = len(run.competing) - len(shown)
    names = join_words([*shown, f"{more} more"] if more > 0 else shown)
    return f"Competes with {names} for trainers, rooms or its cohort's time"


def suggestion_words(run: UnplacedRun) -> str:
    """ "Try: more time; a wider window" (or "")."""
    return f"Try: {'; '.join(run.suggestions)}" if run.suggestions else ""


def left_out_lines(plan: Plan) -> list[str]:
    """One line per left-out run with its status, what competes for it and what to try; for a
    plan made before the planner gave verdicts, its explanation lines."""
    if not plan.unplaced:
        return list(plan.explanation)
    lines = []
    for run in plan.unplaced:
        parts = [unplaced_words(run), competing_words(run), suggestion_words(run)]
        lines.append(f"{run.offering} — " + ". ".join(p.rstrip(".") for p in parts if p) + ".")
    given = {run.offering for run in plan.unplaced}
    for offering in left_out(plan):
        if offering not in given:
            lines.append(f"{offering} — {VERDICT_WORDS[Verdict.NOT_PLACED_IN_TIME]}.")
    return lines


def left_out(plan: Plan) -> tuple[str, ...]:
    """The runs (scenario offering ids) with a session the checker found not placed."""
    return tuple(
        dict.fromkeys(
            str(v["offering"])
            for v in plan.hard_violations
            if v.get("rule") == UNPLACED_RULE and v.get("offering") is not None
        )
    )
