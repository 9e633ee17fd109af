"""A hand-built two-week scenario and plan shared by the Plan page tests, and the timeline's
layout: days shown, weeks, blocks, term bars, short codes and unavailable time."""

from __future__ import annotations

from datetime import date
from typing import Any

from trainer_app.domain.planning import Unavailability, Unavailable
from trainer_app.scheduling.scenario import Plan, Scenario, plan_from_dict, scenario_from_dict
from trainer_app.ui.plan.layout import (
    NOT_AVAILABLE,
    OUTSIDE,
    Shade,
    layout_term,
    layout_week,
    rows_for,
    shading,
    short_codes,
    shown_days,
    week_label,
)

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


def test_whole_weeks_are_shown_with_the_days_the_calendar_leaves_out() -> None:
    """A bank holiday in the middle and days before or after the plan's dates are shown (as
    days nothing can be planned on), not skipped: the week reads Monday to Friday."""
    data = scenario_dict()
    data["calendar"]["days"] = ["2027-03-23", "2027-03-24", "2027-03-25", "2027-03-30"]
    days = shown_days(scenario_from_dict(data).calendar)
    assert [d.day for d in days.dates] == [22, 23, 24, 25, 26, 29, 30, 31, 1, 2]
    assert days.index == (None, 0, 1, 2, None, None, 3, None, None, None)
    assert days.weeks == ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9))
    assert week_label(days, 0) == "Week 12 · 22–26 Mar 2027"
    assert days.week_showing(date(2027, 3, 31)) == 1
    assert days.week_showing(date(2026, 1, 1)) == 0


def test_weeks_split_the_horizon_by_iso_week() -> None:
    days = shown_days(scenario().calendar)
    assert days.weeks == ((0, 1, 2, 3, 4), (5, 6, 7, 8, 9))
    assert week_label(days, 1) == "Week 3 · 18–22 Jan 2027"


def test_layout_skips_other_weeks_and_unknown_rows() -> None:
    days = shown_days(scenario().calendar)
    layout = layout_week(scenario(), plan(), "facility", days, 1)
    assert [(b.assignment.key, b.column, b.period) for b in layout.blocks] == [
        (("ASEP-2027-01", 2), 0, 2)
    ]
    assert layout.columns == (5, 6, 7, 8, 9)


def test_short_codes_drop_the_part_runs_share_only_when_it_stays_unambiguous() -> None:
    assert short_codes(["GOWN-2027-01", "GOWN-2027-02", "DOC-DI-2027-01", "CAPA1"]) == {
        "GOWN-2027-01": "GOWN…01",
        "GOWN-2027-02": "GOWN…02",
        "DOC-DI-2027-01": "DOC-DI…01",
        "CAPA1": "CAPA1",
    }
    # GOWN-2026-01 and GOWN-2027-01 would both be GOWN…01: each keeps its whole code.
    assert short_codes(["GOWN-2026-01", "GOWN-2027-01", "GOWN-2027-02"]) == {
        "GOWN-2026-01": "GOWN-2026-01",
        "GOWN-2027-01": "GOWN-2027-01",
        "GOWN-2027-02": "GOWN…02",
    }


def test_the_term_shows_one_bar_per_run_row_and_week_with_room_for_its_label() -> None:
    days = shown_days(scenario().calendar)

    def bar_only(code: str, length: int) -> int:
        return length

    layout = layout_term(scenario(), plan(), "trainer", days, bar_only)
    bars = sorted((s.offering, s.row, s.lane, s.first, s.last) for s in layout.stretches)
    assert bars == [
        ("ASEP-2027-01", 0, 0, 1, 2),  # Tue and Wed of the first week
        ("ASEP-2027-01", 0, 0, 5, 5),  # Mon of the second
        ("GMP-2027-01", 2, 0, 1, 1),
        ("GOWN-2027-01", 0, 0, 0, 0),
    ]
    assert [s.key for s in layout.stretches if s.first == 1 and s.row == 0] == [("ASEP-2027-01", 0)]

    def label_of_three_days(code: str, length: int) -> int:
        return length + 3

    layout = layout_term(scenario(), plan(), "trainer", days, label_of_three_days)
    lanes = {(s.offering, s.first): s.lane for s in layout.stretches}
    assert lanes[("GOWN-2027-01", 0)] == 0
    assert lanes[("ASEP-2027-01", 1)] == 1  # GOWN's label reaches over Tuesday
    assert lanes[("ASEP-2027-01", 5)] == 0
    assert layout.rows[0].lanes == 2


def test_unavailable_time_is_shaded_with_the_stores_reasons() -> None:
    data = scenario_dict()
    data["trainers"][1]["unavailable"] = [[3, 0], [3, 1], [3, 2], [3, 3], [4, 2]]
    data["calendar"]["days"] = [d for d in DAYS if d != "2027-01-22"]  # no Friday the 22nd
    found = scenario_from_dict(data)
    days = shown_days(found.calendar)
    reasons = [
        Unavailable(
            Unavailability.TRAINER, "T02", date(2027, 1, 14), date(2027, 1, 14), "Annual leave"
        ),
        Unavailable(
            Unavailability.EVERYONE,
            "",
            date(2027, 1, 22),
            date(2027, 1, 22),
            "Bank holiday: Test day",
        ),
        Unavailable(
            Unavailability.HUB, "LON", date(2027, 1, 11), date(2027, 1, 12), "Closed: Deep clean"
        ),
    ]
    rows = rows_for(found, "trainer")
    shades = shading(found, "trainer", rows, days, reasons)
    whole = frozenset(range(4))
    assert shades[(1, 3)] == Shade(whole, ("Annual leave",))
    assert shades[(1, 4)] == Shade(frozenset({2}), (NOT_AVAILABLE,))  # no reason in the store
    assert shades[(0, 9)] == Shade(whole, ("Bank holiday: Test day",))  # every row
    assert (0, 0) not in shades  # a hub's closure shows on the hub's row
    hubs = shading(found, "hub", rows_for(found, "hub"), days, reasons)
    assert hubs[(0, 0)] == Shade(whole, ("Closed: Deep clean",))

    data["calendar"]["days"] = DAYS[1:]  # from Tuesday: Monday is outside the plan
    later = scenario_from_dict(data)
    assert shading(later, "trainer", rows, shown_days(later.calendar), [])[(2, 0)] == Shade(
        whole, (OUTSIDE,)
    )
