"""Training requirements under change control, on a real store: a role's new requirement and a
course's new version take effect on a date, people then have a grace period to comply, and
who is affected is known before the change is saved.

The calendar is fixed: "today" is Monday 11 January 2027 unless a test moves it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date

import pytest

from tests.helpers import builders
from tests.helpers.clock import Clock
from trainer_app.config import Settings
from trainer_app.domain.audit import AuditAction
from trainer_app.domain.courses import Course
from trainer_app.domain.errors import ValidationError
from trainer_app.domain.records import (
    ChangeTerms,
    CompletionFields,
    MatrixStatus,
    Standing,
    parse_effective_on,
)
from trainer_app.services.context import ServiceContext
from trainer_app.services.matrix import AffectedPerson, RoleFields

pytestmark = pytest.mark.both_stores

MONDAY = date(2027, 1, 11)
OPERATOR = "Cleanroom operator"


@dataclasses.dataclass
class World:
    ctx: ServiceContext
    clock: Clock
    gown: Course
    asep: Course
    people: dict[str, int]  # name → trainee id


@pytest.fixture
def world(settings: Settings) -> Iterator[World]:
    """Three cleanroom operators in London and one in Bristol, one QA officer in London."""
    clock = Clock(MONDAY)
    ctx = ServiceContext.open(settings, today=clock)
    london = builders.hub(ctx)
    bristol = builders.hub(ctx, "BRS", "Bristol")
    gown, asep = builders.gowning_and_aseptic(ctx)
    staff = [
        (london.id, "TR-000001", "Siobhán Ní Bhriain", OPERATOR),
        (london.id, "TR-000002", "李伟", OPERATOR),
        (london.id, "TR-000003", "Łukasz Nowak", OPERATOR),
        (bristol.id, "TR-000004", "Zoë Adams", OPERATOR),
        (london.id, "TR-000005", "Priya Raman", "QA officer"),
    ]
    people = {}
    for hub_id, reference, name, role in staff:
        made = builders.trainee(ctx, hub_id, reference, name)
        ctx.trainees.update(made.id, made.row_version, dataclasses.replace(made, role=role))
        people[name] = made.id
    yield World(ctx, clock, gown, asep, people)
    ctx.close()


def complete(w: World, name: str, course: Course, on: date) -> None:
    w.ctx.training.add_completion(
        CompletionFields(trainee_id=w.people[name], course_id=course.id, completed_on=on)
    )


def standing_of(w: World, name: str, course: Course) -> Standing | None:
    """The person's standing for a course their role requires (None: not required)."""
    matrix = w.ctx.matrix.matrix()
    row = next(i for i, p in enumerate(matrix.people) if p.name == name)
    column = next((i for i, c in enumerate(matrix.courses) if c.id == course.id), None)
    if column is None or (row, column) not in matrix.required:
        return None
    return matrix.cells[(row, column)]


def require(w: World, *courses: Course, terms: ChangeTerms | None = None) -> None:
    role = next((r for r in w.ctx.matrix.roles() if r.name == OPERATOR), None)
    wanted = frozenset((c.id, None) for c in courses)
    w.ctx.matrix.save_role(
        RoleFields(name=OPERATOR, requirements=wanted | (role.requirements if role else set())),
        role.id if role else None,
        role.row_version if role else None,
        terms=terms,
    )


# ----- a new requirement -----------------------------------------------------------------------


