"""Fuzzing the scenario reader (issue 12): whatever a file holds, the reader either refuses it
with clear problems, each naming where, or gives a scenario that `check` and `plan` then handle
without a traceback.

Short by default (well under 40 s). For a long run, give the number of examples per test:

    TRAINER_APP_FUZZ_EXAMPLES=5000 python -m pytest -q tests/unit/scheduling/test_scenario_fuzz.py

A failure prints the smallest example found; hypothesis keeps no database between runs here.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers.fuzz import LONG_RUN, fuzz_settings
from tests.unit.scheduling import tiny
from trainer_app.cli import main
from trainer_app.domain.errors import DomainError
from trainer_app.scheduling.scenario import (
    PlanStatus,
    Scenario,
    ScenarioError,
    UnplacedRun,
    Verdict,
    dump_json,
    load_json,
    plan_from_dict,
    plan_to_dict,
    scenario_from_dict,
    scenario_to_dict,
)
from trainer_app.scheduling.synthetic import generate

FUZZ = fuzz_settings(150)
SLOW_FUZZ = fuzz_settings(40)  # these also plan what is accepted

# ----- values a hostile or careless file may hold -----------------------------------------------

ORDINARY_NUMBERS = [0, -1, 1, 2**31, -(2**63), 10**15, 10**16, 10**20, 1e20, 1e308, 0.5, -0.0]
EXTREME_NUMBERS = st.sampled_from([*ORDINARY_NUMBERS, 1e-300, math.nan, math.inf, -math.inf])
AWKWARD_TEXT = st.one_of(
    st.text(max_size=20),
    st.sampled_from(
        ["", " ", "\ud800", "x\udfffy", "a" * 101, "a" * 1001, "[[[[{{{{", "2027-02-30", "\x00"]
    ),
)
LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    EXTREME_NUMBERS,
    AWKWARD_TEXT,
)
JSON_VALUES = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=5),
        st.dictionaries(st.one_of(st.text(max_size=8), AWKWARD_TEXT), inner, max_size=5),
    ),
    max_leaves=30,
)


def _nested(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


# ----- what every refusal must look like --------------------------------------------------------

LABEL = re.compile(r" \([^()]*\)")


def assert_clear(error: DomainError) -> None:
    """Plain printable sentences, each naming where (a path or the item), none too long."""
    problems = error.problems if isinstance(error, ScenarioError) else (str(error),)
    assert problems
    for problem in problems:
        assert isinstance(problem, str) and problem.strip()
        problem.encode("utf-8")  # printable: no lone surrogate quoted back
        assert len(problem) < 1500, problem[:200]
    str(error).encode("utf-8")


def read(data: Any) -> Scenario | None:
    """The scenario, or None after checking the refusal is clear; never anything else."""
    try:
        return scenario_from_dict(data)
    except DomainError as error:
        assert_clear(error)
        return None


# ----- random JSON ------------------------------------------------------------------------------


@FUZZ
@given(JSON_VALUES)
def test_any_json_value_is_refused_clearly(value: Any) -> None:
    assert read(value) is None  # nothing random is a complete scenario


@FUZZ
@given(st.one_of(st.binary(max_size=200), st.text(max_size=200)))
def test_any_file_content_is_parsed_or_refused_clearly(content: bytes | str) -> None:
    try:
        data = load_json(content, "Scenario s.json")
    except ScenarioError as error:
        assert_clear(error)
        return
    read(data)


@settings(FUZZ, max_examples=min(LONG_RUN or 20, 200))
@given(st.integers(min_value=40, max_value=100_000), st.booleans())
def test_deep_nesting_is_refused_without_recursion(depth: int, as_text: bool) -> None:
    def read_deep() -> object:
        if as_text:
            return load_json('{"name": ' + "[" * depth + "1" + "]" * depth + "}", "s.json")
        return scenario_from_dict({"format": "trainer-app/scenario@1", "name": _nested(depth)})

    with pytest.raises(ScenarioError) as raised:
        read_deep()
    assert "nests lists and objects more than 32 deep" in str(raised.value)


# ----- mutations of valid scenarios -------------------------------------------------------------


@cache
def bases() -> tuple[dict[str, Any], ...]:
    synthetic = generate(40, seed=5)
    with_previous = tiny.scenario(previous_plan=tiny.plan(), weights={"moves": 2.5})
    return (
        scenario_to_dict(tiny.scenario()),
        scenario_to_dict(with_previous),
        scenario_to_dict(synthetic),
    )


def paths(data: Any) -> list[tuple[Any, ...]]:
    """Every place in ``data`` (iteratively), as keys and indexes from the top."""
    found: list[tuple[Any, ...]] = []
    todo: list[tuple[tuple[Any, ...], Any]] = [((), data)]
    while todo:
        path, node = todo.pop()
        found.append(path)
        if isinstance(node, dict):
            todo.extend(((*path, key), child) for key, child in node.items())
        elif isinstance(node, list):
            todo.extend(((*path, index), child) for index, child in enumerate(node))
    return found


def plain_path(path: tuple[Any, ...]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".")


POISON = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 10**16, -(10**40), 1e300]),
    st.sampled_from(["\ud800", "\udc00 name", "x" * 1001]),
)


HOSTILE = ("set", "poison", "delete", "duplicate", "unknown")
PLAUSIBLE = ("nudge", "nudge", "nudge", "delete", "duplicate")


@cache
def plan_bases() -> tuple[dict[str, Any], ...]:
    """A complete plan, and a partial one with a run left out, its verdict and advice."""
    partial = dataclasses.replace(
        tiny.plan(*tiny.VALID[:3]),
        status=PlanStatus.PARTIAL,
        cost={"facility_changes": 0.0, "total": 0.0},
        explanation=("GMP1-01 (GMP1, 1 × 1 period, 8 attendees) was not placed in time",),
        solver={"elapsed_seconds": 1.5, "lower_bound": 0.0, "cost_over_time": [[0.1, 3.0]]},
        unplaced=(
            UnplacedRun(
                "GMP1-01",
                Verdict.NOT_PLACED_IN_TIME,
                "its trainers are teaching other sessions",
                ("GOWN-01", "ASEP-01"),
                ("Plan again with more time", "Move GOWN-01 to free what it needs"),
            ),
        ),
    )
    return (plan_to_dict(tiny.plan()), plan_to_dict(partial))


@st.composite
def mutated(
    draw: st.DrawFn,
    actions: tuple[str, ...] = HOSTILE,
    sources: Callable[[], tuple[dict[str, Any], ...]] = bases,
) -> tuple[dict[str, Any], list[str]]:
    """A valid scenario changed in 1–4 places; the plain paths where poison was put.

    Hostile changes put anything anywhere; plausible ones nudge a value to a near one of the
    same kind (another small number, the other boolean, another id of the file, a shorter
    list), so that many changed scenarios are still read, then checked and planned."""
    data = copy.deepcopy(draw(st.sampled_from(sources())))
    poisoned: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        where = draw(st.sampled_from(paths(data)))
        if not where:
            continue
        *parent_path, key = where
        parent: Any = data
        for part in parent_path:
            parent = parent[part]
        action = draw(st.sampled_from(actions))
        if action == "set":
            parent[key] = draw(JSON_VALUES)
        elif action == "poison":
            parent[key] = draw(POISON)
            poisoned.append(plain_path(where))
        elif action == "nudge":
            parent[key] = draw(_near(parent[key], data))
        elif action == "delete":
            del parent[key]
        elif action == "duplicate" and isinstance(parent, list):
            parent.insert(key, copy.deepcopy(parent[key]))
        elif isinstance(parent, dict):
            parent[draw(st.text(min_size=1, max_size=6))] = draw(LEAVES)
    return data, poisoned


def _near(value: Any, data: dict[str, Any]) -> st.SearchStrategy[Any]:
    if isinstance(value, bool):
        return st.just(not value)
    if isinstance(value, int | float):
        return st.integers(0, 12) | st.floats(0, 12, allow_nan=False)
    if isinstance(value, str):
        ids = [p for p in (_value_at(data, path) for path in paths(data)) if isinstance(p, str)]
        return st.sampled_from(ids)
    if isinstance(value, list) and value:
        return st.lists(st.sampled_from(value), max_size=len(value) + 1)
    return st.just(value)


def _value_at(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


@FUZZ
@given(mutated())
def test_mutated_scenarios_are_read_or_refused_with_the_place_named(
    case: tuple[dict[str, Any], list[str]],
) -> None:
    assert_read_or_refused_at_the_poison(scenario_from_dict, *case)


@FUZZ
@given(mutated(sources=plan_bases))
def test_mutated_plans_are_read_or_refused_with_the_place_named(
    case: tuple[dict[str, Any], list[str]],
) -> None:
    """Plans too: a left-out run's verdict, reason, competing runs and suggestions included."""
    assert_read_or_refused_at_the_poison(plan_from_dict, *case)


