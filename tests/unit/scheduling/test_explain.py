"""Verdicts for runs a plan leaves out: "cannot be placed" only with a proof that names what is
missing; otherwise "not placed in the time given", with the runs that compete for it."""

from __future__ import annotations

import dataclasses
import itertools
import time
from datetime import date

import pytest
from hypothesis import given

from tests.helpers.fuzz import fuzz_settings
from tests.unit.scheduling import tiny
from tests.unit.scheduling.test_solver import scenarios
from trainer_app.scheduling.bounds import lower_bound
from trainer_app.scheduling.explain import Explainer, explain
from trainer_app.scheduling.instance import build_instance
from trainer_app.scheduling.scenario import (
    Calendar,
    Cohort,
    Facility,
    Hub,
    Offering,
    Plan,
    Scenario,
    Trainer,
    UnplacedRun,
    Verdict,
    plan_from_dict,
    plan_to_dict,
)
from trainer_app.scheduling.solver import solve
from trainer_app.scheduling.synthetic import generate_with_plan

EVERY_PERIOD = frozenset((d, p) for d in range(len(tiny.DAYS)) for p in range(4))


def verdict_of(plan: Plan, offering: str) -> UnplacedRun:
    found = [u for u in plan.unplaced if u.offering == offering]
    assert found, f"{offering} is not among the runs left out: {plan.unplaced}"
    return found[0]


def line_of(plan: Plan, offering: str) -> str:
    return next(line for line in plan.explanation if line.startswith(offering + " "))


def trainers_changed(scenario: Scenario, ident: str, **changes: object) -> Scenario:
    return dataclasses.replace(
        scenario,
        trainers=tuple(
            dataclasses.replace(t, **changes) if t.id == ident else t  # type: ignore[arg-type]
            for t in scenario.trainers
        ),
    )


# ----- runs a complete plan places are never called impossible -------------------------------


@pytest.mark.parametrize(("sessions", "seed"), [(100, 1), (500, 2), (1500, 3)])
def test_no_run_of_a_planted_plan_is_ever_proven_impossible(sessions: int, seed: int) -> None:
    """The generator plants a complete plan: every run can be placed, so no proof may exist,
    for any run, and the proofs for all of them are cheap."""
    scenario, planted = generate_with_plan(sessions, seed)
    assert {a.offering for a in planted.assignments} == {o.id for o in scenario.offerings}
    inst = build_instance(scenario)
    started = time.monotonic()
    explainer = Explainer(inst, {}, {})
    proofs = {od.id: explainer.proof(od.index) for od in inst.offerings}
    assert time.monotonic() - started < 5  # a few ms a run, even on a loaded machine
    assert {run: why for run, why in proofs.items() if why is not None} == {}


def test_runs_left_out_for_want_of_time_are_not_called_impossible() -> None:
    """Stopped (as by Cancel) after a hundred runs are placed: a partial plan."""
    scenario, _planted = generate_with_plan(500, 2)
    polls = itertools.count()
    plan = solve(scenario, time_limit=5, workers=1, seed=1, should_stop=lambda: next(polls) > 100)
    assert plan.status == "partial"
    assert plan.unplaced
    assert {u.verdict for u in plan.unplaced} == {Verdict.NOT_PLACED_IN_TIME}
    placed = {a.offering for a in plan.assignments}
    assert {u.offering for u in plan.unplaced} == {o.id for o in scenario.offerings} - placed
    # One explanation line per run left out, saying the same thing as its verdict.
    assert len(plan.explanation) == len(plan.unplaced)
    for run in plan.unplaced:
        line = line_of(plan, run.offering)
        assert "was not placed in the time given" in line and run.reason in line
        assert "cannot be placed" not in line
        assert run.suggestions[0].startswith("Plan again with more time")
    # The plan file holds the verdicts and reads back the same.
    assert plan_from_dict(plan_to_dict(plan)).unplaced == plan.unplaced


