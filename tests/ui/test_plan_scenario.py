"""A hand-built two-week scenario and plan shared by the Plan page tests, and the week layout."""

from __future__ import annotations

from typing import Any

from trainer_app.scheduling.scenario import Plan, Scenario, plan_from_dict, scenario_from_dict
from trainer_app.ui.plan.layout import layout_week, week_label, weeks

DAYS = [f"2027-01-{d:02d}" for d in (11, 12, 13, 14, 15, 18, 19, 20, 21, 22)]


def scenario(**changes: object) -> Scenario:
    data = scenario_dict()
    data.update(changes)
    return scenario_from_dict(data)


def scenario_dict() -> dict[str, Any]:
    """The scenario as its JSON document, to change before reading."""
    return {
        "format": "trainer-app/scenario@1",
        "name": "Spring 2027",
        "calendar": {
            "days": DAYS,
            "periods_per_day": 4,
            "period_labels": ["09:00", "11:00", "13:30", "15:30"],
        },
        "hubs": [{"id": "LON", "name": "London"}, {"id": "LDS", "name": "Leeds"}],
        "facilities": [
            {"id": "LON-CR1", "hub": "LON", "kind": "cleanroom_grade_b", "capacity": 6},
            {"id": "LON-SR1", "hub": "LON", "kind": "seminar", "capacity": 20},
            {"id": "LDS-CR1", "hub": "LDS", "kind": "cleanroom_grade_b", "capacity": 6},
        ],
        "trainers": [
            {"id": "T01", "hub": "LON", "qualifications": ["ASEP", "GOWN"]},
            {"id": "T02", "hub": "LON", "qualifications": ["ASEP", "GOWN"]},
            {"id": "T03", "hub": "LDS", "qualifications": ["GMP"]},
        ],
        "offerings": [
            {"id": "GOWN-2027-01", "course": "GOWN", "sessions": 2, "attendees": 6},
            {
                "id": "ASEP-2027-01",
                "course": "ASEP",
                "sessions": 3,
                "session_length": 2,
                "attendees": 6,
                "facility_kinds": ["cleanroom_grade_b"],
                "after": ["GOWN-2027-01"],
            },
            {"id": "GMP-2027-01", "course": "GMP", "sessions": 1, "attendees": 12},
        ],
        "cohorts": [{"id": "MSC-2027", "offerings": ["GOWN-2027-01", "ASEP-2027-01"]}],
    }


ASSIGNMENTS = [
    ("GOWN-2027-01", 0, 0, 0, "LON-CR1", "T01"),
    ("GOWN-2027-01", 1, 0, 1, "LON-CR1", "T01"),
    ("ASEP-2027-01", 0, 1, 0, "LON-CR1", "T01"),
    ("ASEP-2027-01", 1, 2, 0, "LON-CR1", "T01"),
    ("ASEP-2027-01", 2, 5, 2, "LON-CR1", "T01"),  # the second week
    ("GMP-2027-01", 0, 1, 0, "LDS-CR1", "T03"),
]


def plan(assignments: list[tuple[str, int, int, int, str, str]] | None = None) -> Plan:
    rows = ASSIGNMENTS if assignments is None else assignments
    return plan_from_dict(
        {
            "format": "trainer-app/plan@1",
            "status": "feasible",
            "assignments": [
                dict(
                    zip(
                        ("offering", "session", "day", "period", "facility", "trainer"),
                        row,
                        strict=True,
                    )
                )
                for row in rows
            ],
            "cost": {"total": 2, "cohort_isolated": 2},
            "explanation": ["Everything fits."],
        }
    )


def test_weeks_split_the_horizon_by_iso_week() -> None:
    calendar = scenario().calendar
    assert weeks(calendar) == [(0, 1, 2, 3, 4), (5, 6, 7, 8, 9)]
    assert week_label(calendar, (5, 6, 7, 8, 9)) == "Week 3 · 18–22 Jan 2027"


def test_layout_skips_other_weeks_and_unknown_rows() -> None:
    layout = layout_week(scenario(), plan(), "facility", (5, 6, 7, 8, 9))
    assert [(b.assignment.key, b.column, b.period) for b in layout.blocks] == [
        (("ASEP-2027-01", 2), 0, 2)
    ]
