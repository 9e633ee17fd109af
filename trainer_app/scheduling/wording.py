"""The planner's words for people: facility kinds by their labels, not their identifiers.

Shared by the checker and the explanations so that both say "Grade A/B cleanroom suite" where
the scenario says ``cleanroom_grade_b``.
"""

from __future__ import annotations

from collections.abc import Iterable

from trainer_app.domain.network import FacilityKind


def kind_words(kind: str) -> str:
    """A facility kind as it reads in a sentence ("a Grade A/B cleanroom suite", "a QC
    laboratory", "a classroom"); a kind of the scenario's own that the app does not know is
    written as the scenario has it."""
    try:
        label = FacilityKind(kind).label
    except ValueError:
        return kind
    first = label.split(" ", 1)[0]
    if first.istitle() and first != "Grade":  # an ordinary word, not "QC" or a grade
        return label[0].lower() + label[1:]
    return label


def kinds_words(kinds: Iterable[str]) -> str:
    """Allowed kinds joined with "or": "a Grade A/B cleanroom suite or Grade C/D cleanroom"."""
    return " or ".join(kind_words(kind) for kind in kinds)
