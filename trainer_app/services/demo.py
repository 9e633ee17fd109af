"""Demo data: a realistic training network, with fictional people, to explore the app with.

The content (hubs, facilities, the GMP course catalogue, trainers, cohorts and the pools that
trainees' names, organisations and roles are drawn from) lives in ``resources/demo/*.json``.
This module only turns it into records, through the services, so every record is validated and
audited like one a coordinator typed in, at the moment it would have been (`StoryClock`): the
network set up three weeks before the autumn's first run, the spring term's runs eight weeks
before it starts. Trainees are drawn with ``random.Random(seed)``: the same seed always gives
the same network.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from trainer_app import resources
from trainer_app.domain.access import AccountFields, Role
from trainer_app.domain.calendar import WORKING_WEEK, Absence
from trainer_app.domain.courses import CourseCategory, CourseFields
from trainer_app.domain.errors import DomainError
from trainer_app.domain.network import FacilityFields, FacilityKind, HubFields
from trainer_app.domain.people import CohortFields, TraineeFields, TraineeType
from trainer_app.domain.planning import CourseRunFields
from trainer_app.domain.text import search_key
from trainer_app.domain.trainers import Employment, TrainerFields
from trainer_app.services.base import join_words, plural
from trainer_app.services.context import ServiceContext
from trainer_app.services.demo_history import (
    HistorySummary,
    StoryClock,
    build_history,
    setup_day,
)

REASON = "Demo data"
MAX_TRAINEES = 100_000
TERM_RUNS_LEAD = timedelta(weeks=8)  # the spring runs were set up this long before the term
SETUP_STEP = timedelta(minutes=20)  # between one kind of record and the next on setup day

Spec = Mapping[str, Any]  # one object read from a demo JSON file


@dataclass(frozen=True)
class DemoSummary:
    """How many records of each kind the demo added."""

    hubs: int
    facilities: int
    courses: int
    trainers: int
    cohorts: int
    trainees: int
    memberships: int  # trainee-in-cohort links
    runs: int = 0  # course runs waiting to be planned
    roles: int = 0  # roles of the training matrix
    history_runs: int = 0  # runs held or published before the term
    enrolments: int = 0
    completions: int = 0
    certificates: int = 0

    def __str__(self) -> str:
        return join_words(
            [
                plural(self.hubs, "hub"),
                plural(self.facilities, "facility", "facilities"),
                plural(self.courses, "course"),
                plural(self.trainers, "trainer"),
                plural(self.cohorts, "cohort"),
                plural(self.trainees, "trainee"),
                plural(self.memberships, "cohort membership"),
                plural(self.runs, "course run"),
                plural(self.roles, "role"),
                plural(self.history_runs, "past or published run"),
                plural(self.enrolments, "enrolment"),
                plural(self.completions, "completion"),
                plural(self.certificates, "certificate"),
            ]
        )


@dataclass(frozen=True)
class _Organisation:
    name: str
    domain: str  # for e-mail addresses; always a reserved ``.example`` domain


@dataclass(frozen=True)
class _CohortSlot:
    """A created cohort, with what its trainees are drawn from."""

    id: int
    hub_id: int | None
    trainee_type: TraineeType | None
    weight: int  # relative share of trainees whose main cohort it is
    organisations: tuple[_Organisation, ...]


def build_demo(
    context: ServiceContext, *, seed: int = 2027, trainees: int = 300, history: bool = True
) -> DemoSummary:
    """Fill an empty store with the demo network and ``trainees`` generated trainees, and
    (``history``) the training matrix's roles and a term of training already held."""
    if not 0 <= trainees <= MAX_TRAINEES:
        raise DomainError(f"The demo can hold 0 to {MAX_TRAINEES} trainees (got {trainees})")
    _refuse_unless_empty(context)
    clock = StoryClock(context.today, context.now)
    network = _load("network.json")
    past = _load("history.json")
    accounts = _load("accounts.json")
    clock.set(setup_day(past), time(9))
    # The administrator's account comes first: the whole story is recorded under their name.
    first, *others = accounts["accounts"]
    admin = context.recording(clock.today, clock.now).users.create_first_administrator(
        _account(context, first, {}), accounts["password"]
    )
    story = context.recording(clock.today, clock.now).signed_in(admin)
    hubs = _create_hubs(story, network)
    clock.later(SETUP_STEP)
    facilities = _create_facilities(story, network["facilities"], hubs)
    clock.later(SETUP_STEP)
    courses = _create_courses(story, _load("courses.json")["courses"], past["completion_rules"])
    clock.later(SETUP_STEP)
    trainers = _create_trainers(story, _load("trainers.json")["trainers"], hubs, courses)
    clock.later(SETUP_STEP)
    for spec in others:  # the trainer's account needs its trainer, the coordinator's a hub
        story.users.create(_account(story, spec, hubs), accounts["password"])
    cohort_data = _load("cohorts.json")
    slots = _create_cohorts(story, cohort_data["cohorts"], hubs)
    clock.later(SETUP_STEP)
    people = _draw_trainees(
        random.Random(seed),
        trainees,
        sorted(hubs.values()),
        slots,
        shares=cohort_data,
        people=_load("people.json"),
    )
    story.trainees.bulk_create(people, reason=REASON)
    held = (
        build_history(story, clock, past, random.Random(seed + 1), hubs, courses)
        if history
        else HistorySummary(0, 0, 0, 0, 0)
    )
    term = _load("runs.json")["runs"]
    clock.set(min(date.fromisoformat(r["earliest"]) for r in term) - TERM_RUNS_LEAD, time(10))
    runs = _create_runs(story, term, hubs, courses)
    return DemoSummary(
        hubs=len(hubs),
        facilities=facilities,
        courses=len(courses),
        trainers=trainers,
        cohorts=len(slots),
        trainees=len(people),
        memberships=sum(len(p.cohort_ids) for p in people),
        runs=runs,
        roles=held.roles,
        history_runs=held.runs,
        enrolments=held.enrolments,
        completions=held.completions,
        certificates=held.certificates,
    )


