"""Training requirements under change control: a role's required course counts from its
effective date, and a course's new version replaces the old one from its effective date, each
with a grace period for people to comply. Requirements already stored keep applying as before
(no effective date, no grace).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("role_requirements") as batch:
        batch.add_column(sa.Column("effective_on", sa.Date(), nullable=True))
        batch.add_column(sa.Column("grace_days", sa.Integer(), server_default="0", nullable=False))
    op.create_table(
        "course_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("replaces", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("grace_days", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.CheckConstraint(
            "grace_days >= 0", name=op.f("ck_course_versions_grace_days_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_versions_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_course_versions")),
        sqlite_autoincrement=True,
    )
    op.create_index(
        op.f("ix_course_versions_course_id"), "course_versions", ["course_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_course_versions_course_id"), table_name="course_versions")
    op.drop_table("course_versions")
    with op.batch_alter_table("role_requirements") as batch:
        batch.drop_column("grace_days")
        batch.drop_column("effective_on")
