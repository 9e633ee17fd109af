"""`trainer-app plan`, `check` and `scenario export`: files in, files out, clear refusals."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.demo import DemoFiles
from tests.unit.scheduling import tiny
from trainer_app.cli import main
from trainer_app.scheduling.scenario import (
    Plan,
    Scenario,
    UnplacedRun,
    Verdict,
    dump_json,
    scenario_to_dict,
)


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else dump_json(data), encoding="utf-8")
    return path


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    return write(tmp_path / "scenario.json", scenario_to_dict(tiny.scenario()))


def test_plan_then_check_round_trip(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "plan.json"
    assert (
        main(
            [
                "plan",
                str(scenario_file),
                "-o",
                str(output),
                "--time-limit",
                "5",
                "--workers",
                "1",
                "--seed",
                "3",
            ]
        )
        == 0
    )
    captured = capsys.readouterr()
    assert "optimal: cost" in captured.err and "placed 4/4" in captured.err
    assert ", proven best, 0 hard violation(s); plan written to" in captured.err
    assert "checking the plan with the independent checker" in captured.err
    plan = json.loads(output.read_text())
    assert plan["format"] == "trainer-app/plan@1"
    assert plan["status"] == "optimal"
    assert len(plan["assignments"]) == 4
    assert main(["check", str(scenario_file), str(output)]) == 0
    verdict = json.loads(capsys.readouterr().out)
    assert verdict["valid"] is True
    assert verdict["cost"]["total"] == plan["cost"]["total"]


def test_check_reports_violations_and_exits_1(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    clash = tiny.replaced(("GMP1-01", 0), facility="LON-CR1", trainer="T07")
    plan = {
        "format": "trainer-app/plan@1",
        "assignments": [
            {
                "offering": a.offering,
                "session": a.session,
                "day": a.day,
                "period": a.period,
                "facility": a.facility,
                "trainer": a.trainer,
            }
            for a in clash.assignments
        ],
    }
    assert main(["check", str(scenario_file), str(write(tmp_path / "p.json", plan))]) == 1
    verdict = json.loads(capsys.readouterr().out)
    rules = {v["rule"] for v in verdict["hard_violations"]}
    assert {"facility_clash", "trainer_clash", "facility_kind"} <= rules


def test_a_partial_plan_is_written_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario = scenario_to_dict(tiny.offering(tiny.scenario(), "GMP1-01", course="QRM"))
    output = tmp_path / "plan.json"
    assert (
        main(
            [
                "plan",
                str(write(tmp_path / "s.json", scenario)),
                "-o",
                str(output),
                "--time-limit",
                "3",
                "--workers",
                "1",
            ]
        )
        == 1
    )
    err = capsys.readouterr().err
    assert "GMP1-01" in err and "no trainer is qualified for QRM" in err
    assert json.loads(output.read_text())["status"] == "partial"


def test_each_left_out_run_is_told_with_its_honest_status(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """What the planner knows of a left-out run (a proof, or only the time given), what
    competes for it and what to try, as the plan says; and the checker's cost, not the
    planner's."""
    from trainer_app.scheduling import solver

    real = solver.solve

    def with_verdicts(scenario: Scenario, **options: Any) -> Plan:
        plan = real(scenario, **options)
        return replace(
            plan,
            cost={"total": -1.0},  # a planner's slip: the checker's cost is written
            unplaced=(
                UnplacedRun(
                    "GMP1-01",
                    Verdict.CANNOT_BE_PLACED,
                    "no trainer is qualified for QRM",
                    suggestions=("qualify a trainer for QRM",),
                ),
                UnplacedRun(
                    "GOWN-01",
                    Verdict.NOT_PLACED_IN_TIME,
                    "every cleanroom slot in its window was taken",
                    competing=("ASEP-01",),
                    suggestions=("more time", "a wider window"),
                ),
            ),
        )

    monkeypatch.setattr(solver, "solve", with_verdicts)
    scenario = tiny.offering(tiny.scenario(), "GMP1-01", course="QRM")
    output = tmp_path / "plan.json"
    source = write(tmp_path / "s.json", scenario_to_dict(scenario))
    assert main(["plan", str(source), "-o", str(output), "--time-limit", "2"]) == 1
    err = capsys.readouterr().err
    assert (
        "GMP1-01 — Cannot be placed: no trainer is qualified for QRM. "
        "Try: qualify a trainer for QRM." in err
    )
    assert "GOWN-01" not in err  # placed after all: no verdict for it
    assert "partial: cost " in err and "no bound while runs are left out" in err
    written = json.loads(output.read_text())
    assert written["cost"]["total"] >= 0
    assert [u["offering"] for u in written["unplaced"]] == ["GMP1-01"]
    assert written["unplaced"][0]["verdict"] == "cannot_be_placed"