def _account(
    story: ServiceContext, spec: Mapping[str, Any], hubs: Mapping[str, int]
) -> AccountFields:
    trainer = None
    if "trainer_hub" in spec:
        trainer = min(
            (t for t in story.trainers.list() if t.hub_id == hubs[spec["trainer_hub"]]),
            key=lambda t: t.id,
        )
    return AccountFields(
        username=spec["username"],
        full_name=trainer.name if trainer is not None else spec["full_name"],
        role=Role(spec["role"]),
        hubs=frozenset(hubs[code] for code in spec.get("hubs", ())),
        trainer_id=trainer.id if trainer is not None else None,
    )


def _refuse_unless_empty(context: ServiceContext) -> None:
    """Facilities, trainers and trainees need a hub, so hubs, courses and cohorts tell all."""
    held = [
        plural(n, noun)
        for n, noun in (
            (len(context.hubs.list()), "hub"),
            (len(context.courses.list()), "course"),
            (len(context.cohorts.list()), "cohort"),
        )
        if n
    ]
    if held:
        raise DomainError(
            f"Demo data can only be loaded into an empty database; {context.database_name} "
            f"already has {join_words(held)}. Create a new database for the demo. "
            "Nothing was changed"
        )


def _load(name: str) -> Any:
    with resources.path("demo", name).open(encoding="utf-8") as handle:
        return json.load(handle)


def _absences(specs: Sequence[Spec]) -> tuple[Absence, ...]:
    return tuple(
        Absence(date.fromisoformat(s["start"]), date.fromisoformat(s["end"]), s["reason"])
        for s in specs
    )


def _create_hubs(context: ServiceContext, network: Spec) -> dict[str, int]:
    everywhere = _absences(network["closures_all_hubs"])
    ids: dict[str, int] = {}
    for spec in network["hubs"]:
        hub = context.hubs.create(
            HubFields(
                code=spec["code"],
                name=spec["name"],
                site=spec["site"],
                address=spec["address"],
                closures=everywhere,
            ),
            reason=REASON,
        )
        ids[hub.code] = hub.id
    return ids


