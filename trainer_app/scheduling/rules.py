"""The catalogue of the planner's rules: every hard rule and every cost term, declared once.

Each entry has a typed name (a ``StrEnum``: it compares equal to the word plans, ``trainer-app
check`` and the scenario format use), the words a coordinator reads, and the code that enforces
it in each *face* of the planner:

- ``candidates`` (instance.py): the options a run may take at all, shared by every phase;
- ``incremental`` (schedule.py): one placement checked against the occupancy tables, in constant
  time, by the construction, the repair and the explanations;
- ``search`` (_anneal.py, local_search.py): the compiled local search's move check;
- ``model`` (model.py): the CP-SAT constraints of the insertion and improvement models;
- ``checker`` (checker.py): the independent check of a finished plan, which shares no code with
  the others so that a planner bug cannot hide in both.

The faces stay in their own modules because each runs on its own data (integer tables, NumPy
arrays, CP-SAT variables, a plan's scenario objects) and the first three are the planner's hot
loops. Each face function names the rules it enforces with ``@enforces(Rule..., face=...)``;
``faces_of`` lists them side by side (``python -m trainer_app.scheduling.rules`` prints the
table docs/planner.md holds; ``trainer-app rules`` lists rules and terms for users), and
tests/unit/scheduling/test_rule_catalogue.py holds every rule to all its faces: a rule
without a face, or a face that disagrees with the checker on the rule's witness, fails it.

Adding a rule: a member of ``Rule``, its entry in ``HARD_RULES`` and, for each face, the code
marked with ``@enforces``; then its witness in the catalogue test. See docs/planner.md.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar


class Rule(StrEnum):
    """A hard rule: a plan that breaks one is not valid."""

    UNPLACED = "unplaced"
    OUTSIDE_DAY = "outside_day"
    FACILITY_KIND = "facility_kind"
    FACILITY_HUB = "facility_hub"
    FIXED_TRAINER = "fixed_trainer"
    NOT_QUALIFIED = "not_qualified"
    CAPACITY = "capacity"
    LOCK = "lock"
    UNAVAILABLE = "unavailable"
    TRAINER_CHANGES = "trainer_changes"
    CONSECUTIVE_DAYS = "consecutive_days"
    AFTER = "after"
    FACILITY_CLASH = "facility_clash"
    TRAINER_CLASH = "trainer_clash"
    COHORT_CLASH = "cohort_clash"
    TRAINER_TWO_HUBS = "trainer_two_hubs"
    TRAINER_DAY_LIMIT = "trainer_day_limit"
    TRAINER_WEEK_LIMIT = "trainer_week_limit"
    TRAINER_TOTAL_LIMIT = "trainer_total_limit"
    DUPLICATE_ASSIGNMENT = "duplicate_assignment"
    UNKNOWN_REFERENCE = "unknown_reference"


class Term(StrEnum):
    """A soft cost term: a plan pays its weight for each unit."""

    CAPACITY_OVERFLOW = "capacity_overflow"
    SPREAD_SHORTFALL = "spread_shortfall"
    COHORT_ISOLATED = "cohort_isolated"
    FACILITY_CHANGES = "facility_changes"
    TRAINER_AWAY = "trainer_away"
    LOAD_BALANCE = "load_balance"
    MOVES = "moves"
    LATE_FINISH = "late_finish"


class Blocker(StrEnum):
    """Why the incremental face refuses one placement (schedule.py); see ``BLOCKERS``."""

    DAY = "day"
    TRAINER_UNAVAILABLE = "trainer_unavailable"
    TRAINER_BUSY = "trainer_busy"
    COHORT_BUSY = "cohort_busy"
    TRAINER_DAY_LIMIT = "trainer_day_limit"
    TRAINER_WEEK_LIMIT = "trainer_week_limit"
    TRAINER_TOTAL_LIMIT = "trainer_total_limit"
    FACILITY_UNAVAILABLE = "facility_unavailable"
    FACILITY_BUSY = "facility_busy"
    TRAINER_OTHER_HUB = "trainer_other_hub"
    LOCK_TRAINER = "lock_trainer"
    AFTER_UNPLACED = "after_unplaced"


@dataclass(frozen=True)
class Refusal:
    rule: Rule  # the hard rule the refusal upholds
    words: str  # what stops a run, as an explanation says it ("… because {words}")


BLOCKERS: dict[Blocker, Refusal] = {
    Blocker.DAY: Refusal(Rule.OUTSIDE_DAY, "the sessions do not fit in a day"),
    Blocker.TRAINER_UNAVAILABLE: Refusal(
        Rule.UNAVAILABLE, "the qualified trainers are on leave or not working"
    ),
    Blocker.TRAINER_BUSY: Refusal(
        Rule.TRAINER_CLASH, "the qualified trainers are teaching other sessions"
    ),
    Blocker.COHORT_BUSY: Refusal(Rule.COHORT_CLASH, "its cohorts are in other sessions"),
    Blocker.TRAINER_DAY_LIMIT: Refusal(
        Rule.TRAINER_DAY_LIMIT, "the trainers' daily teaching limits"
    ),
    Blocker.TRAINER_WEEK_LIMIT: Refusal(
        Rule.TRAINER_WEEK_LIMIT, "the trainers' weekly teaching limits"
    ),
    Blocker.TRAINER_TOTAL_LIMIT: Refusal(
        Rule.TRAINER_TOTAL_LIMIT, "the trainers' total teaching limits"
    ),
    Blocker.FACILITY_UNAVAILABLE: Refusal(Rule.UNAVAILABLE, "the suitable facilities are closed"),
    Blocker.FACILITY_BUSY: Refusal(Rule.FACILITY_CLASH, "the suitable facilities are in use"),
    Blocker.TRAINER_OTHER_HUB: Refusal(
        Rule.TRAINER_TWO_HUBS, "the trainers are at another hub that day"
    ),
    Blocker.LOCK_TRAINER: Refusal(Rule.LOCK, "its locked sessions name different trainers"),
    Blocker.AFTER_UNPLACED: Refusal(Rule.AFTER, "the runs it must follow are not placed"),
}


class Face(StrEnum):
    """Where a rule or term is enforced (see the module's docstring)."""

    CANDIDATES = "candidates"
    INCREMENTAL = "incremental"
    SEARCH = "search"
    MODEL = "model"
    CHECKER = "checker"


class Scope(StrEnum):
    """What a rule is judged on: moving one session changes only the scopes it leaves and
    enters (checker.Placement re-evaluates just those)."""

    SESSION = "one session"
    RUN = "one run"
    FACILITY_DAY = "a facility's day"
    TRAINER_DAY = "a trainer's day"
    TRAINER_WEEK = "a trainer's week"
    TRAINER = "a trainer's term"
    COHORT_DAY = "a cohort's day"
    PLAN = "the plan file"


@dataclass(frozen=True)
class HardRule:
    rule: Rule
    scope: Scope
    words: str  # the rule, as a coordinator would state it
    # Faces that keep the rule without code of their own, and how (e.g. the search never
    # changes a trainer). A plan-file rule has no planner face at all: the planner's own
    # state cannot express the fault.
    kept: Mapping[Face, str] | None = None
    plan_file_only: bool = False


@dataclass(frozen=True)
class CostTerm:
    term: Term
    default_weight: float  # the first four are on by default; the others cost nothing unless set
    unit: str  # what one unit is (scenario format, `trainer-app check`)
    setting: str  # what a coordinator asks the planner to care about
    one: str  # one unit, in a sentence ("1 extra room used by a run")
    many: str
    worse: str  # a move adding n units: "{n:+d} …" words, or a phrase without a number
    better: str  # a move removing units
    kept: Mapping[Face, str] | None = None  # faces that need no code for it, and why


_SEARCH_KEEPS_TRAINER = "the search moves sessions in time and room, never to another trainer"

HARD_RULES: dict[Rule, HardRule] = {
    r.rule: r
    for r in (
        HardRule(
            Rule.UNPLACED,
            Scope.RUN,
            "Every session of every run is placed.",
        ),
        HardRule(Rule.OUTSIDE_DAY, Scope.SESSION, "A session fits inside one day."),
        HardRule(
            Rule.FACILITY_KIND, Scope.SESSION, "A session is held in a room of a kind it needs."
        ),
        HardRule(Rule.FACILITY_HUB, Scope.SESSION, "A run tied to a hub is held at that hub."),
        HardRule(
            Rule.FIXED_TRAINER,
            Scope.SESSION,
            "A run with a named trainer is taught by them.",
            kept={Face.SEARCH: _SEARCH_KEEPS_TRAINER},
        ),
        HardRule(
            Rule.NOT_QUALIFIED,
            Scope.SESSION,
            "A trainer teaches only courses they are qualified for.",
            kept={Face.SEARCH: _SEARCH_KEEPS_TRAINER},
        ),
        HardRule(
            Rule.CAPACITY,
            Scope.SESSION,
            "A room with a hard capacity never holds more attendees than it seats.",
        ),
        HardRule(
            Rule.LOCK,
            Scope.SESSION,
            "A locked session stays where it is locked (day, period, and room or trainer if "
            "named).",
        ),
        HardRule(
            Rule.UNAVAILABLE,
            Scope.SESSION,
            "Nothing is planned when its room, trainer, run or cohort is unavailable (leave, "
            "closures, bank holidays).",
        ),
        HardRule(
            Rule.TRAINER_CHANGES,
            Scope.RUN,
            "One trainer teaches every session of a run.",
            kept={Face.SEARCH: _SEARCH_KEEPS_TRAINER},
        ),
        HardRule(
            Rule.CONSECUTIVE_DAYS,
            Scope.RUN,
            "A run on consecutive days has one session a day, on consecutive working days.",
        ),
        HardRule(Rule.AFTER, Scope.RUN, "A run starts only after the runs it follows have ended."),
        HardRule(Rule.FACILITY_CLASH, Scope.FACILITY_DAY, "A room holds one session at a time."),
        HardRule(Rule.TRAINER_CLASH, Scope.TRAINER_DAY, "A trainer teaches one session at a time."),
        HardRule(Rule.COHORT_CLASH, Scope.COHORT_DAY, "A cohort attends one session at a time."),
        HardRule(Rule.TRAINER_TWO_HUBS, Scope.TRAINER_DAY, "A trainer works at one hub a day."),
        HardRule(
            Rule.TRAINER_DAY_LIMIT,
            Scope.TRAINER_DAY,
            "A trainer teaches no more periods a day than their daily limit.",
        ),
        HardRule(
            Rule.TRAINER_WEEK_LIMIT,
            Scope.TRAINER_WEEK,
            "A trainer teaches no more periods a week than their weekly limit.",
        ),
        HardRule(
            Rule.TRAINER_TOTAL_LIMIT,
            Scope.TRAINER,
            "A trainer teaches no more periods in the term than their total limit.",
        ),
        HardRule(
            Rule.DUPLICATE_ASSIGNMENT,
            Scope.PLAN,
            "A plan places each session once.",
            plan_file_only=True,
        ),
        HardRule(
            Rule.UNKNOWN_REFERENCE,
            Scope.PLAN,
            "A plan names only runs, sessions, days, periods, rooms and trainers of its scenario.",
            plan_file_only=True,
        ),
    )
}

COST_TERMS: dict[Term, CostTerm] = {
    c.term: c
    for c in (
        CostTerm(
            Term.CAPACITY_OVERFLOW,
            1,
            "attendee above a soft facility capacity, per session",
            "Avoid overfull rooms",
            "attendee above a room's capacity",
            "attendees above capacity",
            "{n:+d} attendees over a soft capacity",
            "{n:+d} attendees over a soft capacity",
        ),
        CostTerm(
            Term.SPREAD_SHORTFALL,
            5,
            "day an offering's sessions fall short of its min_days",
            "Spread sessions over days",
            "day short of a run's minimum days",
            "days short of runs' minimum days",
            "{n:+d} day(s) short of min_days",
            "{n:+d} day(s) short of min_days",
        ),
        CostTerm(
            Term.COHORT_ISOLATED,
            2,
            "session of a cohort with no same-cohort session just before or after",
            "Avoid gaps for cohorts",
            "cohort session with a gap either side",
            "cohort sessions with a gap either side",
            "{n:+d} isolated cohort session(s)",
            "keeps the cohort's day compact",
        ),
        CostTerm(
            Term.FACILITY_CHANGES,
            1,
            "distinct facility beyond the first used by an offering",
            "Keep each course in one room",
            "extra room used by a run",
            "extra rooms used by runs",
            "{n:+d} facility change(s)",
            "{n:+d} facility change(s)",
        ),
        CostTerm(
            Term.TRAINER_AWAY,
            0,
            "session taught by a trainer away from their home hub",
            "Keep trainers at their home hub",
            "session away from its trainer's hub",
            "sessions away from their trainer's hub",
            "trainer away from home hub",
            "trainer back at their home hub",
        ),
        CostTerm(
            Term.LOAD_BALANCE,
            0,
            "teaching period of the busiest trainer (the peak load)",
            "Balance trainers' load",
            "period of the busiest trainer",
            "periods of the busiest trainer",
            "{n:+d} period on the busiest trainer's load",
            "{n:+d} period on the busiest trainer's load",
            kept={Face.SEARCH: _SEARCH_KEEPS_TRAINER + ", so no load changes"},
        ),
        CostTerm(
            Term.MOVES,
            0,
            "session placed differently from previous_plan",
            "Move as little as possible when re-planning",
            "session moved from the previous plan",
            "sessions moved from the previous plan",
            "moved from the previous plan",
            "back where the previous plan had it",
        ),
        CostTerm(
            Term.LATE_FINISH,
            0,
            "session ending in the last period of a day",
            "Finish early in the day",
            "session ending in the last period",
            "sessions ending in the last period",
            "finishes at the end of the day",
            "avoids a late finish",
        ),
    )
}


def change_words(term: Term | str, change: int) -> str:
    """A move's change in one term, for "where could this go?": "+2 facility change(s)"."""
    entry = COST_TERMS[Term(term)]
    return (entry.worse if change > 0 else entry.better).format(n=change)


def amount(term: Term | str, count: float) -> str:
    """ "3 extra rooms used by runs"; a term the catalogue does not know reads as its name."""
    try:
        entry = COST_TERMS[Term(term)]
    except ValueError:
        return f"{count:g} {str(term).replace('_', ' ')}"
    return f"{count:g} {entry.one if count == 1 else entry.many}"


# ----- faces ---------------------------------------------------------------------------------

_F = TypeVar("_F")
_REGISTERED: dict[tuple[Rule | Term, Face], list[Any]] = defaultdict(list)
# The modules whose functions carry ``@enforces``: importing them registers every face.
FACE_MODULES = (
    "trainer_app.scheduling.instance",
    "trainer_app.scheduling.schedule",
    "trainer_app.scheduling.greedy",
    "trainer_app.scheduling._anneal",
    "trainer_app.scheduling.local_search",
    "trainer_app.scheduling.model",
    "trainer_app.scheduling.checker",
)


def enforces(*names: Rule | Term, face: Face) -> Callable[[_F], _F]:
    """Mark a function as the ``face`` of the given rules or cost terms (it is returned as is)."""

    def register(function: _F) -> _F:
        for name in names:
            _REGISTERED[name, face].append(function)
        return function

    return register


def _qualified_name(function: Any) -> str:
    inner = getattr(function, "py_func", function)  # a compiled numba function
    return f"{inner.__module__.rsplit('.', 1)[-1]}.{inner.__qualname__}"


def faces_of(name: Rule | Term) -> dict[Face, tuple[str, ...]]:
    """The functions enforcing a rule or term in each face, as ``module.function`` names; a face
    that keeps a rule by construction reads as its reason in brackets."""
    for module in FACE_MODULES:
        importlib.import_module(module)
    out: dict[Face, tuple[str, ...]] = {}
    entry = HARD_RULES[name] if isinstance(name, Rule) else COST_TERMS[name]
    kept = entry.kept or {}
    for face in Face:
        functions = tuple(_qualified_name(f) for f in _REGISTERED.get((name, face), ()))
        if functions:
            out[face] = tuple(dict.fromkeys(functions))
        elif face in kept:
            out[face] = (f"({kept[face]})",)
    return out


def catalogue_table() -> str:
    """The catalogue as a Markdown table, one row per rule and term, faces side by side (what
    docs/planner.md shows and ``trainer-app rules`` prints)."""
    faces = list(Face)
    head = ["Name", "Kind", "Rule or unit", *faces]
    rows = [head, ["---"] * len(head)]
    for rule, entry in HARD_RULES.items():
        found = faces_of(rule)
        rows.append(
            [f"`{rule}`", "hard", entry.words, *("<br>".join(found.get(f, ("—",))) for f in faces)]
        )
    for term, cost in COST_TERMS.items():
        found = faces_of(term)
        rows.append(
            [
                f"`{term}`",
                f"cost ({cost.default_weight:g})",
                f"one {cost.unit}",
                *("<br>".join(found.get(f, ("—",))) for f in faces),
            ]
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows) + "\n"


if __name__ == "__main__":  # python -m trainer_app.scheduling.rules: the table for docs/planner.md
    # Run as a script this module is __main__; the faces register with the imported one.
    print(importlib.import_module(__spec__.name).catalogue_table(), end="")
