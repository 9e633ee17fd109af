"""Demo training history (``resources/demo/history.json``): the roles of the training matrix,
runs held in autumn 2026 with attendance, results and the completions that follow, runs
coming up in December 2026 with enrolments and a waitlist, completions imported from the hubs'
spreadsheets (some expired, some expiring soon, some of an older course version) and training
held elsewhere with its evidence.

Everything goes through the services with their rules. To record the past, the services are
given a calendar and a clock (`StoryClock`) set to when each step happened, so that the audit
trail tells the story in order: the network set up in late summer, the autumn plan published,
enrolments a fortnight before each run, attendance on each session's day, results at the end
of the run and the completions they earn, certificates three days later, the hubs' spreadsheets
imported in November. Nothing is stamped later than the real now.
"""

from __future__ import annotations

import dataclasses
import io
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from trainer_app.domain.people import Trainee
from trainer_app.domain.planning import CourseRunFields
from trainer_app.domain.records import (
    AssessmentFields,
    AttendanceFields,
    ChangeTerms,
    CompletionFields,
    CompletionSource,
    Mark,
)
from trainer_app.scheduling.scenario import Assignment, Plan, PlanStatus
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import RoleFields
from trainer_app.services.planning_run import SolveOptions, solve_and_check

Spec = Mapping[str, Any]
PLAN_NAME = "Autumn 2026 (held)"


CERTIFIED_UNTIL = date(2026, 10, 9)  # runs ending by then had their certificates issued
SETUP_LEAD = timedelta(days=21)  # the network was set up three weeks before the first run
PUBLISHED_AFTER_SETUP = timedelta(days=3)
AFTER_THE_SESSIONS = time(17)  # UTC: attendance is recorded when the day's sessions are over
RESULTS_AT = time(17, 30)  # UTC, on the run's last day: results, then the completions
IMPORT_LAG = timedelta(days=3)  # the spreadsheets came in three days after their last entry


class StoryClock:
    """The demo's calendar and clock, set to when each step of its story happened; never later
    than the demo's now (``today`` and ``now`` as it was started; the end of ``today`` when
    the calendar is set earlier than the clock)."""

    def __init__(self, today: Callable[[], date], now: Callable[[], datetime]) -> None:
        self.last_day = today()
        self.limit = min(now(), datetime.combine(self.last_day, time(23, 59, 59), UTC))
        self._moment = self.limit

    def set(self, day: date, at: time) -> None:
        self._moment = min(datetime.combine(day, at, UTC), self.limit)

    def later(self, step: timedelta) -> None:
        self._moment = min(self._moment + step, self.limit)

    def today(self) -> date:
        return min(self._moment.date(), self.last_day)

    def now(self) -> datetime:
        return self._moment


def setup_day(history: Spec) -> date:
    """When the network was set up in the app: three weeks before the first run held."""
    return _window(history)[0] - SETUP_LEAD


@dataclass(frozen=True)
class HistorySummary:
    roles: int
    runs: int
    enrolments: int
    completions: int
    certificates: int


def build_history(
    context: ServiceContext,
    clock: StoryClock,
    history: Spec,
    rng: random.Random,
    hubs: Mapping[str, int],
    courses: Mapping[str, int],
) -> HistorySummary:
    """The term held before the demo's now; ``context`` records on ``clock``, which each step
    sets to when it happened."""
    setup = setup_day(history)
    clock.set(setup, time(11))
    roles = _create_roles(context, history["roles"], hubs, courses, clock.last_day)
    clock.later(timedelta(minutes=30))
    runs = _create_history_runs(context, history, hubs, courses)
    clock.set(setup + PUBLISHED_AFTER_SETUP, time(10))
    _publish_runs(context, clock, history, runs)
    enrolments = _enrol(context, clock, history["runs"], runs, rng)
    _hold_runs(context, clock, runs, rng)
    _import_completions(context, clock, history["imported"], history["roles"], rng, courses)
    clock.set(setup + timedelta(days=1), time(14))
    _external(context, history["external"], courses)
    certificates = _certify(context, clock, runs)
    completions = sum(context.training.completions_held().values())
    return HistorySummary(roles, len(runs), enrolments, completions, certificates)