def _create_facilities(
    context: ServiceContext, specs: Sequence[Spec], hubs: Mapping[str, int]
) -> int:
    for spec in specs:
        context.facilities.create(
            FacilityFields(
                hub_id=hubs[spec["hub"]],
                code=spec["code"],
                name=spec["name"],
                kind=FacilityKind(spec["kind"]),
                capacity=spec["capacity"],
                weekdays=frozenset(spec.get("weekdays", WORKING_WEEK)),
                closures=_absences(spec.get("closures", ())),
                notes=spec.get("notes", ""),
            ),
            reason=REASON,
        )
    return len(specs)


def _create_courses(
    context: ServiceContext, specs: Sequence[Spec], rules: Mapping[str, Spec]
) -> dict[str, int]:
    """Courses come in an order where every prerequisite precedes the courses that need it."""
    ids: dict[str, int] = {}
    for spec in specs:
        rule = rules.get(spec["code"], {})
        course = context.courses.create(
            CourseFields(
                code=spec["code"],
                title=spec["title"],
                version=spec["version"],
                category=CourseCategory(spec["category"]),
                description=spec["description"],
                learning_outcomes=tuple(spec["learning_outcomes"]),
                sessions=spec["sessions"],
                session_length=spec["session_length"],
                facility_kind=FacilityKind(spec["facility_kind"]),
                capacity=spec["capacity"],
                prerequisites=frozenset(ids[code] for code in spec["prerequisites"]),
                validity_months=spec["validity_months"],
                cpd_hours=Decimal(spec["cpd_hours"]),
                min_attendance=rule.get("min_attendance", 90),
                pass_mark=rule.get("pass_mark"),
                practical_required=rule.get("practical_required", False),
            ),
            reason=REASON,
        )
        ids[course.code] = course.id
    return ids


def _create_trainers(
    context: ServiceContext,
    specs: Sequence[Spec],
    hubs: Mapping[str, int],
    courses: Mapping[str, int],
) -> int:
    for spec in specs:
        context.trainers.create(
            TrainerFields(
                name=spec["name"],
                hub_id=hubs[spec["hub"]],
                email=spec["email"],
                employment=Employment(spec.get("employment", Employment.INTERNAL)),
                qualifications=frozenset(courses[code] for code in spec["qualifications"]),
                weekdays=frozenset(spec.get("weekdays", WORKING_WEEK)),
                leave=_absences(spec.get("leave", ())),
                max_periods_per_day=spec.get("max_periods_per_day"),
                max_periods_per_week=spec.get("max_periods_per_week"),
                notes=spec.get("notes", ""),
            ),
            reason=REASON,
        )
    return len(specs)


def _create_runs(
    context: ServiceContext,
    specs: Sequence[Spec],
    hubs: Mapping[str, int],
    courses: Mapping[str, int],
) -> int:
    """The term's course runs, all draft: the Plan page schedules them."""
    trainers = {t.name: t.id for t in context.trainers.list()}
    cohorts = {c.name: c.id for c in context.cohorts.list()}
    for spec in specs:
        context.runs.create(
            CourseRunFields(
                code=spec["code"],
                course_id=courses[spec["course"]],
                attendees=spec["attendees"],
                hub_id=hubs[spec["hub"]] if spec["hub"] else None,
                trainer_id=trainers[spec["trainer"]] if "trainer" in spec else None,
                cohort_ids=frozenset(cohorts[name] for name in spec["cohorts"]),
                min_days=spec.get("min_days"),
                consecutive_days=spec.get("consecutive_days", False),
                earliest=date.fromisoformat(spec["earliest"]),
                latest=date.fromisoformat(spec["latest"]),
            ),
            reason=REASON,
        )
    return len(specs)


def _organisations(specs: Sequence[Spec]) -> tuple[_Organisation, ...]:
    return tuple(_Organisation(s["name"], s["domain"]) for s in specs)


