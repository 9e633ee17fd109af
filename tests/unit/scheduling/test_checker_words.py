"""The checker's and the planner's messages name people and rooms as coordinators know them:
trainers by name (the scenario's ids such as T17 are the store's), facility kinds by label."""

from __future__ import annotations

import dataclasses

import pytest

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.explain import check_locks
from trainer_app.scheduling.scenario import (
    Lock,
    Scenario,
    ScenarioError,
    Trainer,
    scenario_from_dict,
    scenario_to_dict,
)
from trainer_app.scheduling.solver import solve

NAMES = {"T07": "Dr Amara Okafor", "T08": "Priya Raman", "T09": "Łukasz Nowak"}


def named(s: Scenario, **qualifications: frozenset[str]) -> Scenario:
    return dataclasses.replace(
        s,
        trainers=tuple(
            dataclasses.replace(
                t, name=NAMES[t.id], qualifications=qualifications.get(t.id, t.qualifications)
            )
            for t in s.trainers
        ),
    )


def messages(s: Scenario, **changes: object) -> list[str]:
    plan = tiny.replaced(("ASEP-01", 1), **changes)
    return [v.message for v in check(s, plan).hard_violations]


def test_a_run_taught_by_two_trainers_names_them() -> None:
    s = named(tiny.scenario(), T08=frozenset({"ASEP"}))
    (message,) = messages(s, trainer="T08")
    assert message == (
        "ASEP-01 is taught by Dr Amara Okafor, Priya Raman; one trainer must teach all its sessions"
    )


def test_every_trainer_rule_names_the_trainer_not_the_id() -> None:
    s = named(tiny.scenario())
    s = dataclasses.replace(
        s, trainers=tuple(dataclasses.replace(t, max_periods_per_day=1) for t in s.trainers)
    )
    said = " ".join(messages(s, trainer="T09", day=0, period=0))
    assert "Trainer Łukasz Nowak teaches ASEP-01 session 1" in said  # not qualified
    assert "taught by Dr Amara Okafor, Łukasz Nowak" in said
    assert "Trainer Łukasz Nowak teaches ASEP-01 session 1 and GMP1-01 session 0 at the" in said
    assert "Trainer Łukasz Nowak is expected at LON and MAN" in said
    assert "Trainer Łukasz Nowak teaches 3 periods on" in said
    assert not any(ident in said for ident in NAMES)


def test_a_room_of_the_wrong_kind_is_named_by_its_label() -> None:
    (message,) = messages(tiny.scenario(), facility="LON-CL1")
    assert message.endswith("is in LON-CL1, a classroom; it needs a Grade A/B cleanroom suite")
    assert "cleanroom_grade_b" not in message


def test_locks_and_explanations_use_names_and_labels() -> None:
    s = named(tiny.scenario(), T08=frozenset({"GOWN"}))
    locked = dataclasses.replace(s, locked=(Lock("GMP1-01", 0, 1, 0, "LON-CR1", "T08"),))
    with pytest.raises(ScenarioError) as refused:
        check_locks(locked)
    said = str(refused.value)
    assert "is in LON-CR1, a Grade A/B cleanroom suite; GMP1-01 needs a classroom" in said
    assert "names trainer Priya Raman, who is not qualified for GMP1" in said

    alone = tiny.offering(s, "GOWN-01", attendees=9, trainer="T08")
    plan = solve(alone, time_limit=5, workers=1)
    line = next(line for line in plan.explanation if line.startswith("GOWN-01"))
    assert "needs a Grade A/B cleanroom suite for 9" in line


def test_a_trainers_name_is_kept_in_the_scenario_file_and_may_be_left_out() -> None:
    s = named(tiny.scenario())
    data = scenario_to_dict(s)
    assert data["trainers"][0]["name"] == "Dr Amara Okafor"
    assert scenario_from_dict(data) == s
    del data["trainers"][0]["name"]
    anonymous = scenario_from_dict(data).trainer_by_id["T07"]
    assert anonymous == Trainer("T07", "LON", frozenset({"ASEP", "GOWN"}))
    assert anonymous.shown == "T07"
