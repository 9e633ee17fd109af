"""SQLAlchemy models. They never leave ``persistence`` and ``services``.

Every mutable table has ``row_version`` (optimistic concurrency: an UPDATE names the version it
read, so a stale write changes no row and is refused). Only portable SQL types are used so the
same migrations run on SQLite and PostgreSQL.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    Numeric,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as UTC and always hands back timezone-aware values."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Versioned:
    """Mixin: the optimistic-concurrency counter.

    Services bump it on every save (also when only child rows such as leave changed); SQLAlchemy
    adds ``WHERE row_version = <read value>`` to the UPDATE and refuses a write that hits no row.
    """

    row_version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        return {"version_id_col": cls.row_version, "version_id_generator": False}


class AbsenceColumns:
    """Mixin: an inclusive run of days when something is unavailable (closure, leave)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200), default="")

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        return (CheckConstraint("ends_on >= starts_on", name="ends_after_start"),)


class AppMeta(Base):
    """Marks a file as a trainer-app store (a foreign SQLite file lacks it)."""

    __tablename__ = "app_meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))


class HubRow(Versioned, Base):
    __tablename__ = "hubs"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(6), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    site: Mapped[str] = mapped_column(String(200), default="")
    address: Mapped[str] = mapped_column(String(300), default="")
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    closures: Mapped[list[HubClosureRow]] = relationship(
        cascade="all, delete-orphan", order_by="HubClosureRow.starts_on"
    )


class HubClosureRow(AbsenceColumns, Base):
    __tablename__ = "hub_closures"
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)


class FacilityRow(Versioned, Base):
    __tablename__ = "facilities"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int] = mapped_column(Integer)
    weekdays: Mapped[str] = mapped_column(String(7), default="01234")
    notes: Mapped[str] = mapped_column(String(500), default="")
    hub: Mapped[HubRow] = relationship(lazy="joined", innerjoin=True)
    closures: Mapped[list[FacilityClosureRow]] = relationship(
        cascade="all, delete-orphan", order_by="FacilityClosureRow.starts_on"
    )


class FacilityClosureRow(AbsenceColumns, Base):
    __tablename__ = "facility_closures"
    facility_id: Mapped[int] = mapped_column(
        ForeignKey("facilities.id", ondelete="CASCADE"), index=True
    )


class CourseRow(Versioned, Base):
    __tablename__ = "courses"
    __table_args__ = (
        CheckConstraint("capacity > 0", name="capacity_positive"),
        CheckConstraint("sessions > 0", name="sessions_positive"),
        CheckConstraint("session_length > 0", name="session_length_positive"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    title: Mapped[str] = mapped_column(String(160))
    version: Mapped[str] = mapped_column(String(16))
    category: Mapped[str] = mapped_column(String(32))
    description: Mapped[str] = mapped_column(Text, default="")
    learning_outcomes: Mapped[list[str]] = mapped_column(JSON, default=list)
    sessions: Mapped[int] = mapped_column(Integer)
    session_length: Mapped[int] = mapped_column(Integer)
    facility_kind: Mapped[str] = mapped_column(String(32))
    capacity: Mapped[int] = mapped_column(Integer)
    validity_months: Mapped[int | None] = mapped_column(Integer, nullable=True)
    cpd_hours: Mapped[Decimal] = mapped_column(Numeric(6, 1), default=Decimal(0))
    min_attendance: Mapped[int] = mapped_column(Integer, default=90)
    pass_mark: Mapped[int | None] = mapped_column(Integer, nullable=True)
    practical_required: Mapped[bool] = mapped_column(Boolean, default=False)
    prerequisite_links: Mapped[list[CoursePrerequisiteRow]] = relationship(
        cascade="all, delete-orphan", foreign_keys="CoursePrerequisiteRow.course_id"
    )


class CoursePrerequisiteRow(Base):
    __tablename__ = "course_prerequisites"
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    requires_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    __table_args__ = (CheckConstraint("course_id <> requires_id", name="not_itself"),)


class TrainerRow(Versioned, Base):
    __tablename__ = "trainers"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(400), default="")
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"), index=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    employment: Mapped[str] = mapped_column(String(16))
    weekdays: Mapped[str] = mapped_column(String(7), default="01234")
    max_periods_per_day: Mapped[int | None] = mapped_column(Integer, nullable=True)
    max_periods_per_week: Mapped[int | None] = mapped_column(Integer, nullable=True)
    notes: Mapped[str] = mapped_column(String(500), default="")
    hub: Mapped[HubRow] = relationship(lazy="joined", innerjoin=True)
    leave: Mapped[list[TrainerLeaveRow]] = relationship(
        cascade="all, delete-orphan", order_by="TrainerLeaveRow.starts_on"
    )
    qualification_links: Mapped[list[TrainerQualificationRow]] = relationship(
        cascade="all, delete-orphan"
    )


class TrainerQualificationRow(Base):
    __tablename__ = "trainer_qualifications"
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), primary_key=True
    )
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class TrainerLeaveRow(AbsenceColumns, Base):
    __tablename__ = "trainer_leave"
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="CASCADE"), index=True
    )


