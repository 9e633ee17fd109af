"""Training records: roles and their required courses, enrolments, attendance, assessments,
completions; each course gets its completion rule.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 19:24:40.812571
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "roles",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roles")),
        sa.UniqueConstraint("name", name=op.f("uq_roles_name")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "role_requirements",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("role_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_role_requirements_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"],
            ["hubs.id"],
            name=op.f("fk_role_requirements_hub_id_hubs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["role_id"],
            ["roles.id"],
            name=op.f("fk_role_requirements_role_id_roles"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_role_requirements")),
        sa.UniqueConstraint("role_id", "course_id", "hub_id", name="uq_role_requirements_row"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("role_requirements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_role_requirements_course_id"), ["course_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_role_requirements_role_id"), ["role_id"], unique=False)

    op.create_table(
        "enrolments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("position", sa.Integer(), nullable=True),
        sa.Column("enrolled_at", sa.DateTime(), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(), nullable=True),
        sa.Column("withdraw_reason", sa.String(length=500), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "(status = 'waitlisted') = (position IS NOT NULL)",
            name=op.f("ck_enrolments_position_iff_waitlisted"),
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["course_runs.id"],
            name=op.f("fk_enrolments_run_id_course_runs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["trainees.id"],
            name=op.f("fk_enrolments_trainee_id_trainees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolments")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index("ix_enrolments_run", ["run_id", "status"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolments_trainee_id"), ["trainee_id"], unique=False)
        batch_op.create_index(
            "uq_enrolments_live",
            ["run_id", "trainee_id"],
            unique=True,
            sqlite_where=sa.text("status != 'withdrawn'"),
            postgresql_where=sa.text("status != 'withdrawn'"),
        )

    op.create_table(
        "assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("assessed_on", sa.Date(), nullable=False),
        sa.Column("assessor", sa.String(length=120), nullable=False),
        sa.Column("theory_score", sa.Numeric(precision=5, scale=1), nullable=True),
        sa.Column("practical_passed", sa.Boolean(), nullable=True),
        sa.Column("comments", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "theory_score IS NULL OR (theory_score >= 0 AND theory_score <= 100)",
            name=op.f("ck_assessments_theory_score_percent"),
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_assessments_enrolment_id_enrolments"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessments")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assessments_enrolment_id"), ["enrolment_id"], unique=False
        )

    op.create_table(
        "attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("mark", sa.String(length=16), nullable=False),
        sa.Column("late_minutes", sa.Integer(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "late_minutes >= 0", name=op.f("ck_attendance_late_minutes_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["planned_sessions.id"],
            name=op.f("fk_attendance_session_id_planned_sessions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["trainees.id"],
            name=op.f("fk_attendance_trainee_id_trainees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint("session_id", "trainee_id", name="uq_attendance_session_trainee"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attendance_trainee_id"), ["trainee_id"], unique=False)

    op.create_table(
        "completions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("course_version", sa.String(length=16), nullable=False),
        sa.Column("completed_on", sa.Date(), nullable=False),
        sa.Column("expires_on", sa.Date(), nullable=True),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=True),
        sa.Column("provider", sa.String(length=160), nullable=False),
        sa.Column("verified_by", sa.String(length=120), nullable=False),
        sa.Column("evidence_name", sa.String(length=255), nullable=False),
        sa.Column("evidence", sa.LargeBinary(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoke_reason", sa.String(length=500), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_completions_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_completions_enrolment_id_enrolments"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["trainees.id"],
            name=op.f("fk_completions_trainee_id_trainees"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_completions")),
        sa.UniqueConstraint("enrolment_id", name=op.f("uq_completions_enrolment_id")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_completions_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_completions_expires_on"), ["expires_on"], unique=False)
        batch_op.create_index(
            "ix_completions_trainee_course", ["trainee_id", "course_id"], unique=False
        )

    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("min_attendance", sa.Integer(), nullable=False, server_default="90")
        )
        batch_op.add_column(sa.Column("pass_mark", sa.Integer(), nullable=True))
        batch_op.add_column(
            sa.Column("practical_required", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("courses", schema=None) as batch_op:
        batch_op.drop_column("practical_required")
        batch_op.drop_column("pass_mark")
        batch_op.drop_column("min_attendance")

    with op.batch_alter_table("completions", schema=None) as batch_op:
        batch_op.drop_index("ix_completions_trainee_course")
        batch_op.drop_index(batch_op.f("ix_completions_expires_on"))
        batch_op.drop_index(batch_op.f("ix_completions_course_id"))

    op.drop_table("completions")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_trainee_id"))

    op.drop_table("attendance")
    with op.batch_alter_table("assessments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assessments_enrolment_id"))

    op.drop_table("assessments")
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_enrolments_live",
            sqlite_where=sa.text("status != 'withdrawn'"),
            postgresql_where=sa.text("status != 'withdrawn'"),
        )
        batch_op.drop_index(batch_op.f("ix_enrolments_trainee_id"))
        batch_op.drop_index("ix_enrolments_run")

    op.drop_table("enrolments")
    with op.batch_alter_table("role_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_role_requirements_role_id"))
        batch_op.drop_index(batch_op.f("ix_role_requirements_course_id"))

    op.drop_table("role_requirements")
    op.drop_table("roles")