def assert_read_or_refused_at_the_poison(
    reader: Callable[[Any], object], data: dict[str, Any], poisoned: list[str]
) -> None:
    try:
        reader(data)
    except ScenarioError as error:
        assert_clear(error)
        # where each problem is, as a plain path (a long name is cut short with "…")
        named = {LABEL.sub("", p.split(": ", 1)[0]).split("…")[0] for p in error.problems}
        still_there = [_escaped(p) for p in poisoned if _reaches(data, p)]
        if still_there:  # a poisoned value that a later change did not remove is named
            assert any(n.startswith(p) or p.startswith(n) for n in named for p in still_there), (
                named,
                still_there,
            )
    else:
        assert not [p for p in poisoned if _reaches(data, p)]


def _escaped(path: str) -> str:
    """A path as messages print it: a lone surrogate in a field name written as an escape."""
    return re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", path)


def _reaches(data: Any, plain: str) -> bool:
    """Whether the poison put at ``plain`` is still in ``data`` (not overwritten or deleted)."""
    node = data
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", plain):
        if part.startswith("["):
            index = int(part[1:-1])
            if not isinstance(node, list) or index >= len(node):
                return False
            node = node[index]
        else:
            if not isinstance(node, dict) or part not in node:
                return False
            node = node[part]
    bad_number = isinstance(node, float | int) and not (
        isinstance(node, bool) or (math.isfinite(node) and abs(node) < 10**15)
    )
    bad_text = isinstance(node, str) and (len(node) > 1000 or re.search("[\ud800-\udfff]", node))
    return bool(bad_number or bad_text)


@SLOW_FUZZ
@given(st.one_of(mutated(PLAUSIBLE), mutated(PLAUSIBLE), mutated()))
def test_what_is_accepted_is_checked_and_planned_without_a_crash(
    tmp_path_factory: pytest.TempPathFactory, case: tuple[dict[str, Any], list[str]]
) -> None:
    data, _ = case
    if read(data) is None:
        return
    folder = tmp_path_factory.mktemp("fuzz")
    scenario = folder / "scenario.json"
    scenario.write_text(dump_json(data), encoding="utf-8")
    previous = folder / "previous.json"
    previous.write_text(dump_json(plan_to_dict(tiny.plan())), encoding="utf-8")
    assert main(["check", str(scenario), str(previous)]) in (0, 1)
    output = folder / "plan.json"
    status = main(["plan", str(scenario), "-o", str(output), "--time-limit", "1", "--workers", "1"])
    assert status in (0, 1)
    assert main(["check", str(scenario), str(output)]) == status
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["scenario.json", "previous.json", "plan.json"]
    )


def test_the_fuzz_bases_are_valid(tmp_path: Path) -> None:
    for data in bases():
        scenario_from_dict(data)