def test_a_requirement_effective_in_the_future_makes_nobody_non_compliant_today(
    world: World,
) -> None:
    w = world
    complete(w, "Siobhán Ní Bhriain", w.gown, date(2026, 12, 1))
    require(w, w.gown, terms=ChangeTerms(date(2027, 2, 1), 28))

    assert standing_of(w, "Łukasz Nowak", w.gown) is None  # not required yet
    counts = w.ctx.matrix.matrix().counts()
    assert MatrixStatus.MISSING not in counts
    assert w.ctx.matrix.due_for_refresher() == []

    w.clock.day = date(2027, 2, 1)  # in effect: due by 1 Feb + 28 days
    due = standing_of(w, "Łukasz Nowak", w.gown)
    assert due == Standing(MatrixStatus.DUE, due_on=date(2027, 3, 1))
    assert due is not None and due.status.compliant
    assert standing_of(w, "Siobhán Ní Bhriain", w.gown) == Standing(
        MatrixStatus.VALID, date(2027, 12, 1), "1.0"
    )
    listed = w.ctx.matrix.due_for_refresher()
    assert [(d.name, d.course_code, d.status, d.due_on) for d in listed] == [
        ("Zoë Adams", "GOWN", MatrixStatus.DUE, date(2027, 3, 1)),
        ("Łukasz Nowak", "GOWN", MatrixStatus.DUE, date(2027, 3, 1)),
        ("李伟", "GOWN", MatrixStatus.DUE, date(2027, 3, 1)),
    ]

    w.clock.day = date(2027, 3, 1)  # the last day of grace
    assert standing_of(w, "Łukasz Nowak", w.gown) == Standing(
        MatrixStatus.DUE, due_on=date(2027, 3, 1)
    )
    w.clock.day = date(2027, 3, 2)  # grace over: non-compliant
    late = standing_of(w, "Łukasz Nowak", w.gown)
    assert late == Standing(MatrixStatus.MISSING)
    assert late is not None and not late.status.compliant


def test_a_requirement_without_terms_applies_at_once(world: World) -> None:
    w = world
    require(w, w.gown)
    assert standing_of(w, "Łukasz Nowak", w.gown) == Standing(MatrixStatus.MISSING)


# ----- a new course version --------------------------------------------------------------------


def test_a_new_version_takes_effect_on_its_date_with_grace(world: World) -> None:
    w = world
    require(w, w.gown)
    complete(w, "Siobhán Ní Bhriain", w.gown, date(2026, 6, 1))  # v1.0, valid to 1 Jun 2027
    gown = w.ctx.courses.get(w.gown.id)
    w.ctx.courses.update(
        gown.id,
        gown.row_version,
        dataclasses.replace(gown, version="2.0"),
        terms=ChangeTerms(date(2027, 2, 1), 30),
        reason="SOP-GOWN-004 revised",
    )

    assert standing_of(w, "Siobhán Ní Bhriain", w.gown) == Standing(
        MatrixStatus.VALID, date(2027, 6, 1), "1.0"
    )
    w.clock.day = date(2027, 2, 1)
    assert standing_of(w, "Siobhán Ní Bhriain", w.gown) == Standing(
        MatrixStatus.DUE, date(2027, 6, 1), "1.0", date(2027, 3, 3)
    )
    assert [(d.name, d.due_on) for d in w.ctx.matrix.due_for_refresher()] == [
        ("Siobhán Ní Bhriain", date(2027, 3, 3))
    ]
    w.clock.day = date(2027, 3, 4)
    assert standing_of(w, "Siobhán Ní Bhriain", w.gown) == Standing(
        MatrixStatus.RETRAIN, date(2027, 6, 1), "1.0"
    )

    entry = w.ctx.audit.history("course", w.gown.id)[-2]  # the version change, then the edit
    assert entry.action is AuditAction.UPDATE
    assert [(c.field, c.old, c.new) for c in entry.changes] == [
        ("version", "1.0", "2.0"),
        ("effective_on", None, "2027-02-01"),
        ("grace_days", None, "30"),
    ]
    assert entry.reason == "SOP-GOWN-004 revised"


# ----- the impact, before saving ---------------------------------------------------------------


def test_the_impact_of_a_role_change_names_who_needs_what_by_when(world: World) -> None:
    w = world
    complete(w, "Siobhán Ní Bhriain", w.gown, date(2026, 12, 1))
    role = RoleFields(name=OPERATOR, requirements=frozenset({(w.gown.id, None)}))
    impact = w.ctx.matrix.impact_of_role_change(role, terms=ChangeTerms(date(2027, 2, 1), 28))
    assert impact.sentences == ("3 people in 2 hubs will need GOWN 1.0 by 1 Mar 2027",)
    assert impact.people == (
        AffectedPerson("Zoë Adams", "TR-000004", "BRS", "GOWN", date(2027, 3, 1)),
        AffectedPerson("Łukasz Nowak", "TR-000003", "LON", "GOWN", date(2027, 3, 1)),
        AffectedPerson("李伟", "TR-000002", "LON", "GOWN", date(2027, 3, 1)),
    )
    assert w.ctx.matrix.roles() == []  # nothing saved

    require(w, w.gown)
    role = w.ctx.matrix.roles()[0]
    london_only = dataclasses.replace(
        role,
        requirements=role.requirements
        | {(w.asep.id, next(h.id for h in w.ctx.hubs.list() if h.code == "LON"))},
    )
    impact = w.ctx.matrix.impact_of_role_change(london_only, role.id)  # today, no grace
    assert impact.summary() == "3 people in 1 hub will need ASEP 1.0 by 11 Jan 2027"
    unchanged = w.ctx.matrix.impact_of_role_change(role, role.id)
    assert not unchanged.affected
    assert unchanged.summary() == "Nobody needs to train for this change."


