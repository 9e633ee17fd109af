"""The JSON Schemas accept what the writer writes and reject what the reader rejects."""

from __future__ import annotations

import copy
import dataclasses
import json
from collections.abc import Callable
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.unit.scheduling import tiny
from trainer_app import resources
from trainer_app.scheduling.scenario import (
    ScenarioError,
    UnplacedRun,
    Verdict,
    plan_from_dict,
    plan_to_dict,
    scenario_from_dict,
    scenario_to_dict,
)
from trainer_app.scheduling.synthetic import generate_with_plan


def _schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.path("schemas", name).read_text("utf-8"))
    return data


SCENARIO, PLAN = _schema("scenario-1.schema.json"), _schema("plan-1.schema.json")
REGISTRY = Registry().with_resources(
    (s["$id"], Resource.from_contents(s)) for s in (SCENARIO, PLAN)
)


def valid(schema: dict[str, Any], data: Any) -> bool:
    validator = jsonschema.Draft202012Validator(schema, registry=REGISTRY)
    return validator.is_valid(data)


def test_schemas_are_valid_draft_2020_12() -> None:
    for schema in (SCENARIO, PLAN):
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("size", [60, 300])
def test_generated_scenarios_and_plans_are_accepted(size: int) -> None:
    scenario, plan = generate_with_plan(size, seed=3)
    plan_data = plan_to_dict(plan)
    with_previous = scenario_to_dict(tiny.scenario(previous_plan=plan, weights={"moves": 2}))
    for schema, data in ((SCENARIO, scenario_to_dict(scenario)), (PLAN, plan_data)):
        assert valid(schema, data), list(jsonschema.Draft202012Validator(schema).iter_errors(data))
    assert valid(SCENARIO, with_previous)


def test_the_documented_defaults_may_be_left_out() -> None:
    minimal = {
        "format": "trainer-app/scenario@1",
        "calendar": {"days": ["2027-01-11"], "periods_per_day": 4},
        "hubs": [{"id": "LON"}],
        "facilities": [{"id": "F", "hub": "LON", "kind": "classroom", "capacity": 5}],
        "trainers": [{"id": "T", "hub": "LON"}],
        "offerings": [{"id": "O", "course": "C", "sessions": 1, "attendees": 3}],
        "weights": None,
    }
    assert valid(SCENARIO, minimal)
    scenario_from_dict(minimal)


Edit = Callable[[dict[str, Any]], None]


