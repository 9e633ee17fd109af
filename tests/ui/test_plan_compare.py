"""Comparing two plan versions that cover different dates (found by the monkey: a plan of a
longer term compared with a shorter one failed on the days one calendar does not have)."""

from __future__ import annotations

import dataclasses
from datetime import date

from tests.unit.scheduling import tiny
from trainer_app.scheduling.scenario import Assignment, Calendar, Plan
from trainer_app.ui.plan.compare import NOT_PLACED, CompareDialog, difference


def test_sessions_are_compared_by_their_day_not_their_place_in_each_calendar(qtbot) -> None:
    short = tiny.scenario()
    # The same term planned from a week earlier: every day index is five more.
    earlier = tuple(date(2027, 1, d) for d in (4, 5, 6, 7, 8))
    wide = dataclasses.replace(
        short, calendar=Calendar(earlier + short.calendar.days, 4, tiny.LABELS)
    )
    same = Assignment("GOWN-01", 0, 1, 0, "LON-CR1", "T07")  # Tue 12 Jan, 09:00
    moved = Assignment("GOWN-01", 1, 2, 0, "LON-CR1", "T07")  # Wed 13 Jan
    first = Plan((same, moved), cost={"total": 5})
    second = Plan(
        (
            dataclasses.replace(same, day=same.day + 5),
            dataclasses.replace(moved, day=moved.day + 6),  # Thu 14 Jan
            Assignment("ASEP-01", 0, 0, 1, "LON-CR1", "T07"),  # Mon 4 Jan, only here
        ),
        cost={"total": 3},
    )
    found = difference((short, first), (wide, second))
    assert [(key, old.split(" · ")[0], new.split(" · ")[0]) for key, old, new in found.moved] == [
        (("ASEP-01", 0), NOT_PLACED, "Mon 4 Jan 2027 11:00"),
        (("GOWN-01", 1), "Wed 13 Jan 2027 09:00", "Thu 14 Jan 2027 09:00"),
    ]
    assert found.costs[0] == ("total", 5.0, 3.0)

    dialog = CompareDialog(("Spring 2027 · a", "Spring 2027 · b"), ((short, first), (wide, second)))
    qtbot.addWidget(dialog)
    assert dialog.moves.topLevelItemCount() == 2
    assert dialog.moves.topLevelItem(1).text(0).startswith("GOWN-01 · 2/")