def _create_cohorts(
    context: ServiceContext, specs: Sequence[Spec], hubs: Mapping[str, int]
) -> list[_CohortSlot]:
    slots = []
    for spec in specs:
        hub_id = hubs[spec["hub"]] if spec["hub"] else None
        cohort = context.cohorts.create(
            CohortFields(
                name=spec["name"],
                hub_id=hub_id,
                programme=spec["programme"],
                starts_on=date.fromisoformat(spec["starts_on"]),
                ends_on=date.fromisoformat(spec["ends_on"]),
                description=spec["description"],
            ),
            reason=REASON,
        )
        kind = spec["trainee_type"]
        slots.append(
            _CohortSlot(
                id=cohort.id,
                hub_id=hub_id,
                trainee_type=TraineeType(kind) if kind else None,
                weight=spec["weight"],
                organisations=_organisations(spec.get("organisations", ())),
            )
        )
    return slots


def _draw_trainees(
    rng: random.Random,
    count: int,
    hub_ids: Sequence[int],
    slots: Sequence[_CohortSlot],
    *,
    shares: Spec,
    people: Spec,
) -> list[TraineeFields]:
    """``count`` trainees: most in one cohort (of its hub and type), some in two, some in none."""
    pools: Sequence[Spec] = people["name_pools"]
    pool_weights = [p["weight"] for p in pools]
    organisations = {TraineeType(k): _organisations(v) for k, v in people["organisations"].items()}
    types = list(TraineeType)
    taken: set[str] = set()
    result = []
    for number in range(1, count + 1):
        cohort_ids: set[int] = set()
        if rng.random() < shares["no_cohort_share"]:
            hub_id, trainee_type = rng.choice(hub_ids), rng.choice(types)
            employers = organisations[trainee_type]
        else:
            main = rng.choices(slots, weights=[s.weight for s in slots])[0]
            cohort_ids.add(main.id)
            hub_id = main.hub_id or rng.choice(hub_ids)
            trainee_type = main.trainee_type or rng.choice(types)
            employers = main.organisations or organisations[trainee_type]
            others = [s for s in slots if s is not main and s.hub_id in (None, hub_id)]
            if others and rng.random() < shares["second_cohort_share"]:
                cohort_ids.add(rng.choice(others).id)
        name, given, family = _person(rng, rng.choices(pools, weights=pool_weights)[0])
        employer = rng.choice(employers)
        email = ""
        if rng.random() < people["email_share"]:
            email = _unique_email(rng, given, family, employer.domain, taken)
        result.append(
            TraineeFields(
                reference=f"TR-{number:06d}",
                name=name,
                hub_id=hub_id,
                trainee_type=trainee_type,
                organisation=employer.name,
                role=rng.choice(people["roles"][trainee_type.value]),
                email=email,
                cohort_ids=frozenset(cohort_ids),
            )
        )
    return result


def _person(rng: random.Random, pool: Spec) -> tuple[str, str, str]:
    """A fictional name written as its bearer would, with ASCII romanisations of its parts."""
    gender = rng.choice(("female", "male"))
    given, given_ascii = _part(rng.choice(pool[f"given_{gender}"]))
    family, family_ascii = _part(rng.choice(pool.get(f"family_{gender}") or pool["family"]))
    order = pool["order"]
    if order == "given_family":
        name = f"{given} {family}"
    elif order == "family_given":
        name = f"{family} {given}"
    else:  # "family_given_joined": Chinese, Japanese and Korean, with no space
        name = family + given
    return name, given_ascii, family_ascii


def _part(entry: str | Sequence[str]) -> tuple[str, str]:
    """Latin-script entries are plain strings; others come as ``[written, romanised]``."""
    if isinstance(entry, str):
        return entry, _ascii(entry)
    return entry[0], entry[1]


def _ascii(text: str) -> str:
    """``Siobhán Ní Bhriain`` → ``siobhannibhriain``: for building e-mail addresses."""
    return re.sub(r"[^a-z]", "", search_key(text))


def _unique_email(rng: random.Random, given: str, family: str, domain: str, taken: set[str]) -> str:
    local = f"{given}.{family}" if rng.random() < 0.75 else f"{given[0]}.{family}"
    email, suffix = f"{local}@{domain}", 1
    while email in taken:
        suffix += 1
        email = f"{local}{suffix}@{domain}"
    taken.add(email)
    return email
