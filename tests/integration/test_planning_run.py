"""Making a plan through the planning service: build → solve → check → save, with the
independent checker's verdict stored whatever the solver says of its plan."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import builders
from trainer_app.cli import main
from trainer_app.config import Settings
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.planning import CourseRunFields, RunStatus
from trainer_app.scheduling.checker import check
from trainer_app.scheduling.scenario import (
    Plan,
    PlanStatus,
    Scenario,
    UnplacedRun,
    Verdict,
    plan_from_dict,
)
from trainer_app.scheduling.solver import Progress, solve
from trainer_app.services.context import ServiceContext
from trainer_app.services.planning import PlanScope
from trainer_app.services.planning_run import CHECKING, SolveOptions, solve_and_check
from trainer_app.services.planning_verdict import (
    bound_words,
    check_plan,
    cost_words,
    left_out_lines,
)

pytestmark = pytest.mark.both_stores

WEEK = (date(2027, 1, 11), date(2027, 1, 15))
FAST = SolveOptions(time_limit=3, workers=1)


@pytest.fixture
def store(context: ServiceContext) -> ServiceContext:
    """One hub, one classroom, a trainer for GMP-FUND (two runs) and nobody for QRM (one run:
    it cannot be placed)."""
    hub = builders.hub(context)
    builders.facility(context, hub.id, "LON-CL1", FacilityKind.CLASSROOM, 20)
    gmp = builders.course(context, "GMP-FUND", title="GMP fundamentals")
    qrm = builders.course(context, "QRM", title="Quality risk management")
    builders.trainer(context, hub.id, "Dr Amara Okafor", gmp)
    for code, course in (
        ("GMP-FUND-2027-01", gmp),
        ("GMP-FUND-2027-02", gmp),
        ("QRM-2027-01", qrm),
    ):
        context.runs.create(
            CourseRunFields(code=code, course_id=course.id, attendees=10, hub_id=hub.id)
        )
    return context


def scope(ctx: ServiceContext, *codes: str) -> PlanScope:
    ids = tuple(r.id for r in ctx.runs.list() if not codes or r.code in codes)
    return PlanScope(start=WEEK[0], end=WEEK[1], run_ids=ids, name="Week of 11 Jan")


def boasting(scenario: Scenario, **options: Any) -> Plan:
    """The real planner, whose plan then claims to be the best possible at no cost."""
    plan = solve(scenario, **options)
    return replace(plan, status=PlanStatus.OPTIMAL, cost={"total": 0.0}, hard_violations=())


def same(a: Plan, b: Plan) -> bool:
    """Equal but for the order of the assignments (the stored document sorts them)."""
    ordered = [replace(p, assignments=tuple(sorted(p.assignments, key=str))) for p in (a, b)]
    return ordered[0] == ordered[1]


def stored_plan(ctx: ServiceContext, plan_id: int) -> Plan:
    return ctx.planning.get_plan(plan_id)[2]


def test_the_saved_plan_has_the_checkers_cost_and_status_not_the_solvers(
    store: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store.planning, "solve", boasting)
    made = store.planning.make_plan(scope(store), FAST)
    assert made.version is not None
    scenario, plan = store.planning.get_plan(made.version.id)[1:]
    verdict = check(scenario, plan)
    assert plan.status is PlanStatus.PARTIAL  # QRM has no trainer: not "optimal"
    assert plan.cost == verdict.cost and plan.cost["total"] > 0
    assert made.version.cost_total == verdict.cost["total"]
    assert made.version.solver_summary.startswith("partial;")
    assert [v["offering"] for v in plan.hard_violations] == ["QRM-2027-01"]
    assert {v["rule"] for v in plan.hard_violations} == {"unplaced"}
    assert same(made.checked.plan, plan) and made.checked.left_out == ("QRM-2027-01",)
    assert {r.code: r.status for r in store.runs.list()}["GMP-FUND-2027-01"] is RunStatus.PLANNED


def test_saving_any_plan_stores_the_checkers_verdict(store: ServiceContext) -> None:
    scenario = store.planning.build_scenario(*WEEK)
    plan = boasting(scenario, time_limit=2, workers=1)
    saved = store.planning.save_plan("By hand", scenario, plan)
    kept = stored_plan(store, saved.id)
    assert kept.status is PlanStatus.PARTIAL
    assert kept.cost == check(scenario, plan).cost
    assert saved.cost_total == kept.cost["total"] != 0.0


def test_progress_is_reported_and_the_checker_has_the_last_word(store: ServiceContext) -> None:
    heard: list[Progress] = []
    made = store.planning.make_plan(
        scope(store, "GMP-FUND-2027-01", "GMP-FUND-2027-02"), FAST, on_progress=heard.append
    )
    assert made.version is not None and made.version.name == "Week of 11 Jan"
    assert heard and heard[-1].message == CHECKING
    assert heard[-1].placed_sessions == heard[-1].total_sessions == 2
    assert made.checked.valid and made.checked.plan.status is PlanStatus.OPTIMAL
    assert bound_words(made.checked.plan) == "proven best"


def test_cancel_keeps_and_saves_the_best_plan_found_so_far(store: ServiceContext) -> None:
    stopped: list[bool] = []

    def stop() -> bool:  # the coordinator presses Cancel as soon as the planner reports
        return bool(stopped)

    made = store.planning.make_plan(
        scope(store),
        SolveOptions(time_limit=60, workers=1),
        on_progress=lambda _p: stopped.append(True),
        should_stop=stop,
    )
    assert made.version is not None  # saved, as the page has always done after Cancel
    assert float(made.checked.plan.solver["elapsed_seconds"]) < 30
    assert same(stored_plan(store, made.version.id), made.checked.plan)
    assert made.checked.plan.cost == check(made.checked.scenario, made.checked.plan).cost


def test_replan_goes_through_the_same_sequence(
    store: ServiceContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = store.planning.make_plan(scope(store, "GMP-FUND-2027-01", "GMP-FUND-2027-02"), FAST)
    assert first.version is not None
    monkeypatch.setattr(store.planning, "solve", boasting)
    again = store.planning.replan(first.version.id, FAST, name=lambda s: f"{s.name}!")
    assert again.version is not None and again.version.name.endswith("(re-plan)!")
    assert again.checked.plan.cost == check(again.checked.scenario, again.checked.plan).cost


def test_a_plan_that_cannot_be_saved_is_returned_with_the_reason(store: ServiceContext) -> None:
    scenario = store.planning.build_scenario(*WEEK)
    run = next(r for r in store.runs.list() if r.code == "QRM-2027-01")
    store.runs.delete(run.id, run.row_version)  # gone while the planner worked
    made = store.planning.plan_scenario(scenario, FAST)
    assert made.version is None and "no longer exist" in made.not_saved
    assert made.checked.plan.status is PlanStatus.PARTIAL


def test_left_out_runs_keep_their_verdict_while_they_are_left_out(
    store: ServiceContext,
) -> None:
    scenario = store.planning.build_scenario(*WEEK)

    def honest(scenario: Scenario, **options: Any) -> Plan:
        plan = solve(scenario, **options)
        return replace(
            plan,
            unplaced=(
                UnplacedRun(
                    "QRM-2027-01",
                    Verdict.CANNOT_BE_PLACED,
                    "no trainer is qualified for QRM",
                    suggestions=("qualify a trainer for QRM",),
                ),
                UnplacedRun(  # placed after all: its entry is dropped
                    "GMP-FUND-2027-01", Verdict.NOT_PLACED_IN_TIME, "the room was full"
                ),
            ),
        )

    checked = solve_and_check(scenario, FAST, solve=honest)
    assert [u.offering for u in checked.plan.unplaced] == ["QRM-2027-01"]
    assert left_out_lines(checked.plan) == [
        "QRM-2027-01 — Cannot be placed: no trainer is qualified for QRM. "
        "Try: qualify a trainer for QRM."
    ]
    saved = store.planning.save_checked("Honest", checked)
    row_plan = stored_plan(store, saved.id)
    assert row_plan.unplaced == checked.plan.unplaced  # kept in the stored plan document
    assert cost_words(row_plan).endswith("no bound while runs are left out")


def test_optimal_only_when_the_checkers_cost_meets_the_proven_bound() -> None:
    from tests.ui import test_plan_scenario as fx

    scenario, plan = fx.scenario(), fx.plan()
    total = check(scenario, plan).cost["total"]
    assert total > 0
    claims = replace(plan, status=PlanStatus.OPTIMAL, solver={"lower_bound": total * 0.8})
    checked = check_plan(scenario, claims)
    assert checked.plan.status is PlanStatus.FEASIBLE
    assert bound_words(checked.plan) == (
        f"at most 25 % above the best possible (which costs at least {total * 0.8:g})"
    )
    far = check_plan(scenario, replace(plan, solver={"lower_bound": total / 3}))
    assert bound_words(far.plan) == (  # a multiple, not "200 % above"
        f"at most 3 × the best possible (which costs at least {total / 3:g})"
    )
    at_bound = check_plan(scenario, replace(plan, solver={"lower_bound": total}))
    assert at_bound.plan.status is PlanStatus.OPTIMAL
    assert bound_words(at_bound.plan) == "proven best"
    assert bound_words(check_plan(scenario, plan).plan) == "no bound yet"
    trivial = check_plan(scenario, replace(plan, solver={"lower_bound": 0}))
    assert bound_words(trivial.plan) == "no useful bound yet (the best possible might cost 0)"


def test_a_saved_plan_opens_with_the_verdict_it_was_saved_with(store: ServiceContext) -> None:
    made = store.planning.make_plan(scope(store), FAST)
    assert made.version is not None
    version, checked = store.planning.get_checked_plan(made.version.id)
    assert version == made.version and same(checked.plan, made.checked.plan)
    assert checked.units == made.checked.units


# ----- the command line plans the store through the same service ---------------------------------


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_command_line_plans_the_store_into_a_draft(
    store: ServiceContext, settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`trainer-app plan --database … --from … --to …` is the Plan page's Plan, headless: the
    store's runs in the dates are planned, checked and saved as a named draft."""
    database = settings.database_url.removeprefix("sqlite:///")
    output = tmp_path / "plan.json"
    status = main(
        [
            "plan", "--database", database, "--from", "2027-01-11", "--to", "2027-01-15",
            "--hub", "lon", "--name", "Week of 11 Jan (CLI)", "--time-limit", "2",
            "--workers", "1", "-o", str(output),
        ]
    )  # fmt: skip
    err = capsys.readouterr().err
    assert status == 1  # QRM has no trainer: a partial plan
    assert "QRM-2027-01 — Cannot be placed: no trainer is qualified for QRM" in err
    assert "saved as draft 'Week of 11 Jan (CLI)'" in err
    [version] = store.planning.list_plans()
    assert version.name == "Week of 11 Jan (CLI)"
    saved = stored_plan(store, version.id)
    assert {a.offering for a in saved.assignments} == {"GMP-FUND-2027-01", "GMP-FUND-2027-02"}
    assert [u.offering for u in saved.unplaced] == ["QRM-2027-01"]
    assert plan_from_dict(json.loads(output.read_text(encoding="utf-8"))).status == "partial"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--from", "2027-01-11", "--to", "2027-01-15", "--hub", "MAN"], "No hub MAN; the hubs "),
        (["--from", "2027-01-11"], "Planning a store needs both --from DATE and --to DATE"),
        (["scenario.json", "--from", "2027-01-11", "--to", "2027-01-15"], "not both"),
        (["--from", "2027-01-11", "--to", "2027-01-15", "--time-limit", "0"], "--time-limit"),
    ],
)
@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_the_command_line_refuses_a_plan_it_cannot_make_and_saves_nothing(
    store: ServiceContext,
    settings: Settings,
    capsys: pytest.CaptureFixture[str],
    arguments: list[str],
    message: str,
) -> None:
    database = settings.database_url.removeprefix("sqlite:///")
    assert main(["plan", "--database", database, *arguments]) == 1
    assert message in capsys.readouterr().err
    assert store.planning.list_plans() == []


@pytest.mark.sqlite_only  # the command line's words and files: the same on either store
def test_a_draft_is_named_for_its_term_and_when_it_was_made_wherever_it_is_planned(
    store: ServiceContext, settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line names a draft as the Plan page does (the rule is the service's)."""
    database = settings.database_url.removeprefix("sqlite:///")
    week = ["--from", "2027-01-11", "--to", "2027-01-15"]
    main(["plan", "--database", database, *week, "--time-limit", "1", "--workers", "1"])
    [version] = store.planning.list_plans()
    assert re.fullmatch(r"Spring 2027 · \d{1,2} [A-Z][a-z]{2} \d\d:\d\d", version.name)
    assert f"saved as draft '{version.name}'" in capsys.readouterr().err
