"""The planner's cost terms in a coordinator's words (declared in scheduling/rules.py)."""

from __future__ import annotations

from typing import NamedTuple

from trainer_app.scheduling.rules import COST_TERMS, Term

# The order of the Plan page's settings: what coordinators change most comes first.
SETTINGS_ORDER = (
    Term.FACILITY_CHANGES,
    Term.SPREAD_SHORTFALL,
    Term.COHORT_ISOLATED,
    Term.CAPACITY_OVERFLOW,
    Term.LOAD_BALANCE,
    Term.TRAINER_AWAY,
    Term.MOVES,
    Term.LATE_FINISH,
)


class TermWords(NamedTuple):
    setting: str  # what the planner should care about
    one: str  # one unit of the term
    many: str


def words(term: str) -> TermWords:
    """A term's words; one the catalogue does not know (from an older plan) reads as its name."""
    try:
        entry = COST_TERMS[Term(term)]
    except ValueError:
        name = term.replace("_", " ")
        return TermWords(name.capitalize(), name, name)
    return TermWords(entry.setting, entry.one, entry.many)
