"""The training matrix (which roles need which courses, and where each trainee stands), the
refresher list, the 'expiring soon' setting, and the full training record of a trainee.

A trainee's role is the free-text role on their record, matched to a matrix role by name
(case and spacing ignored), so spreadsheets and imports can carry it as text.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from trainer_app.domain import dates
from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, AuditEntry, RecordType
from trainer_app.domain.courses import check_version, version_key
from trainer_app.domain.errors import Duplicate, FieldError, NotFound, StaleEdit, ValidationError
from trainer_app.domain.people import TraineeType
from trainer_app.domain.records import (
    AssessmentResult,
    ChangeTerms,
    Completion,
    Due,
    EnrolmentStatus,
    Mark,
    MatrixStatus,
    RecordEntry,
    RequirementStatus,
    SessionAttendance,
    SignedRecord,
    Standing,
    TrainingRecord,
    VersionChange,
    standing,
)
from trainer_app.domain.reports import (
    AuditLine,
    ComplianceCell,
    ComplianceCourse,
    CompliancePerson,
    ComplianceReport,
    NothingToExport,
)
from trainer_app.domain.signatures import SignedKind
from trainer_app.domain.text import check_long_text, check_name, clean_text
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    AssessmentRow,
    AttendanceRow,
    CertificateRow,
    CohortMembershipRow,
    CohortRow,
    CompletionRow,
    CourseRow,
    CourseRunRow,
    CourseVersionRow,
    EnrolmentRow,
    HubRow,
    PlannedSessionRow,
    RoleRequirementRow,
    RoleRow,
    SignatureRow,
    TraineeRow,
)
from trainer_app.persistence.uow import reading, transaction
from trainer_app.services.audit import AuditService, entries_about
from trainer_app.services.base import Now, now_utc, plural, save_store_setting, write_audit
from trainer_app.services.certificates import certificates_of
from trainer_app.services.enrolment import EXPIRING_DAYS_KEY, PERIOD_TIMES, expiring_days
from trainer_app.services.signatures import signatures_of
from trainer_app.services.training import completion_record

IN_LIST_LIMIT = 500  # up to this many trainees, their rows are picked out in SQL


def role_key(text: str) -> str:
    return " ".join(text.split()).casefold()


@dataclass(frozen=True, kw_only=True)
class RoleFields:
    name: str
    description: str = ""
    # (course id, hub id or None for every hub)
    requirements: frozenset[tuple[int, int | None]] = frozenset()

    def validated(self) -> RoleFields:
        errors: list[FieldError] = []
        name = check_name(self.name, "name", "Role name", errors)
        description = check_long_text(self.description, "description", "Description", errors)
        if errors:
            raise ValidationError(errors, subject=f"Role {name}".strip())
        return RoleFields(name=name, description=description, requirements=self.requirements)


@dataclass(frozen=True, kw_only=True)
class Role(RoleFields):
    id: int
    row_version: int


@dataclass(frozen=True)
class MatrixPerson:
    id: int
    reference: str
    name: str
    hub: str
    role: str
    organisation: str


@dataclass(frozen=True)
class MatrixCourse:
    id: int
    code: str
    title: str
    version: str


@dataclass(frozen=True)
class Matrix:
    """Trainees × courses. ``cells`` holds a standing for every required pair and for any
    other pair with training on record; ``required`` says which pairs the role needs."""

    people: tuple[MatrixPerson, ...]
    courses: tuple[MatrixCourse, ...]
    cells: dict[tuple[int, int], Standing] = field(default_factory=dict)  # (row, column)
    required: frozenset[tuple[int, int]] = frozenset()
    today: date = date.min
    expiring_days: int = 0

    def counts(self) -> dict[MatrixStatus, int]:
        out: dict[MatrixStatus, int] = defaultdict(int)
        for key in self.required:
            out[self.cells[key].status] += 1
        return dict(out)


@dataclass(frozen=True)
class AffectedPerson:
    """Someone a change to required training will ask to train, and by when."""

    name: str
    reference: str
    hub: str
    course_code: str
    due_on: date


@dataclass(frozen=True)
class Impact:
    """Who a change to required training affects, before it is saved: a sentence per
    course ("2 people in 1 hub will need ASEP 4.0 by 1 Mar 2027") and the people."""

    sentences: tuple[str, ...] = ()
    people: tuple[AffectedPerson, ...] = ()

    @property
    def affected(self) -> bool:
        return bool(self.people)

    def summary(self) -> str:
        return (
            "\n".join(self.sentences)
            if self.sentences
            else "Nobody needs to train for this change."
        )


def _impact(needs: dict[tuple[str, str], list[MatrixPerson]], due_on: date) -> Impact:
    """``needs``: (course code, version) → people, in the order to list them."""
    sentences, people = [], []
    for (code, version), who in sorted(needs.items()):
        hubs = {p.hub for p in who}
        sentences.append(
            f"{plural(len(who), 'person', 'people')} in {plural(len(hubs), 'hub')} will need "
            f"{code} {version} by {dates.day(due_on)}"
        )
        people += [AffectedPerson(p.name, p.reference, p.hub, code, due_on) for p in who]
    return Impact(tuple(sentences), tuple(people))


class MatrixService:
    def __init__(
        self,
        store: Store,
        actor: Actor,
        today: Callable[[], date] = date.today,
        now: Now = now_utc,
    ) -> None:
        self.store, self.actor, self.today, self.now = store, actor, today, now

    # ----- settings ----------------------------------------------------------------------
    def expiring_days(self) -> int:
        with reading(self.store) as session:
            return expiring_days(session)

    def set_expiring_days(self, days: int) -> None:
        self.actor.require(Act.CHANGE_SETTINGS, what="change the 'expiring soon' window")
        if not 1 <= days <= 730:
            raise ValidationError.single(
                "expiring_days", f"'Expiring soon' must be 1 to 730 days (got {days})"
            )
        with transaction(self.store) as session:
            save_store_setting(
                session,
                self.actor,
                EXPIRING_DAYS_KEY,
                str(days),
                "Expiring soon (days)",
                old=str(expiring_days(session)),
                at=self.now(),
            )

    # ----- roles -------------------------------------------------------------------------
    def roles(self) -> list[Role]:
        with reading(self.store) as session:
            return [_role(r) for r in session.scalars(select(RoleRow).order_by(RoleRow.name))]

    def save_role(
        self,
        fields: RoleFields,
        role_id: int | None = None,
        expected_version: int | None = None,
        *,
        terms: ChangeTerms | None = None,
    ) -> Role:
        """Save a role. Courses it newly requires count from ``terms.effective_on`` (default
        today), and people then have ``terms.grace_days`` (default none) to comply; the
        courses it already required keep their own terms."""
        self.actor.require(Act.EDIT_CATALOGUE, what="change roles and their required courses")
        item = fields.validated()
        when = self._terms(terms)
        with transaction(self.store) as session:
            clash = session.scalars(select(RoleRow).where(RoleRow.id != (role_id or 0))).all()
            if any(role_key(r.name) == role_key(item.name) for r in clash):
                raise Duplicate(f"Role '{item.name}' already exists", field="name")
            if role_id is None:
                row = RoleRow(name=item.name, description=item.description, row_version=1)
                session.add(row)
                action, old = AuditAction.CREATE, None
            else:
                found = session.get(RoleRow, role_id)
                if found is None:
                    raise NotFound("This role no longer exists")
                row = found
                if expected_version is not None and row.row_version != expected_version:
                    raise StaleEdit(
                        f"Role {row.name} was changed by someone else while you were editing "
                        "it; reload and try again. Nothing was saved"
                    )
                old = _describe(session, row)
                row.name, row.description = item.name, item.description
                row.row_version += 1
                action = AuditAction.UPDATE
            kept = [r for r in row.requirements if (r.course_id, r.hub_id) in item.requirements]
            have = {(r.course_id, r.hub_id) for r in kept}
            row.requirements[:] = kept + [
                RoleRequirementRow(
                    course_id=c,
                    hub_id=h,
                    effective_on=when.effective_on,
                    grace_days=when.grace_days,
                )
                for c, h in sorted(item.requirements - have, key=str)
            ]
            session.flush()
            write_audit(
                session,
                self.actor,
                action,
                RecordType.ROLE,
                row.id,
                row.name,
                [("requirements", old, _describe(session, row))],
                at=self.now(),
            )
            return _role(row)

    def _terms(self, terms: ChangeTerms | None) -> ChangeTerms:
        today = self.today()
        return (terms or ChangeTerms(today, 0)).validated(today=today)

    def impact_of_role_change(
        self, fields: RoleFields, role_id: int | None = None, terms: ChangeTerms | None = None
    ) -> Impact:
        """Who the role's newly required courses will ask to train, by when, if saved with
        ``terms``: the people of the role (at the hub, for a hub's requirement) who do not
        hold the course valid and are not already required to. Nothing is written."""
        when = self._terms(terms)
        with reading(self.store) as session:
            before: set[tuple[int, int | None]] = set()
            if role_id is not None:
                found = session.get(RoleRow, role_id)
                if found is None:
                    raise NotFound("This role no longer exists")
                before = {(r.course_id, r.hub_id) for r in found.requirements}
            hub_codes = dict(session.execute(select(HubRow.id, HubRow.code)).all())
            courses = {
                id_: (code, version)
                for id_, code, version in session.execute(
                    select(CourseRow.id, CourseRow.code, CourseRow.version)
                )
            }
        added = fields.requirements - before
        if not added or not clean_text(fields.name):
            return Impact()
        matrix = self.matrix(role=fields.name)
        columns = {c.id: i for i, c in enumerate(matrix.courses)}
        needs: dict[tuple[str, str], list[MatrixPerson]] = defaultdict(list)
        for course_id in sorted({c for c, _ in added}, key=lambda c: courses[c]):
            hubs = {h for c, h in added if c == course_id}
            column = columns.get(course_id)
            at = {hub_codes[h] for h in hubs if h is not None}
            for r, person in enumerate(matrix.people):
                if None not in hubs and person.hub not in at:
                    continue
                cell = matrix.cells.get((r, column)) if column is not None else None
                if (r, column) in matrix.required or (cell is not None and cell.status.compliant):
                    continue  # already required, or holds it: the change asks nothing new
                needs[courses[course_id]].append(person)
        return _impact(needs, when.due_on or when.effective_on)

    def impact_of_new_version(
        self, course_id: int, version: str, terms: ChangeTerms | None = None
    ) -> Impact:
        """Who a new ``version`` of the course will ask to retrain, by when: the people whose
        roles require it and who now comply with an older version. Nothing is written."""
        when = self._terms(terms)
        errors: list[FieldError] = []
        version = check_version(version, "version", errors)
        if errors:
            raise ValidationError(errors, subject="Version")
        with reading(self.store) as session:
            course = session.get(CourseRow, course_id)
            if course is None:
                raise NotFound("This course no longer exists")
            code, current = course.code, course.version
        if version_key(version) <= version_key(current):
            return Impact()
        matrix = self.matrix()
        column = next((i for i, c in enumerate(matrix.courses) if c.id == course_id), None)
        needs: dict[tuple[str, str], list[MatrixPerson]] = defaultdict(list)
        for r, person in enumerate(matrix.people):
            cell = matrix.cells.get((r, column)) if column is not None else None
            if (
                cell is not None
                and (r, column) in matrix.required
                and cell.status.compliant
                and cell.version
                and version_key(cell.version) < version_key(version)
            ):
                needs[(code, version)].append(person)
        return _impact(needs, when.due_on or when.effective_on)

    # ----- the matrix --------------------------------------------------------------------
    def matrix(
        self,
        *,
        hub_id: int | None = None,
        role: str | None = None,
        cohort_id: int | None = None,
        organisation: str | None = None,
        text: str = "",
        trainee_ids: Sequence[int] | None = None,
    ) -> Matrix:
        """Standings of the trainees that pass the filters, for the courses their roles need
        (and any other course they hold). One query per table; 5 000 × 30 in well under 1 s."""
        today = self.today()
        with reading(self.store) as session:
            window = expiring_days(session)
            people, hubs = _people(
                session, hub_id, role, cohort_id, organisation, text, trainee_ids
            )
            courses = {
                id_: MatrixCourse(id_, code, title, version)
                for id_, code, title, version in session.execute(
                    select(CourseRow.id, CourseRow.code, CourseRow.title, CourseRow.version)
                )
            }
            needs = _requirements(session, today)
            changes = _version_changes(session)
            ids = [p.id for p in people]
            done = _completions(session, ids)
            enrolled = _enrolled(session, ids, today)
        wanted = [
            _merge(needs.get((role_key(p.role), hub), {}), needs.get((role_key(p.role), None), {}))
            for p, hub in zip(people, hubs, strict=True)
        ]
        held = [set(done.get(p.id, {})) for p in people]
        used = set().union(*(set(w) for w in wanted), *held)
        columns = sorted((courses[c] for c in used), key=lambda c: c.code)
        index = {c.id: i for i, c in enumerate(columns)}
        cells: dict[tuple[int, int], Standing] = {}
        required: set[tuple[int, int]] = set()
        for r, person in enumerate(people):
            mine = done.get(person.id, {})
            for course_id in wanted[r].keys() | held[r]:
                column = index[course_id]
                cells[(r, column)] = standing(
                    mine.get(course_id, ()),
                    current_version=courses[course_id].version,
                    enrolled=(person.id, course_id) in enrolled,
                    today=today,
                    expiring_days=window,
                    new_version=changes.get(course_id),
                    grace_until=wanted[r].get(course_id),
                )
                if course_id in wanted[r]:
                    required.add((r, column))
        return Matrix(tuple(people), tuple(columns), cells, frozenset(required), today, window)

    def due_for_refresher(self, **filters: Any) -> list[Due]:
        """Required training that is expiring soon, expired or needs retraining (new version),
        soonest first; missing training is not a refresher. Takes ``matrix``'s filters."""
        return due_in(self.matrix(**filters))

    def compliance(
        self, hub: str, role: str | None = None, *, generated_by: str = ""
    ) -> ComplianceReport:
        """The compliance report of a hub (by code), or of one role there (by name, case and
        spacing ignored): its people whose role requires training × the courses required.
        An unknown hub or role is refused with the ones there are."""
        code = clean_text(hub).upper()
        with reading(self.store) as session:
            hubs = session.execute(
                select(HubRow.id, HubRow.code, HubRow.name).order_by(HubRow.code)
            )
            found = {c: (i, f"{c} · {n}") for i, c, n in hubs}
        if code not in found:
            raise NotFound(f"There is no hub {code}; the hubs are: {', '.join(found) or 'none'}")
        hub_id, hub_words = found[code]
        roles = {role_key(r.name): r.name for r in self.roles()}
        chosen = None
        if role is not None:
            chosen = roles.get(role_key(role))
            if chosen is None:
                known = "; ".join(sorted(roles.values(), key=str.casefold)) or "none yet"
                raise NotFound(f"There is no role '{clean_text(role)}'; the roles are: {known}")
        matrix = self.matrix(hub_id=hub_id, role=chosen)
        columns = sorted({c for _, c in matrix.required})
        rows = sorted({r for r, _ in matrix.required})
        scope = f"{code}, {chosen}" if chosen else code
        if not rows:
            raise NothingToExport(
                f"Nobody at {scope} has a role that requires training: nothing was written. "
                "Give the roles their courses with Roles… on the Records & matrix page"
            )
        people = []
        for r in rows:
            person = matrix.people[r]
            cells = tuple(
                ComplianceCell(matrix.cells[(r, c)].status, matrix.cells[(r, c)].expires_on)
                if (r, c) in matrix.required
                else None
                for c in columns
            )
            people.append(
                CompliancePerson(
                    reference=person.reference,
                    name=person.name,
                    role=roles.get(role_key(person.role), person.role),
                    organisation=person.organisation,
                    cells=cells,
                )
            )
        courses = tuple(
            ComplianceCourse(
                matrix.courses[c].code, matrix.courses[c].title, matrix.courses[c].version
            )
            for c in columns
        )
        return ComplianceReport(
            hub=hub_words,
            role=chosen,
            courses=courses,
            people=tuple(people),
            today=matrix.today,
            expiring_days=matrix.expiring_days,
            generated_at=datetime.now(UTC).replace(microsecond=0),
            generated_by=generated_by or self.actor.username,
            database=self.store.display_name,
            uncovered=len(matrix.people) - len(rows),
        )

    def organisations(self) -> list[str]:
        with reading(self.store) as session:
            return sorted(
                o for o in session.scalars(select(TraineeRow.organisation).distinct()) if o
            )

    # ----- the training record -----------------------------------------------------------
    def trainee_by_reference(self, reference: str) -> int:
        wanted = clean_text(reference).upper()
        with reading(self.store) as session:
            found = session.scalar(select(TraineeRow.id).where(TraineeRow.reference == wanted))
        if found is None:
            raise NotFound(f"There is no trainee with reference {wanted}")
        return found

    def group(self, *, cohort: str | None = None, hub: str | None = None) -> tuple[str, list[int]]:
        """A title and the trainees (by name) of a cohort (by name) or a hub (by code)."""
        with reading(self.store) as session:
            statement = select(TraineeRow.id).order_by(TraineeRow.name, TraineeRow.id)
            if cohort is not None:
                row = session.scalar(select(CohortRow).where(CohortRow.name == clean_text(cohort)))
                if row is None:
                    raise NotFound(f"There is no cohort '{clean_text(cohort)}'")
                title = f"Cohort {row.name}"
                statement = statement.join(
                    CohortMembershipRow, CohortMembershipRow.trainee_id == TraineeRow.id
                ).where(CohortMembershipRow.cohort_id == row.id)
            elif hub is not None:
                found = session.scalar(select(HubRow).where(HubRow.code == hub.strip().upper()))
                if found is None:
                    raise NotFound(f"There is no hub {hub.strip().upper()}")
                title = f"Hub {found.code} · {found.name}"
                statement = statement.where(TraineeRow.hub_id == found.id)
            else:
                title = "All trainees"
            return title, list(session.scalars(statement))

    def training_record(self, trainee_id: int, *, generated_by: str = "") -> TrainingRecord:
        return self.training_records([trainee_id], generated_by=generated_by)[0]

    def training_records(
        self,
        trainee_ids: Sequence[int],
        *,
        generated_by: str = "",
        progress: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[TrainingRecord]:
        """The records of several trainees (a cohort, a hub) with one matrix computation.
        ``progress(done, total)`` is called as it goes; ``should_stop`` ends it early (the
        records so far are returned)."""
        matrix = self.matrix(trainee_ids=trainee_ids)
        rows = {p.id: i for i, p in enumerate(matrix.people)}
        out = []
        for done, trainee_id in enumerate(trainee_ids, start=1):
            if should_stop is not None and should_stop():
                break
            out.append(self._record(trainee_id, matrix, rows.get(trainee_id), generated_by))
            if progress is not None:
                progress(done, len(trainee_ids))
        return out

    def _record(
        self, trainee_id: int, matrix: Matrix, row: int | None, generated_by: str
    ) -> TrainingRecord:
        names = AuditService(self.store).reference_names()
        with reading(self.store) as session:
            trainee = session.get(TraineeRow, trainee_id)
            if trainee is None:
                raise NotFound("This trainee no longer exists")
            hub = session.get_one(HubRow, trainee.hub_id)
            cohorts = session.scalars(
                select(CohortRow.name)
                .join(CohortMembershipRow, CohortMembershipRow.cohort_id == CohortRow.id)
                .where(CohortMembershipRow.trainee_id == trainee_id)
                .order_by(CohortRow.name)
            ).all()
            entries = _history(session, trainee_id)
            signed = _signed(session, self.store, trainee_id)
            trail = [AuditLine.of(e, names) for e in _trail(session, trainee_id)]
            details = (
                trainee.reference,
                trainee.name,
                f"{hub.code} · {hub.name}",
                trainee.organisation,
                trainee.role,
                TraineeType(trainee.trainee_type).label,
                trainee.email or "",
            )
        requirements = []
        if row is not None:
            for c, course in enumerate(matrix.courses):
                if (row, c) in matrix.required:
                    requirements.append(
                        RequirementStatus(
                            course_code=course.code,
                            course_title=course.title,
                            current_version=course.version,
                            standing=matrix.cells[(row, c)],
                        )
                    )
        reference, name, hub_text, organisation, role, kind, email = details
        return TrainingRecord(
            reference=reference,
            name=name,
            hub=hub_text,
            organisation=organisation,
            role=role,
            trainee_type=kind,
            email=email,
            cohorts=tuple(cohorts),
            entries=tuple(entries),
            requirements=tuple(requirements),
            generated_at=datetime.now(UTC).replace(microsecond=0),
            generated_by=generated_by or self.actor.username,
            database=self.store.display_name,
            signatures=signed,
            audit=tuple(trail),
        )


def due_in(matrix: Matrix) -> list[Due]:
    """The refresher list of a matrix already computed."""
    due = {MatrixStatus.EXPIRING, MatrixStatus.EXPIRED, MatrixStatus.RETRAIN, MatrixStatus.DUE}
    out = []
    for (r, c), cell in matrix.cells.items():
        if (r, c) not in matrix.required or cell.status not in due:
            continue
        person, course = matrix.people[r], matrix.courses[c]
        out.append(
            Due(
                person.id,
                person.reference,
                person.name,
                person.hub,
                course.code,
                course.title,
                cell.status,
                cell.expires_on,
                cell.version,
                cell.due_on,
            )
        )
    return sorted(out, key=lambda d: (d.due_on or d.expires_on or date.max, d.name.casefold()))


# ----- queries -------------------------------------------------------------------------------


def _people(
    session: Session,
    hub_id: int | None,
    role: str | None,
    cohort_id: int | None,
    organisation: str | None,
    text: str,
    trainee_ids: Sequence[int] | None,
) -> tuple[list[MatrixPerson], list[int]]:
    """The trainees shown, by name, and each one's hub id."""
    statement = select(
        TraineeRow.id,
        TraineeRow.reference,
        TraineeRow.name,
        HubRow.code,
        TraineeRow.role,
        TraineeRow.organisation,
        TraineeRow.hub_id,
    ).join(HubRow, HubRow.id == TraineeRow.hub_id)
    if trainee_ids is not None:
        statement = statement.where(TraineeRow.id.in_(list(trainee_ids)))
    if hub_id is not None:
        statement = statement.where(TraineeRow.hub_id == hub_id)
    if cohort_id is not None:
        statement = statement.join(
            CohortMembershipRow, CohortMembershipRow.trainee_id == TraineeRow.id
        ).where(CohortMembershipRow.cohort_id == cohort_id)
    if organisation:
        statement = statement.where(TraineeRow.organisation == organisation)
    needle = clean_text(text).casefold()
    key = role_key(role) if role else None
    people, hubs = [], []
    for id_, reference, name, code, role_text, org, hub in session.execute(
        statement.order_by(TraineeRow.name, TraineeRow.id)
    ):
        person = MatrixPerson(id_, reference, name, code, role_text, org)
        if key is not None and role_key(person.role) != key:
            continue
        if (
            needle
            and needle not in person.name.casefold()
            and needle not in person.reference.casefold()
        ):
            continue
        people.append(person)
        hubs.append(hub)
    return people, hubs


# A required course → the last day of its grace period (None: no grace, required outright).
Needs = dict[int, date | None]


def _requirements(session: Session, today: date) -> dict[tuple[str, int | None], Needs]:
    """(role, hub) → the courses required on ``today``; a requirement not yet in effect is
    left out, one in its grace period carries the last day of it."""
    out: dict[tuple[str, int | None], Needs] = defaultdict(dict)
    for name, course_id, hub_id, effective_on, grace_days in session.execute(
        select(
            RoleRow.name,
            RoleRequirementRow.course_id,
            RoleRequirementRow.hub_id,
            RoleRequirementRow.effective_on,
            RoleRequirementRow.grace_days,
        ).join(RoleRequirementRow, RoleRequirementRow.role_id == RoleRow.id)
    ):
        if effective_on is not None and effective_on > today:
            continue
        due = None if effective_on is None else ChangeTerms(effective_on, grace_days).due_on
        if due is not None and due < today:
            due = None
        needs = out[(role_key(name), hub_id)]
        needs[course_id] = _stricter(needs[course_id], due) if course_id in needs else due
    return out


def _stricter(one: date | None, other: date | None) -> date | None:
    return None if one is None or other is None else min(one, other)


def _merge(one: Needs, other: Needs) -> Needs:
    merged = dict(one)
    for course_id, due in other.items():
        merged[course_id] = _stricter(merged[course_id], due) if course_id in merged else due
    return merged


def _version_changes(session: Session) -> dict[int, VersionChange]:
    """course → its latest version change under change control."""
    out: dict[int, VersionChange] = {}
    for row in session.scalars(select(CourseVersionRow).order_by(CourseVersionRow.id)):
        terms = ChangeTerms(row.effective_on, row.grace_days)
        out[row.course_id] = VersionChange(
            row.version, row.replaces, row.effective_on, terms.due_on
        )
    return out


class _Held(NamedTuple):
    """A completion as the matrix reads it (a full Completion costs 10× more to build)."""

    id: int
    completed_on: date
    expires_on: date | None
    course_version: str


def _completions(session: Session, ids: Sequence[int]) -> dict[int, dict[int, list[_Held]]]:
    """trainee → course → their (unrevoked) completions, reading only the columns needed."""
    statement = select(
        CompletionRow.trainee_id,
        CompletionRow.course_id,
        CompletionRow.id,
        CompletionRow.completed_on,
        CompletionRow.expires_on,
        CompletionRow.course_version,
    ).where(CompletionRow.revoked_at.is_(None))
    if len(ids) <= IN_LIST_LIMIT:
        statement = statement.where(CompletionRow.trainee_id.in_(list(ids)))
    wanted = set(ids)
    out: dict[int, dict[int, list[_Held]]] = defaultdict(lambda: defaultdict(list))
    for trainee, course_id, id_, completed, expires, version in session.execute(statement):
        if trainee in wanted:
            out[trainee][course_id].append(_Held(id_, completed, expires, version))
    return out


def _enrolled(session: Session, ids: Iterable[int], today: date) -> set[tuple[int, int]]:
    """(trainee, course) pairs with a live enrolment on a run not yet over."""
    wanted = set(ids)
    last_day = (
        select(PlannedSessionRow.run_id, func.max(PlannedSessionRow.held_on).label("held_on"))
        .group_by(PlannedSessionRow.run_id)
        .subquery()
    )
    rows = session.execute(
        select(EnrolmentRow.trainee_id, CourseRunRow.course_id, last_day.c.held_on)
        .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
        .outerjoin(last_day, last_day.c.run_id == CourseRunRow.id)
        .where(EnrolmentRow.status != EnrolmentStatus.WITHDRAWN.value)
    )
    return {
        (t, c) for t, c, held_on in rows if t in wanted and (held_on is None or held_on >= today)
    }


def _history(session: Session, trainee_id: int) -> list[RecordEntry]:
    """Every run the trainee was enrolled on, and every completion without a run."""
    entries: list[RecordEntry] = []
    certificates = certificates_of(session, trainee_id)
    completions: dict[int, Completion] = {}  # by enrolment: earned on a run
    without_run: list[Completion] = []  # imported history and training elsewhere
    for row, course, code in session.execute(
        select(CompletionRow, CourseRow, CourseRunRow.code)
        .join(CourseRow, CourseRow.id == CompletionRow.course_id)
        .outerjoin(EnrolmentRow, EnrolmentRow.id == CompletionRow.enrolment_id)
        .outerjoin(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
        .where(CompletionRow.trainee_id == trainee_id, CompletionRow.revoked_at.is_(None))
        .order_by(CompletionRow.completed_on, CompletionRow.id)
    ):
        made = completion_record(row, course, code or "", certificates.get(row.id, ()))
        if row.enrolment_id is None:
            without_run.append(made)
        else:
            completions[row.enrolment_id] = made
    enrolments = session.execute(
        select(EnrolmentRow, CourseRunRow)
        .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
        .where(EnrolmentRow.trainee_id == trainee_id)
    ).all()
    for enrolment, run in enrolments:
        course = run.course
        sessions = session.scalars(
            select(PlannedSessionRow)
            .where(PlannedSessionRow.run_id == run.id)
            .order_by(PlannedSessionRow.held_on, PlannedSessionRow.period)
        ).all()
        marks = {
            a.session_id: a
            for a in session.scalars(
                select(AttendanceRow).where(
                    AttendanceRow.trainee_id == trainee_id,
                    AttendanceRow.session_id.in_([s.id for s in sessions]),
                )
            )
        }
        results = session.scalars(
            select(AssessmentRow)
            .where(AssessmentRow.enrolment_id == enrolment.id)
            .order_by(AssessmentRow.assessed_on, AssessmentRow.id)
        ).all()
        completion = completions.pop(enrolment.id, None)
        entries.append(
            RecordEntry(
                course_code=course.code,
                course_title=course.title,
                course_version=completion.course_version if completion else course.version,
                cpd_hours=course.cpd_hours,
                run_code=run.code,
                enrolment_status=EnrolmentStatus(enrolment.status),
                first_day=sessions[0].held_on if sessions else None,
                last_day=sessions[-1].held_on if sessions else None,
                sessions=tuple(
                    SessionAttendance(
                        held_on=s.held_on,
                        period_label=PERIOD_TIMES[s.period] if s.period < len(PERIOD_TIMES) else "",
                        mark=Mark(marks[s.id].mark) if s.id in marks else None,
                        late_minutes=marks[s.id].late_minutes if s.id in marks else 0,
                    )
                    for s in sessions
                ),
                assessments=tuple(
                    AssessmentResult(
                        assessed_on=a.assessed_on,
                        assessor=a.assessor,
                        theory_score=a.theory_score,
                        practical_passed=a.practical_passed,
                        comments=a.comments,
                    )
                    for a in results
                ),
                completion=completion,
            )
        )
    # a run's completion whose enrolment has gone (none today) still belongs in the record
    for completion in [*without_run, *completions.values()]:
        course = session.get_one(CourseRow, completion.course_id)
        entries.append(
            RecordEntry(
                course_code=completion.course_code,
                course_title=completion.course_title,
                course_version=completion.course_version,
                cpd_hours=course.cpd_hours,
                first_day=completion.completed_on,
                last_day=completion.completed_on,
                completion=completion,
            )
        )
    return sorted(entries, key=lambda e: (e.first_day or date.max, e.course_code))


def _role(row: RoleRow) -> Role:
    return Role(
        id=row.id,
        row_version=row.row_version,
        name=row.name,
        description=row.description,
        requirements=frozenset((r.course_id, r.hub_id) for r in row.requirements),
    )


def _describe(session: Session, row: RoleRow) -> str:
    codes = dict(session.execute(select(CourseRow.id, CourseRow.code)).all())
    hubs = dict(session.execute(select(HubRow.id, HubRow.code)).all())
    return ", ".join(
        sorted(
            codes[r.course_id]
            + (f" ({hubs[r.hub_id]})" if r.hub_id is not None else "")
            + (f" from {r.effective_on.isoformat()}" if r.effective_on is not None else "")
            + (f", {plural(r.grace_days, 'day')}' grace" if r.grace_days else "")
            for r in row.requirements
        )
    )


def _signed(session: Session, store: Store, trainee_id: int) -> tuple[SignedRecord, ...]:
    """The signatures on the trainee's completions, assessments and certificates, judged."""
    completions = dict(
        session.execute(
            select(CompletionRow.id, CourseRow.code + " " + CompletionRow.course_version)
            .join(CourseRow, CourseRow.id == CompletionRow.course_id)
            .where(CompletionRow.trainee_id == trainee_id)
        ).all()
    )
    assessments = dict(
        session.execute(
            select(AssessmentRow.id, CourseRunRow.code)
            .join(EnrolmentRow, EnrolmentRow.id == AssessmentRow.enrolment_id)
            .join(CourseRunRow, CourseRunRow.id == EnrolmentRow.run_id)
            .where(EnrolmentRow.trainee_id == trainee_id)
        ).all()
    )
    certificates = dict(
        session.execute(
            select(CertificateRow.id, CertificateRow.number).where(
                CertificateRow.trainee_id == trainee_id
            )
        ).all()
    )
    out = []
    for kind, subjects, noun in (
        (SignedKind.COMPLETION, completions, "Completion of"),
        (SignedKind.ASSESSMENT, assessments, "Assessment on"),
        (SignedKind.CERTIFICATE, certificates, "Certificate"),
    ):
        for record_id, found in signatures_of(session, store, kind, list(subjects)).items():
            out += [SignedRecord(f"{noun} {subjects[record_id]}", s) for s in found]
    return tuple(sorted(out, key=lambda line: (line.signature.facts.signed_at, line.subject)))


def _trail(session: Session, trainee_id: int) -> list[AuditEntry]:
    """The audit entries of the trainee and of their own records: enrolments, attendance,
    assessments, completions, certificates and the signatures on them."""
    enrolments = list(
        session.scalars(select(EnrolmentRow.id).where(EnrolmentRow.trainee_id == trainee_id))
    )
    records: dict[RecordType, list[int]] = {
        RecordType.TRAINEE: [trainee_id],
        RecordType.ENROLMENT: enrolments,
        RecordType.ATTENDANCE: list(
            session.scalars(select(AttendanceRow.id).where(AttendanceRow.trainee_id == trainee_id))
        ),
        RecordType.ASSESSMENT: list(
            session.scalars(
                select(AssessmentRow.id).where(AssessmentRow.enrolment_id.in_(enrolments))
            )
        ),
        RecordType.COMPLETION: list(
            session.scalars(select(CompletionRow.id).where(CompletionRow.trainee_id == trainee_id))
        ),
        RecordType.CERTIFICATE: list(
            session.scalars(
                select(CertificateRow.id).where(CertificateRow.trainee_id == trainee_id)
            )
        ),
    }
    signed = [
        (SignedKind(kind), ids)
        for kind, ids in (
            ("assessment", records[RecordType.ASSESSMENT]),
            ("completion", records[RecordType.COMPLETION]),
            ("certificate", records[RecordType.CERTIFICATE]),
        )
    ]
    records[RecordType.SIGNATURE] = [
        row_id
        for kind, ids in signed
        if ids
        for row_id in session.scalars(
            select(SignatureRow.id).where(
                SignatureRow.kind == kind.value, SignatureRow.record_id.in_(ids)
            )
        )
    ]
    return entries_about(session, records)
