"""Changing a plan by hand: move one session, or list where it could go.

Both answer from the independent checker (``scheduling.moves``) and return the plan with the
checker's verdict, so the window never needs the checker itself. On a large term a move costs
two full checks (about 50 ms): a window calls these off its GUI thread.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from trainer_app.scheduling import moves
from trainer_app.scheduling.moves import Candidate
from trainer_app.scheduling.scenario import Calendar
from trainer_app.services.planning_verdict import CheckedPlan, verdict_of

SessionKey = tuple[str, int]  # (run code, session index)


@dataclass(frozen=True)
class MoveOutcome:
    """What moving one session did: the plan after it (the one before when refused), whether
    the hard rules allow it, why not, and the cost change per term (``total`` included)."""

    checked: CheckedPlan
    ok: bool
    refusal: str
    cost_delta: Mapping[str, float]


# A free slot for a session and what moving it there changes: the planner's own record, handed
# on as it is (the window reads it; it does not reach into the planner for it).
Slot = Candidate


@dataclass(frozen=True)
class Slots:
    """The best free slots for one session, best first, and how many slots were looked at."""

    calendar: Calendar
    found: tuple[Slot, ...]
    ruled_out: Mapping[str, int]  # slots refused, per hard rule
    considered: int


def move_session(
    checked: CheckedPlan,
    key: SessionKey,
    day: int,
    period: int,
    facility: str | None = None,
    trainer: str | None = None,
) -> MoveOutcome:
    """Move session ``key`` of ``checked`` to ``day`` and ``period`` (its facility and trainer
    unless others are named); refused when it would break a hard rule the plan kept."""
    scenario = checked.scenario
    result = moves.try_move(
        scenario, checked.plan, *key, day, period, facility=facility, trainer=trainer
    )
    if not result.ok:
        reasons = "; ".join(v.message for v in result.new_violations) or "it breaks a rule"
        return MoveOutcome(checked, False, reasons, result.cost_delta)
    after = verdict_of(scenario, result.plan, result.after)
    return MoveOutcome(after, True, "", result.cost_delta)


def free_slots(checked: CheckedPlan, key: SessionKey, limit: int = 20) -> Slots:
    """Where session ``key`` could go without breaking a hard rule, best first."""
    found = moves.candidates(checked.scenario, checked.plan, *key, limit=limit)
    return Slots(
        checked.scenario.calendar,
        tuple(found),
        dict(found.ruled_out),
        found.considered,
    )
