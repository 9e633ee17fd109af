"""Planning: course runs and their cohorts, saved plan versions, published sessions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 17:08:12.881488
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "plan_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("hub_filter", sa.String(length=200), nullable=False),
        sa.Column("scenario_json", sa.Text(), nullable=False),
        sa.Column("plan_json", sa.Text(), nullable=False),
        sa.Column("cost_total", sa.Float(), nullable=True),
        sa.Column("solver_summary", sa.String(length=500), nullable=False),
        sa.Column("published_at", sa.DateTime(), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_versions")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_versions_status"), ["status"], unique=False)

    op.create_table(
        "course_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=24), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("attendees", sa.Integer(), nullable=False),
        sa.Column("min_days", sa.Integer(), nullable=False),
        sa.Column("consecutive_days", sa.Boolean(), nullable=False),
        sa.Column("earliest", sa.Date(), nullable=True),
        sa.Column("latest", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("attendees > 0", name=op.f("ck_course_runs_attendees_positive")),
        sa.CheckConstraint(
            "earliest IS NULL OR latest IS NULL OR latest >= earliest",
            name=op.f("ck_course_runs_window_ordered"),
        ),
        sa.CheckConstraint("min_days > 0", name=op.f("ck_course_runs_min_days_positive")),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_runs_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_course_runs_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["trainers.id"],
            name=op.f("fk_course_runs_trainer_id_trainers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_runs")),
        sa.UniqueConstraint("code", name=op.f("uq_course_runs_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("course_runs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_course_runs_course_id"), ["course_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_runs_hub_id"), ["hub_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_runs_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_course_runs_trainer_id"), ["trainer_id"], unique=False)

    op.create_table(
        "course_run_cohorts",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_course_run_cohorts_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["course_runs.id"],
            name=op.f("fk_course_run_cohorts_run_id_course_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "cohort_id", name=op.f("pk_course_run_cohorts")),
    )
    with op.batch_alter_table("course_run_cohorts", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_run_cohorts_cohort_id"), ["cohort_id"], unique=False
        )

    op.create_table(
        "planned_sessions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("session_index", sa.Integer(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("period", sa.Integer(), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("plan_version_id", sa.Integer(), nullable=True),
        sa.Column("locked", sa.Boolean(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("length > 0", name=op.f("ck_planned_sessions_length_positive")),
        sa.CheckConstraint("period >= 0", name=op.f("ck_planned_sessions_period_not_negative")),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_planned_sessions_facility_id_facilities"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["plan_version_id"],
            ["plan_versions.id"],
            name=op.f("fk_planned_sessions_plan_version_id_plan_versions"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["course_runs.id"],
            name=op.f("fk_planned_sessions_run_id_course_runs"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["trainers.id"],
            name=op.f("fk_planned_sessions_trainer_id_trainers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_planned_sessions")),
        sa.UniqueConstraint("run_id", "session_index", name="uq_planned_sessions_run_session"),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_planned_sessions_facility_id"), ["facility_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_planned_sessions_held_on"), ["held_on"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_planned_sessions_plan_version_id"), ["plan_version_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_planned_sessions_trainer_id"), ["trainer_id"], unique=False
        )


def downgrade() -> None:

    with op.batch_alter_table("planned_sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_planned_sessions_trainer_id"))
        batch_op.drop_index(batch_op.f("ix_planned_sessions_plan_version_id"))
        batch_op.drop_index(batch_op.f("ix_planned_sessions_held_on"))
        batch_op.drop_index(batch_op.f("ix_planned_sessions_facility_id"))

    op.drop_table("planned_sessions")
    with op.batch_alter_table("course_run_cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_run_cohorts_cohort_id"))

    op.drop_table("course_run_cohorts")
    with op.batch_alter_table("course_runs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_runs_trainer_id"))
        batch_op.drop_index(batch_op.f("ix_course_runs_status"))
        batch_op.drop_index(batch_op.f("ix_course_runs_hub_id"))
        batch_op.drop_index(batch_op.f("ix_course_runs_course_id"))

    op.drop_table("course_runs")
    with op.batch_alter_table("plan_versions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_versions_status"))

    op.drop_table("plan_versions")
