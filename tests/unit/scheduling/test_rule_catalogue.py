"""The catalogue of rules (scheduling/rules.py): every hard rule and cost term has its words and
its faces, and on each rule's witness (a plan breaking that rule alone) the faces agree.

Adding a rule means adding its witness here: the tests below fail for a rule without one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.unit.scheduling import tiny
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.instance import Instance, build_instance
from trainer_app.scheduling.model import SubModel
from trainer_app.scheduling.rules import (
    BLOCKERS,
    COST_TERMS,
    HARD_RULES,
    Face,
    Rule,
    Term,
    amount,
    catalogue_table,
    change_words,
    faces_of,
)
from trainer_app.scheduling.scenario import (
    TERMS,
    Assignment,
    Cohort,
    Facility,
    Lock,
    Offering,
    Plan,
    Scenario,
)
from trainer_app.scheduling.schedule import Key, Placement, Schedule, evaluate

Witness = Callable[[], tuple[Scenario, Plan]]
REPO = Path(__file__).resolve().parents[3]


def _with_gmp1_02(**changes: object) -> Scenario:
    """The tiny scenario with a second GMP1 run and a second Manchester classroom."""
    s = tiny.scenario()
    return dataclasses.replace(
        s,
        facilities=(*s.facilities, Facility("MAN-CL2", "MAN", "classroom", 10)),
        offerings=(*s.offerings, Offering("GMP1-02", "GMP1", 1, 8, facility_kinds=("classroom",))),
        **changes,
    )


def _t07(**limits: int) -> Scenario:
    s = tiny.scenario()
    trainers = tuple(dataclasses.replace(t, **limits) if t.id == "T07" else t for t in s.trainers)
    return dataclasses.replace(s, trainers=trainers)


def _plus(*extra: Assignment) -> Plan:
    return Plan((*tiny.VALID, *extra))


# One plan per rule that breaks that rule and no other (on the tiny scenario of tiny.py).
WITNESSES: dict[Rule, Witness] = {
    Rule.UNPLACED: lambda: (tiny.scenario(), Plan(tiny.VALID[:3])),
    Rule.OUTSIDE_DAY: lambda: (tiny.scenario(), tiny.replaced(("ASEP-01", 1), period=3)),
    Rule.FACILITY_KIND: lambda: (
        tiny.scenario(),
        tiny.replaced(("GOWN-01", 0), facility="LON-CL1"),
    ),
    Rule.FACILITY_HUB: lambda: (tiny.offering(tiny.scenario(), "GMP1-01", hub="LON"), tiny.plan()),
    Rule.FIXED_TRAINER: lambda: (
        tiny.offering(tiny.scenario(), "GMP1-01", trainer="T08"),
        tiny.plan(),
    ),
    Rule.NOT_QUALIFIED: lambda: (
        tiny.scenario(),
        tiny.replaced(("GMP1-01", 0), day=2, trainer="T07"),
    ),
    Rule.CAPACITY: lambda: (tiny.offering(tiny.scenario(), "GOWN-01", attendees=7), tiny.plan()),
    Rule.LOCK: lambda: (tiny.scenario(locked=(Lock("GMP1-01", 0, 1, 0),)), tiny.plan()),
    Rule.UNAVAILABLE: lambda: (
        dataclasses.replace(
            tiny.scenario(),
            trainers=tuple(
                dataclasses.replace(t, unavailable=frozenset({(0, 0)})) if t.id == "T09" else t
                for t in tiny.scenario().trainers
            ),
        ),
        tiny.plan(),
    ),
    Rule.TRAINER_CHANGES: lambda: (
        dataclasses.replace(
            tiny.scenario(),
            trainers=tuple(
                dataclasses.replace(t, qualifications=t.qualifications | {"ASEP"})
                for t in tiny.scenario().trainers
            ),
        ),
        tiny.replaced(("ASEP-01", 1), trainer="T08"),
    ),
    Rule.CONSECUTIVE_DAYS: lambda: (
        tiny.offering(tiny.scenario(), "ASEP-01", consecutive_days=True),
        tiny.replaced(("ASEP-01", 1), day=2),
    ),
    Rule.AFTER: lambda: (tiny.scenario(), tiny.replaced(("GOWN-01", 0), day=1, period=2)),
    Rule.FACILITY_CLASH: lambda: (
        _with_gmp1_02(),
        _plus(Assignment("GMP1-02", 0, 0, 0, "MAN-CL1", "T08")),
    ),
    Rule.TRAINER_CLASH: lambda: (
        _with_gmp1_02(),
        _plus(Assignment("GMP1-02", 0, 0, 0, "MAN-CL2", "T09")),
    ),
    Rule.COHORT_CLASH: lambda: (
        tiny.scenario(cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01", "GMP1-01")),)),
        tiny.plan(),
    ),
    Rule.TRAINER_TWO_HUBS: lambda: (
        _with_gmp1_02(),
        _plus(Assignment("GMP1-02", 0, 0, 2, "LON-CL1", "T09")),
    ),
    Rule.TRAINER_DAY_LIMIT: lambda: (_t07(max_periods_per_day=2), tiny.plan()),
    Rule.TRAINER_WEEK_LIMIT: lambda: (_t07(max_periods_per_week=4), tiny.plan()),
    Rule.TRAINER_TOTAL_LIMIT: lambda: (_t07(max_periods_total=4), tiny.plan()),
    Rule.DUPLICATE_ASSIGNMENT: lambda: (
        tiny.scenario(),
        _plus(Assignment("GMP1-01", 0, 2, 0, "MAN-CL1", "T09")),
    ),
    Rule.UNKNOWN_REFERENCE: lambda: (
        tiny.scenario(),
        tiny.replaced(("GMP1-01", 0), facility="NOWHERE"),
    ),
}
PLANNER_RULES = [r for r, entry in HARD_RULES.items() if not entry.plan_file_only]


def _placements(scenario: Scenario, plan: Plan) -> tuple[Instance, dict[Key, Placement]]:
    """The plan in the planner's integer terms (read as the plan being re-planned)."""
    inst = build_instance(dataclasses.replace(scenario, previous_plan=plan))
    return inst, dict(inst.previous)


