"""Where things sit on the timeline, without Qt: the days shown, the rows, the blocks of a week,
the bars of a term, and the unavailable time shaded with its reasons.

Rows are every trainer, facility, hub or cohort (empty rows too: a free trainer is worth
seeing). Sessions that overlap inside one row (a hub runs many at once) take separate lanes.
The days shown are the calendar's days and the weekdays between them that it leaves out (bank
holidays): those are shaded, and nothing can be planned on them.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from trainer_app.domain import dates
from trainer_app.domain.planning import Unavailability, Unavailable
from trainer_app.scheduling.scenario import Assignment, Calendar, Plan, Scenario, Slot

ROW_MODES = {"trainer": "Trainer", "facility": "Facility", "hub": "Hub", "cohort": "Cohort"}
NO_COHORT = ""  # the row of sessions whose run has no cohort
NOT_AVAILABLE = "Not available to the planner"  # unavailable, and the store gives no reason
OUTSIDE = "Outside this plan's dates"


@dataclass(frozen=True)
class Days:
    """The dates shown, in order; ``index`` gives each one's calendar day (None: a weekday the
    calendar leaves out, such as a bank holiday)."""

    dates: tuple[date, ...]
    index: tuple[int | None, ...]

    @cached_property
    def position(self) -> dict[int, int]:
        """Where each calendar day is shown."""
        return {day: i for i, day in enumerate(self.index) if day is not None}

    @cached_property
    def weeks(self) -> tuple[tuple[int, ...], ...]:
        """The positions of each ISO week, in order."""
        found: dict[tuple[int, int], list[int]] = defaultdict(list)
        for i, day in enumerate(self.dates):
            iso = day.isocalendar()
            found[(iso.year, iso.week)].append(i)
        return tuple(tuple(found[w]) for w in sorted(found))

    @cached_property
    def week_of(self) -> tuple[int, ...]:
        """The week of each position."""
        out = [0] * len(self.dates)
        for week, positions in enumerate(self.weeks):
            for i in positions:
                out[i] = week
        return tuple(out)

    def week_showing(self, when: date) -> int:
        """The week showing ``when``, else the nearest one (first or last)."""
        later = [i for i, day in enumerate(self.dates) if day >= when]
        if not self.dates:
            return 0
        return self.week_of[later[0]] if later else self.week_of[-1]


def shown_days(calendar: Calendar) -> Days:
    """Whole weeks, Monday to Friday, from the calendar's first week to its last (and any
    weekend day it plans on): the days it leaves out are shown too, greyed, so that a bank
    holiday or the edge of the plan's dates is seen, not skipped."""
    if not calendar.days:
        return Days((), ())
    index = {day: i for i, day in enumerate(calendar.days)}
    first = calendar.days[0] - timedelta(days=calendar.days[0].weekday())
    last = calendar.days[-1] + timedelta(days=4 - min(4, calendar.days[-1].weekday()))
    every = (first + timedelta(days=n) for n in range((last - first).days + 1))
    shown = [day for day in every if day in index or day.weekday() < 5]
    return Days(tuple(shown), tuple(index.get(day) for day in shown))


def week_label(days: Days, week: int) -> str:
    if not days.weeks:
        return "No days"
    positions = days.weeks[week]
    first, last = days.dates[positions[0]], days.dates[positions[-1]]
    return f"Week {first.isocalendar().week} · {dates.span(first, last)}"


@dataclass(frozen=True)
class Row:
    key: str
    label: str
    lanes: int = 1


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


def _pack(items: Iterable[tuple[int, int]]) -> tuple[list[int], int]:
    """Lanes for ``(start, end)`` items in the order given (sorted by start): the lane of each
    and how many lanes there are (at least one)."""
    ends: list[int] = []  # where the last item of each lane ends
    lanes = []
    for start, end in items:
        lane = next((i for i, e in enumerate(ends) if e <= start), len(ends))
        if lane == len(ends):
            ends.append(end)
        ends[lane] = end
        lanes.append(lane)
    return lanes, max(1, len(ends))