def plan_history_sessions(context: ServiceContext, history: Spec) -> dict[str, list[list[Any]]]:
    """Plan the history runs once (scripts/make_demo_history.py): their sessions as JSON."""
    runs = {r.code: r for r in context.runs.list() if r.code in _codes(history)}
    start, end = _window(history)
    scenario = context.planning.build_scenario(start, end, run_ids=[r.id for r in runs.values()])
    checked = solve_and_check(scenario, SolveOptions(time_limit=20, workers=0, seed=1))
    plan = checked.plan
    if not checked.valid:
        raise RuntimeError(f"history runs could not all be planned: {plan.explanation}")
    names = {f"T{t.id}": t.name for t in context.trainers.list()}
    out: dict[str, list[list[Any]]] = {}
    for a in sorted(plan.assignments, key=lambda a: (a.offering, a.session)):
        if a.offering in runs:
            out.setdefault(a.offering, []).append(
                [scenario.calendar.days[a.day].isoformat(), a.period, a.facility, names[a.trainer]]
            )
    return out


# ----- steps ---------------------------------------------------------------------------------


def _create_roles(
    context: ServiceContext,
    specs: Sequence[Spec],
    hubs: Mapping[str, int],
    courses: Mapping[str, int],
    today: date,
) -> int:
    """The roles; a role's ``under_change`` courses were added recently, under change control
    (in effect some days ago, with a grace period), so the matrix shows people due by a date."""
    for spec in specs:
        needs: set[tuple[int, int | None]] = {(courses[c], None) for c in spec["courses"]}
        for hub, extra in spec.get("at_hub", {}).items():
            needs |= {(courses[c], hubs[hub]) for c in extra}
        role = context.matrix.save_role(
            RoleFields(
                name=spec["name"],
                description=spec.get("description", ""),
                requirements=frozenset(needs),
            )
        )
        change = spec.get("under_change")
        if change:
            added = {(courses[c], None) for c in change["courses"]}
            context.matrix.save_role(
                dataclasses.replace(role, requirements=role.requirements | added),
                role.id,
                role.row_version,
                terms=ChangeTerms(
                    today - timedelta(days=change["effective_days_ago"]), change["grace_days"]
                ),
            )
    return len(specs)


def _codes(history: Spec) -> set[str]:
    return {spec["code"] for spec in history["runs"]}


def _window(history: Spec) -> tuple[date, date]:
    return (
        min(date.fromisoformat(s["earliest"]) for s in history["runs"]),
        max(date.fromisoformat(s["latest"]) for s in history["runs"]),
    )


def _create_history_runs(
    context: ServiceContext, history: Spec, hubs: Mapping[str, int], courses: Mapping[str, int]
) -> dict[str, int]:
    cohorts = {c.name: c.id for c in context.cohorts.list()}
    capacity = {c.id: c.capacity for c in context.courses.list()}
    runs: dict[str, int] = {}
    for spec in history["runs"]:
        course = courses[spec["course"]]
        run = context.runs.create(
            CourseRunFields(
                code=spec["code"],
                course_id=course,
                attendees=min(spec["enrol"], capacity[course]),
                hub_id=hubs[spec["hub"]],
                cohort_ids=(
                    frozenset({cohorts[spec["cohort"]]})
                    if spec.get("cohort_link", True)
                    else frozenset()
                ),
                earliest=date.fromisoformat(spec["earliest"]),
                latest=date.fromisoformat(spec["latest"]),
            ),
            reason="Demo data",
        )
        runs[run.code] = run.id
    return runs


def _publish_runs(
    context: ServiceContext, clock: StoryClock, history: Spec, runs: Mapping[str, int]
) -> None:
    """Save the plan of the history runs with the sessions the JSON gives, and publish it after
    a look at it."""
    sessions: Mapping[str, Sequence[Sequence[Any]]] = history["sessions"]
    if not sessions:
        return  # being planned by scripts/make_demo_history.py
    start, end = _window(history)
    scenario = context.planning.build_scenario(start, end, run_ids=list(runs.values()))
    index = {day: i for i, day in enumerate(scenario.calendar.days)}
    trainers = {t.name: f"T{t.id}" for t in context.trainers.list()}
    plan = Plan(
        tuple(
            Assignment(code, n, index[date.fromisoformat(day)], period, facility, trainers[name])
            for code, rows in sessions.items()
            for n, (day, period, facility, name) in enumerate(rows)
        ),
        status=PlanStatus.FEASIBLE,
    )
    saved = context.planning.save_plan(PLAN_NAME, scenario, plan)
    clock.later(timedelta(minutes=40))
    context.planning.publish(saved.id, saved.row_version)


