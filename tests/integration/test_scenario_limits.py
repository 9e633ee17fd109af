"""Issue 12: what the planner's commands read and write has limits, and going past one is a
sentence naming the place and the reason, exit status 1 and nothing written: never a
traceback, a hang, a 'valid' that `plan` then crashes on, or a device node replaced."""

from __future__ import annotations

import copy
import json
import os
import resource
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.unit.scheduling import tiny
from trainer_app.cli import main
from trainer_app.scheduling.instance import build_instance
from trainer_app.scheduling.scenario import dump_json, scenario_from_dict, scenario_to_dict

ROOT = Path(__file__).resolve().parents[2]
PLAN_OPTIONS = ["--time-limit", "1", "--workers", "1"]


def base() -> dict[str, Any]:
    return scenario_to_dict(tiny.scenario())


def changed(path: str, value: Any) -> dict[str, Any]:
    """The tiny scenario with the field at ``path`` (dots; list indexes as numbers) set."""
    data = base()
    *parents, last = path.split(".")
    node: Any = data
    for part in parents:
        node = node[int(part)] if part.isdigit() else node[part]
    node[int(last) if last.isdigit() else last] = value
    return data


def refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str | bytes | dict[str, Any]
) -> str:
    """Both `check` and `plan` refuse ``content`` with exit 1, nothing written: the message."""
    scenario = tmp_path / "scenario.json"
    if isinstance(content, dict):
        content = dump_json(content)
    if isinstance(content, str):
        content = content.encode("utf-8", "surrogatepass")
    scenario.write_bytes(content)
    plan = tmp_path / "plan.json"
    plan.write_text(dump_json({"format": "trainer-app/plan@1", "assignments": []}))
    before = plan.read_bytes()
    capsys.readouterr()
    assert main(["check", str(scenario), str(plan)]) == 1
    checked = capsys.readouterr()
    assert checked.out == ""
    output = tmp_path / "out.json"
    assert main(["plan", str(scenario), "-o", str(output), *PLAN_OPTIONS]) == 1
    planned = capsys.readouterr()
    assert "Traceback" not in checked.err + planned.err
    assert checked.err == planned.err  # one reader, one message
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "scenario.json"]
    assert plan.read_bytes() == before
    return checked.err


# ----- the file as a whole ----------------------------------------------------------------------


@pytest.mark.parametrize("depth", [1_000, 100_000])
def test_json_nested_deeper_than_a_scenario_can_be_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], depth: int
) -> None:
    err = refused(tmp_path, capsys, '{"a": ' * depth + "1" + "}" * depth)
    assert "nests lists and objects more than 32 deep" in err
    scenario = tmp_path / "scenario.json"  # brackets inside text are not nesting
    scenario.write_text(dump_json(changed("name", "[" * 500 + '"{' * 200)))
    assert main(["check", str(scenario), str(tmp_path / "plan.json")]) == 1  # nothing placed
    assert json.loads(capsys.readouterr().out)["valid"] is False