def _model_accepts(inst: Instance, placements: dict[Key, Placement]) -> bool:
    """Whether the CP-SAT model admits exactly these placements (every session pinned)."""
    sub = SubModel(inst, placements, set(placements), set(), costs=False)
    if not sub.feasible:
        return False
    for key, (start, facility, trainer) in placements.items():
        if start not in sub.x[key] or facility not in sub.z[key]:
            return False
        sub.m.add(sub.x[key][start] == 1)
        sub.m.add(sub.z[key][facility] == 1)
        offering = key[0]
        if sub.trainer_of[offering] is None:
            if trainer not in sub.y[offering]:
                return False
            sub.m.add(sub.y[offering][trainer] == 1)
        elif sub.trainer_of[offering] != trainer:
            return False
    return sub.solve(time_limit=10, workers=1, seed=0).status != "infeasible"


def _incremental_refusal(
    inst: Instance, placements: dict[Key, Placement], key: Key
) -> Rule | str | None:
    """What the construction's checks say about putting ``key`` where the plan has it, every
    other session placed: the candidate lists' refusal, or the rule behind Schedule.blocker."""
    start, facility, trainer = placements[key]
    offering = inst.offerings[key[0]]
    if start not in offering.starts:
        return "candidates: start"
    if facility not in offering.facilities:
        return "candidates: facility"
    if trainer not in offering.trainers:
        return "candidates: trainer"
    others = Schedule.of(inst, {k: v for k, v in placements.items() if k != key})
    blocker = others.blocker(key[0], start, facility, trainer)
    return None if blocker is None else BLOCKERS[blocker].rule


# ----- the catalogue itself --------------------------------------------------------------------


def test_every_rule_and_term_is_declared_once_with_words() -> None:
    assert set(HARD_RULES) == set(Rule)
    assert set(COST_TERMS) == set(Term) == set(TERMS)
    assert all(entry.words.endswith(".") and entry.rule == r for r, entry in HARD_RULES.items())
    assert all(cost.setting and cost.one and cost.many for cost in COST_TERMS.values())
    assert set(WITNESSES) == set(Rule), "every rule needs its witness in this file"


@pytest.mark.parametrize("rule", list(Rule))
def test_every_rule_has_all_its_faces(rule: Rule) -> None:
    faces = faces_of(rule)
    assert Face.CHECKER in faces
    if HARD_RULES[rule].plan_file_only:
        return
    construction = faces.keys() & {Face.CANDIDATES, Face.INCREMENTAL}
    assert construction, f"{rule}: nothing stops the construction from breaking it"
    assert faces.keys() & {Face.CANDIDATES, Face.MODEL}, f"{rule}: the CP-SAT model ignores it"
    assert faces.keys() & {Face.CANDIDATES, Face.SEARCH}, f"{rule}: the search ignores it"


