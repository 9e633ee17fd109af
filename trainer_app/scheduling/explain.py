"""Why a scenario cannot be planned as asked, in a coordinator's words.

Two jobs: refuse locked sessions that break a hard rule before anything is planned; and, after
planning, give each run left out an honest verdict. "Cannot be placed" only with a proof that
holds for every plan ("ASEP-2027-01 needs a Grade A/B cleanroom suite for 6: only LON-CR1
qualifies and it is closed 11 Jan – 22 Jan 2027"), drawn from the scenario alone (reach.py) or
from an infeasible core the solver proved; otherwise "not placed in the time given", with the
runs that held what it needs in this plan and what to try. Trainers are named by their names
and facility kinds by their labels, as coordinators know them.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from datetime import date

from trainer_app.domain import dates
from trainer_app.scheduling.instance import Instance, OfferingData
from trainer_app.scheduling.reach import Reach, day_ends, whole
from trainer_app.scheduling.rules import BLOCKERS, Blocker
from trainer_app.scheduling.scenario import Scenario, ScenarioError, UnplacedRun, Verdict
from trainer_app.scheduling.schedule import Key, Placement
from trainer_app.scheduling.wording import kind_words, kinds_words

REASON_WORDS = {blocker: refusal.words for blocker, refusal in BLOCKERS.items()}


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


# ----- after planning ------------------------------------------------------------------------


WINDOW_WORDS = "when a qualified trainer and a suitable facility are both free"
# What a plan file holds (scenario.py's limits: a text has at most 1 000 characters); a
# suggestion is a short line on a button-sized space, so it is kept to 100.
MOST_REASON = 850
MOST_SUGGESTION = 100


def _bounded(text: str, most: int) -> str:
    """``text``, cut at a clause boundary (with '…') when longer than ``most``."""
    if len(text) <= most:
        return text
    cut = text[: most - 1]
    for mark in ("; ", ", ", " "):
        if mark in cut:
            cut = cut[: cut.rindex(mark)]
            break
    return cut + "…"


def explain(
    inst: Instance,
    unplaced: Iterable[int],
    reasons: Mapping[int, object],
    assignment: Mapping[Key, Placement],
    conflict: list[int] | None = None,
    reach: Reach | None = None,
    core_budget: float = 0.0,
) -> tuple[list[UnplacedRun], list[str]]:
    """A verdict for each run left out, and the matching explanation lines.

    "Cannot be placed" only with a proof that holds for every plan (see Explainer.proof);
    otherwise "not placed in the time given", with what competed for it in this plan.
    Within ``core_budget`` seconds CP-SAT also looks, for runs without a proof, for a small
    set of runs around each that cannot all be placed together.
    """
    explainer = Explainer(inst, reasons, assignment, conflict, reach)
    left_out = sorted(unplaced)
    explainer.find_cores([o for o in left_out if explainer.proof(o) is None], core_budget)
    verdicts = [explainer.verdict(o) for o in left_out]
    lines = [explainer.line(v) for v in verdicts]
    if conflict:
        lines.append(describe_conflict(inst, conflict))
    if not lines and assignment:
        lines.append("Every session of every run is placed.")
    return verdicts, lines


def explain_unplaced(
    inst: Instance,
    unplaced: list[int],
    reasons: Mapping[int, object],
    assignment: Mapping[Key, Placement],
) -> list[str]:
    """The explanation lines alone (one per run left out)."""
    return explain(inst, unplaced, reasons, assignment)[1]


def _sessions(od: OfferingData) -> str:
    """'3 sessions of 2 periods on consecutive days'."""
    sessions = f"{od.sessions} session{'s' if od.sessions != 1 else ''}"
    periods = f"{od.length} period{'s' if od.length != 1 else ''}"
    return f"{sessions} of {periods}" + (" on consecutive days" if od.consecutive else "")


class Explainer:
    def __init__(
        self,
        inst: Instance,
        reasons: Mapping[int, object],
        assignment: Mapping[Key, Placement],
        conflict: list[int] | None = None,
        reach: Reach | None = None,
    ) -> None:
        self.inst = inst
        self.scenario = inst.scenario
        self.reasons = reasons
        self.assignment = assignment
        self.conflict = set(conflict or ())
        self.core = conflict or []
        self.reach = reach or Reach(inst)
        self._proofs: dict[int, str | None] = {}
        self.cores: dict[int, list[int]] = {}  # run -> runs it cannot be placed together with
        self._roots: dict[int, tuple[str, str]] = {}  # the run at the root of a proof, its words
        self.inst_index = {od.id: od.index for od in inst.offerings}

    # ----- words ---------------------------------------------------------------------------
    def at(self, start: int) -> str:
        cal, P = self.scenario.calendar, self.inst.P
        return (
            cal.label(start // P, start % P) if start < self.inst.T else "the end of the calendar"
        )

    def trainer(self, trainer: int) -> str:
        return _trainer(self.scenario, self.inst.trainer_ids[trainer])

    def names(self, items: list[str], most: int = 4) -> str:
        shown = items[:most] + ([f"{len(items) - most} more"] if len(items) > most else [])
        return ", ".join(shown[:-1]) + f" and {shown[-1]}" if len(shown) > 1 else shown[0]

    def line(self, verdict: UnplacedRun) -> str:
        od = self.inst.offerings[self.inst_index[verdict.offering]]
        what = (
            f"{od.id} ({od.course}, {od.sessions} × {od.length} periods, {od.attendees} attendees)"
        )
        if verdict.verdict == Verdict.CANNOT_BE_PLACED:
            return f"{what} cannot be placed: {verdict.reason}"
        return f"{what} was not placed in the time given: {verdict.reason}"

    # ----- verdicts ------------------------------------------------------------------------
    def verdict(self, offering: int) -> UnplacedRun:
        od = self.inst.offerings[offering]
        proof = self.proof(offering)
        if proof is None and offering in self.conflict:
            proof = self._core_words(offering, self.core)
        if proof is None and offering in self.cores:
            proof = self._core_words(offering, self.cores[offering])
        if proof is not None:
            return UnplacedRun(od.id, Verdict.CANNOT_BE_PLACED, _bounded(proof, MOST_REASON))
        competing = self.competing(od)
        return UnplacedRun(
            od.id,
            Verdict.NOT_PLACED_IN_TIME,
            _bounded(self._obstacles(od, competing), MOST_REASON),
            tuple(competing),
            tuple(_bounded(s, MOST_SUGGESTION) for s in self.suggestions(od, competing)),
        )

    def proof(self, offering: int) -> str | None:
        """Why run ``o`` can be in no plan at all (None: no proof found). Each rule is a
        necessary condition drawn from the scenario alone; see reach.py."""
        if offering not in self._proofs:
            self._proofs[offering] = None  # guards a cycle (validated away)
            od = self.inst.offerings[offering]
            self._proofs[offering] = self._prove(od)
            if self._proofs[offering] is not None and offering not in self._roots:
                self._roots[offering] = (od.id, self._proofs[offering] or "")
        return self._proofs[offering]

    def _prove(self, od: OfferingData) -> str | None:
        inst, scenario, reach = self.inst, self.scenario, self.reach
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
        closed = _closed(inst, od, reach)
        if closed:
            return closed
        for p in od.after:
            if self.proof(p) is not None:
                root, why = self._roots[p]
                name = inst.offerings[p].id
                self._roots[od.index] = (root, why)
                through = "" if root == name else f" as {root} cannot"
                return f"it must follow {name}, which cannot be placed{through}: {why}"
        early = [g for g in reach.lock_starts[od.index] if g < reach.earliest[od.index]]
        if early:
            first = inst.offerings[reach.earliest_because[od.index]].id
            return (
                f"its session locked at {self.at(min(early))} comes before {first} can finish "
                f"(at the earliest {self.at(reach.earliest[od.index])}); it must follow {first}"
            )
        return self._trainers(od) or self._window(od)

    def _room(self, od: OfferingData, mask: int) -> bool:
        """The run's sessions fit at the starts in ``mask`` (no more than the trainers' daily
        limits allow in a day; on consecutive days when it must)."""
        reach = self.reach
        days = reach.days(mask)
        if od.consecutive:
            return reach.consecutive_block(days, od.sessions) is not None
        cap = reach.day_cap(od)
        return sum(min(cap, len(day_ends(b, od.length))) for _d, b in days) >= od.sessions

    def _window(self, od: OfferingData) -> str | None:
        """Too few slots in its window, whoever teaches it."""
        reach = self.reach
        mask = reach.usable(od)
        if self._room(od, mask):
            return None
        days = reach.days(mask)
        if od.consecutive:
            fits = f"no {od.sessions} consecutive working days have a free slot"
        else:
            cap = reach.day_cap(od)
            count = sum(min(cap, len(day_ends(bits, od.length))) for _d, bits in days)
            fits = f"only {count} of its {od.sessions} sessions fit" if count else "none fits"
        follower = self._deadline_by(od)
        after = self._after_words(od)
        if follower is not None and not days:
            name, start = follower
            return (
                f"it must come{after} before {name}, which is locked or published from "
                f"{self.at(start)}: no slot in between fits — move or re-plan {name}"
            )
        length = _sessions(od)
        where = self._window_words(od, follower)
        return f"it needs {length}{where}: {fits} {WINDOW_WORDS}"

    def _trainers(self, od: OfferingData) -> str | None:
        """Every candidate trainer has too little room for the whole run (one trainer
        delivers a run): leave, daily, weekly or total limits."""
        inst, reach = self.inst, self.reach
        trainers = reach.trainers(od)
        if not trainers or not self._room(od, reach.base(od)):
            return None  # the window itself is too short: see _window
        counts = {t: reach.most_sessions(od, t) for t in trainers}
        if any(n >= od.sessions for n in counts.values()):
            return None
        notes = []
        for t in trainers[:5]:
            name, L = self.trainer(t), od.length
            day, week = inst.trainer_day_limit[t], inst.trainer_week_limit[t]
            total = inst.trainer_total_limit[t]
            if day < L:
                notes.append(f"{name} may teach {day} periods a day")
            elif week is not None and week < L:
                notes.append(f"{name} may teach {week} periods a week")
            elif total is not None and total < od.sessions * L:
                notes.append(f"{name} may teach {total} periods in all")
            elif not reach.base(od) & whole(reach.trainer_free[t], L):
                notes.append(f"{name} is away throughout")
            elif od.consecutive:
                notes.append(f"{name} is not free on {od.sessions} consecutive working days")
            else:
                notes.append(f"{name} is free for {counts[t]} at most")
        if len(trainers) > 5:
            notes.append(f"and {len(trainers) - 5} more likewise")
        who = "its trainer" if len(trainers) == 1 else "none of its qualified trainers"
        where = self._window_words(od, self._deadline_by(od))
        length = _sessions(od)
        verb = "is not" if len(trainers) == 1 else "is"
        return f"{who} {verb} free for all {length}{where} ({'; '.join(notes)})"

    def _after_words(self, od: OfferingData) -> str:
        because = self.reach.earliest_because[od.index]
        if because < 0:
            return ""
        return f" after {self.inst.offerings[because].id}"

    def _window_words(self, od: OfferingData, follower: tuple[str, int] | None) -> str:
        reach = self.reach
        first, because = reach.earliest[od.index], reach.earliest_because[od.index]
        parts = []
        if because >= 0:
            p = self.inst.offerings[because].id
            parts.append(f"after {p} can finish (at the earliest {self.at(first)})")
        if follower is not None:
            name, start = follower
            parts.append(f"before {name}, locked or published from {self.at(start)}")
        if parts:
            return " " + " and ".join(parts)
        cal = self.scenario.calendar
        return f" in the calendar ({dates.span(cal.days[0], cal.days[-1])})"

    def _deadline_by(self, od: OfferingData) -> tuple[str, int] | None:
        """The locked run that sets the run's latest end, through any chain of followers."""
        if od.deadline >= self.inst.T:
            return None
        seen, todo, best = set(), list(od.before), None
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            starts = self.reach.lock_starts[n]
            if starts and (best is None or min(starts) < best[1]):
                best = (self.inst.offerings[n].id, min(starts))
            todo.extend(self.inst.offerings[n].before)
        return best

    def _core_words(self, offering: int, core: list[int]) -> str:
        others = [self.inst.offerings[c].id for c in core if c != offering]
        if not others:
            return "the solver proved that no slot satisfies all the hard rules at once"
        return (
            f"the solver proved it cannot be placed together with {self.names(others)}: "
            + describe_conflict(self.inst, core)
        )

    # ----- infeasible cores around a run ---------------------------------------------------
    CORE_RIVALS = 10  # runs competing with it, at most, in its model
    CORE_RUNS = 25  # with the runs they follow
    CORE_SIZE = 1_000  # (session, start) choices, at most: building a model costs time too

    def find_cores(self, runs: list[int], budget: float) -> None:
        """Within ``budget`` seconds, for each run in turn: CP-SAT on the run and its rivals
        alone (every other run left out, which can only make placing them easier); when even
        that is infeasible, the core it names is a proof."""
        deadline = time.monotonic() + budget
        for i, o in enumerate(runs):
            left = deadline - time.monotonic()
            if left <= 0.02:
                return
            if o in self.cores or o in self.conflict:
                continue
            group = self.rivals(self.inst.offerings[o])
            if group is None:
                continue
            core = conflicting_runs(self.inst, left / (len(runs) - i), group)
            if core is not None and o in core:
                for member in core:
                    self.cores.setdefault(member, core)

    def rivals(self, od: OfferingData) -> set[int] | None:
        """The run, the runs that compete with it for a cohort, a scarce trainer or a scarce
        facility in its window, and the runs they all must follow (None: too many)."""
        inst, reach = self.inst, self.reach
        usable = reach.usable(od)
        if not usable:
            return None
        low, high = (usable & -usable).bit_length() - 1, usable.bit_length() + od.length
        span = ((1 << high) - 1) & ~((1 << max(0, low - inst.P)) - 1)
        trainers = set(od.trainers) if len(od.trainers) <= 3 else set()
        facilities = set(od.facilities) if len(od.facilities) <= 2 else set()
        cohorts = set(od.cohorts)
        scored = []
        for other in inst.offerings:
            if other.index == od.index or not reach.usable(other) & span:
                continue
            share = (
                2 * bool(cohorts.intersection(other.cohorts))
                + bool(trainers.intersection(other.trainers))
                + bool(facilities.intersection(other.facilities))
            )
            if share:
                scored.append((-share, other.index))
        group = {od.index} | {o for _s, o in sorted(scored)[: self.CORE_RIVALS]}
        closure = 0
        for o in group:
            closure |= reach.ancestors[o]
        while closure:
            low_bit = closure & -closure
            group.add(low_bit.bit_length() - 1)
            closure ^= low_bit
        if len(group) > self.CORE_RUNS:
            return None
        size = sum(
            inst.offerings[o].sessions * bin(reach.usable(inst.offerings[o])).count("1")
            for o in group
        )
        return group if size <= self.CORE_SIZE else None

    # ----- not placed in the time given ----------------------------------------------------
    def competing(self, od: OfferingData) -> list[str]:
        """Runs of this plan that hold its trainers, facilities or cohorts in the periods
        it could use, the most blocking first."""
        reach, inst = self.reach, self.inst
        usable = reach.usable(od) or reach.base(od)
        trainers, facilities, cohorts = set(od.trainers), set(od.facilities), set(od.cohorts)
        score: Counter[int] = Counter()
        L = od.length
        for (o2, _s), (g, f, t) in self.assignment.items():
            if o2 == od.index:
                continue
            other = inst.offerings[o2]
            shared = (t in trainers) + (f in facilities) + bool(cohorts.intersection(other.cohorts))
            if not shared:
                continue
            lo = max(0, g - L + 1)
            blocked = (usable >> lo) & ((1 << (g + other.length - lo)) - 1)
            if blocked:
                score[o2] += shared * bin(blocked).count("1")
        return [inst.offerings[o2].id for o2, _n in score.most_common(6)]

    def _obstacles(self, od: OfferingData, competing: list[str]) -> str:
        inst = self.inst
        missing = [inst.offerings[p].id for p in od.after if (p, 0) not in self.assignment]
        if missing:
            return (
                f"it must follow {self.names(missing)}, which "
                f"{'was' if len(missing) == 1 else 'were'} not placed in the time given"
            )
        parts = []
        counts = self.reasons.get(od.index)
        if isinstance(counts, Counter):
            top = [REASON_WORDS[r] for r, _ in counts.most_common(3) if r in REASON_WORDS]
            if top:
                parts.append("in the slots tried, " + "; or ".join(top))
        if competing:
            taken = self.names(competing)
            parts.append(f"its trainers, facilities or cohorts are taken by {taken}")
        why = " — ".join(parts) if parts else "no slot was free in this plan"
        return f"{why}; a plan with it may still exist"

    def suggestions(self, od: OfferingData, competing: list[str]) -> list[str]:
        inst, reach = self.inst, self.reach
        out = ["Plan again with more time, or re-plan from this plan"]
        follower = self._deadline_by(od)
        if follower is not None:
            name, start = follower
            when = dates.day(self.scenario.calendar.days[start // inst.P])
            out.append(f"Move {name} (locked from {when}) later: {od.id} must end before it")
        elif self.scenario.offering_by_id[od.id].unavailable:
            out.append(f"Allow {od.id} on more days")
        trainers = reach.trainers(od)
        if len(trainers) <= 3:
            who = self.names([self.trainer(t) for t in trainers])
            text = f"Qualify another trainer for {od.course} (only {who} can deliver it)"
            out.append(
                text if len(text) <= MOST_SUGGESTION else f"Qualify another trainer for {od.course}"
            )
        if len(od.facilities) <= 3:
            where = self.names([inst.facility_ids[f] for f in od.facilities])
            verb = "suits" if len(od.facilities) == 1 else "suit"
            text = f"Allow another facility (only {where} {verb} it)"
            out.append(text if len(text) <= MOST_SUGGESTION else "Allow another facility")
        counts = self.reasons.get(od.index)
        limits = (
            Blocker.TRAINER_DAY_LIMIT,
            Blocker.TRAINER_WEEK_LIMIT,
            Blocker.TRAINER_TOTAL_LIMIT,
        )
        if isinstance(counts, Counter) and any(counts.get(r) for r in limits):
            out.append("Raise its trainers' teaching limits")
        if competing:
            text = f"Move {self.names(competing[:2])} to free what it needs"
            out.append(text if len(text) <= MOST_SUGGESTION else f"Move {competing[0]}")
        return out


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
    if not kind_ok:  # the hubs being planned, which may be fewer than the network's
        hubs = [hub.id for hub in scenario.hubs]
        at = " or ".join(hubs) if len(hubs) <= 3 else f"any of the {len(hubs)} hubs planned"
        return f"it needs a {kinds} and there is none at {at}"
    notes = []
    for f in kind_ok[:5]:
        if offering.hub and f.hub != offering.hub:
            notes.append(f"{f.id} is at {f.hub}")
        elif f.capacity_is_hard and offering.attendees > f.capacity:
            notes.append(f"{f.id} holds {f.capacity} (a hard limit)")
    detail = f" ({'; '.join(notes)})" if notes else ""
    return f"it needs a {kinds} for {offering.attendees}{where}: none qualifies{detail}"


def _closed(inst: Instance, od: OfferingData, reach: Reach) -> str | None:
    """When every suitable facility, or every candidate trainer, is unavailable throughout."""
    P, cal = inst.P, inst.scenario.calendar
    usable_days = sorted({g // P for g in od.starts})
    whole_days = 0
    for d in usable_days:
        whole_days |= reach.day_mask << (d * P)
    facilities = od.facilities
    if facilities and not any(reach.facility_free[f] & whole_days for f in facilities):
        names = ", ".join(inst.facility_ids[f] for f in facilities)
        closed = _days(cal.days[d] for d in usable_days)
        only = "only " if len(facilities) == 1 else ""
        verb = "is" if len(facilities) == 1 else "are"
        kind = kinds_words(inst.scenario.offering_by_id[od.id].facility_kinds) or "facility"
        return (
            f"it needs a {kind} for {od.attendees}: {only}{names} "
            f"{'qualifies' if len(facilities) == 1 else 'qualify'} and {verb} closed "
            f"{closed}"
        )
    trainers = od.trainers
    if trainers and not any(reach.trainer_free[t] & whole_days for t in trainers):
        names = ", ".join(_trainer(inst.scenario, inst.trainer_ids[t]) for t in trainers)
        return (
            f"every trainer who can deliver it ({names}) is away on all of its possible "
            f"days ({_days(cal.days[d] for d in usable_days)})"
        )
    return None


def conflicting_runs(
    inst: Instance, time_limit: float, runs: set[int] | None = None
) -> list[int] | None:
    """Runs that cannot all be placed together, found with CP-SAT assumptions.

    Every run (of ``runs``, all by default; the others are left out of the model, which only
    makes it easier) must be placed, each under its own assumption; when that is infeasible
    the solver names a subset of the assumptions that already is. None when there is no
    answer within ``time_limit`` (or every run could be placed after all).
    """
    from ortools.sat.python import cp_model

    from trainer_app.scheduling.model import SubModel

    chosen = {od.index for od in inst.offerings} if runs is None else runs
    sub = SubModel(inst, {}, set(), chosen)
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
