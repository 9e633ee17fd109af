"""A tiny hand-built scenario (two hubs, a week and a Monday) and a valid plan on it."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from trainer_app.scheduling.scenario import (
    Assignment,
    Calendar,
    Cohort,
    Facility,
    Hub,
    Offering,
    Plan,
    Scenario,
    Trainer,
)

# Fri 15 Jan and Mon 18 Jan 2027 are days 4 and 5: consecutive positions across a weekend.
DAYS = tuple(date(2027, 1, d) for d in (11, 12, 13, 14, 15, 18))
LABELS = ("09:00", "11:00", "13:30", "15:30")


def scenario(**changes: Any) -> Scenario:
    """Two hubs; a cleanroom and a classroom in LON, a classroom in MAN; three trainers."""
    base = Scenario(
        calendar=Calendar(DAYS, 4, LABELS),
        hubs=(Hub("LON", "London"), Hub("MAN", "Manchester")),
        facilities=(
            Facility("LON-CR1", "LON", "cleanroom_grade_b", 6, True),
            Facility("LON-CL1", "LON", "classroom", 10, False),
            Facility("MAN-CL1", "MAN", "classroom", 10, False),
        ),
        trainers=(
            Trainer("T07", "LON", frozenset({"ASEP", "GOWN"})),
            Trainer("T08", "LON", frozenset({"GOWN", "GMP1"})),
            Trainer("T09", "MAN", frozenset({"GMP1"})),
        ),
        offerings=(
            Offering("GOWN-01", "GOWN", 1, 6, facility_kinds=("cleanroom_grade_b",)),
            Offering(
                "ASEP-01",
                "ASEP",
                2,
                6,
                session_length=2,
                facility_kinds=("cleanroom_grade_b",),
                after=("GOWN-01",),
            ),
            Offering("GMP1-01", "GMP1", 1, 8, facility_kinds=("classroom",)),
        ),
        cohorts=(Cohort("MSC", ("GOWN-01", "ASEP-01")),),
    )
    return dataclasses.replace(base, **changes)


VALID = (
    Assignment("GOWN-01", 0, 0, 0, "LON-CR1", "T07"),
    Assignment("ASEP-01", 0, 0, 1, "LON-CR1", "T07"),
    Assignment("ASEP-01", 1, 1, 0, "LON-CR1", "T07"),
    Assignment("GMP1-01", 0, 0, 0, "MAN-CL1", "T09"),
)


def plan(*assignments: Assignment) -> Plan:
    return Plan(assignments or VALID)


def replaced(key: tuple[str, int], **changes: Any) -> Plan:
    """The valid plan with one assignment changed."""
    return Plan(tuple(dataclasses.replace(a, **changes) if a.key == key else a for a in VALID))


def offering(s: Scenario, ident: str, **changes: Any) -> Scenario:
    """The scenario with one offering changed."""
    return dataclasses.replace(
        s,
        offerings=tuple(
            dataclasses.replace(o, **changes) if o.id == ident else o for o in s.offerings
        ),
    )
