"""try_move, candidates (incremental = full check), the synthetic generator, and properties."""

from __future__ import annotations

import dataclasses
from datetime import timedelta
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.moves import candidates, try_move
from trainer_app.scheduling.scenario import Cohort, Plan, Scenario
from trainer_app.scheduling.synthetic import generate, generate_with_plan

CLASHES = {"facility_clash", "trainer_clash", "cohort_clash"}


@cache
def instance(size: int, seed: int) -> tuple[Scenario, Plan]:
    return generate_with_plan(size, seed)


def test_try_move_refuses_a_clash_with_the_reason() -> None:
    moved = try_move(tiny.scenario(), tiny.plan(), "GOWN-01", 0, 1, 0)
    assert not moved.ok
    assert {v.rule for v in moved.new_violations} >= {"trainer_clash", "after"}


def test_try_move_accepts_and_shows_the_cost_difference() -> None:
    moved = try_move(tiny.scenario(), tiny.plan(), "ASEP-01", 1, 0, 2, facility="LON-CR1")
    assert not moved.ok  # overlaps session 0
    moved = try_move(tiny.scenario(), tiny.plan(), "GMP1-01", 0, 3, 3)
    assert moved.ok
    assert moved.cost_delta["total"] == 0.0
    assert moved.plan.status == "feasible"
    assert ("GMP1-01", 0) in {a.key for a in moved.plan.assignments}


def test_candidates_rank_free_slots_and_count_the_rest() -> None:
    s = tiny.scenario(cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01", "GMP1-01")),))
    plan = tiny.replaced(("GMP1-01", 0), day=2)  # alone on Wednesday, as is ASEP-01 on Tuesday
    found = candidates(s, plan, "GMP1-01", 0)
    assert [c.total for c in found] == sorted(c.total for c in found)
    best = found[0]
    assert (best.day, best.period, best.total) == (1, 2, -4.0)  # beside ASEP-01 on Tuesday
    assert "keeps the cohort's day compact" in best.reasons
    assert found.ruled_out["cohort_clash"] > 0
    assert found.considered > len(found)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 3), pick=st.integers(0, 10_000))
def test_candidates_agree_with_full_checks(seed: int, pick: int) -> None:
    scenario, plan = instance(120, seed)
    a = plan.assignments[pick % len(plan.assignments)]
    found = candidates(scenario, plan, a.offering, a.session, limit=5)
    for c in found:
        full = try_move(scenario, plan, a.offering, a.session, c.day, c.period, c.facility)
        assert full.ok
        assert full.cost_delta == c.cost_delta


@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 3), pick=st.integers(0, 10_000), day=st.integers(0, 60))
def test_a_move_and_back_restores_the_cost(seed: int, pick: int, day: int) -> None:
    scenario, plan = instance(120, seed)
    a = plan.assignments[pick % len(plan.assignments)]
    day %= len(scenario.calendar.days)
    there = try_move(scenario, plan, a.offering, a.session, day, 0)
    back = try_move(scenario, there.plan, a.offering, a.session, a.day, a.period, a.facility)
    assert back.after.cost == check(scenario, plan).cost
    assert back.after.units == check(scenario, plan).units
    assert back.after.valid


@settings(max_examples=10, deadline=None)
@given(size=st.integers(20, 200), seed=st.integers(0, 1000))
def test_generated_instances_hold_a_valid_planted_plan(size: int, seed: int) -> None:
    scenario, plan = generate_with_plan(size, seed, hubs=3, trainers=12, facilities=10)
    assert check(scenario, plan).valid
    assert len(plan.assignments) == scenario.session_count()


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 3), share=st.floats(0.1, 1.0))
def test_sessions_spread_out_never_clash(seed: int, share: float) -> None:
    # Give a share of the sessions a day of their own on days added to the calendar.
    scenario, plan = instance(120, seed)
    days = scenario.calendar.days
    moved = plan.assignments[: int(len(plan.assignments) * share)]
    extra = tuple(days[-1] + timedelta(days=7 * (i + 1)) for i in range(len(moved)))
    longer = dataclasses.replace(
        scenario, calendar=dataclasses.replace(scenario.calendar, days=days + extra)
    )
    spread = tuple(dataclasses.replace(a, day=len(days) + i, period=0) for i, a in enumerate(moved))
    result = check(longer, Plan((*spread, *plan.assignments[len(moved) :])))
    assert not CLASHES & {v.rule for v in result.hard_violations}


def test_generator_is_deterministic_and_sized() -> None:
    first = generate(500, 7)
    assert first == generate(500, 7)
    assert 450 <= first.session_count() <= 520
    assert len(first.hubs) == 6 and len(first.trainers) == 40 and len(first.facilities) == 30
    for course in {o.course for o in first.offerings}:
        assert sum(course in t.qualifications for t in first.trainers) >= 3
