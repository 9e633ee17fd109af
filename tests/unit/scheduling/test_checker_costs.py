"""One test per cost term, with units counted by hand."""

from __future__ import annotations

import dataclasses

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import TERMS, Assignment, Cohort, Plan

A = Assignment


def units(plan: Plan, **changes: object) -> dict[str, int | float]:
    return check(tiny.scenario(**changes), plan).units


def test_every_term_is_counted_and_only_active_terms_cost() -> None:
    result = check(tiny.scenario(weights={"late_finish": 3}), tiny.plan())
    assert set(result.units) == set(TERMS)
    assert set(result.cost) == {
        "capacity_overflow",
        "spread_shortfall",
        "cohort_isolated",
        "facility_changes",
        "late_finish",
        "total",
    }
    assert result.cost["cohort_isolated"] == 2.0  # ASEP-01 session 1 alone on Tuesday
    assert result.cost["total"] == sum(v for k, v in result.cost.items() if k != "total")


def test_capacity_overflow_counts_attendees_above_a_soft_capacity() -> None:
    s = tiny.offering(tiny.scenario(), "GMP1-01", attendees=13)
    assert check(s, tiny.plan()).units["capacity_overflow"] == 3


def test_spread_shortfall() -> None:
    s = tiny.offering(tiny.scenario(), "ASEP-01", min_days=3)
    assert check(s, tiny.plan()).units["spread_shortfall"] == 1
    same_day = tiny.replaced(("ASEP-01", 1), day=0, period=2)  # clashes, but still counted
    assert check(s, same_day).units["spread_shortfall"] == 2


def test_cohort_isolated_at_the_start_and_end_of_a_day() -> None:
    # GOWN 09:00 then ASEP 11:00–15:30 on Monday: neither isolated; ASEP alone on Tuesday is.
    assert units(tiny.plan())["cohort_isolated"] == 1
    # Tuesday 13:30–17:30 runs to the end of the day; still alone.
    assert units(tiny.replaced(("ASEP-01", 1), period=2))["cohort_isolated"] == 1


def test_cohort_isolated_does_not_reach_across_days() -> None:
    # GOWN in the last period of Monday, ASEP session 0 first thing Tuesday: not adjacent.
    plan = tiny.plan(
        A("GOWN-01", 0, 0, 3, "LON-CR1", "T07"),
        A("ASEP-01", 0, 1, 0, "LON-CR1", "T07"),
        A("ASEP-01", 1, 2, 0, "LON-CR1", "T07"),
        tiny.VALID[3],
    )
    assert check(tiny.scenario(), plan).valid
    assert units(plan)["cohort_isolated"] == 3


def test_cohort_isolated_is_counted_per_cohort() -> None:
    two = (Cohort("MSC", ("GOWN-01", "ASEP-01")), Cohort("PHD", ("ASEP-01",)))
    # PHD sees ASEP-01 session 0 (Monday) and session 1 (Tuesday), each alone.
    assert units(tiny.plan(), cohorts=two)["cohort_isolated"] == 3


def test_facility_changes() -> None:
    s = tiny.offering(tiny.scenario(), "ASEP-01", facility_kinds=())
    plan = tiny.replaced(("ASEP-01", 1), facility="LON-CL1")
    assert check(s, plan).units["facility_changes"] == 1


def test_trainer_away() -> None:
    plan = tiny.replaced(("GMP1-01", 0), trainer="T08")
    result = check(tiny.scenario(weights={"trainer_away": 3}), plan)
    assert result.valid
    assert result.units["trainer_away"] == 1
    assert result.cost["trainer_away"] == 3.0


def test_load_balance_is_the_busiest_trainers_periods() -> None:
    assert units(tiny.plan())["load_balance"] == 5  # T07: 1 + 2 + 2


def test_moves_against_the_previous_plan() -> None:
    previous = Plan(
        (
            *tiny.VALID[:2],
            A("ASEP-01", 1, 2, 0, "LON-CR1", "T07"),  # moved since
            A("GMP1-01", 0, 0, 0, "MAN-CL1", "T08"),  # same time, another trainer
        )
    )
    without_gown = Plan(previous.assignments[1:])  # sessions absent before are not moves
    assert units(tiny.plan(), previous_plan=previous)["moves"] == 2
    assert units(tiny.plan(), previous_plan=without_gown)["moves"] == 2
    assert units(tiny.plan(), previous_plan=tiny.plan())["moves"] == 0


def test_late_finish() -> None:
    plan = tiny.plan(
        *tiny.VALID[:2],
        A("ASEP-01", 1, 1, 2, "LON-CR1", "T07"),  # 13:30–17:30, the last period
        A("GMP1-01", 0, 0, 3, "MAN-CL1", "T09"),
    )
    assert units(plan)["late_finish"] == 2
    assert units(tiny.plan())["late_finish"] == 0


def test_costs_are_counted_on_invalid_plans_too() -> None:
    plan = tiny.plan(*tiny.VALID, A("NOPE", 0, 0, 0, "X", "Y"), tiny.VALID[3])
    result = check(tiny.scenario(), plan)
    assert not result.valid
    assert result.units == check(tiny.scenario(), tiny.plan()).units


def test_check_output_is_json_ready() -> None:
    s = dataclasses.replace(tiny.scenario(), weights={"moves": 1})
    data = check(s, tiny.plan(*tiny.VALID[:3])).to_dict()
    assert data["valid"] is False
    assert data["hard_violations"][0]["rule"] == "unplaced"
    assert set(data) == {"valid", "cost", "units", "hard_violations"}