# ----- a week: one block per session ------------------------------------------------------------


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
    columns: tuple[int | None, ...]  # the calendar day of each column (None: not plannable)
    dates: tuple[date, ...]
    rows: tuple[Row, ...]
    blocks: tuple[Block, ...]


def layout_week(
    scenario: Scenario,
    plan: Plan | None,
    mode: str,
    days: Days,
    week: int,
    names: Mapping[str, str] | None = None,
) -> WeekLayout:
    positions = days.weeks[week] if days.weeks else ()
    columns = tuple(days.index[p] for p in positions)
    rows = rows_for(scenario, mode, names)
    index = {row.key: i for i, row in enumerate(rows)}
    column = {day: i for i, day in enumerate(columns) if day is not None}
    ppd = scenario.calendar.periods_per_day
    placed: dict[int, list[tuple[int, int, Assignment]]] = defaultdict(list)
    for assignment in plan.assignments if plan else ():
        if assignment.day not in column:
            continue
        start = column[assignment.day] * ppd + assignment.period
        end = start + length_of(scenario, assignment)
        for key in row_keys(scenario, assignment, mode):
            if key in index:
                placed[index[key]].append((start, end, assignment))
    blocks: list[Block] = []
    lanes = [1] * len(rows)
    for row, items in placed.items():
        items.sort(key=lambda i: (i[0], i[2].key))
        lane_of, lanes[row] = _pack((start, end) for start, end, _a in items)
        for (start, end, a), lane in zip(items, lane_of, strict=True):
            blocks.append(Block(a, row, lane, column[a.day], a.period, end - start))
    shown = tuple(Row(r.key, r.label, lanes[i]) for i, r in enumerate(rows))
    dates_shown = tuple(days.dates[p] for p in positions)
    return WeekLayout(columns, dates_shown, shown, tuple(blocks))


def short_codes(codes: Iterable[str]) -> dict[str, str]:
    """A shorter name for each run code that still tells it apart from the others: the code
    without its next-to-last part (``GOWN-2027-01`` → ``GOWN…01``), where that is unambiguous;
    else the code itself."""
    codes = sorted(set(codes))
    short: dict[str, str] = {}
    for code in codes:
        parts = code.split("-")
        short[code] = "-".join(parts[:-2]) + "…" + parts[-1] if len(parts) >= 3 else code
    taken: dict[str, int] = defaultdict(int)
    for name in short.values():
        taken[name] += 1
    return {code: name if taken[name] == 1 else code for code, name in short.items()}


# ----- a term: one bar per run, row and week -----------------------------------------------------


@dataclass(frozen=True)
class Stretch:
    """A run's sessions in one row and one week, drawn as one bar from the first session's day
    to the last's, labelled with the run's code."""

    offering: str
    row: int
    lane: int
    first: int  # position of its first day
    last: int  # position of its last day
    sessions: tuple[Assignment, ...]  # in time order

    @property
    def key(self) -> tuple[str, int]:
        """Its first session: what selecting the bar selects."""
        return self.sessions[0].key


@dataclass(frozen=True)
class TermLayout:
    rows: tuple[Row, ...]
    stretches: tuple[Stretch, ...]


