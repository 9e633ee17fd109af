"""Why a scenario cannot be planned as asked, in a coordinator's words.

Three jobs: refuse locked sessions that break a hard rule before anything is planned; compute
a lower bound on the cost that holds whatever the timetable; and, after planning, say for each
run left out what stood in its way ("ASEP-2027-01 needs a Grade A/B cleanroom suite for 6: only
LON-CR1 qualifies and it is closed 11 Jan – 22 Jan 2027"). Trainers are named by their names
and facility kinds by their labels, as coordinators know them.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from trainer_app.domain import dates
from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.scenario import Scenario, ScenarioError
from trainer_app.scheduling.schedule import Key, Placement
from trainer_app.scheduling.wording import kind_words, kinds_words

REASON_WORDS = {
    "trainer_busy": "the qualified trainers are teaching other sessions",
    "trainer_unavailable": "the qualified trainers are on leave or not working",
    "facility_busy": "the suitable facilities are in use",
    "facility_unavailable": "the suitable facilities are closed",
    "cohort_busy": "its cohorts are in other sessions",
    "trainer_day_limit": "the trainers' daily teaching limits",
    "trainer_week_limit": "the trainers' weekly teaching limits",
    "trainer_total_limit": "the trainers' total teaching limits",
    "trainer_other_hub": "the trainers are at another hub that day",
    "lock_trainer": "its locked sessions name different trainers",
    "day": "the sessions do not fit in a day",
}


def _days(days_off: Iterable[date]) -> str:
    """4–8 Jan 2027, 12 Jan 2027 (runs of calendar days joined)."""
    ordered = sorted(set(days_off))
    runs: list[list[date]] = []
    for day in ordered:
        if runs and (day - runs[-1][-1]).days <= 3:  # a weekend does not break a closure
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs[:4]:
        parts.append(dates.span(run[0], run[-1]))
    if len(runs) > 4:
        parts.append("…")
    return ", ".join(parts)


# ----- locks ---------------------------------------------------------------------------------


def check_locks(scenario: Scenario) -> None:
    """Refuse locked sessions that break a hard rule on their own or against each other."""
    problems: list[str] = []
    cal = scenario.calendar
    P = cal.periods_per_day
    occupied: dict[tuple[str, str, int], str] = {}
    trainer_of: dict[str, str] = {}
    for lock in scenario.locked:
        o = scenario.offering_by_id[lock.offering]
        what = f"Locked session {lock.session} of {o.id} ({cal.label(lock.day, lock.period)})"
        span = [(lock.day, lock.period + k) for k in range(o.session_length)]
        if any(slot in o.unavailable for slot in span):
            problems.append(f"{what} is in a period when {o.id} is unavailable")
        for cohort in scenario.cohorts_of[o.id]:
            if any(slot in cohort.unavailable for slot in span):
                problems.append(f"{what} is in a period when cohort {cohort.id} is unavailable")
        if lock.facility is not None:
            f = scenario.facility_by_id[lock.facility]
            if o.facility_kinds and f.kind not in o.facility_kinds:
                problems.append(
                    f"{what} is in {f.id}, a {kind_words(f.kind)}; {o.id} needs a "
                    f"{kinds_words(o.facility_kinds)}"
                )
            if o.hub is not None and f.hub != o.hub:
                problems.append(f"{what} is in {f.id} at {f.hub}; {o.id} must be at {o.hub}")
            if f.capacity_is_hard and o.attendees > f.capacity:
                problems.append(
                    f"{what} puts {o.attendees} people in {f.id}, which holds "
                    f"{f.capacity} (a hard limit)"
                )
            if any(slot in f.unavailable for slot in span):
                problems.append(f"{what} is in {f.id} while it is unavailable")
        if lock.trainer is not None:
            t = scenario.trainer_by_id[lock.trainer]
            if o.trainer is not None and o.trainer != t.id:
                fixed = _trainer(scenario, o.trainer)
                problems.append(f"{what} names trainer {t.shown}; {o.id} is fixed to {fixed}")
            elif o.trainer is None and o.course not in t.qualifications:
                problems.append(
                    f"{what} names trainer {t.shown}, who is not qualified for {o.course}"
                )
            if any(slot in t.unavailable for slot in span):
                problems.append(f"{what} names trainer {t.shown}, who is unavailable then")
            earlier = trainer_of.setdefault(o.id, t.id)
            if earlier != t.id:
                problems.append(
                    f"{what} names trainer {t.shown}; another locked session of "
                    f"{o.id} names {_trainer(scenario, earlier)} (one trainer delivers a whole run)"
                )
        resources = [("cohort", c.id, c.id) for c in scenario.cohorts_of[o.id]]
        resources += [("facility", lock.facility, lock.facility)] if lock.facility else []
        if lock.trainer:
            resources.append(("trainer", lock.trainer, _trainer(scenario, lock.trainer)))
        for kind, ident, shown in resources:
            for day, period in span:
                key = (kind, ident, day * P + period)
                other = occupied.get(key)
                if other is not None and other != what:
                    problems.append(f"{what} and {other} both need {kind} {shown} at the same time")
                occupied[key] = what
    if problems:
        raise ScenarioError(list(dict.fromkeys(problems)))


def _trainer(scenario: Scenario, ident: str) -> str:
    """A trainer of the scenario by name (by the id if the scenario gives no name)."""
    trainer = scenario.trainer_by_id.get(ident)
    return trainer.shown if trainer is not None else ident


# ----- bounds --------------------------------------------------------------------------------


def precheck(inst: Instance) -> float:
    """A lower bound on the total cost that any timetable must pay (often 0)."""
    P = inst.P
    bound = 0
    spread = 0
    for od in inst.offerings:
        days = len({g // P for g in od.starts})
        spread += max(0, od.min_days - min(od.sessions, days))
    bound += inst.weights["spread_shortfall"] * spread
    if inst.weights["load_balance"]:
        trainers = {t for od in inst.offerings for t in od.trainers}
        total = sum(od.sessions * od.length for od in inst.offerings if od.trainers)
        single = [od.sessions * od.length for od in inst.offerings if len(od.trainers) == 1]
        peak = max([math.ceil(total / max(1, len(trainers))), *single], default=0)
        bound += inst.weights["load_balance"] * peak
    return bound / inst.weight_scale


# ----- after planning ------------------------------------------------------------------------


def explain_unplaced(
    inst: Instance,
    unplaced: list[int],
    reasons: Mapping[int, object],
    assignment: Mapping[Key, Placement],
) -> list[str]:
    lines = []
    for o in unplaced:
        od = inst.offerings[o]
        lines.append(
            f"{od.id} ({od.course}, {od.sessions} × {od.length} periods, "
            f"{od.attendees} attendees) was not placed: {_why(inst, od, reasons, assignment)}"
        )
    if not lines and assignment:
        lines.append("Every session of every run is placed.")
    return lines


def _why(
    inst: Instance,
    od: OfferingData,
    reasons: Mapping[int, object],
    assignment: Mapping[Key, Placement],
) -> str:
    scenario = inst.scenario
    offering = scenario.offering_by_id[od.id]
    if not od.trainers:
        if offering.trainer is not None:
            return f"its fixed trainer {_trainer(scenario, offering.trainer)} is not available"
        return f"no trainer is qualified for {od.course}"
    if not od.facilities:
        return _no_facility(inst, od)
    if not od.starts:
        return (
            f"{od.id} or its cohorts are unavailable on every day of the calendar "
            f"({_days(scenario.calendar.days)})"
        )
    closed = _closed(inst, od)
    if closed:
        return closed
    squeezed = _squeezed(inst, od, assignment)
    if squeezed:
        return squeezed
    counts = reasons.get(od.index)
    if isinstance(counts, Counter):
        missing = [inst.offerings[p].id for p in od.after if (p, 0) not in assignment]
        if counts.get("after_unplaced") and missing:
            return f"it must follow {', '.join(missing)}, which could not all be placed"
        top = [REASON_WORDS[r] for r, _ in counts.most_common(3) if r in REASON_WORDS]
        if top:
            return (
                "in every slot that fits its window, "
                + "; or ".join(top)
                + " — free a trainer or a facility, widen its dates, or lower its "
                "priority elsewhere"
            )
    return "no slot satisfies all the hard rules at once"


def _squeezed(inst: Instance, od: OfferingData, assignment: Mapping[Key, Placement]) -> str | None:
    """No room between the runs it must follow (as placed) and the locked or published
    sessions of runs that must follow it."""
    cal, P = inst.scenario.calendar, inst.P
    ends = [
        (g + inst.offerings[p].length, inst.offerings[p].id, g)
        for p in od.after
        for s in range(inst.offerings[p].sessions)
        if (placed := assignment.get((p, s))) is not None
        for g in [placed[0]]
    ]
    starts = [
        (lock[0], inst.offerings[n].id)
        for n in od.before
        for s in range(inst.offerings[n].sessions)
        if (lock := inst.locks.get((n, s))) is not None
    ]
    earliest = max(ends, default=(0, "", 0))
    latest = min(starts, default=(inst.T, ""))
    if not latest[1] or any(earliest[0] <= g and g + od.length <= latest[0] for g in od.starts):
        return None

    def at(g: int) -> str:
        return cal.label(g // P, g % P) if g < inst.T else "the end of the calendar"

    after = f" after {earliest[1]} (last session {at(earliest[2])}) and" if earliest[1] else ""
    return (
        f"it must come{after} before {latest[1]}, which is locked or published from "
        f"{at(latest[0])}: no slot in between fits — move or re-plan {latest[1]}"
    )


def _no_facility(inst: Instance, od: OfferingData) -> str:
    scenario = inst.scenario
    offering = scenario.offering_by_id[od.id]
    kinds = kinds_words(offering.facility_kinds) or "any facility"
    where = f" at {offering.hub}" if offering.hub else ""
    kind_ok = [
        f
        for f in scenario.facilities
        if not offering.facility_kinds or f.kind in offering.facility_kinds
    ]
    if not kind_ok:
        return f"it needs a {kinds} and the network has none"
    notes = []
    for f in kind_ok[:5]:
        if offering.hub and f.hub != offering.hub:
            notes.append(f"{f.id} is at {f.hub}")
        elif f.capacity_is_hard and offering.attendees > f.capacity:
            notes.append(f"{f.id} holds {f.capacity} (a hard limit)")
    detail = f" ({'; '.join(notes)})" if notes else ""
    return f"it needs a {kinds} for {offering.attendees}{where}: none qualifies{detail}"


def _closed(inst: Instance, od: OfferingData) -> str | None:
    """When every suitable facility, or every candidate trainer, is unavailable throughout."""
    P, cal = inst.P, inst.scenario.calendar
    usable_days = {g // P for g in od.starts}

    def closed_days(blocked: bytearray) -> set[int]:
        return {d for d in usable_days if all(blocked[d * P + p] for p in range(P))}

    facilities = [(f, closed_days(inst.facility_blocked[f])) for f in od.facilities]
    if facilities and all(days == usable_days for _, days in facilities):
        names = ", ".join(inst.facility_ids[f] for f, _ in facilities)
        closed = _days(cal.days[d] for _, days in facilities for d in days)
        only = "only " if len(facilities) == 1 else ""
        verb = "is" if len(facilities) == 1 else "are"
        kind = kinds_words(inst.scenario.offering_by_id[od.id].facility_kinds) or "facility"
        return (
            f"it needs a {kind} for {od.attendees}: {only}{names} "
            f"{'qualifies' if len(facilities) == 1 else 'qualify'} and {verb} closed "
            f"{closed}"
        )
    trainers = [(t, closed_days(inst.trainer_blocked[t])) for t in od.trainers]
    if trainers and all(days == usable_days for _, days in trainers):
        names = ", ".join(_trainer(inst.scenario, inst.trainer_ids[t]) for t, _ in trainers)
        return (
            f"every trainer who can deliver it ({names}) is away on all of its possible "
            f"days ({_days(cal.days[d] for d in usable_days)})"
        )
    return None


def conflicting_runs(inst: Instance, time_limit: float) -> list[int] | None:
    """Runs that cannot all be placed together, found with CP-SAT assumptions.

    Every run must be placed, each under its own assumption; when that is infeasible the
    solver names a subset of the assumptions that already is. None when there is no answer
    within ``time_limit`` (or every run could be placed after all).
    """
    from ortools.sat.python import cp_model

    from trainer_app.scheduling.model import SubModel

    sub = SubModel(inst, {}, set(), {od.index for od in inst.offerings})
    if not sub.feasible or not sub.insert:
        return None
    literals = {sub.placed[o].index: o for o in sub.insert}
    sub.m.add_assumptions([sub.placed[o] for o in sub.insert])
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit
    solver.parameters.num_workers = 1
    if solver.solve(sub.m) != cp_model.INFEASIBLE:
        return None
    core = [literals[i] for i in solver.sufficient_assumptions_for_infeasibility() if i in literals]
    return sorted(core) or None


def describe_conflict(inst: Instance, core: list[int]) -> str:
    """'RUN-1 and RUN-2 cannot all be placed together: they compete for cohort K, trainer T1
    and facility LAB within these dates; …'."""
    runs = [inst.offerings[o] for o in core]
    names = [od.id for od in runs]

    def listed(items: list[str]) -> str:
        return ", ".join(items[:-1]) + f" and {items[-1]}" if len(items) > 1 else items[0]

    def noun(one: str, many: str, items: list[str]) -> str:
        return f"{one if len(items) == 1 else many} {', '.join(items)}"

    shared = []
    cohorts = sorted(set.intersection(*(set(od.cohorts) for od in runs)))
    if cohorts:
        shared.append(noun("cohort", "cohorts", [inst.cohort_ids[c] for c in cohorts]))
    trainers = sorted(set.union(*(set(od.trainers) for od in runs)))
    if len(trainers) <= 4:
        named = [_trainer(inst.scenario, inst.trainer_ids[t]) for t in trainers]
        shared.append(noun("trainer", "trainers", named))
    facilities = sorted(set.union(*(set(od.facilities) for od in runs)))
    if len(facilities) <= 4:
        shared.append(noun("facility", "facilities", [inst.facility_ids[f] for f in facilities]))
    verb = "cannot all be placed together" if len(names) > 1 else "cannot be placed"
    why = f": they compete for {listed(shared)} within these dates" if shared else ""
    return f"{listed(names)} {verb}{why}; drop or move one of them, or widen the dates."