@pytest.mark.parametrize("term", list(Term))
def test_every_cost_term_has_all_its_faces(term: Term) -> None:
    assert set(faces_of(term)) >= {Face.INCREMENTAL, Face.SEARCH, Face.MODEL, Face.CHECKER}


def test_the_docs_show_the_catalogue_as_it_is() -> None:
    assert catalogue_table() in (REPO / "docs" / "planner.md").read_text(encoding="utf-8"), (
        "docs/planner.md's rule table is out of date: paste rules.catalogue_table() "
        "(`python -m trainer_app.scheduling.rules` prints it)"
    )


def test_words_for_changes_and_amounts() -> None:
    assert change_words(Term.FACILITY_CHANGES, 2) == "+2 facility change(s)"
    assert change_words("cohort_isolated", -1) == "keeps the cohort's day compact"
    assert amount(Term.FACILITY_CHANGES, 1) == "1 extra room used by a run"
    assert amount("facility_changes", 3) == "3 extra rooms used by runs"
    assert amount("a_term_from_the_future", 2) == "2 a term from the future"


# ----- the faces agree on every rule's witness -------------------------------------------------


def test_the_valid_plan_passes_every_face() -> None:
    scenario, plan = tiny.scenario(), tiny.plan()
    assert check(scenario, plan).valid
    inst, placements = _placements(scenario, plan)
    assert all(_incremental_refusal(inst, placements, key) is None for key in placements)
    assert _model_accepts(inst, placements)
    assert evaluate(inst, placements).unplaced == 0


@pytest.mark.parametrize("rule", list(Rule))
def test_the_checker_finds_the_rule_and_only_it(rule: Rule) -> None:
    scenario, plan = WITNESSES[rule]()
    found = {v.rule for v in check(scenario, plan).hard_violations}
    assert found == {rule}
    assert all(isinstance(r, Rule) for r in found)


@pytest.mark.parametrize("rule", PLANNER_RULES)
def test_the_cp_sat_model_refuses_the_witness(rule: Rule) -> None:
    scenario, plan = WITNESSES[rule]()
    inst, placements = _placements(scenario, plan)
    if rule is Rule.UNPLACED:  # the model counts sessions left out in its objective instead
        assert evaluate(inst, placements).unplaced == 1
        return
    assert not _model_accepts(inst, placements)


# The rules the construction refuses one session at a time (the others are run-wide: order,
# consecutive days, one trainer per run and locks are kept by how the construction places a
# run, which test_completeness.py and test_solver.py exercise).
ONE_SESSION = {
    Rule.OUTSIDE_DAY: "candidates: start",
    Rule.FACILITY_KIND: "candidates: facility",
    Rule.FACILITY_HUB: "candidates: facility",
    Rule.CAPACITY: "candidates: facility",
    Rule.FIXED_TRAINER: "candidates: trainer",
    Rule.NOT_QUALIFIED: "candidates: trainer",
    Rule.UNAVAILABLE: Rule.UNAVAILABLE,
    Rule.FACILITY_CLASH: Rule.FACILITY_CLASH,
    Rule.TRAINER_CLASH: Rule.TRAINER_CLASH,
    Rule.COHORT_CLASH: Rule.COHORT_CLASH,
    Rule.TRAINER_TWO_HUBS: Rule.TRAINER_TWO_HUBS,
    Rule.TRAINER_DAY_LIMIT: Rule.TRAINER_DAY_LIMIT,
    Rule.TRAINER_WEEK_LIMIT: Rule.TRAINER_WEEK_LIMIT,
    Rule.TRAINER_TOTAL_LIMIT: Rule.TRAINER_TOTAL_LIMIT,
}


@pytest.mark.parametrize("rule", list(ONE_SESSION))
def test_the_construction_refuses_the_witness(rule: Rule) -> None:
    scenario, plan = WITNESSES[rule]()
    inst, placements = _placements(scenario, plan)
    refusals = {_incremental_refusal(inst, placements, key) for key in placements} - {None}
    assert refusals == {ONE_SESSION[rule]}