def _set(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if part.isdigit() else node[part]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value

    return edit


_DELETE = object()

SCENARIO_BREAKS = {
    "unknown top-level field": _set("colour", "blue"),
    "unknown facility field": _set("facilities.0.size", 3),
    "unknown offering field": _set("offerings.0.sessionz", 2),
    "unknown weight": _set("weights", {"lateness": 1}),
    "wrong format": _set("format", "trainer-app/scenario@2"),
    "date not ISO": _set("calendar.days", ["11/01/2027"]),
    "no days": _set("calendar.days", []),
    "missing offerings": _set("offerings", _DELETE),
    "missing capacity": _set("facilities.0.capacity", _DELETE),
    "missing cohort offerings": _set("cohorts.0.offerings", _DELETE),
    "sessions as text": _set("offerings.0.sessions", "3"),
    "zero sessions": _set("offerings.0.sessions", 0),
    "negative attendees": _set("offerings.0.attendees", -1),
    "hard capacity as text": _set("facilities.0.capacity_is_hard", "yes"),
    "boolean as count": _set("trainers.0.max_periods_per_day", True),
    "slot of three": _set("trainers.0.unavailable", [[0, 1, 2]]),
    "empty id": _set("hubs.0.id", " "),
    "negative weight": _set("weights", {"moves": -1}),
    "period labels not a list": _set("calendar.period_labels", "09:00"),
    "published as text": _set("offerings.0.published", "yes"),
    "too many sessions": _set("offerings.0.sessions", 201),
    "too many attendees": _set("offerings.0.attendees", 10_001),
    "too large a capacity": _set("facilities.0.capacity", 10_001),
    "too long a day": _set("calendar.periods_per_day", 25),
    "too high a daily limit": _set("trainers.0.max_periods_per_day", 25),
    "too large a weight": _set("weights", {"moves": 1001}),
}


@pytest.mark.parametrize("name", list(SCENARIO_BREAKS))
def test_schema_rejects_what_the_reader_rejects(name: str) -> None:
    data = scenario_to_dict(tiny.scenario())
    assert valid(SCENARIO, data)
    scenario_from_dict(data)
    broken = copy.deepcopy(data)
    SCENARIO_BREAKS[name](broken)
    assert not valid(SCENARIO, broken)
    with pytest.raises(ScenarioError):
        scenario_from_dict(broken)


def test_a_published_offering_must_have_every_session_locked_in_full() -> None:
    data = scenario_to_dict(tiny.scenario())
    asep = next(o for o in data["offerings"] if o["id"] == "ASEP-01")
    asep["published"] = True
    data["locked"] = [
        {
            "offering": "ASEP-01",
            "session": 0,
            "day": 0,
            "period": 1,
            "facility": "LON-CR1",
            "trainer": "T07",
        },
        {
            "offering": "ASEP-01",
            "session": 1,
            "day": 1,
            "period": 0,
            "facility": "LON-CR1",
            "trainer": None,
        },
    ]
    assert valid(SCENARIO, data)  # a cross-reference: only the reader can tell
    with pytest.raises(ScenarioError) as raised:
        scenario_from_dict(data)
    assert list(raised.value.problems) == [
        "offering ASEP-01: is published, so every session must be locked with its facility "
        "and trainer (session 1 is not)"
    ]
    data["locked"][1]["trainer"] = "T07"
    assert scenario_from_dict(data).offering_by_id["ASEP-01"].published


PLAN_BREAKS = {
    "unknown field": _set("score", 1),
    "wrong format": _set("format", "trainer-app/plan@0"),
    "missing assignments": _set("assignments", _DELETE),
    "unknown status": _set("status", "done"),
    "missing trainer": _set("assignments.0.trainer", _DELETE),
    "unknown assignment field": _set("assignments.0.room", "X"),
    "negative day": _set("assignments.0.day", -1),
    "session as text": _set("assignments.0.session", "0"),
}


@pytest.mark.parametrize("name", list(PLAN_BREAKS))
def test_plan_schema_rejects_what_the_reader_rejects(name: str) -> None:
    data = plan_to_dict(tiny.plan())
    assert valid(PLAN, data)
    broken = copy.deepcopy(data)
    PLAN_BREAKS[name](broken)
    assert not valid(PLAN, broken)
    with pytest.raises(ScenarioError):
        plan_from_dict(broken)


def test_a_plan_s_suggestions_are_texts_not_ids() -> None:
    """A suggestion is a line of advice: longer than an id may be, up to a text's 1 000."""
    advice = "Move GOWN-01 to the week after, or ask " + "a second qualified trainer " * 9
    plan = dataclasses.replace(
        tiny.plan(*tiny.VALID[:3]),
        unplaced=(
            UnplacedRun(
                "GMP1-01", Verdict.NOT_PLACED_IN_TIME, "not found", ("GOWN-01",), (advice,)
            ),
        ),
    )
    data = plan_to_dict(plan)
    assert len(advice) > 200 and valid(PLAN, data)
    assert plan_from_dict(data).unplaced[0].suggestions == (advice,)
    data["unplaced"][0]["suggestions"] = ["x" * 1001]
    assert not valid(PLAN, data)
    with pytest.raises(
        ScenarioError, match=r"\(GMP1-01\)\.suggestions\[0\]: is 1,001 characters long"
    ):
        plan_from_dict(data)
