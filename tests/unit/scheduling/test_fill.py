"""Completing a plan (feasibility.py): a run left out because the run it follows was placed
late, or because its only trainers are at their term limits, is put in by moving what stands
in its way; and handing runs on by term limits says when no handing on can make room."""

from __future__ import annotations

import dataclasses
import random
import time
from datetime import date, timedelta

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.feasibility import Fill, hand_loads
from trainer_app.scheduling.instance import Instance, build_instance
from trainer_app.scheduling.scenario import Assignment, Calendar, Plan, Scenario
from trainer_app.scheduling.schedule import Key, Placement, Schedule
from trainer_app.scheduling.solver import assignments_of


def with_limits(s: Scenario, **totals: int) -> Scenario:
    """The scenario with trainers' term limits (periods) set."""
    return dataclasses.replace(
        s,
        trainers=tuple(
            dataclasses.replace(t, max_periods_total=totals[t.id]) if t.id in totals else t
            for t in s.trainers
        ),
    )


def state(s: Scenario, *placed: Assignment) -> tuple[Instance, dict[Key, Placement]]:
    """The instance and ``placed`` as the planner's working assignment."""
    inst = build_instance(dataclasses.replace(s, previous_plan=Plan(placed)))
    return inst, dict(inst.previous)


def index(inst: Instance, ident: str) -> int:
    return next(od.index for od in inst.offerings if od.id == ident)


GMP1 = Assignment("GMP1-01", 0, 0, 0, "MAN-CL1", "T09")
# four weeks of weekdays from Mon 11 Jan 2027
FOUR_WEEKS = tuple(
    d for d in (date(2027, 1, 11) + timedelta(days=i) for i in range(26)) if d.weekday() < 5
)
GOWN_LATE = Assignment("GOWN-01", 0, len(FOUR_WEEKS) - 1, 2, "LON-CR1", "T07")  # last periods


def test_a_run_boxed_in_by_a_late_prerequisite_is_placed_at_the_first_try() -> None:
    """ASEP-01 (two sessions of two periods) must follow GOWN-01, which sits in the last
    periods of a four-week term: no slot is left for it. The step moves GOWN-01 earlier."""
    s = tiny.scenario(calendar=Calendar(FOUR_WEEKS, 4, tiny.LABELS))
    inst, current = state(s, GOWN_LATE, GMP1)
    asep = index(inst, "ASEP-01")
    better: list[dict[Key, Placement]] = []
    fill = Fill(inst, current, random.Random(0), 1, lambda: False, better.append)

    assert fill.step(asep, limit=5.0, deadline=float("inf"))

    plan = Plan(assignments_of(inst, fill.current))
    verdict = check(s, plan)
    assert verdict.valid, [v.message for v in verdict.hard_violations]
    assert len(plan.assignments) == 4 and better
    gown = next(a for a in plan.assignments if a.offering == "GOWN-01")
    assert (gown.day, gown.period) < (GOWN_LATE.day, GOWN_LATE.period)


def test_term_limits_hand_a_run_to_another_trainer_to_make_room() -> None:
    """Only T07 teaches ASEP (4 periods); T07 has 1 of 4 periods used by GOWN-01, which T08
    may also teach: handing GOWN-01 to T08 makes the room."""
    s = with_limits(tiny.scenario(), T07=4, T08=2)
    inst, current = state(s, Assignment("GOWN-01", 0, 0, 0, "LON-CR1", "T07"), GMP1)
    schedule = Schedule.of(inst, current)

    found = hand_loads(inst, schedule, index(inst, "ASEP-01"), time_limit=2.0, seed=0)

    assert found is not None
    trainer, handed = found
    assert inst.trainer_ids[trainer] == "T07"
    assert {inst.offerings[r].id for r in handed} == {"GOWN-01"}


def test_term_limits_say_when_no_handing_on_can_make_room() -> None:
    """The same, but T08 has no room left either: no way, whatever the times."""
    s = with_limits(tiny.scenario(), T07=4, T08=0)
    inst, current = state(s, Assignment("GOWN-01", 0, 0, 0, "LON-CR1", "T07"), GMP1)

    found = hand_loads(
        inst, Schedule.of(inst, current), index(inst, "ASEP-01"), time_limit=2.0, seed=0
    )

    assert found is None


def test_fill_places_a_run_whose_only_trainer_is_at_the_term_limit() -> None:
    s = with_limits(tiny.scenario(), T07=4, T08=2)
    inst, current = state(s, Assignment("GOWN-01", 0, 0, 0, "LON-CR1", "T07"), GMP1)
    fill = Fill(inst, current, random.Random(0), 1, lambda: False, lambda _a: None)

    fill.run(deadline=time.monotonic() + 20)

    plan = Plan(assignments_of(inst, fill.current))
    verdict = check(s, plan)
    assert verdict.valid, [v.message for v in verdict.hard_violations]
    assert len(plan.assignments) == 4
    by_key = {a.key: a for a in plan.assignments}
    assert by_key[("GOWN-01", 0)].trainer == "T08"
    assert by_key[("ASEP-01", 0)].trainer == "T07"