def test_a_scenario_larger_than_16_mb_is_not_read_whatever_it_holds(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = dump_json(base())
    padded = text[:-2] + " " * (16 * 1024 * 1024) + text[-2:]
    err = refused(tmp_path, capsys, padded)
    assert "is larger than 16 MB, the most a scenario or plan may be" in err


def test_a_named_pipe_or_a_folder_is_not_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A named pipe with no writer would block `plan` for ever; a folder is not a scenario."""
    pipe, folder = tmp_path / "pipe.json", tmp_path / "folder.json"
    os.mkfifo(pipe)
    folder.mkdir()
    output = tmp_path / "out.json"
    for source, kind in ((pipe, "a named pipe"), (folder, "a folder")):
        assert main(["plan", str(source), "-o", str(output), *PLAN_OPTIONS]) == 1
        assert f"Cannot read scenario {source}: it is {kind}, not a regular file" in (
            capsys.readouterr().err
        )
    assert not output.exists()


def test_a_file_that_is_not_utf8_says_where(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    content = dump_json(base()).encode("utf-8").replace(b'"Manchester"', b'"Manch\xe9ster"')
    err = refused(tmp_path, capsys, content)
    assert "is not UTF-8 text (byte" in err and "line 28)" in err


# ----- numbers ----------------------------------------------------------------------------------


def test_a_5000_digit_integer_is_too_large_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = dump_json(base()).replace('"sessions": 1,', '"sessions": ' + "9" * 5000 + ",", 1)
    err = refused(tmp_path, capsys, text)
    assert "offerings[0] (GOWN-01).sessions: 999999999999… has 5,000 digits: too large" in err


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400"])
def test_weights_that_are_not_finite_numbers_are_refused_by_check_and_plan(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], literal: str
) -> None:
    text = dump_json(base()).replace('"weights": {}', f'"weights": {{"moves": {literal}}}')
    err = refused(tmp_path, capsys, text)
    assert f"weights.moves: {literal} is" in err


@pytest.mark.parametrize(
    ("path", "value", "words"),
    [
        ("offerings.0.min_days", 10**20, "offerings[0] (GOWN-01).min_days: 100000000000… has 21"),
        ("offerings.0.min_days", 1001, "offerings[0] (GOWN-01).min_days: must be at most 1,000"),
        ("offerings.0.min_days", 1e20, "offerings[0] (GOWN-01).min_days: is 1e+20: too large"),
        (
            "trainers.0.max_periods_total",
            10**20,
            "trainers[0] (T07).max_periods_total: 100000000000… has 21 digits",
        ),
        (
            "trainers.0.max_periods_total",
            10**9,
            "trainers[0] (T07).max_periods_total: must be at most 24,000 (got 1,000,000,000)",
        ),
        ("trainers.0.max_periods_per_day", 25, "max_periods_per_day: must be at most 24"),
        ("trainers.0.max_periods_per_week", 169, "max_periods_per_week: must be at most 168"),
        ("offerings.0.sessions", 10**9, "(GOWN-01).sessions: must be at most 200 (got 1,000,000"),
        ("offerings.0.attendees", 10_001, "(GOWN-01).attendees: must be at most 10,000"),
        ("facilities.0.capacity", 10**6, "(LON-CR1).capacity: must be at most 10,000"),
        ("calendar.periods_per_day", 25, "calendar.periods_per_day: must be at most 24"),
        ("weights", {"moves": 1e6}, "weights.moves: must be a number from 0 to 1,000 (got 1e+06)"),
        ("weights", {"moves": 1001}, "weights.moves: must be a number from 0 to 1,000 (got 1001)"),
    ],
)
def test_every_number_has_a_documented_range_named_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], path: str, value: Any, words: str
) -> None:
    err = refused(tmp_path, capsys, changed(path, value))
    assert words in err


def test_the_reader_does_not_blame_references_to_a_run_it_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """GOWN-01 is refused for its sessions; ASEP-01 coming after it is not a second problem."""
    err = refused(tmp_path, capsys, changed("offerings.0.sessions", 10**9))
    assert err.startswith("trainer-app: 1 problem(s):")


# ----- sizes ------------------------------------------------------------------------------------


def test_more_sessions_than_the_planner_takes_is_refused_before_planning(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = base()
    data["offerings"] = [
        {"id": f"R{i}", "course": "GMP1", "sessions": 200, "attendees": 3} for i in range(101)
    ]
    data["cohorts"] = []
    err = refused(tmp_path, capsys, data)
    assert "offerings: have 20,200 sessions in all; at most 20,000 are allowed" in err


def test_a_calendar_of_more_than_1000_days_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    days = [f"{2030 + n // 300}-{1 + n % 300 // 28:02d}-{1 + n % 28:02d}" for n in range(1001)]
    err = refused(tmp_path, capsys, changed("calendar.days", days))
    assert "calendar.days: lists 1,001 days; at most 1,000 are allowed" in err


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("20270111", "'20270111' is not a date (YYYY-MM-DD)"),
        ("2027-W02-1", "'2027-W02-1' is not a date (YYYY-MM-DD)"),
        ("1900-01-01", "1900-01-01 is outside the years 2000–2099"),
    ],
)
def test_days_are_plain_dates_within_this_century(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, words: str
) -> None:
    err = refused(tmp_path, capsys, changed("calendar.days", [text]))
    assert f"calendar.days[0]: {words}" in err


def test_a_list_longer_than_allowed_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(tmp_path, capsys, changed("trainers.0.qualifications", ["GOWN"] * 1001))
    assert "trainers[0] (T07).qualifications: lists 1,001 items; at most 1,000" in err


# ----- text -------------------------------------------------------------------------------------


def test_a_lone_surrogate_in_a_name_is_refused_with_its_path(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = json.dumps(changed("hubs.0.name", "Lon\ud800don"))  # written as \ud800 in the file
    err = refused(tmp_path, capsys, text)
    assert "hubs[0] (LON).name: has a lone surrogate (\\ud800), half of a character pair" in err


def test_a_lone_surrogate_in_a_field_name_is_printed_as_an_escape(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = base()
    data["hubs"][0]["\udc80x"] = 1
    err = refused(tmp_path, capsys, json.dumps(data))
    assert "hubs[0] (LON).\\udc80x: field name has a lone surrogate" in err


def test_text_longer_than_allowed_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    err = refused(tmp_path, capsys, changed("name", "x" * 1001))
    assert "name: is 1,001 characters long; at most 1,000 are allowed" in err
    err = refused(tmp_path, capsys, changed("hubs.0.id", "H" * 101))
    assert "hubs[0].id: is 101 characters long; an id has at most 100" in err


# ----- 'after' chains ---------------------------------------------------------------------------


def chain(runs: int) -> dict[str, Any]:
    data = base()
    data["calendar"] = {
        "days": [f"2027-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)][:300],
        "periods_per_day": 10,
    }
    data["offerings"] = [
        {"id": f"R{i}", "course": "GMP1", "sessions": 1, "attendees": 3}
        | ({"after": [f"R{i - 1}"]} if i else {})
        for i in range(runs)
    ]
    data["cohorts"] = []
    return data


def test_a_3000_run_after_chain_is_read_checked_and_modelled_without_recursion(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = chain(3000)
    scenario = tmp_path / "chain.json"
    scenario.write_text(dump_json(data))
    plan = tmp_path / "plan.json"
    assignments = [
        {"offering": f"R{i}", "session": 0, "day": i // 10, "period": i % 10}
        | {"facility": "MAN-CL1", "trainer": "T09"}
        for i in range(3000)
    ]
    plan.write_text(dump_json({"format": "trainer-app/plan@1", "assignments": assignments}))
    assert main(["check", str(scenario), str(plan)]) == 0
    assert json.loads(capsys.readouterr().out)["valid"] is True
    instance = build_instance(scenario_from_dict(data))  # each run's deadline, through the chain
    assert instance.offerings[0].deadline == 3000 - 2999


def test_a_3000_run_after_cycle_is_reported_with_the_cycle(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = chain(3000)
    data["offerings"][0]["after"] = ["R2999"]
    err = refused(tmp_path, capsys, data)
    assert (
        "offerings: 'after' forms a cycle: R0 → R2999 → R2998 → R2997 → R2996 → R2995 → R2994 "
        "→ R2993 → R2992 → R2991 → … 2989 more … → R1 → R0 (each must come after the next)"
    ) in err


# ----- writing the plan -------------------------------------------------------------------------


@pytest.fixture
def scenario_file(tmp_path: Path) -> Path:
    path = tmp_path / "scenario.json"
    path.write_text(dump_json(base()))
    return path


def test_plan_refuses_to_replace_a_named_pipe_or_a_folder(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe, folder = tmp_path / "pipe", tmp_path / "folder"
    os.mkfifo(pipe)
    folder.mkdir()
    for target, kind in ((pipe, "a named pipe"), (folder, "a folder")):
        assert main(["plan", str(scenario_file), "-o", str(target), *PLAN_OPTIONS]) == 1
        err = capsys.readouterr().err
        assert f"Cannot write {target}: it is {kind}, not a regular file; nothing was written" in (
            err
        )
        assert "placed" not in err  # refused before planning, not after
    assert stat.S_ISFIFO(pipe.lstat().st_mode) and folder.is_dir()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder", "pipe", "scenario.json"]


def test_plan_refuses_to_replace_a_device(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What `plan -o /dev/full` did to the machine, on a device node of our own."""
    full = tmp_path / "full"
    try:
        os.mknod(full, stat.S_IFCHR | 0o666, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs root")
    assert main(["plan", str(scenario_file), "-o", str(full), *PLAN_OPTIONS]) == 1
    assert "it is a device, not a regular file; nothing was written" in capsys.readouterr().err
    assert stat.S_ISCHR(full.lstat().st_mode)


def test_plan_into_a_folder_that_does_not_exist_is_refused_before_planning(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "no" / "plan.json"
    assert main(["plan", str(scenario_file), "-o", str(target), *PLAN_OPTIONS]) == 1
    err = capsys.readouterr().err
    assert f"Cannot write {target}: there is no folder {target.parent}" in err
    assert "placed" not in err


def _limited(size: int) -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))


def test_a_write_that_fails_half_way_is_one_sentence_and_leaves_the_old_plan(
    tmp_path: Path, scenario_file: Path
) -> None:
    """The disk fills up (here: a 300-byte file size limit, EFBIG as ENOSPC would be)."""
    output = tmp_path / "plan.json"
    output.write_text("the previous plan\n")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "trainer_app",
            "plan",
            str(scenario_file),
            "-o",
            str(output),
            *PLAN_OPTIONS,
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
        preexec_fn=lambda: _limited(300),
        check=False,
        timeout=120,
    )
    assert done.returncode == 1
    assert done.stderr.endswith(
        f"trainer-app: Cannot write {output}: File too large; nothing was written\n"
    )
    assert "Traceback" not in done.stderr
    assert output.read_text() == "the previous plan\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["plan.json", "scenario.json"]