class CohortRow(Versioned, Base):
    __tablename__ = "cohorts"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("hubs.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    programme: Mapped[str] = mapped_column(String(120), default="")
    starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    description: Mapped[str] = mapped_column(Text, default="")


class TraineeRow(Versioned, Base):
    __tablename__ = "trainees"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    search_key: Mapped[str] = mapped_column(String(800), default="")
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"), index=True)
    trainee_type: Mapped[str] = mapped_column(String(32))
    organisation: Mapped[str] = mapped_column(String(160), default="")
    role: Mapped[str] = mapped_column(String(120), default="")
    # NULL, not "", when absent: several trainees may have no e-mail, none may share one.
    email: Mapped[str | None] = mapped_column(String(254), unique=True, nullable=True)
    memberships: Mapped[list[CohortMembershipRow]] = relationship(cascade="all, delete-orphan")
    # Read with the trainee when it is edited (``TraineeService.loaded_with``): the hub's check
    # and its code in the audit trail then need no query. Changed through ``hub_id`` only.
    hub: Mapped[HubRow] = relationship(viewonly=True)


# With the id: the list in name order is read from the index alone (on PostgreSQL too).
Index("ix_trainees_name", TraineeRow.name, TraineeRow.id)


class CohortMembershipRow(Base):
    __tablename__ = "cohort_memberships"
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT"), primary_key=True
    )
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class CourseRunRow(Versioned, Base):
    """One run of a catalogue course (an offering to the planner)."""

    __tablename__ = "course_runs"
    __table_args__ = (
        CheckConstraint("attendees > 0", name="attendees_positive"),
        CheckConstraint("min_days > 0", name="min_days_positive"),
        CheckConstraint(
            "earliest IS NULL OR latest IS NULL OR latest >= earliest", name="window_ordered"
        ),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(24), unique=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("hubs.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainers.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    attendees: Mapped[int] = mapped_column(Integer)
    min_days: Mapped[int] = mapped_column(Integer)
    consecutive_days: Mapped[bool] = mapped_column(Boolean, default=False)
    earliest: Mapped[date | None] = mapped_column(Date, nullable=True)
    latest: Mapped[date | None] = mapped_column(Date, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    notes: Mapped[str] = mapped_column(String(500), default="")
    course: Mapped[CourseRow] = relationship(lazy="joined", innerjoin=True)
    cohort_links: Mapped[list[CourseRunCohortRow]] = relationship(cascade="all, delete-orphan")


class CourseRunCohortRow(Base):
    __tablename__ = "course_run_cohorts"
    run_id: Mapped[int] = mapped_column(
        ForeignKey("course_runs.id", ondelete="CASCADE"), primary_key=True
    )
    cohort_id: Mapped[int] = mapped_column(
        ForeignKey("cohorts.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class PlanVersionRow(Versioned, Base):
    """A saved plan: the exact scenario@1 and plan@1 documents, with a summary to list them by."""

    __tablename__ = "plan_versions"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    status: Mapped[str] = mapped_column(String(16), default="draft", index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by: Mapped[str] = mapped_column(String(64))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    hub_filter: Mapped[str] = mapped_column(String(200), default="")  # hub codes, comma-separated
    scenario_json: Mapped[str] = mapped_column(Text)
    plan_json: Mapped[str] = mapped_column(Text)
    cost_total: Mapped[float | None] = mapped_column(Float, nullable=True)
    solver_summary: Mapped[str] = mapped_column(String(500), default="")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PlannedSessionRow(Versioned, Base):
    """A published session: what enrolment and attendance work from."""

    __tablename__ = "planned_sessions"
    __table_args__ = (
        UniqueConstraint("run_id", "session_index", name="uq_planned_sessions_run_session"),
        CheckConstraint("period >= 0", name="period_not_negative"),
        CheckConstraint("length > 0", name="length_positive"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="RESTRICT"))
    session_index: Mapped[int] = mapped_column(Integer)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    period: Mapped[int] = mapped_column(Integer)
    length: Mapped[int] = mapped_column(Integer)
    facility_id: Mapped[int] = mapped_column(
        ForeignKey("facilities.id", ondelete="RESTRICT"), index=True
    )
    trainer_id: Mapped[int] = mapped_column(
        ForeignKey("trainers.id", ondelete="RESTRICT"), index=True
    )
    plan_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("plan_versions.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    locked: Mapped[bool] = mapped_column(Boolean, default=False)


class RoleRow(Versioned, Base):
    """A job role of the training matrix, e.g. "Cleanroom operator"."""

    __tablename__ = "roles"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    requirements: Mapped[list[RoleRequirementRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class RoleRequirementRow(Base):
    """A course the role needs: everywhere (hub_id NULL) or at one hub only."""

    __tablename__ = "role_requirements"
    __table_args__ = (
        UniqueConstraint("role_id", "course_id", "hub_id", name="uq_role_requirements_row"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey("roles.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    hub_id: Mapped[int | None] = mapped_column(
        ForeignKey("hubs.id", ondelete="RESTRICT"), nullable=True
    )
    # Change control: the requirement counts from ``effective_on`` (NULL: always has), and
    # people who do not hold the course have ``grace_days`` more to comply.
    effective_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    grace_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class CourseVersionRow(Base):
    """A course's new version under change control: it replaces ``replaces`` from
    ``effective_on``, and holders of the older version have ``grace_days`` more to retrain."""

    __tablename__ = "course_versions"
    __table_args__ = (
        CheckConstraint("grace_days >= 0", name="grace_days_not_negative"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(16))
    replaces: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    grace_days: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class EnrolmentRow(Versioned, Base):
    """A trainee on a run: enrolled, waitlisted (``position`` 1 = next) or withdrawn."""

    __tablename__ = "enrolments"
    __table_args__ = (
        CheckConstraint(
            "(status = 'waitlisted') = (position IS NOT NULL)", name="position_iff_waitlisted"
        ),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id", ondelete="RESTRICT"))
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16))
    position: Mapped[int | None] = mapped_column(Integer, nullable=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdraw_reason: Mapped[str] = mapped_column(String(500), default="")


# One live enrolment per trainee and run (withdrawn ones are kept as history).
Index(
    "uq_enrolments_live",
    EnrolmentRow.run_id,
    EnrolmentRow.trainee_id,
    unique=True,
    sqlite_where=EnrolmentRow.status != "withdrawn",
    postgresql_where=EnrolmentRow.status != "withdrawn",
)
Index("ix_enrolments_run", EnrolmentRow.run_id, EnrolmentRow.status)


class AttendanceRow(Versioned, Base):
    __tablename__ = "attendance"
    __table_args__ = (
        UniqueConstraint("session_id", "trainee_id", name="uq_attendance_session_trainee"),
        CheckConstraint("late_minutes >= 0", name="late_minutes_not_negative"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("planned_sessions.id", ondelete="RESTRICT"))
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="RESTRICT"), index=True
    )
    mark: Mapped[str] = mapped_column(String(16))
    late_minutes: Mapped[int] = mapped_column(Integer, default=0)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class AssessmentRow(Versioned, Base):
    __tablename__ = "assessments"
    __table_args__ = (
        CheckConstraint(
            "theory_score IS NULL OR (theory_score >= 0 AND theory_score <= 100)",
            name="theory_score_percent",
        ),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(
        ForeignKey("enrolments.id", ondelete="RESTRICT"), index=True
    )
    assessed_on: Mapped[date] = mapped_column(Date)
    assessor: Mapped[str] = mapped_column(String(120))
    theory_score: Mapped[Decimal | None] = mapped_column(Numeric(5, 1), nullable=True)
    practical_passed: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    comments: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CompletionRow(Versioned, Base):
    """A trainee completed a version of a course: from a run, imported history or elsewhere."""

    __tablename__ = "completions"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    trainee_id: Mapped[int] = mapped_column(ForeignKey("trainees.id", ondelete="RESTRICT"))
    course_id: Mapped[int] = mapped_column(
        ForeignKey("courses.id", ondelete="RESTRICT"), index=True
    )
    course_version: Mapped[str] = mapped_column(String(16))
    completed_on: Mapped[date] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True, index=True)
    source: Mapped[str] = mapped_column(String(16))
    enrolment_id: Mapped[int | None] = mapped_column(
        ForeignKey("enrolments.id", ondelete="RESTRICT"), nullable=True, unique=True
    )
    provider: Mapped[str] = mapped_column(String(160), default="")
    verified_by: Mapped[str] = mapped_column(String(120), default="")
    evidence_name: Mapped[str] = mapped_column(String(255), default="")
    evidence: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True, deferred=True)
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")


Index("ix_completions_trainee_course", CompletionRow.trainee_id, CompletionRow.course_id)


class CertificateRow(Versioned, Base):
    """An issued certificate: its number, the signed payload, and what was printed (so a
    reprint is identical). At most one live certificate per completion."""

    __tablename__ = "certificates"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    completion_id: Mapped[int] = mapped_column(
        ForeignKey("completions.id", ondelete="RESTRICT"), index=True
    )
    trainee_id: Mapped[int] = mapped_column(
        ForeignKey("trainees.id", ondelete="RESTRICT"), index=True
    )
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    issued_by: Mapped[str] = mapped_column(String(64))
    expires_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    key_fingerprint: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text)
    content_json: Mapped[str] = mapped_column(Text)
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificates.id", ondelete="RESTRICT"), nullable=True
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoke_reason: Mapped[str] = mapped_column(String(500), default="")
    # The batch that issued it and has not written its file yet ("host pid batch"); a batch
    # killed between issuing and writing leaves it set, and the next batch writes the file.
    file_pending: Mapped[str | None] = mapped_column(String(120), nullable=True, default=None)


Index(
    "uq_certificates_live",
    CertificateRow.completion_id,
    unique=True,
    sqlite_where=CertificateRow.revoked_at.is_(None),
    postgresql_where=CertificateRow.revoked_at.is_(None),
)


class AuditRow(Base):
    """Append-only: database triggers refuse UPDATE and DELETE on this table."""

    __tablename__ = "audit_entries"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))
    entity_type: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[int] = mapped_column(Integer)
    entity_label: Mapped[str] = mapped_column(String(200))
    changes: Mapped[list[dict[str, str | None]]] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(String(500), default="")


Index("ix_audit_entity", AuditRow.entity_type, AuditRow.entity_id)


class AuditSealRow(Base):
    """The seal of one audit entry, written when its transaction commits: its place in the
    trail (``seq``, 1, 2, 3, … with no gaps) and a keyed hash linking it to the entry before
    (``domain.audit_chain``). Append-only, like the entries."""

    __tablename__ = "audit_seals"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    entry_id: Mapped[int] = mapped_column(Integer, unique=True)
    key_id: Mapped[str] = mapped_column(String(16))
    link: Mapped[bytes] = mapped_column(LargeBinary(32))


class UserRow(Versioned, Base):
    """A person who signs in: their role, and the hubs (coordinator) or trainer (trainer) it
    covers. Only the argon2id hash of the password is kept."""

    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint("failed_sign_ins >= 0", name="failed_sign_ins_not_negative"),
        {"sqlite_autoincrement": True},
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(32), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    role: Mapped[str] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    trainer_id: Mapped[int | None] = mapped_column(
        ForeignKey("trainers.id", ondelete="RESTRICT"), nullable=True, index=True
    )
    failed_sign_ins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_sign_in: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hub_links: Mapped[list[UserHubRow]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )


class UserHubRow(Base):
    """A coordinator's hub."""

    __tablename__ = "user_hubs"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    hub_id: Mapped[int] = mapped_column(
        ForeignKey("hubs.id", ondelete="RESTRICT"), primary_key=True, index=True
    )


class SignatureRow(Base):
    """An electronic signature of a record (``domain.signatures``). Append-only, like the
    audit trail: database triggers refuse UPDATE and DELETE."""

    __tablename__ = "signatures"
    __table_args__ = {"sqlite_autoincrement": True}
    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    record_id: Mapped[int] = mapped_column(Integer)
    meaning: Mapped[str] = mapped_column(String(16))
    username: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(120))
    signed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    digest: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    seal: Mapped[bytes] = mapped_column(LargeBinary(32))


Index("ix_signatures_record", SignatureRow.kind, SignatureRow.record_id)