def test_the_impact_of_a_new_version_names_the_holders_of_the_old_one(world: World) -> None:
    w = world
    require(w, w.gown)
    complete(w, "Siobhán Ní Bhriain", w.gown, date(2026, 6, 1))
    complete(w, "Zoë Adams", w.gown, date(2026, 9, 1))
    complete(w, "Priya Raman", w.gown, date(2026, 9, 1))  # not required of a QA officer
    impact = w.ctx.courses.impact_of_new_version(w.gown.id, "2.0", date(2027, 2, 1), 90)
    assert impact.summary() == "2 people in 2 hubs will need GOWN 2.0 by 2 May 2027"
    assert [(p.name, p.reference, p.hub) for p in impact.people] == [
        ("Siobhán Ní Bhriain", "TR-000001", "LON"),
        ("Zoë Adams", "TR-000004", "BRS"),
    ]
    assert not w.ctx.courses.impact_of_new_version(w.gown.id, "1.0").affected
    assert w.ctx.courses.get(w.gown.id).version == "1.0"  # nothing saved


# ----- refusals and the audit trail ------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        (ChangeTerms(date(2027, 2, 1), -1), "The grace period must be 0 to 730 days (got -1)"),
        (
            ChangeTerms(date(2027, 2, 1), 100000),
            "The grace period must be 0 to 730 days (got 100000)",
        ),
        (
            ChangeTerms(date(2099, 2, 1), 30),
            "A change cannot take effect more than 5 years ahead (2099-02-01); check the year",
        ),
    ],
)
def test_bad_terms_are_refused_and_nothing_is_saved(
    world: World, terms: ChangeTerms, message: str
) -> None:
    w = world
    require(w, w.gown)
    role = w.ctx.matrix.roles()[0]
    gown = w.ctx.courses.get(w.gown.id)
    entries = w.ctx.audit.count()
    with pytest.raises(ValidationError) as refused:
        w.ctx.matrix.save_role(
            dataclasses.replace(role, requirements=role.requirements | {(w.asep.id, None)}),
            role.id,
            role.row_version,
            terms=terms,
        )
    assert message in str(refused.value)
    with pytest.raises(ValidationError) as refused:
        w.ctx.courses.update(
            gown.id, gown.row_version, dataclasses.replace(gown, version="2.0"), terms=terms
        )
    assert message in str(refused.value)
    with pytest.raises(ValidationError):
        w.ctx.matrix.impact_of_role_change(role, role.id, terms)
    assert w.ctx.matrix.roles() == [role]
    assert w.ctx.courses.get(w.gown.id) == gown
    assert w.ctx.audit.count() == entries


def test_an_unparseable_effective_date_is_refused_in_words() -> None:
    assert parse_effective_on(" 2027-03-01 ") == date(2027, 3, 1)
    with pytest.raises(ValidationError) as refused:
        parse_effective_on("31/02/2027")
    assert refused.value.for_field("effective_on") == [
        "'31/02/2027' is not a date; write the date the change takes effect as YYYY-MM-DD, "
        "e.g. 2027-03-01"
    ]


def test_a_role_change_is_audited_with_its_terms(world: World) -> None:
    w = world
    require(w, w.gown)
    require(w, w.asep, terms=ChangeTerms(date(2027, 2, 1), 28))
    role = w.ctx.matrix.roles()[0]
    last = w.ctx.audit.history("role", role.id)[-1]
    assert [(c.field, c.old, c.new) for c in last.changes] == [
        (
            "requirements",
            "GOWN from 2027-01-11",
            "ASEP from 2027-02-01, 28 days' grace, GOWN from 2027-01-11",
        )
    ]
    assert last.actor == "local"
