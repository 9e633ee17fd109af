"""Every `trainer-app …` that README.md and docs/*.md show, so the docs and the command line
cannot drift apart again:

- each example in a shell code block (```sh / ```bash) runs, in the order written, on a copy of
  the demo database (which is also the user's own database there), with the files it reads made
  from what a user would have (templates, a reprinted certificate) and placeholders filled in;
- each synopsis (in a table, in prose or in a plain code block) parses with the real argument
  parser, every alternative of ``a | b`` and every optional part included.
"""

from __future__ import annotations

import itertools
import re
import shlex
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from tests.helpers.demo import DemoFiles
from trainer_app.certificates.render import read_embedded_payload
from trainer_app.cli import build_parser, main
from trainer_app.services.importers import write_template

ROOT = Path(__file__).resolve().parents[2]
DOCS = (ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")))
SHELL = ("sh", "bash", "shell", "console")
CERTIFICATE = "LON-2026-000007-7"  # a demo certificate, the docs' example
DEMO_PASSWORD = "gmp-demo-2026"  # every demo account's (resources/demo/accounts.json)
ENROLMENTS_OPEN_UNTIL = date(2026, 12, 17)  # the last day of ASEP-2026-02, the template's run


@dataclass(frozen=True)
class Example:
    doc: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"{self.doc}:{self.line}: {self.text}"


def _examples() -> tuple[list[Example], list[Example]]:
    """(runnable examples, synopses) of every doc, in the order written."""
    runnable: list[Example] = []
    synopses: list[Example] = []
    for doc in DOCS:
        block: str | None = None  # the language of the code block we are in
        for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("```"):
                block = stripped[3:].strip() if block is None else None
                continue
            if block is not None:
                if re.match(r"trainer-app(\s|$)", stripped):
                    if block in SHELL:
                        runnable.append(Example(doc.name, number, stripped))
                    else:  # a synopsis, then (after two spaces or more) what it does
                        synopsis = re.split(r"\s{2,}", stripped)[0]
                        synopses.append(Example(doc.name, number, synopsis))
                continue
            for span in re.findall(r"`([^`]+)`", line):
                if re.match(r"trainer-app(\s|$)", span):
                    command = re.split(r"(?<!\\)\|\s*head\b", span)[0].strip()  # a shell pipe
                    synopses.append(Example(doc.name, number, command))
    return runnable, synopses


RUNNABLE, SYNOPSES = _examples()


def test_the_docs_show_examples_of_every_command() -> None:
    """The extraction itself is checked: it finds the docs' examples and synopses."""
    docs = {e.doc for e in RUNNABLE}
    assert {"certificates.md", "import.md", "planner.md", "records.md"} <= docs
    commands = {e.text.split()[1] for e in SYNOPSES if len(e.text.split()) > 1}
    assert {"demo", "plan", "check", "scenario", "import", "export", "certificate", "db"} <= (
        commands
    )
    assert len(RUNNABLE) >= 20 and len(SYNOPSES) >= 25


# ----- synopses ------------------------------------------------------------------------------

PLACEHOLDERS = {"N": "7", "S": "3", "DATE": "2027-01-04", "KIND": "trainees", "ROLE": "auditor"}


def _variants(synopsis: str) -> Iterator[list[str]]:
    """Every command line a synopsis stands for: ``[x]`` included, each choice of ``a|b``
    (within a word) and of ``--a X | --b Y`` (between options or words) taken in turn."""
    words = [w.strip("[]") for w in shlex.split(synopsis.replace("\\|", "|"))][1:]
    units: list[list[str]] = []  # an option with its values, or one positional word
    for word in words:
        if word == "|" or word.startswith("-") or not units or units[-1][0] == "|":
            units.append([word])
        elif units[-1][0].startswith("-"):
            units[-1].append(word)
        else:
            units.append([word])
    groups: list[list[list[str]]] = []  # each group: the alternatives for one place
    joining = False
    for unit in units:
        if unit == ["|"]:
            joining = True
        elif joining:
            groups[-1].append(unit)
            joining = False
        else:
            groups.append([unit])
    for chosen in itertools.product(*groups):
        line = [word for unit in chosen for word in unit]
        for words_chosen in itertools.product(*(word.split("|") for word in line)):
            yield [PLACEHOLDERS.get(word, word) for word in words_chosen]


def _parses(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """'' when the real parser accepts ``argv``, else what it said. Bare command words (prose
    naming a command, "what `trainer-app check` verifies") need only name a command."""
    if argv and all(re.fullmatch(r"[a-z][a-z-]*", word) for word in argv):
        argv = [*argv, "--help"]
    try:
        build_parser().parse_args(argv)
    except SystemExit as stop:
        said = capsys.readouterr()
        return "" if stop.code == 0 else said.err.strip() or f"exit {stop.code}"
    return ""


@pytest.mark.parametrize("example", SYNOPSES, ids=str)
def test_every_synopsis_parses(example: Example, capsys: pytest.CaptureFixture[str]) -> None:
    refused = {" ".join(v): _parses(v, capsys) for v in _variants(example.text)}
    assert refused and not any(refused.values()), {k: v for k, v in refused.items() if v}


def test_a_synopsis_that_drifted_would_be_caught(capsys: pytest.CaptureFixture[str]) -> None:
    drifted = "trainer-app export record REF --output-format pdf\\|csv -o FILE"
    assert all(_parses(v, capsys) for v in _variants(drifted))


# ----- examples that run -----------------------------------------------------------------------


class Sandbox:
    """A folder to run one doc's examples in: the demo database as the user's own database
    (also what ``hub.db`` and ``term.db`` stand for), and the files the examples read."""

    def __init__(self, demo: DemoFiles, folder: Path) -> None:
        self.folder = folder
        self.database = demo.data_dir / "trainer.db"
        shutil.move(demo.database, self.database)
        self.inputs: dict[str, Callable[[Path], object]] = {
            "trainees.xlsx": lambda p: write_template("trainees", p),
            "trainees.csv": lambda p: write_template("trainees", p),
            "december-enrolments.xlsx": lambda p: write_template("enrolments", p),
            "gowning-logbook-2019-2026.csv": lambda p: write_template("completions", p),
            f"{CERTIFICATE}.pdf": self._reprint,
        }

    def _reprint(self, path: Path) -> None:
        assert main(["certificate", "reprint", CERTIFICATE, "-o", str(path)]) == 0

    def argv(self, example: Example) -> list[str]:
        """The example's words with its placeholders filled and the files it reads made."""
        words = shlex.split(example.text, comments=True)[1:]
        argv = []
        for index, word in enumerate(words):
            given = word
            if word in ("hub.db", "term.db"):
                given = str(self.database)
            elif word.startswith("TACERT1.") and "…" in word:
                given = read_embedded_payload(self._made(f"{CERTIFICATE}.pdf"))
            elif index and words[index - 1] == "--time-limit":
                given = "3"  # the planner's answer comes sooner; the command is the same
            elif word in self.inputs and words[index - 1] not in ("-o", "--output"):
                self._made(word)
            argv.append(given)
        return argv

    def _made(self, name: str) -> Path:
        path = self.folder / name
        if not path.exists():
            self.inputs[name](path)
        return path


@pytest.mark.parametrize("doc", sorted({e.doc for e in RUNNABLE}))
def test_every_shell_example_runs_on_the_demo(
    doc: str,
    demo_files: DemoFiles,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    demo = demo_files.copy_to(tmp_path / "demo")
    folder = tmp_path / "work"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("TRAINER_APP_DATA_DIR", str(demo.data_dir))
    monkeypatch.delenv("TRAINER_APP_DATABASE_URL", raising=False)
    # The docs show `export TRAINER_APP_PASSWORD=…` before the commands that change the store.
    monkeypatch.setenv("TRAINER_APP_PASSWORD", DEMO_PASSWORD)
    monkeypatch.setenv("TRAINER_APP_NEW_PASSWORD", "a new starter's passphrase")
    sandbox = Sandbox(demo, folder)
    for example in (e for e in RUNNABLE if e.doc == doc):
        status = main(sandbox.argv(example))
        said = capsys.readouterr()
        if "import enrolments" in example.text and date.today() > ENROLMENTS_OPEN_UNTIL:
            # The demo's December runs have ended by now: the example is refused for that alone.
            problems = said.err.splitlines()[:-1]
            assert status == 1 and all("ended on" in p for p in problems), (str(example), said)
            continue
        assert status == 0, (str(example), said.err)
        assert "Traceback" not in said.out + said.err
