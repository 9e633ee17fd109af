"""Where each session sits in the timeline for one week: rows, lanes and columns (no Qt).

Rows are every trainer, facility, hub or cohort (empty rows too: a free trainer is worth
seeing). Sessions that overlap inside one row (a hub runs many at once) take separate lanes.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from trainer_app.domain import dates
from trainer_app.scheduling.scenario import Assignment, Calendar, Plan, Scenario

ROW_MODES = {"trainer": "Trainer", "facility": "Facility", "hub": "Hub", "cohort": "Cohort"}
NO_COHORT = ""  # the row of sessions whose run has no cohort


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    lanes: int = 1


@dataclass(frozen=True)
class Block:
    assignment: Assignment
    row: int
    lane: int
    column: int  # position of the day within the week
    period: int
    length: int


@dataclass(frozen=True)
class WeekLayout:
    days: tuple[int, ...]  # indexes into calendar.days
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...]


def weeks(calendar: Calendar) -> list[tuple[int, ...]]:
    """The day indexes of each ISO week of the horizon, in order."""
    found: dict[int, list[int]] = defaultdict(list)
    for day, week in enumerate(calendar.week_of_day):
        found[week].append(day)
    return [tuple(found[w]) for w in sorted(found)]


def week_of(calendar: Calendar, when: date) -> int:
    """The week showing ``when``, else the nearest one (first or last)."""
    if not calendar.days:
        return 0
    later = [i for i, day in enumerate(calendar.days) if day >= when]
    return calendar.week_of_day[later[0]] if later else calendar.week_of_day[-1]


def week_label(calendar: Calendar, days: tuple[int, ...]) -> str:
    if not days:
        return "No days"
    first, last = calendar.days[days[0]], calendar.days[days[-1]]
    week = first.isocalendar().week
    return f"Week {week} · {dates.span(first, last)}"


def rows_for(scenario: Scenario, mode: str, names: Mapping[str, str] | None = None) -> list[Row]:
    """The rows of a view; ``names`` gives people's names for trainer ids such as ``T7``."""
    names = names or {}
    if mode == "trainer":
        return [Row(t.id, f"{names.get(t.id, t.id)} · {t.hub}") for t in scenario.trainers]
    if mode == "facility":
        return [Row(f.id, f"{f.id} · {f.capacity}") for f in scenario.facilities]
    if mode == "hub":
        return [Row(h.id, h.name or h.id) for h in scenario.hubs]
    rows = [Row(c.id, c.id) for c in scenario.cohorts]
    if any(not scenario.cohorts_of.get(o.id) for o in scenario.offerings):
        rows.append(Row(NO_COHORT, "Without a cohort"))
    return rows


def row_keys(scenario: Scenario, assignment: Assignment, mode: str) -> list[str]:
    """The rows a session shows in: one, except in cohort mode (each of its cohorts)."""
    if mode == "trainer":
        return [assignment.trainer]
    if mode == "facility":
        return [assignment.facility]
    if mode == "hub":
        facility = scenario.facility_by_id.get(assignment.facility)
        return [facility.hub] if facility else []
    cohorts = scenario.cohorts_of.get(assignment.offering, ())
    return [c.id for c in cohorts] or [NO_COHORT]


def length_of(scenario: Scenario, assignment: Assignment) -> int:
    offering = scenario.offering_by_id.get(assignment.offering)
    return offering.session_length if offering else 1


def layout_week(
    scenario: Scenario,
    plan: Plan | None,
    mode: str,
    days: tuple[int, ...],
    names: Mapping[str, str] | None = None,
) -> WeekLayout:
    rows = rows_for(scenario, mode, names)
    index = {row.key: i for i, row in enumerate(rows)}
    column = {day: i for i, day in enumerate(days)}
    placed: dict[int, list[tuple[int, int, int, Assignment]]] = defaultdict(list)
    for assignment in plan.assignments if plan else ():
        if assignment.day not in column:
            continue
        length = length_of(scenario, assignment)
        for key in row_keys(scenario, assignment, mode):
            if key in index:
                start = column[assignment.day] * scenario.calendar.periods_per_day
                start += assignment.period
                placed[index[key]].append((start, start + length, length, assignment))
    blocks: list[Block] = []
    lanes = [1] * len(rows)
    for row, items in placed.items():
        ends: list[int] = []  # the end of the last block in each lane
        for start, end, length, assignment in sorted(items, key=lambda i: (i[0], i[3].key)):
            lane = next((i for i, e in enumerate(ends) if e <= start), len(ends))
            if lane == len(ends):
                ends.append(end)
            ends[lane] = end
            blocks.append(
                Block(
                    assignment,
                    row,
                    lane,
                    column[assignment.day],
                    assignment.period,
                    length,
                )
            )
        lanes[row] = max(1, len(ends))
    shown = tuple(Row(r.key, r.label, lanes[i]) for i, r in enumerate(rows))
    return WeekLayout(days, shown, tuple(blocks))