def layout_term(
    scenario: Scenario,
    plan: Plan | None,
    mode: str,
    days: Days,
    reach: Callable[[str, int], int],
    names: Mapping[str, str] | None = None,
) -> TermLayout:
    """Every week at once. ``reach(code, days)``: how many days a bar of ``days`` days takes
    with its label beside it, so that labels never overlap in a lane."""
    rows = rows_for(scenario, mode, names)
    index = {row.key: i for i, row in enumerate(rows)}
    grouped: dict[tuple[int, str, int], list[Assignment]] = defaultdict(list)
    for assignment in plan.assignments if plan else ():
        position = days.position.get(assignment.day)
        if position is None:
            continue
        for key in row_keys(scenario, assignment, mode):
            if key in index:
                grouped[(index[key], assignment.offering, days.week_of[position])].append(
                    assignment
                )
    by_row: dict[int, list[tuple[int, int, str, tuple[Assignment, ...]]]] = defaultdict(list)
    for (row, offering, _week), found in grouped.items():
        ordered = tuple(sorted(found, key=lambda a: (a.day, a.period, a.session)))
        first = days.position[ordered[0].day]
        last = days.position[ordered[-1].day]
        by_row[row].append((first, last, offering, ordered))
    stretches: list[Stretch] = []
    lanes = [1] * len(rows)
    for row, items in by_row.items():
        items.sort(key=lambda i: (i[0], i[2]))
        extents = ((f, f + max(reach(o, la - f + 1), la - f + 1)) for f, la, o, _s in items)
        lane_of, lanes[row] = _pack(extents)
        for (first, last, offering, sessions), lane in zip(items, lane_of, strict=True):
            stretches.append(Stretch(offering, row, lane, first, last, sessions))
    shown = tuple(Row(r.key, r.label, lanes[i]) for i, r in enumerate(rows))
    return TermLayout(shown, tuple(stretches))


# ----- unavailable time ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Shade:
    """Unavailable time in one row on one day: which periods, and why."""

    periods: frozenset[int]
    reasons: tuple[str, ...]


def holidays_shown(days: Days, unavailable: Sequence[Unavailable]) -> dict[int, str]:
    """Why each shown day that cannot be planned at all is so (a bank holiday, outside the
    plan's dates), by position."""
    out: dict[int, str] = {}
    for item in unavailable:
        if item.who is Unavailability.EVERYONE:
            for i, day in enumerate(days.dates):
                if item.covers(day):
                    out[i] = item.reason
    planned = [i for i, calendar_day in enumerate(days.index) if calendar_day is not None]
    for i, calendar_day in enumerate(days.index):
        if calendar_day is None and i not in out:
            inside = planned and planned[0] < i < planned[-1]
            out[i] = "Not a working day" if inside else OUTSIDE
    return out


def shading(
    scenario: Scenario,
    mode: str,
    rows: Sequence[Row],
    days: Days,
    unavailable: Sequence[Unavailable],
) -> dict[tuple[int, int], Shade]:
    """For (row, position): the time that row cannot be planned, with the reasons the store
    gives (leave, closures, days off, bank holidays) and, for periods the planner was told are
    unavailable without one of those, ``NOT_AVAILABLE``."""
    ppd = scenario.calendar.periods_per_day
    whole = frozenset(range(ppd))
    holidays = holidays_shown(days, unavailable)
    who = {
        "trainer": Unavailability.TRAINER,
        "facility": Unavailability.FACILITY,
        "hub": Unavailability.HUB,
        "cohort": Unavailability.COHORT,
    }.get(mode)
    reasons: dict[str, list[Unavailable]] = defaultdict(list)
    for item in unavailable:
        if item.who is who:
            reasons[item.key].append(item)
    slots = _unavailable_slots(scenario, mode)
    out: dict[tuple[int, int], Shade] = {}
    for row, r in enumerate(rows):
        busy: dict[int, set[int]] = defaultdict(set)
        for day_index, period in slots.get(r.key, ()):
            at = days.position.get(day_index)
            if at is not None:
                busy[at].add(period)
        mine = reasons.get(r.key, [])
        for position, day in enumerate(days.dates):
            said = [u.reason for u in mine if u.covers(day)]
            if position in holidays:
                said.insert(0, holidays[position])
            if said:
                out[(row, position)] = Shade(whole, tuple(dict.fromkeys(said)))
            elif busy.get(position):
                out[(row, position)] = Shade(frozenset(busy[position]), (NOT_AVAILABLE,))
    return out


def _unavailable_slots(scenario: Scenario, mode: str) -> dict[str, frozenset[Slot]]:
    if mode == "trainer":
        return {t.id: t.unavailable for t in scenario.trainers}
    if mode == "facility":
        return {f.id: f.unavailable for f in scenario.facilities}
    if mode == "cohort":
        return {c.id: c.unavailable for c in scenario.cohorts}
    return {}