def test_a_run_not_placed_in_time_names_the_runs_holding_what_it_needs() -> None:
    """Two runs for the only trainer, each fits alone; the planner is stopped at once, so the
    verdict is about time, and the competing run is the one that took the trainer."""
    scenario = tiny.scenario()
    base = build_instance(scenario)
    gown = next(od.index for od in base.offerings if od.id == "GOWN-01")
    gmp1 = next(od.index for od in base.offerings if od.id == "GMP1-01")
    trainer = base.trainer_ids.index("T07")
    facility = base.facility_ids.index("LON-CR1")
    held = {(gown, 0): (2 * 4 + 1, facility, trainer)}
    explainer = Explainer(base, {}, held)
    asep = next(od.index for od in base.offerings if od.id == "ASEP-01")
    verdict = explainer.verdict(asep)
    assert verdict.verdict == Verdict.NOT_PLACED_IN_TIME
    assert verdict.competing == ("GOWN-01",)
    assert "Qualify another trainer for ASEP (only T07 can deliver it)" in verdict.suggestions
    assert "Allow another facility (only LON-CR1 suits it)" in verdict.suggestions
    assert explainer.proof(gmp1) is None


# ----- proofs --------------------------------------------------------------------------------


def test_no_qualified_trainer_is_a_proof() -> None:
    plan = solve(tiny.offering(tiny.scenario(), "GMP1-01", course="QRM"), time_limit=3, workers=1)
    verdict = verdict_of(plan, "GMP1-01")
    assert verdict.verdict == Verdict.CANNOT_BE_PLACED
    assert verdict.reason == "no trainer is qualified for QRM"
    assert "GMP1-01 (QRM, 1 × 1 periods, 8 attendees) cannot be placed: no trainer" in (
        line_of(plan, "GMP1-01")
    )


def test_every_facility_too_small_is_a_proof_and_so_is_following_it() -> None:
    plan = solve(tiny.offering(tiny.scenario(), "GOWN-01", attendees=9), time_limit=3, workers=1)
    gown = verdict_of(plan, "GOWN-01")
    assert gown.verdict == Verdict.CANNOT_BE_PLACED
    assert "needs a Grade A/B cleanroom suite for 9" in gown.reason
    assert "LON-CR1 holds 6 (a hard limit)" in gown.reason
    asep = verdict_of(plan, "ASEP-01")
    assert asep.verdict == Verdict.CANNOT_BE_PLACED
    assert asep.reason.startswith("it must follow GOWN-01, which cannot be placed: it needs")


def test_three_consecutive_days_in_a_two_day_window_is_a_proof() -> None:
    open_days = {1, 2}
    closed = frozenset(slot for slot in EVERY_PERIOD if slot[0] not in open_days)
    scenario = tiny.offering(
        tiny.scenario(), "GMP1-01", sessions=3, consecutive_days=True, unavailable=closed
    )
    plan = solve(scenario, time_limit=3, workers=1)
    verdict = verdict_of(plan, "GMP1-01")
    assert verdict.verdict == Verdict.CANNOT_BE_PLACED
    assert "3 sessions of 1 period on consecutive days" in verdict.reason
    assert "no 3 consecutive working days have a free slot" in verdict.reason


def test_the_only_trainer_on_leave_throughout_is_a_proof_naming_them() -> None:
    scenario = tiny.offering(tiny.scenario(), "GMP1-01", trainer="T09")
    scenario = trainers_changed(scenario, "T09", unavailable=EVERY_PERIOD, name="Priya Shah")
    plan = solve(scenario, time_limit=3, workers=1)
    verdict = verdict_of(plan, "GMP1-01")
    assert verdict.verdict == Verdict.CANNOT_BE_PLACED
    assert "Priya Shah" in verdict.reason and "away" in verdict.reason


def test_trainers_at_their_limits_are_a_proof_naming_each_limit() -> None:
    """GMP1 can be taught by T08 and T09: one may teach 1 period in all, the other is away
    on every day but one, and the run needs 2 sessions of a whole day."""
    scenario = tiny.offering(tiny.scenario(), "GMP1-01", sessions=2, session_length=4)
    scenario = trainers_changed(scenario, "T08", max_periods_total=1)
    away = frozenset(slot for slot in EVERY_PERIOD if slot[0] != 3)
    scenario = trainers_changed(scenario, "T09", unavailable=away)
    plan = solve(scenario, time_limit=3, workers=1)
    verdict = verdict_of(plan, "GMP1-01")
    assert verdict.verdict == Verdict.CANNOT_BE_PLACED
    assert "none of its qualified trainers is free for all 2 sessions of 4 periods" in (
        verdict.reason
    )
    assert "T08 may teach 1 periods in all" in verdict.reason
    assert "T09 is free for 1 at most" in verdict.reason


