"""The planner's cost terms in a coordinator's words."""

from __future__ import annotations

from typing import NamedTuple

from trainer_app.scheduling.scenario import TERMS


class TermWords(NamedTuple):
    setting: str  # what the planner should care about
    one: str  # one unit of the term
    many: str


TERM_WORDS: dict[str, TermWords] = {
    "facility_changes": TermWords(
        "Keep each course in one room", "extra room used by a run", "extra rooms used by runs"
    ),
    "spread_shortfall": TermWords(
        "Spread sessions over days",
        "day short of a run's minimum days",
        "days short of runs' minimum days",
    ),
    "cohort_isolated": TermWords(
        "Avoid gaps for cohorts",
        "cohort session with a gap either side",
        "cohort sessions with a gap either side",
    ),
    "capacity_overflow": TermWords(
        "Avoid overfull rooms", "attendee above a room's capacity", "attendees above capacity"
    ),
    "load_balance": TermWords(
        "Balance trainers' load", "period of the busiest trainer", "periods of the busiest trainer"
    ),
    "trainer_away": TermWords(
        "Keep trainers at their home hub",
        "session away from its trainer's hub",
        "sessions away from their trainer's hub",
    ),
    "moves": TermWords(
        "Move as little as possible when re-planning",
        "session moved from the previous plan",
        "sessions moved from the previous plan",
    ),
    "late_finish": TermWords(
        "Finish early in the day",
        "session ending in the last period",
        "sessions ending in the last period",
    ),
}


def words(term: str) -> TermWords:
    if term in TERM_WORDS:
        return TERM_WORDS[term]
    described = TERMS.get(term, (0, term.replace("_", " ")))[1]
    return TermWords(term.replace("_", " ").capitalize(), described, described)


def amount(term: str, count: float) -> str:
    """ "3 extra rooms used by runs"."""
    said = words(term)
    return f"{count:g} {said.one if count == 1 else said.many}"
