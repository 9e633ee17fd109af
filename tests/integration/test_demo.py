"""The demo network: realistic, consistent, deterministic, shown by the shipped fonts, audited."""

from __future__ import annotations

import dataclasses
import sqlite3
import unicodedata
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fontTools.ttLib import TTFont  # type: ignore[import-untyped]

from tests.helpers import builders
from trainer_app import resources
from trainer_app.config import Settings
from trainer_app.domain.audit import AuditAction
from trainer_app.domain.certificates import Verdict
from trainer_app.domain.errors import DomainError
from trainer_app.domain.people import TraineeType
from trainer_app.domain.planning import RunStatus
from trainer_app.domain.records import CompletionSource, MatrixStatus
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo import DemoSummary, build_demo

# The demo's "now" for the shared build: what it holds does not change with the calendar.
DEMO_NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)


def open_context(folder: Path, now: datetime | None = None) -> ServiceContext:
    settings = Settings.resolve(folder / "demo.db", environ={"TRAINER_APP_DATA_DIR": str(folder)})
    if now is None:
        return ServiceContext.open(settings)
    return ServiceContext.open(settings, today=now.date, now=lambda: now)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[ServiceContext, DemoSummary]]:
    """One default demo build shared by the read-only checks."""
    ctx = open_context(tmp_path_factory.mktemp("demo"), DEMO_NOW)
    summary = build_demo(ctx)
    yield ctx, summary
    ctx.close()


def dump(ctx: ServiceContext) -> dict[str, list[dict[str, Any]]]:
    """Every record, minus ids and versions; references shown as codes and names."""
    hubs = {h.id: h.code for h in ctx.hubs.list()}
    courses = {c.id: c.code for c in ctx.courses.list()}
    cohorts = {c.id: c.name for c in ctx.cohorts.list()}

    def plain(record: Any) -> dict[str, Any]:
        out = dataclasses.asdict(record)
        del out["id"], out["row_version"]
        if "hub_id" in out:
            out["hub_id"] = hubs.get(out["hub_id"])
        if "course_id" in out:
            out["course_id"] = courses[out["course_id"]]
        for key, names in (
            ("prerequisites", courses),
            ("qualifications", courses),
            ("cohort_ids", cohorts),
        ):
            if key in out:
                out[key] = sorted(names[i] for i in out[key])
        return out

    records: dict[str, list[Any]] = {
        "hubs": ctx.hubs.list(),
        "facilities": ctx.facilities.list(),
        "courses": ctx.courses.list(),
        "trainers": ctx.trainers.list(),
        "cohorts": ctx.cohorts.list(),
        "trainees": ctx.trainees.list(),
        "runs": ctx.runs.list(),
    }
    out = {name: [plain(r) for r in rows] for name, rows in records.items()}
    out["enrolments"] = [
        {"run": e.run_code, "trainee": e.trainee_name, "status": e.status, "position": e.position}
        for run in ctx.runs.list()
        for e in ctx.enrolment.roster(run.id)
    ]
    return out


