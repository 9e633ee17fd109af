"""The lower bound: never above the best possible cost, and above 0 where a cost is certain."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.scheduling import tiny
from trainer_app.scheduling.bounds import lower_bound
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.instance import build_instance
from trainer_app.scheduling.scenario import Cohort, Scenario
from trainer_app.scheduling.solver import solve
from trainer_app.scheduling.synthetic import generate_with_plan

EVERY_PERIOD = frozenset((d, p) for d in range(len(tiny.DAYS)) for p in range(4))


def small_classrooms() -> Scenario:
    """GMP1-01 brings 14 people; both classrooms hold 10 (a soft limit): 4 over, always."""
    return tiny.offering(tiny.scenario(), "GMP1-01", attendees=14)


def lonely_cohort() -> Scenario:
    """A cohort whose only session is GMP1-01's: isolated in every plan (2 per session)."""
    base = tiny.scenario()
    return dataclasses.replace(base, cohorts=(*base.cohorts, Cohort("QA", ("GMP1-01",))))


def short_window() -> Scenario:
    """Three sessions to spread over three days, on a run allowed on two days only."""
    closed = frozenset(slot for slot in EVERY_PERIOD if slot[0] not in (1, 2))
    return tiny.offering(tiny.scenario(), "GMP1-01", sessions=3, min_days=3, unavailable=closed)


def busy_cohort() -> Scenario:
    """Sessions of three runs in one cohort, whole-day and half-day: isolation is forced for
    some and a choice for others."""
    base = tiny.offering(tiny.scenario(), "GMP1-01", sessions=2, session_length=3, min_days=2)
    return dataclasses.replace(base, cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01", "GMP1-01")),))


CASES = {
    "tiny": (tiny.scenario, 0.0),
    "small classrooms": (small_classrooms, 4.0),
    "lonely cohort": (lonely_cohort, 2.0),
    "short window": (short_window, 5.0),
    "busy cohort": (busy_cohort, 2.0),
}


@pytest.mark.parametrize("name", list(CASES))
def test_the_bound_is_never_above_the_proven_optimum(name: str) -> None:
    make, at_least = CASES[name]
    scenario = make()
    plan = solve(scenario, time_limit=10, workers=1)
    assert plan.status == "optimal", plan.explanation
    found = lower_bound(build_instance(scenario), budget=2.0)
    assert at_least <= found.total <= plan.cost["total"] + 1e-9
    # The plan carries it, with how far the plan can at most be from the best possible.
    assert plan.lower_bound is not None
    assert at_least <= plan.lower_bound <= plan.cost["total"] + 1e-9
    assert plan.gap == pytest.approx(0.0)


def test_an_unavoidable_overflow_is_a_bound_above_zero() -> None:
    found = lower_bound(build_instance(small_classrooms()), budget=0)
    assert found.total == 4.0
    assert found.units["capacity_overflow"] == 4


@pytest.mark.parametrize(("sessions", "seed"), [(100, 1), (500, 2), (1500, 3)])
def test_the_bound_is_below_the_cost_of_a_planted_complete_plan(sessions: int, seed: int) -> None:
    scenario, planted = generate_with_plan(sessions, seed)
    cost = check(scenario, planted).cost["total"]
    found = lower_bound(build_instance(scenario), budget=1.0)
    assert 0 <= found.total <= cost