def broken(change: str) -> dict[str, Any]:
    data = scenario_to_dict(tiny.scenario())
    offerings = data["offerings"]
    if change == "format":
        data["format"] = "trainer-app/scenario@2"
    elif change == "unknown_id":
        offerings[1]["trainer"] = "T99"
    elif change == "zero_sessions":
        offerings[0]["sessions"] = 0
    elif change == "negative_length":
        offerings[0]["session_length"] = -2
    elif change == "longer_than_a_day":
        offerings[1]["session_length"] = 5
    elif change == "after_cycle":
        offerings[0]["after"] = ["ASEP-01"]
    elif change == "unknown_field":
        offerings[2]["hubb"] = "LON"
    elif change == "bad_lock":
        data["locked"] = [
            {
                "offering": "GMP1-01",
                "session": 0,
                "day": 0,
                "period": 0,
                "facility": "LON-CR1",
                "trainer": None,
            }
        ]
    return data


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ("format", "format is 'trainer-app/scenario@2'; this trainer-app reads"),
        ("unknown_id", "offering ASEP-01: trainer 'T99' is not in trainers"),
        ("zero_sessions", "offerings[0] (GOWN-01).sessions: must be at least 1 (got 0)"),
        ("negative_length", "session_length: must be at least 1 (got -2)"),
        ("longer_than_a_day", "a session of 5 periods is longer than a day (4 periods)"),
        ("after_cycle", "'after' forms a cycle: "),
        ("unknown_field", "unknown field 'hubb' (did you mean 'hub'?)"),
        ("bad_lock", "is in LON-CR1, a Grade A/B cleanroom suite; GMP1-01 needs a classroom"),
    ],
)
def test_bad_scenarios_are_refused_with_the_item_named_and_no_output(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], change: str, words: str
) -> None:
    scenario = write(tmp_path / "s.json", broken(change))
    output = tmp_path / "plan.json"
    assert main(["plan", str(scenario), "-o", str(output), "--time-limit", "2"]) == 1
    assert words in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [scenario]


def test_malformed_json_names_the_place(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = write(tmp_path / "s.json", '{"format": "trainer-app/scenario@1",\n  "calendar": }')
    assert main(["plan", str(scenario), "-o", str(tmp_path / "p.json")]) == 1
    assert "is not valid JSON: Expecting value at line 2, column 15" in capsys.readouterr().err
    assert main(["check", str(scenario), str(scenario)]) == 1


def test_scenario_export_from_the_demo_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = tmp_path / "demo.db"
    assert main(["demo", "--database", str(database), "--trainees", "20"]) == 0
    output = tmp_path / "spring.json"
    assert (
        main(
            [
                "scenario",
                "export",
                "--database",
                str(database),
                "--from",
                "2027-03-22",
                "--to",
                "2027-04-02",
                "--hub",
                "lon",
                "-o",
                str(output),
            ]
        )
        == 0
    )
    data = json.loads(output.read_text())
    days = data["calendar"]["days"]
    assert "2027-03-26" not in days and "2027-03-29" not in days  # Good Friday, Easter Monday
    assert "2027-03-27" not in days  # a Saturday
    assert days[0] == "2027-03-22" and days[-1] == "2027-04-02"
    assert {f["hub"] for f in data["facilities"]} == {"LON"}
    capsys.readouterr()
    assert (
        main(
            [
                "scenario",
                "export",
                "--database",
                str(database),
                "--from",
                "2027-04-02",
                "--to",
                "2027-03-22",
                "-o",
                str(tmp_path / "x.json"),
            ]
        )
        == 1
    )
    assert "--to (2027-03-22) is before --from (2027-04-02)" in capsys.readouterr().err


def test_check_names_the_demos_trainers_and_rooms_as_coordinators_know_them(
    demo_files: DemoFiles, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A run of the demo's spring term given to two trainers, in a room of the wrong kind:
    `check` says who and what, not "T17, T4" and "cleanroom_grade_b"."""
    demo = demo_files.copy_to(tmp_path / "demo")
    spring = tmp_path / "spring.json"
    export = ["scenario", "export", "--from", "2027-01-11", "--to", "2027-01-22", "-o", str(spring)]
    assert main([*export, "--database", str(demo.database)]) == 0
    scenario = json.loads(spring.read_text())
    asep = next(o for o in scenario["offerings"] if o["id"] == "ASEP-2027-01")
    trainers = [t for t in scenario["trainers"] if "ASEP" in t["qualifications"]][:2]
    classroom = next(f["id"] for f in scenario["facilities"] if f["kind"] == "classroom")
    plan = {
        "format": "trainer-app/plan@1",
        "assignments": [
            {
                "offering": asep["id"],
                "session": session,
                "day": 2 * session,
                "period": 0,
                "facility": classroom,
                "trainer": trainers[session]["id"],
            }
            for session in range(2)
        ],
    }
    capsys.readouterr()
    assert main(["check", str(spring), str(write(tmp_path / "plan.json", plan))]) == 1
    said = [v["message"] for v in json.loads(capsys.readouterr().out)["hard_violations"]]
    names = sorted(t["name"] for t in trainers)
    assert f"ASEP-2027-01 is taught by {', '.join(names)}; one trainer must" in " ".join(said)
    assert any("a classroom; it needs a Grade A/B cleanroom suite" in m for m in said)
    assert not any(re.search(r"\bT\d+\b|cleanroom_grade", m) for m in said), said