def test_counts_are_in_the_expected_ranges(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, summary = demo
    trainees = ctx.trainees.list()
    assert summary == DemoSummary(
        hubs=4,
        facilities=len(ctx.facilities.list()),
        courses=len(ctx.courses.list()),
        trainers=len(ctx.trainers.list()),
        cohorts=len(ctx.cohorts.list()),
        trainees=300,
        memberships=sum(len(t.cohort_ids) for t in trainees),
        runs=len(ctx.runs.list()) - summary.history_runs,
        roles=len(ctx.matrix.roles()),
        history_runs=summary.history_runs,
        enrolments=summary.enrolments,
        completions=summary.completions,
        certificates=len(ctx.certificates.register()),
    )
    assert str(summary).startswith("4 hubs, ")
    assert 35 <= summary.runs <= 45
    assert {h.code for h in ctx.hubs.list()} == {"LON", "BRI", "SHF", "STE"}
    assert 25 <= summary.facilities <= 35
    assert 18 <= summary.courses <= 25
    assert 20 <= summary.trainers <= 30
    assert 8 <= summary.cohorts <= 14
    assert sorted(t.reference for t in trainees) == [f"TR-{n:06d}" for n in range(1, 301)]
    in_cohorts = [len(t.cohort_ids) for t in trainees]
    assert {0, 1, 2} == set(in_cohorts)
    assert in_cohorts.count(1) > in_cohorts.count(2) + in_cohorts.count(0)


def test_the_network_is_realistic(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, _ = demo
    for hub in ctx.hubs.list():
        assert hub.timezone == "Europe/London"
        assert [c.reason for c in hub.closures] == ["Christmas shutdown"]
    facilities = ctx.facilities.list()
    assert any(f.closures for f in facilities)
    assert any(f.weekdays != frozenset(range(5)) for f in facilities)
    for facility in facilities:
        assert facility.code.startswith(facility.hub_code + "-")
        if facility.capacity_is_hard:
            assert 4 <= facility.capacity <= 8
    trainers = ctx.trainers.list()
    assert any(t.name.startswith(("Dr ", "Prof ")) for t in trainers)
    assert sum(t.employment == "external" for t in trainers) >= 2
    assert any(t.leave for t in trainers)
    assert any(t.max_periods_per_day is None for t in trainers)
    assert len({t.email for t in trainers}) == len(trainers)


def test_trainees_fit_their_cohorts(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, _ = demo
    cohorts = {c.id: c for c in ctx.cohorts.list()}
    msc = next(c.id for c in cohorts.values() if c.name == "MSc Cell & Gene Therapy 2027")
    trainees = ctx.trainees.list()
    for trainee in trainees:
        for cohort_id in trainee.cohort_ids:
            assert cohorts[cohort_id].hub_id in (None, trainee.hub_id)
        assert trainee.organisation and trainee.role
    assert all(t.trainee_type is TraineeType.MSC_STUDENT for t in trainees if msc in t.cohort_ids)
    emails = [t.email for t in trainees if t.email]
    assert len(emails) >= 0.8 * len(trainees)
    assert len(set(emails)) == len(emails)
    assert all(e.isascii() and e.endswith(".example") for e in emails)


def test_the_catalogue_can_be_taught(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, _ = demo
    courses = ctx.courses.list()
    by_code = {c.code: c for c in courses}
    trainers = ctx.trainers.list()
    facilities = ctx.facilities.list()
    for course in courses:
        qualified = [t for t in trainers if course.id in t.qualifications]
        assert len(qualified) >= 2, course.code
        assert 3 <= len(course.learning_outcomes) <= 5, course.code
        assert set(course.prerequisites) <= {c.id for c in courses}
        rooms = [f for f in facilities if f.kind is course.facility_kind]
        assert any(f.capacity >= course.capacity for f in rooms), course.code
        if course.facility_kind.capacity_is_hard:
            assert 4 <= course.capacity <= 8, course.code
            for trainer in qualified:
                assert any(f.hub_id == trainer.hub_id for f in rooms), (course.code, trainer.name)
    for code, required in (
        ("GOWN", "GMP-FUND"),
        ("ASEP", "GOWN"),
        ("MFILL", "ASEP"),
        ("AAV-DS", "AAV-US"),
    ):
        assert by_code[required].id in by_code[code].prerequisites
    assert ctx.check() == []


def test_same_seed_gives_the_same_data(
    demo: tuple[ServiceContext, DemoSummary], context: ServiceContext
) -> None:
    build_demo(context, seed=2027)
    assert dump(context) == dump(demo[0])


def test_another_seed_gives_other_trainees(
    demo: tuple[ServiceContext, DemoSummary], tmp_path: Path
) -> None:
    with open_context(tmp_path) as other:
        build_demo(other, seed=7)
        theirs, ours = dump(other), dump(demo[0])
    assert theirs["trainees"] != ours["trainees"]
    for records in (theirs, ours):  # the seed changes who is in a cohort, nothing else
        del records["trainees"], records["enrolments"]
        for cohort in records["cohorts"]:
            del cohort["trainee_count"]
    assert theirs == ours


@pytest.fixture(scope="module")
def font_maps() -> dict[str, set[int]]:
    maps = {}
    for font in resources.fonts():
        with TTFont(font, lazy=True) as ttf:
            maps[font.name] = set(ttf.getBestCmap())
    return maps


def shown_by(name: str, font_maps: dict[str, set[int]]) -> list[str]:
    """The shipped fonts that hold a glyph for every character of ``name``."""
    return [font for font, cmap in font_maps.items() if all(ord(c) in cmap for c in name)]


def test_every_name_is_covered_by_a_shipped_font(
    demo: tuple[ServiceContext, DemoSummary], font_maps: dict[str, set[int]]
) -> None:
    ctx, _ = demo
    for uncovered in ("สมชาย ใจดี", "ᏣᎳᎩ", "𠀀𠀁"):  # Thai, Cherokee, rare CJK: the check bites
        assert shown_by(uncovered, font_maps) == []
    names = [t.name for t in ctx.trainers.list()] + [t.name for t in ctx.trainees.list()]
    missing = [n for n in names if not shown_by(n, font_maps)]
    assert missing == []


def test_names_come_in_many_scripts(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, _ = demo
    names = [t.name for t in ctx.trainers.list()] + [t.name for t in ctx.trainees.list()]

    def scripts(name: str) -> set[str]:
        return {unicodedata.name(c).split()[0] for c in name if not c.isascii()}

    found = set().union(*(scripts(n) for n in names))
    assert {"LATIN", "GREEK", "CYRILLIC", "CJK", "HANGUL", "ARABIC", "DEVANAGARI"} <= found
    assert any(n.isascii() for n in names)


def test_every_write_is_audited(demo: tuple[ServiceContext, DemoSummary]) -> None:
    ctx, _ = demo
    records = dump(ctx)
    assert ctx.audit.count() >= sum(len(v) for v in records.values())
    entries = ctx.audit.entries(ctx.audit.query_ids())
    assert {e.action for e in entries} == {AuditAction.CREATE, AuditAction.UPDATE}  # history
    master = {"hub", "facility", "course", "trainer", "cohort", "trainee", "course_run"}
    created = [e for e in entries if e.entity_type in master and e.action is AuditAction.CREATE]
    assert {e.reason for e in created} == {"Demo data"}
    audited = {(e.entity_type, e.entity_id) for e in entries}
    for entity_type, service in (
        ("hub", ctx.hubs),
        ("facility", ctx.facilities),
        ("course", ctx.courses),
        ("trainer", ctx.trainers),
        ("cohort", ctx.cohorts),
        ("trainee", ctx.trainees),
        ("course_run", ctx.runs),
    ):
        assert {(entity_type, r.id) for r in service.list()} <= audited


@pytest.mark.parametrize(
    "existing",
    [
        pytest.param(builders.hub, id="hub"),
        pytest.param(lambda ctx: builders.course(ctx, "GMP-FUND"), id="course"),
    ],
)
def test_a_store_with_data_is_refused_and_left_alone(
    context: ServiceContext, existing: Callable[[ServiceContext], object]
) -> None:
    existing(context)
    before, audited = dump(context), context.audit.count()
    with pytest.raises(DomainError, match="only be loaded into an empty database"):
        build_demo(context)
    assert dump(context) == before
    assert context.audit.count() == audited


def test_the_history_gives_every_view_something_real(
    demo: tuple[ServiceContext, DemoSummary],
) -> None:
    """Runs held in autumn 2026 with attendance, results and completions; runs coming up with
    enrolments and a waitlist; imported and external history; every matrix status."""
    ctx, summary = demo
    assert (summary.roles, summary.history_runs) == (13, 11)
    assert summary.enrolments > 100 and summary.completions > 300
    by_code = {r.code: r for r in ctx.runs.list()}
    held = ctx.training.register(by_code["GOWN-2026-01"].id)
    assert held.people and len(held.marks) == len(held.people) * len(held.sessions)
    assert held.completed  # the completion rule was met by most
    upcoming = ctx.enrolment.roster(by_code["GOWN-2026-04"].id)
    assert [e.position for e in upcoming if e.position] == [1, 2, 3]
    start = ctx.enrolment.facts(by_code["GOWN-2026-01"].id).first_day
    assert start is not None
    # enrolled a fortnight before the run, not when the demo was built
    assert {e.enrolled_at.date() for e in ctx.enrolment.roster(by_code["GOWN-2026-01"].id)} == {
        start - timedelta(days=14)
    }
    counts = ctx.matrix.matrix().counts()
    assert set(counts) == set(MatrixStatus)
    due = ctx.matrix.due_for_refresher()
    assert {d.status for d in due} == {
        MatrixStatus.EXPIRING,
        MatrixStatus.EXPIRED,
        MatrixStatus.RETRAIN,
        MatrixStatus.DUE,  # a requirement added under change control, in its grace period
    }
    external = [
        c
        for t in ctx.trainees.query_ids()
        for c in ctx.training.completions_of(t)
        if c.source is CompletionSource.EXTERNAL
    ]
    assert len(external) == 2
    name, evidence = ctx.training.evidence(external[0].id)
    assert name.endswith(".pdf") and evidence.startswith(b"%PDF")


def test_certificates_were_issued_for_the_early_runs_and_later_ones_wait(
    demo: tuple[ServiceContext, DemoSummary],
) -> None:
    ctx, summary = demo
    register = ctx.certificates.register()
    assert summary.certificates == len(register) > 20
    assert ctx.certificates.waiting()  # October and November runs: ready to issue right away
    reissued = [c for c in register if c.replaced_by]
    assert len(reissued) == 1 and reissued[0].revoke_reason.startswith("Reissued: ")
    for certificate in register:
        content = ctx.certificates.content(certificate.number)
        expected = Verdict.REVOKED if certificate.revoked else Verdict.VALID
        assert ctx.certificates.verify(content.payload)[0] is expected
        assert content.issued_on == certificate.issued_at.date() <= date(2026, 10, 14)
    # numbers rise with the date of issue, hub by hub
    for hub in {c.hub_code for c in register}:
        mine = sorted((c for c in register if c.hub_code == hub), key=lambda c: c.number)
        assert [c.issued_at for c in mine] == sorted(c.issued_at for c in mine)


def test_an_impossible_trainee_count_is_refused(context: ServiceContext) -> None:
    with pytest.raises(DomainError, match="0 to 100000 trainees"):
        build_demo(context, trainees=-1)
    assert context.audit.count() == 0


def test_a_small_demo_has_only_the_trainees_asked_for(context: ServiceContext) -> None:
    summary = build_demo(context, seed=1, trainees=5)
    assert summary.trainees == len(context.trainees.list()) == 5


def test_the_spring_runs_can_be_planned(demo: tuple[ServiceContext, DemoSummary]) -> None:
    """Every run is a draft in Spring 2027 that fits its course, hub, trainer and cohorts."""
    ctx, _ = demo
    courses = {c.id: c for c in ctx.courses.list()}
    trainers = {t.id: t for t in ctx.trainers.list()}
    cohorts = {c.id: c for c in ctx.cohorts.list()}
    runs = [
        r for r in ctx.runs.list() if r.code.endswith(tuple(f"2027-{n:02d}" for n in range(100)))
    ]
    assert {r.status for r in runs} == {RunStatus.DRAFT}
    assert {r.hub_id for r in runs if r.hub_id} == {h.id for h in ctx.hubs.list()}
    for run in runs:
        course = courses[run.course_id]
        assert run.code.startswith(f"{course.code}-2027-"), run.code
        assert run.attendees <= course.capacity and run.cohort_ids, run.code
        assert run.earliest and run.latest and date(2027, 1, 1) <= run.earliest <= run.latest
        assert run.latest <= date(2027, 3, 31), run.code
        if run.trainer_id is not None:
            assert course.id in trainers[run.trainer_id].qualifications, run.code
        able = [
            t
            for t in trainers.values()
            if course.id in t.qualifications
            and (t.max_periods_per_day or 4) >= course.session_length
        ]
        assert able, run.code
        for cohort_id in run.cohort_ids:
            assert cohorts[cohort_id].hub_id in (None, run.hub_id), run.code
    scenario = ctx.planning.build_scenario(date(2027, 1, 4), date(2027, 3, 31))
    assert len(scenario.offerings) == len(runs)  # the held runs are before the term
    assert [p.name for p in ctx.planning.list_plans()] == ["Autumn 2026 (held)"]


def test_the_audit_trail_tells_the_story_when_it_happened(
    demo: tuple[ServiceContext, DemoSummary],
) -> None:
    """Each entry is stamped when what it records happened (not when the demo was built): the
    network set up first, attendance on its session's day, results and completions after it,
    enrolments before the run, certificates three days after it; nothing after the demo's now."""
    ctx, _ = demo
    entries = ctx.audit.entries(ctx.audit.query_ids())
    stamps = [e.occurred_at for e in entries]
    assert max(stamps) < DEMO_NOW  # and nothing stamped with the moment it was built
    assert len({s.date() for s in stamps}) > 30  # the story spreads over the autumn
    setup = {"hub", "facility", "course", "trainer", "cohort", "trainee", "user"}
    assert max(e.occurred_at for e in entries if e.entity_type in setup) < min(
        e.occurred_at for e in entries if e.entity_type not in setup
    )
    with sqlite3.connect(ctx.settings.database_url.removeprefix("sqlite:///")) as db:

        def rows(sql: str) -> list[tuple[date, ...]]:
            found = db.execute(sql).fetchall()
            assert found, sql
            return [tuple(date.fromisoformat(v[:10]) for v in row) for row in found]

        attendance = rows(
            "SELECT a.occurred_at, s.held_on FROM audit_entries a "
            "JOIN attendance t ON t.id = a.entity_id "
            "JOIN planned_sessions s ON s.id = t.session_id "
            "WHERE a.entity_type = 'attendance'"
        )
        assert all(stamped == held_on for stamped, held_on in attendance)
        enrolled = rows(
            "SELECT a.occurred_at, MIN(s.held_on) FROM audit_entries a "
            "JOIN enrolments e ON e.id = a.entity_id "
            "JOIN planned_sessions s ON s.run_id = e.run_id "
            "WHERE a.entity_type = 'enrolment' GROUP BY a.id"
        )
        assert all(stamped == first - timedelta(days=14) for stamped, first in enrolled)
        # results and the completions they earn: after the run's last attendance, on its day
        results = db.execute(
            "SELECT a.occurred_at, MAX(b.occurred_at), r.assessed_on FROM audit_entries a "
            "JOIN assessments r ON r.id = a.entity_id JOIN enrolments e ON e.id = r.enrolment_id "
            "JOIN planned_sessions s ON s.run_id = e.run_id "
            "JOIN attendance t ON t.session_id = s.id "
            "JOIN audit_entries b ON b.entity_type = 'attendance' AND b.entity_id = t.id "
            "WHERE a.entity_type = 'assessment' GROUP BY a.id"
        ).fetchall()
        assert results and all(
            stamp > last_attendance and stamp[:10] == assessed_on
            for stamp, last_attendance, assessed_on in results
        )
        completed = rows(
            "SELECT a.occurred_at, c.completed_on FROM audit_entries a "
            "JOIN completions c ON c.id = a.entity_id "
            "WHERE a.entity_type = 'completion' AND a.action = 'create'"
        )
        assert all(stamped >= completed_on for stamped, completed_on in completed)
        certified = rows(
            "SELECT a.occurred_at, MAX(s.held_on) FROM audit_entries a "
            "JOIN certificates x ON x.id = a.entity_id "
            "JOIN completions c ON c.id = x.completion_id "
            "JOIN enrolments e ON e.id = c.enrolment_id "
            "JOIN planned_sessions s ON s.run_id = e.run_id "
            "WHERE a.entity_type = 'certificate' AND a.action = 'create' AND x.replaces_id IS NULL "
            "GROUP BY a.id"
        )
        assert all(stamped == last + timedelta(days=3) for stamped, last in certified)
