"""The course catalogue and its prerequisite graph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from trainer_app.domain.access import Act
from trainer_app.domain.audit import Actor, AuditAction, RecordType
from trainer_app.domain.courses import (
    Course,
    CourseCategory,
    CourseFields,
    find_prerequisite_cycle,
)
from trainer_app.domain.errors import FieldError, ValidationError
from trainer_app.domain.network import FacilityKind
from trainer_app.domain.records import ChangeTerms
from trainer_app.persistence.db import Store
from trainer_app.persistence.models import (
    CoursePrerequisiteRow,
    CourseRow,
    CourseRunRow,
    CourseVersionRow,
    TrainerQualificationRow,
)
from trainer_app.services.base import (
    Column,
    CrudService,
    ListQueries,
    Now,
    Unique,
    now_utc,
    plural,
    sync_links,
    write_audit,
)
from trainer_app.services.matrix import Impact, MatrixService


class CourseService(CrudService[CourseFields, Course, CourseRow], ListQueries):
    entity_type = RecordType.COURSE
    act = Act.EDIT_CATALOGUE
    hub_scoped = False
    noun = "Course"
    row_class = CourseRow
    loaded_with = (CourseRow.prerequisite_links,)
    fields_class = CourseFields
    base_row = CourseRow
    unique = (Unique("code", CourseRow.code, "Course code"),)
    columns_spec = (
        Column("code", "Code", CourseRow.code),
        Column("title", "Title", CourseRow.title),
        Column("version", "Version", CourseRow.version),
        Column(
            "category",
            "Category",
            case({c.value: c.label for c in CourseCategory}, value=CourseRow.category),
        ),
        Column(
            "facility",
            "Needs",
            case({k.value: k.label for k in FacilityKind}, value=CourseRow.facility_kind),
        ),
        Column("sessions", "Sessions", CourseRow.sessions, numeric=True),
        Column("capacity", "Capacity", CourseRow.capacity, numeric=True),
        Column("validity", "Valid (months)", CourseRow.validity_months, numeric=True),
    )

    def __init__(
        self,
        store: Store,
        actor: Actor,
        now: Now = now_utc,
        today: Callable[[], date] = date.today,
    ) -> None:
        super().__init__(store, actor, now)
        self.today = today

    def update(
        self,
        entity_id: int,
        expected_version: int,
        fields: CourseFields,
        *,
        reason: str = "",
        also: Callable[[Session, CourseRow, Course], None] | None = None,
        terms: ChangeTerms | None = None,
    ) -> Course:
        """Save an edit. A new version is under change control: it replaces the old one from
        ``terms.effective_on`` (default today), and holders of the old version then have
        ``terms.grace_days`` (default none) to retrain; the change is recorded and audited."""
        when = (terms or ChangeTerms(self.today(), 0)).validated(today=self.today())

        def record_version(session: Session, row: CourseRow, before: Course) -> None:
            if also is not None:
                also(session, row, before)
            if row.version == before.version:
                return
            session.add(
                CourseVersionRow(
                    course_id=row.id,
                    version=row.version,
                    replaces=before.version,
                    effective_on=when.effective_on,
                    grace_days=when.grace_days,
                    created_at=self.now(),
                )
            )
            write_audit(
                session,
                self.actor,
                AuditAction.UPDATE,
                self.entity_type,
                row.id,
                f"{row.code} version {row.version}",
                [
                    ("version", before.version, row.version),
                    ("effective_on", None, when.effective_on.isoformat()),
                    ("grace_days", None, str(when.grace_days)),
                ],
                reason,
                at=self.now(),
            )

        return super().update(
            entity_id, expected_version, fields, reason=reason, also=record_version
        )

    def impact_of_new_version(
        self,
        course_id: int,
        version: str,
        effective_on: date | None = None,
        grace_days: int = 0,
    ) -> Impact:
        """Who the course's new ``version`` would ask to retrain, and by when (nothing saved)."""
        terms = ChangeTerms(effective_on or self.today(), grace_days)
        return MatrixService(self.store, self.actor, self.today, self.now).impact_of_new_version(
            course_id, version, terms
        )

    def _validate(
        self, session: Session, fields: CourseFields, entity_id: int | None
    ) -> CourseFields:
        clean = fields.validated()
        errors: list[FieldError] = []
        if entity_id is not None and entity_id in clean.prerequisites:
            errors.append(FieldError("prerequisites", "A course cannot require itself"))
        codes = dict(
            session.execute(
                select(CourseRow.id, CourseRow.code).where(CourseRow.id.in_(clean.prerequisites))
            ).all()
        )
        missing = clean.prerequisites - set(codes) - {entity_id}
        if missing:
            errors.append(
                FieldError(
                    "prerequisites",
                    f"{plural(len(missing), 'prerequisite')} refer to a course that no longer "
                    "exists (it was deleted); remove them",
                )
            )
        if entity_id is not None and not errors:
            cycle = self._cycle_through(session, entity_id, clean.prerequisites)
            if cycle:
                names = dict(session.execute(select(CourseRow.id, CourseRow.code)).all())
                names[entity_id] = clean.code
                path = " → ".join(names[c] for c in cycle)
                errors.append(
                    FieldError(
                        "prerequisites",
                        f"Prerequisites may not form a cycle: {path} (each requires the next)",
                    )
                )
        if errors:
            raise ValidationError(errors, subject=f"Course {clean.code}")
        return clean

    def _cycle_through(
        self, session: Session, entity_id: int, prerequisites: frozenset[int]
    ) -> list[int] | None:
        graph: dict[int, set[int]] = defaultdict(set)
        for course_id, requires_id in session.execute(
            select(CoursePrerequisiteRow.course_id, CoursePrerequisiteRow.requires_id)
        ):
            graph[course_id].add(requires_id)
        graph[entity_id] = set(prerequisites)
        return find_prerequisite_cycle(graph, entity_id)

    def _apply(self, session: Session, row: CourseRow, fields: CourseFields) -> None:
        row.code, row.title, row.version = fields.code, fields.title, fields.version
        row.category, row.description = fields.category.value, fields.description
        row.learning_outcomes = list(fields.learning_outcomes)
        row.sessions, row.session_length = fields.sessions, fields.session_length
        row.facility_kind, row.capacity = fields.facility_kind.value, fields.capacity
        row.validity_months, row.cpd_hours = fields.validity_months, fields.cpd_hours
        row.min_attendance, row.pass_mark = fields.min_attendance, fields.pass_mark
        row.practical_required = fields.practical_required
        sync_links(
            row.prerequisite_links,
            fields.prerequisites,
            "requires_id",
            lambda required: CoursePrerequisiteRow(requires_id=required),
        )

    def _record(self, session: Session, row: CourseRow) -> Course:
        return Course(
            id=row.id,
            row_version=row.row_version,
            code=row.code,
            title=row.title,
            version=row.version,
            category=CourseCategory(row.category),
            description=row.description,
            learning_outcomes=tuple(row.learning_outcomes),
            sessions=row.sessions,
            session_length=row.session_length,
            facility_kind=FacilityKind(row.facility_kind),
            capacity=row.capacity,
            prerequisites=frozenset(link.requires_id for link in row.prerequisite_links),
            validity_months=row.validity_months,
            cpd_hours=row.cpd_hours,
            min_attendance=row.min_attendance,
            pass_mark=row.pass_mark,
            practical_required=row.practical_required,
        )

    def _label(self, fields: Any) -> str:
        return f"{fields.code} ({fields.title})"

    def _list_statement(self) -> Select[Any]:
        return select(CourseRow).order_by(CourseRow.code)

    def _references(self, session: Session, entity_id: int) -> list[str]:
        required_by = session.scalars(
            select(CourseRow.code)
            .join(CoursePrerequisiteRow, CoursePrerequisiteRow.course_id == CourseRow.id)
            .where(CoursePrerequisiteRow.requires_id == entity_id)
            .order_by(CourseRow.code)
        ).all()
        trainers = session.scalar(
            select(func.count()).where(TrainerQualificationRow.course_id == entity_id)
        )
        runs = session.scalar(select(func.count()).where(CourseRunRow.course_id == entity_id))
        reasons = []
        if runs:
            reasons.append(f"has {plural(runs, 'course run')}")
        if required_by:
            reasons.append(f"is a prerequisite of {', '.join(required_by)}")
        if trainers:
            reasons.append(f"is a qualification of {plural(trainers, 'trainer')}")
        return reasons