def _enrol(
    context: ServiceContext,
    clock: StoryClock,
    specs: Sequence[Spec],
    runs: Mapping[str, int],
    rng: random.Random,
) -> int:
    """Enrol each run's cohort members (up to the number given) two weeks before it starts;
    over capacity they go on the waitlist, as they would."""
    count = 0
    members = _members(context)
    taken: dict[str, set[int]] = {}
    service = context.enrolment
    for spec in sorted(specs, key=lambda s: s["earliest"]):
        run_id = runs[spec["code"]]
        facts = context.enrolment.facts(run_id)
        if facts.first_day is None:
            continue
        clock.set(facts.first_day - timedelta(days=14), time(10))
        done = taken.setdefault(spec["course"], set())
        candidates = [t for t in members.get(spec["cohort"], []) if t not in done]
        verdicts = service.check(run_id, candidates)
        chosen = [v.trainee_id for v in verdicts if v.ok][: spec["enrol"]]
        service.enrol_many(run_id, chosen, reason="Demo data")
        done.update(chosen)
        count += len(chosen)
    return count


def _certify(context: ServiceContext, clock: StoryClock, runs: Mapping[str, int]) -> int:
    """Certificates the hubs issued three days after each run that ended by CERTIFIED_UNTIL
    (later runs' completions still wait), and one reissued after them for a misspelt name, so
    that the register shows every state."""
    issued: list[str] = []
    ended = [
        (facts.last_day, facts.id)
        for facts in (context.enrolment.facts(run_id) for run_id in runs.values())
        if facts.last_day is not None and facts.last_day <= CERTIFIED_UNTIL
    ]
    service = context.certificates
    for last_day, run_id in sorted(ended):  # numbers rise with the date of issue
        clock.set(last_day + timedelta(days=3), time(14))
        for certificate, _ in service.issue_many(service.eligible(run_id=run_id)):
            issued.append(certificate.number)
    if issued:
        first = service.register(issued[0])[0]
        # after the last issue, so numbers keep rising with the date
        clock.set(CERTIFIED_UNTIL + timedelta(days=5), time(14))
        service.reissue(first.number, "Surname misspelt on the first print")
    return len(issued) + bool(issued)


def _trainees_in_order(context: ServiceContext) -> list[Trainee]:
    """Every trainee, read at once, in the order the trainee list shows them."""
    by_id = {t.id: t for t in context.trainees.list()}
    return [by_id[i] for i in context.trainees.query_ids()]


def _members(context: ServiceContext) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    cohorts = {c.id: c.name for c in context.cohorts.list()}
    for trainee in _trainees_in_order(context):
        for cohort in sorted(trainee.cohort_ids):
            out.setdefault(cohorts[cohort], []).append(trainee.id)
    return out


def _hold_runs(
    context: ServiceContext, clock: StoryClock, runs: Mapping[str, int], rng: random.Random
) -> None:
    """Runs already over: attendance marked at the end of each session's day, results on the
    last day after it, as the trainer would have."""
    held = context.training
    for run_id in runs.values():
        facts = context.enrolment.facts(run_id)
        if facts.last_day is None or facts.last_day >= clock.last_day:
            continue
        register = held.register(run_id)
        marks = []
        for person in register.people:
            for s in register.sessions:
                roll = rng.random()
                mark = Mark.PRESENT if roll < 0.9 else Mark.LATE if roll < 0.96 else Mark.ABSENT
                minutes = rng.choice((5, 10, 15, 20)) if mark is Mark.LATE else 0
                marks.append(
                    AttendanceFields(
                        session_id=s.id,
                        trainee_id=person.trainee_id,
                        mark=mark,
                        late_minutes=minutes,
                    )
                )
        for session in register.sessions:
            clock.set(session.held_on, AFTER_THE_SESSIONS)
            held.record_attendance(
                [m for m in marks if m.session_id == session.id], reason="Demo data"
            )
        clock.set(facts.last_day, RESULTS_AT)
        course = context.courses.get(facts.course_id)
        assessor = _trainer_of(context, facts)
        for person in register.people:
            theory = (
                Decimal(rng.randint(max(course.pass_mark - 12, 40), 99))
                if course.pass_mark is not None
                else None
            )
            practical = rng.random() < 0.93 if course.practical_required else None
            if theory is None and practical is None:
                continue
            held.record_assessment(
                AssessmentFields(
                    enrolment_id=person.enrolment_id,
                    assessed_on=facts.last_day,
                    assessor=assessor,
                    theory_score=theory,
                    practical_passed=practical,
                    comments=rng.choice(COMMENTS),
                ),
                reason="Demo data",
            )


