"""One test per hard rule: a tiny plan that breaks exactly that rule, named in its message."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import CheckResult, check
from trainer_app.scheduling.scenario import Assignment, Cohort, Lock, Plan, Scenario, Trainer

A = Assignment


def rules(result: CheckResult) -> list[str]:
    return [v.rule for v in result.hard_violations]


def only(scenario: Scenario, plan: Plan, rule: str, *names: str) -> None:
    result = check(scenario, plan)
    assert rules(result) == [rule], result.hard_violations
    for name in names:
        assert name in result.hard_violations[0].message


def trainer(s: Scenario, ident: str, **changes: object) -> Scenario:
    return dataclasses.replace(
        s,
        trainers=tuple(
            dataclasses.replace(t, **changes) if t.id == ident else t for t in s.trainers
        ),
    )


def test_the_tiny_plan_is_valid() -> None:
    result = check(tiny.scenario(), tiny.plan())
    assert result.valid
    assert result.to_dict()["valid"] is True


def test_unplaced() -> None:
    only(tiny.scenario(), tiny.plan(*tiny.VALID[:3]), "unplaced", "GMP1-01 session 0")


def test_duplicate_assignment() -> None:
    plan = tiny.plan(*tiny.VALID, A("GMP1-01", 0, 2, 0, "MAN-CL1", "T09"))
    only(tiny.scenario(), plan, "duplicate_assignment", "GMP1-01 session 0")


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (A("NOPE-01", 0, 2, 0, "MAN-CL1", "T09"), "NOPE-01"),
        (A("GMP1-01", 5, 2, 0, "MAN-CL1", "T09"), "no session 5"),
        (A("GMP1-01", 0, 9, 0, "MAN-CL1", "T09"), "day 9"),
        (A("GMP1-01", 0, 2, 4, "MAN-CL1", "T09"), "period 4"),
        (A("GMP1-01", 0, 2, 0, "MAN-XX", "T09"), "MAN-XX"),
        (A("GMP1-01", 0, 2, 0, "MAN-CL1", "T99"), "T99"),
    ],
)
def test_unknown_reference(extra: Assignment, named: str) -> None:
    # A bad reference is reported once; its session is not also reported as unplaced.
    instead_of_gmp1 = extra.key == ("GMP1-01", 0)
    plan = tiny.plan(*tiny.VALID[:3], extra) if instead_of_gmp1 else tiny.plan(*tiny.VALID, extra)
    only(tiny.scenario(), plan, "unknown_reference", named)


def test_outside_day() -> None:
    only(tiny.scenario(), tiny.replaced(("ASEP-01", 1), period=3), "outside_day", "ASEP-01")


def test_facility_kind() -> None:
    plan = tiny.replaced(("GOWN-01", 0), facility="LON-CL1")
    only(tiny.scenario(), plan, "facility_kind", "GOWN-01 session 0", "LON-CL1")


def test_facility_hub() -> None:
    s = tiny.offering(tiny.scenario(), "GMP1-01", hub="LON")
    only(s, tiny.plan(), "facility_hub", "GMP1-01", "MAN-CL1", "LON")


def test_trainer_changes() -> None:
    s = trainer(tiny.scenario(), "T08", qualifications=frozenset({"ASEP"}))
    plan = tiny.replaced(("ASEP-01", 1), trainer="T08")
    only(s, plan, "trainer_changes", "ASEP-01", "T07", "T08")


def test_fixed_trainer_need_not_be_qualified_but_must_teach() -> None:
    s = tiny.offering(tiny.scenario(), "GMP1-01", trainer="T07")
    only(s, tiny.plan(), "fixed_trainer", "GMP1-01", "T09", "T07")
    assert check(s, tiny.replaced(("GMP1-01", 0), day=2, trainer="T07")).valid


def test_not_qualified() -> None:
    plan = tiny.replaced(("GMP1-01", 0), day=2, trainer="T07")
    only(tiny.scenario(), plan, "not_qualified", "T07", "GMP1")


def test_facility_clash() -> None:
    s = tiny.offering(tiny.scenario(), "GMP1-01", facility_kinds=(), attendees=5)
    plan = tiny.replaced(("GMP1-01", 0), day=1, period=1, facility="LON-CR1", trainer="T08")
    only(s, plan, "facility_clash", "LON-CR1", "ASEP-01 session 1", "GMP1-01 session 0")


def test_trainer_clash_names_both_sessions_and_the_time() -> None:
    s = trainer(tiny.scenario(), "T07", qualifications=frozenset({"ASEP", "GOWN", "GMP1"}))
    plan = tiny.replaced(("GMP1-01", 0), day=1, period=1, facility="LON-CL1", trainer="T07")
    only(
        s,
        plan,
        "trainer_clash",
        "Trainer T07 teaches ASEP-01 session 1 and GMP1-01 session 0 at the same time on "
        "Tue 12 Jan 2027 11:00",
    )


def test_sessions_of_one_offering_clash_through_their_trainer() -> None:
    s = tiny.scenario(facilities=(*tiny.scenario().facilities,))
    plan = tiny.replaced(("ASEP-01", 1), day=0, period=2)
    found = set(rules(check(s, plan)))
    assert {"trainer_clash", "facility_clash", "cohort_clash"} <= found


def test_cohort_clash() -> None:
    s = tiny.scenario(cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01", "GMP1-01")),))
    only(s, tiny.plan(), "cohort_clash", "Cohort MSC", "GOWN-01", "GMP1-01")


@pytest.mark.parametrize("who", ["facility", "trainer", "offering", "cohort"])
def test_unavailable(who: str) -> None:
    s = tiny.scenario()
    slot = frozenset({(1, 1)})  # the second period of ASEP-01 session 1
    if who == "facility":
        s = dataclasses.replace(
            s,
            facilities=tuple(
                dataclasses.replace(f, unavailable=slot) if f.id == "LON-CR1" else f
                for f in s.facilities
            ),
        )
    elif who == "trainer":
        s = trainer(s, "T07", unavailable=slot)
    elif who == "offering":
        s = tiny.offering(s, "ASEP-01", unavailable=slot)
    else:
        s = dataclasses.replace(s, cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01"), slot),))
    only(s, tiny.plan(), "unavailable", "ASEP-01 session 1", "Tue 12 Jan 2027 11:00")


def test_trainer_two_hubs() -> None:
    plan = tiny.plan(
        A("GOWN-01", 0, 0, 0, "LON-CR1", "T08"),
        *tiny.VALID[1:3],
        A("GMP1-01", 0, 0, 1, "MAN-CL1", "T08"),
    )
    only(tiny.scenario(), plan, "trainer_two_hubs", "T08", "LON and MAN", "Mon 11 Jan 2027")


@pytest.mark.parametrize(
    ("limit", "rule"),
    [
        ("max_periods_per_day", "trainer_day_limit"),
        ("max_periods_total", "trainer_total_limit"),
        ("max_periods_per_week", "trainer_week_limit"),
    ],
)
def test_trainer_limits(limit: str, rule: str) -> None:
    # T07 teaches 3 periods on Monday and 5 in the week.
    value = {"max_periods_per_day": 2}.get(limit, 4)
    only(trainer(tiny.scenario(), "T07", **{limit: value}), tiny.plan(), rule, "T07")
    assert check(trainer(tiny.scenario(), "T07", **{limit: 5}), tiny.plan()).valid


def test_consecutive_days() -> None:
    s = tiny.offering(tiny.scenario(), "ASEP-01", consecutive_days=True)
    only(s, tiny.replaced(("ASEP-01", 1), day=2), "consecutive_days", "ASEP-01")
    two_on_one_day = tiny.replaced(("ASEP-01", 1), day=0, period=2, facility="LON-CR1")
    assert "consecutive_days" in rules(check(s, two_on_one_day))


def test_consecutive_days_across_a_weekend() -> None:
    s = tiny.offering(tiny.scenario(), "ASEP-01", consecutive_days=True)
    friday_monday = tiny.plan(
        tiny.VALID[0],
        A("ASEP-01", 0, 4, 0, "LON-CR1", "T07"),
        A("ASEP-01", 1, 5, 0, "LON-CR1", "T07"),
        tiny.VALID[3],
    )
    assert check(s, friday_monday).valid


def test_after() -> None:
    plan = tiny.replaced(("GOWN-01", 0), day=1, period=2)
    only(tiny.scenario(), plan, "after", "ASEP-01", "GOWN-01")


def test_after_allows_the_same_day_back_to_back() -> None:
    # GOWN-01 09:00–11:00, then ASEP-01 from 11:00 on the same day: allowed.
    assert tiny.VALID[0].period == 0 and tiny.VALID[1].period == 1
    assert check(tiny.scenario(), tiny.plan()).valid
    overlapping = tiny.replaced(("GOWN-01", 0), period=1, facility="LON-CR1")
    assert "after" in rules(check(tiny.scenario(), overlapping))


def test_after_an_unplaced_offering_cannot_be_verified() -> None:
    result = check(tiny.scenario(), tiny.plan(*tiny.VALID[1:]))
    assert sorted(rules(result)) == ["after", "unplaced"]


def test_capacity() -> None:
    s = tiny.offering(tiny.scenario(), "ASEP-01", attendees=7)
    result = check(s, tiny.plan())
    assert rules(result) == ["capacity", "capacity"]
    assert "LON-CR1 holds 6" in result.hard_violations[0].message


@pytest.mark.parametrize(
    "lock",
    [
        Lock("GMP1-01", 0, 0, 1),
        Lock("GMP1-01", 0, 0, 0, facility="LON-CL1"),
        Lock("GMP1-01", 0, 0, 0, trainer="T08"),
    ],
)
def test_lock(lock: Lock) -> None:
    only(tiny.scenario(locked=(lock,)), tiny.plan(), "lock", "GMP1-01 session 0")


def test_a_lock_that_gives_only_the_time_fixes_only_the_time() -> None:
    assert check(tiny.scenario(locked=(Lock("GMP1-01", 0, 0, 0),)), tiny.plan()).valid


def test_violations_carry_where_they_are() -> None:
    s = tiny.offering(tiny.scenario(), "GMP1-01", hub="LON")
    violation = check(s, tiny.plan()).hard_violations[0]
    assert violation.to_dict() == {
        "rule": "facility_hub",
        "message": violation.message,
        "offering": "GMP1-01",
        "session": 0,
        "day": 0,
        "period": 0,
    }


def test_trainer_without_sessions_counts_no_load() -> None:
    s = tiny.scenario(trainers=(*tiny.scenario().trainers, Trainer("T10", "MAN")))
    assert check(s, tiny.plan()).units["load_balance"] == 5