def test_two_runs_for_the_only_trainer_at_the_only_times_get_the_solver_s_proof() -> None:
    scenario = Scenario(
        Calendar((date(2027, 3, 1),), 2),
        (Hub("A", "A"),),
        (Facility("LAB", "A", "lab", 8),),
        (Trainer("T1", "A", frozenset({"C1", "C2"}), name="Sam Okafor"),),
        (
            Offering("RUN-1", "C1", 1, 4, session_length=2),
            Offering("RUN-2", "C2", 1, 4, session_length=2),
        ),
        (Cohort("K", ("RUN-1", "RUN-2")),),
    )
    # The proof takes a fraction of a second; the generous limit only matters on a busy machine
    # (a CI run with two cores loaded ran out of 5 s before proving it). The planner must not
    # spend the limit trying again what is proven impossible: it once took 50 of the 60 s.
    started = time.monotonic()
    plan = solve(scenario, time_limit=60, workers=1)
    assert time.monotonic() - started < 30
    assert plan.status == "partial"
    (left_out,) = plan.unplaced
    other = "RUN-1" if left_out.offering == "RUN-2" else "RUN-2"
    assert left_out.verdict == Verdict.CANNOT_BE_PLACED
    assert f"cannot be placed together with {other}" in left_out.reason
    assert "trainer Sam Okafor" in left_out.reason
    assert "cannot be placed: the solver proved" in line_of(plan, left_out.offering)


def test_a_core_around_a_run_is_found_without_the_whole_model() -> None:
    """In a plan where RUN-1 holds the only trainer's only slot, CP-SAT on RUN-2 and its rivals
    alone proves the pair cannot both be placed (no exact model of the whole term needed)."""
    scenario = Scenario(
        Calendar((date(2027, 3, 1), date(2027, 3, 2)), 2),
        (Hub("A", "A"),),
        (Facility("LAB", "A", "lab", 8), Facility("ROOM", "A", "room", 8)),
        (Trainer("T1", "A", frozenset({"C1", "C2"})), Trainer("T2", "A", frozenset({"C3"}))),
        (
            Offering("RUN-1", "C1", 1, 4, session_length=2, unavailable=frozenset({(1, 0)})),
            Offering("RUN-2", "C2", 1, 4, session_length=2, unavailable=frozenset({(1, 0)})),
            Offering("OTHER", "C3", 2, 4, facility_kinds=("room",)),
        ),
    )
    inst = build_instance(scenario)
    run1, run2 = (next(od.index for od in inst.offerings if od.id == n) for n in ("RUN-1", "RUN-2"))
    held = {(run1, 0): (0, 0, 0)}
    verdicts, lines = explain(inst, [run2], {}, held)  # no time for cores: not proven
    assert verdicts[0].verdict == Verdict.NOT_PLACED_IN_TIME
    verdicts, lines = explain(inst, [run2], {}, held, core_budget=2.0)
    assert verdicts[0].verdict == Verdict.CANNOT_BE_PLACED
    assert "cannot be placed together with RUN-1" in verdicts[0].reason
    assert "trainer T1" in verdicts[0].reason
    assert lines[0].startswith(
        "RUN-2 (C2, 1 × 2 periods, 4 attendees) cannot be placed: the solver"
    )


# ----- property: random small scenarios, feasible or not -------------------------------------


@fuzz_settings(in_ci=20)
@given(scenarios())
def test_no_run_the_planner_places_was_proven_impossible(scenario: Scenario) -> None:
    """Whatever the planner places is possible; a plan with every run costs no less than the
    bound; and every run left out has a verdict."""
    plan = solve(scenario, time_limit=1.0, workers=1)
    inst = build_instance(scenario)
    explainer = Explainer(inst, {}, {})
    proven = {od.id: why for od in inst.offerings if (why := explainer.proof(od.index))}
    placed = {a.offering for a in plan.assignments}
    assert {run: proven[run] for run in placed & set(proven)} == {}
    assert {u.offering for u in plan.unplaced} == {o.id for o in scenario.offerings} - placed
    if not plan.hard_violations:
        assert lower_bound(inst, budget=0.5).total <= plan.cost["total"] + 1e-9


def test_no_room_of_the_kind_names_the_hubs_being_planned() -> None:
    """A plan of some hubs only: "the network has none" was said of a virtual room that another
    hub has; the verdict names the hubs the plan covers."""
    scenario = tiny.offering(tiny.scenario(), "GMP1-01", facility_kinds=("virtual",))
    verdict = verdict_of(solve(scenario, time_limit=2, workers=1), "GMP1-01")
    assert verdict.verdict == Verdict.CANNOT_BE_PLACED
    assert verdict.reason == "it needs a virtual room and there is none at LON or MAN"