COMMENTS = (
    "",
    "",
    "Confident; good aseptic discipline throughout.",
    "Needed prompting on the gowning sequence; corrected on the second attempt.",
    "Clear documentation; ALCOA+ principles applied well.",
    "Hesitant with the transfer hatch; reassess at the next session.",
)


def _trainer_of(context: ServiceContext, facts: Any) -> str:
    first = facts.first_day
    sessions = context.planning.published_sessions(first, facts.last_day)
    return next((s.trainer_name for s in sessions if s.run_id == facts.id), "Hub trainer")


def _import_completions(
    context: ServiceContext,
    clock: StoryClock,
    spec: Spec,
    roles: Sequence[Spec],
    rng: random.Random,
    courses: Mapping[str, int],
) -> None:
    """Years of history from spreadsheets for staff (not the new cohorts): some expired, some
    expiring soon, some of an older course version; imported a few days after their last
    entry."""
    needs = {role["name"].casefold(): set(role["courses"]) for role in roles}
    windows = spec["courses"]
    older: Mapping[str, str] = spec["older_versions"]
    items = []
    with_runs = {e.trainee_id for r in context.runs.list() for e in context.enrolment.roster(r.id)}
    for trainee in _trainees_in_order(context):
        if trainee.id in with_runs:
            continue
        for code in sorted(needs.get(trainee.role.casefold(), set()) & set(windows)):
            if rng.random() > spec["share"]:
                continue
            first = date.fromisoformat(windows[code]["from"])
            last = date.fromisoformat(windows[code]["to"])
            day = first + timedelta(days=rng.randrange((last - first).days + 1))
            version = older[code] if code in older and rng.random() < 0.2 else ""
            items.append(
                CompletionFields(
                    trainee_id=trainee.id,
                    course_id=courses[code],
                    completed_on=day,
                    course_version=version,
                    notes=spec["provider_note"],
                )
            )
    last = max(date.fromisoformat(window["to"]) for window in windows.values())
    clock.set(last + IMPORT_LAG, time(10))
    context.training.add_completions(items, reason="Demo data: imported history")


def _external(context: ServiceContext, specs: Sequence[Spec], courses: Mapping[str, int]) -> None:
    """Training held elsewhere, with a scanned letter as evidence."""
    with_history = context.training.completions_held()
    people = [t for t in _trainees_in_order(context) if t.id not in with_history]
    for spec, trainee in zip(specs, people, strict=False):
        trainee_id = trainee.id
        context.training.add_completion(
            CompletionFields(
                trainee_id=trainee_id,
                course_id=courses[spec["course"]],
                completed_on=date.fromisoformat(spec["completed_on"]),
                source=CompletionSource.EXTERNAL,
                provider=spec["provider"],
                verified_by=spec["verified_by"],
                evidence_name=f"{spec['course'].lower()}-{trainee.reference.lower()}.pdf",
                evidence=_letter(spec),
            ),
            reason="Demo data",
        )


def _letter(spec: Spec) -> bytes:
    """A one-page attendance letter standing in for a scanned certificate."""
    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=True)
    page.setTitle("Training attendance letter")
    page.setFont("Helvetica-Bold", 16)
    page.drawString(72, 760, spec["provider"])
    page.setFont("Helvetica", 11)
    page.drawString(72, 720, "This is to confirm that the trainee named on our register")
    page.drawString(72, 704, f"completed {spec['course']} on {spec['completed_on']}.")
    page.drawString(72, 672, "Reference copy held by the hub.")
    page.showPage()
    page.save()
    return buffer.getvalue()