def test_check_into_a_full_standard_output_says_so(tmp_path: Path, scenario_file: Path) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(dump_json({"format": "trainer-app/plan@1", "assignments": []}))
    with open("/dev/full", "w") as full:  # opened for writing, never replaced
        done = subprocess.run(
            [sys.executable, "-m", "trainer_app", "check", str(scenario_file), str(plan)],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            check=False,
            timeout=120,
        )
    assert done.returncode == 1
    assert done.stderr == (
        "trainer-app: Cannot write the verdict to standard output: No space left on device\n"
    )


def test_a_plan_written_through_a_symbolic_link_replaces_the_file_it_names(
    tmp_path: Path, scenario_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real = tmp_path / "plans" / "current.json"
    real.parent.mkdir()
    real.write_text("old")
    link = tmp_path / "plan.json"
    link.symlink_to(real)
    assert main(["plan", str(scenario_file), "-o", str(link), *PLAN_OPTIONS]) == 0
    assert link.is_symlink()
    assert json.loads(real.read_text())["format"] == "trainer-app/plan@1"
    assert sorted(p.name for p in real.parent.iterdir()) == ["current.json"]


def test_the_network_terms_still_check(capsys: pytest.CaptureFixture[str]) -> None:
    """The benchmark terms (6 hubs, 40 trainers, ~800 runs) are well inside every limit."""
    network = Path("/work/shared/benchmarks/network")
    if not network.is_dir():
        pytest.skip("the benchmark terms are not on this machine")
    for term in ("large-3", "large-7"):
        scenario = network / f"{term}.scenario.json"
        assert main(["check", str(scenario), str(network / f"{term}.complete-plan.json")]) == 0
        assert json.loads(capsys.readouterr().out)["valid"] is True
        copy.deepcopy(scenario_from_dict(json.loads(scenario.read_text())))


@pytest.mark.parametrize(
    ("option", "words"),
    [
        (["--time-limit", "nan"], "--time-limit must be more than 0 and at most 86,400 seconds"),
        (["--time-limit", "inf"], "--time-limit must be more than 0 and at most 86,400 seconds"),
        (["--workers", "100000"], "--workers must be from 0 (every core) to 256"),
        (["--seed", "99999999999999999999"], "--seed must be from 0 to 2,147,483,647"),
    ],
)
def test_plan_options_out_of_range_are_refused(
    tmp_path: Path,
    scenario_file: Path,
    capsys: pytest.CaptureFixture[str],
    option: list[str],
    words: str,
) -> None:
    output = tmp_path / "plan.json"
    assert main(["plan", str(scenario_file), "-o", str(output), *option]) == 1
    assert words in capsys.readouterr().err
    assert not output.exists()


def test_plan_with_a_full_standard_error_still_writes_the_plan(
    tmp_path: Path, scenario_file: Path
) -> None:
    """Progress lines are for people; a full disk under them does not lose the plan."""
    output = tmp_path / "plan.json"
    with open("/dev/full", "w") as full:  # opened for writing, never replaced
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "trainer_app",
                "plan",
                str(scenario_file),
                "-o",
                str(output),
                *PLAN_OPTIONS,
            ],
            stdout=subprocess.PIPE,
            stderr=full,
            cwd=ROOT,
            env=os.environ | {"PYTHONPATH": str(ROOT)},
            check=False,
            timeout=120,
        )
    assert done.returncode == 0
    assert json.loads(output.read_text())["status"] == "optimal"


def test_scenario_export_refuses_a_named_pipe_before_reading_the_store(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = tmp_path / "spring.json"
    os.mkfifo(pipe)
    export = ["scenario", "export", "--from", "2027-01-11", "--to", "2027-01-22", "-o", str(pipe)]
    missing = tmp_path / "no.db"  # never opened: the output is refused first
    assert main([*export, "--database", str(missing)]) == 1
    assert f"Cannot write {pipe}: it is a named pipe, not a regular file" in (
        capsys.readouterr().err
    )
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
