"""Demo training history (``resources/demo/history.json``): the roles of the training matrix,
runs held in autumn 2026 with attendance, results and the completions that follow, runs
coming up in December 2026 with enrolments and a waitlist, completions imported from the hubs'
spreadsheets (some expired, some expiring soon, some of an older course version) and training
held elsewhere with its evidence.

Everything goes through the services with their rules; to record the past, the enrolment and
training services are given a calendar set to the day it happened.
"""

from __future__ import annotations

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
    CompletionFields,
    CompletionSource,
    Mark,
)
from trainer_app.scheduling.scenario import Assignment, Plan
from trainer_app.scheduling.solver import solve
from trainer_app.services.certificates import CertificateService
from trainer_app.services.context import ServiceContext
from trainer_app.services.enrolment import EnrolmentService
from trainer_app.services.matrix import RoleFields
from trainer_app.services.training import TrainingService

Spec = Mapping[str, Any]
PLAN_NAME = "Autumn 2026 (held)"


CERTIFIED_UNTIL = date(2026, 10, 9)  # runs ending by then had their certificates issued


@dataclass(frozen=True)
class HistorySummary:
    roles: int
    runs: int
    enrolments: int
    completions: int
    certificates: int


def build_history(
    context: ServiceContext,
    history: Spec,
    rng: random.Random,
    hubs: Mapping[str, int],
    courses: Mapping[str, int],
) -> HistorySummary:
    roles = _create_roles(context, history["roles"], hubs, courses)
    runs = _publish_runs(context, history, hubs, courses)
    enrolments = _enrol(context, history["runs"], runs, rng)
    _hold_runs(context, runs, rng)
    _import_completions(context, history["imported"], history["roles"], rng, courses, hubs)
    _external(context, history["external"], courses)
    certificates = _certify(context, runs)
    completions = sum(context.training.completions_held().values())
    return HistorySummary(roles, len(runs), enrolments, completions, certificates)


def plan_history_sessions(context: ServiceContext, history: Spec) -> dict[str, list[list[Any]]]:
    """Plan the history runs once (scripts/make_demo_history.py): their sessions as JSON."""
    runs = {r.code: r for r in context.runs.list() if r.code in _codes(history)}
    start, end = _window(history)
    scenario = context.planning.build_scenario(start, end, run_ids=[r.id for r in runs.values()])
    plan = solve(scenario, time_limit=20, workers=0, seed=1)
    if plan.status not in ("optimal", "feasible"):
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
) -> int:
    for spec in specs:
        needs: set[tuple[int, int | None]] = {(courses[c], None) for c in spec["courses"]}
        for hub, extra in spec.get("at_hub", {}).items():
            needs |= {(courses[c], hubs[hub]) for c in extra}
        context.matrix.save_role(
            RoleFields(
                name=spec["name"],
                description=spec.get("description", ""),
                requirements=frozenset(needs),
            )
        )
    return len(specs)


def _codes(history: Spec) -> set[str]:
    return {spec["code"] for spec in history["runs"]}


def _window(history: Spec) -> tuple[date, date]:
    return (
        min(date.fromisoformat(s["earliest"]) for s in history["runs"]),
        max(date.fromisoformat(s["latest"]) for s in history["runs"]),
    )


def _publish_runs(
    context: ServiceContext, history: Spec, hubs: Mapping[str, int], courses: Mapping[str, int]
) -> dict[str, int]:
    """Create the history runs and publish them with the sessions the JSON gives."""
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
    sessions: Mapping[str, Sequence[Sequence[Any]]] = history["sessions"]
    if not sessions:
        return runs  # being planned by scripts/make_demo_history.py
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
        status="feasible",
    )
    saved = context.planning.save_plan(PLAN_NAME, scenario, plan)
    context.planning.publish(saved.id, saved.row_version)
    return runs


def _enrol(
    context: ServiceContext, specs: Sequence[Spec], runs: Mapping[str, int], rng: random.Random
) -> int:
    """Enrol each run's cohort members (up to the number given) two weeks before it starts;
    over capacity they go on the waitlist, as they would."""
    count = 0
    members = _members(context)
    taken: dict[str, set[int]] = {}
    for spec in sorted(specs, key=lambda s: s["earliest"]):
        run_id = runs[spec["code"]]
        facts = context.enrolment.facts(run_id)
        if facts.first_day is None:
            continue
        service = EnrolmentService(
            context.store,
            context.actor,
            _on(facts.first_day, -14),
            _at(facts.first_day - timedelta(days=14), time(10)),
        )
        done = taken.setdefault(spec["course"], set())
        candidates = [t for t in members.get(spec["cohort"], []) if t not in done]
        verdicts = service.check(run_id, candidates)
        chosen = [v.trainee_id for v in verdicts if v.ok][: spec["enrol"]]
        service.enrol_many(run_id, chosen, reason="Demo data")
        done.update(chosen)
        count += len(chosen)
    return count


def _at(day: date, when: time) -> Callable[[], datetime]:
    """A clock stopped at ``when`` (UTC) on ``day``: when the past's enrolments were made."""
    moment = datetime.combine(day, when, UTC)
    return lambda: moment


def _certify(context: ServiceContext, runs: Mapping[str, int]) -> int:
    """Certificates the hubs issued three days after each run that ended by CERTIFIED_UNTIL
    (later runs' completions still wait), and one reissued after them for a misspelt name, so
    that the register shows every state."""
    issued: list[str] = []
    ended = [
        (facts.last_day, facts.id)
        for facts in (context.enrolment.facts(run_id) for run_id in runs.values())
        if facts.last_day is not None and facts.last_day <= CERTIFIED_UNTIL
    ]
    for last_day, run_id in sorted(ended):  # numbers rise with the date of issue
        service = _certificates_on(context, last_day + timedelta(days=3))
        for certificate, _ in service.issue_many(service.eligible(run_id=run_id)):
            issued.append(certificate.number)
    if issued:
        first = context.certificates.register(issued[0])[0]
        later = CERTIFIED_UNTIL + timedelta(days=5)  # after the last issue: numbers keep rising
        _certificates_on(context, later).reissue(
            first.number, "Surname misspelt on the first print"
        )
    return len(issued) + bool(issued)


def _certificates_on(context: ServiceContext, day: date) -> CertificateService:
    """The certificate service with its calendar and clock stopped on ``day`` (14:00 UTC)."""
    return CertificateService(
        context.store,
        context.actor,
        context.certificates.key_folder,
        _on(day, 0),
        _at(day, time(14)),
    )


def _on(day: date, offset: int) -> Callable[[], date]:
    """A calendar stopped ``offset`` days from ``day``: how the past is recorded."""
    when = day + timedelta(days=offset)
    return lambda: when


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


def _hold_runs(context: ServiceContext, runs: Mapping[str, int], rng: random.Random) -> None:
    """Runs already over: mark attendance and results as the trainer would have."""
    today = context.enrolment.today()
    for run_id in runs.values():
        facts = context.enrolment.facts(run_id)
        if facts.last_day is None or facts.last_day >= today:
            continue
        held = TrainingService(context.store, context.actor, _on(facts.last_day, 2))
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
        held.record_attendance(marks, reason="Demo data")
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
    spec: Spec,
    roles: Sequence[Spec],
    rng: random.Random,
    courses: Mapping[str, int],
    hubs: Mapping[str, int],
) -> None:
    """Years of history from spreadsheets for staff (not the new cohorts): some expired, some
    expiring soon, some of an older course version."""
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
