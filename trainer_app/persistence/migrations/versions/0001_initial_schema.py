"""Initial schema: network, trainers, courses, cohorts, trainees and the audit trail.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 16:43:01.923890
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "app_meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_app_meta")),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity_type", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.Integer(), nullable=False),
        sa.Column("entity_label", sa.String(length=200), nullable=False),
        sa.Column("changes", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_entries")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.create_index("ix_audit_entity", ["entity_type", "entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_entries_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "courses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=12), nullable=False),
        sa.Column("title", sa.String(length=160), nullable=False),
        sa.Column("version", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("learning_outcomes", sa.JSON(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("session_length", sa.Integer(), nullable=False),
        sa.Column("facility_kind", sa.String(length=32), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("validity_months", sa.Integer(), nullable=True),
        sa.Column("cpd_hours", sa.Numeric(precision=6, scale=1), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_courses_capacity_positive")),
        sa.CheckConstraint("session_length > 0", name=op.f("ck_courses_session_length_positive")),
        sa.CheckConstraint("sessions > 0", name=op.f("ck_courses_sessions_positive")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_courses")),
        sa.UniqueConstraint("code", name=op.f("uq_courses_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "hubs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("site", sa.String(length=200), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hubs")),
        sa.UniqueConstraint("code", name=op.f("uq_hubs_code")),
        sqlite_autoincrement=True,
    )
    op.create_table(
        "cohorts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=True),
        sa.Column("programme", sa.String(length=120), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_cohorts_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cohorts")),
        sa.UniqueConstraint("name", name=op.f("uq_cohorts_name")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cohorts_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "course_prerequisites",
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.Column("requires_id", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "course_id <> requires_id", name=op.f("ck_course_prerequisites_not_itself")
        ),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_course_prerequisites_course_id_courses"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["requires_id"],
            ["courses.id"],
            name=op.f("fk_course_prerequisites_requires_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("course_id", "requires_id", name=op.f("pk_course_prerequisites")),
    )
    with op.batch_alter_table("course_prerequisites", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_course_prerequisites_requires_id"), ["requires_id"], unique=False
        )

    op.create_table(
        "facilities",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("capacity", sa.Integer(), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint("capacity > 0", name=op.f("ck_facilities_capacity_positive")),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_facilities_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilities")),
        sa.UniqueConstraint("code", name=op.f("uq_facilities_code")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_facilities_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "hub_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_hub_closures_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_hub_closures_hub_id_hubs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_closures")),
    )
    with op.batch_alter_table("hub_closures", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_hub_closures_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "trainees",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("search_key", sa.String(length=800), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("trainee_type", sa.String(length=32), nullable=False),
        sa.Column("organisation", sa.String(length=160), nullable=False),
        sa.Column("role", sa.String(length=120), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_trainees_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainees")),
        sa.UniqueConstraint("email", name=op.f("uq_trainees_email")),
        sa.UniqueConstraint("reference", name=op.f("uq_trainees_reference")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("trainees", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainees_hub_id"), ["hub_id"], unique=False)
        batch_op.create_index("ix_trainees_name", ["name"], unique=False)

    op.create_table(
        "trainers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("search_key", sa.String(length=400), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("employment", sa.String(length=16), nullable=False),
        sa.Column("weekdays", sa.String(length=7), nullable=False),
        sa.Column("max_periods_per_day", sa.Integer(), nullable=True),
        sa.Column("max_periods_per_week", sa.Integer(), nullable=True),
        sa.Column("notes", sa.String(length=500), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_trainers_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainers")),
        sqlite_autoincrement=True,
    )
    with op.batch_alter_table("trainers", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trainers_hub_id"), ["hub_id"], unique=False)

    op.create_table(
        "cohort_memberships",
        sa.Column("cohort_id", sa.Integer(), nullable=False),
        sa.Column("trainee_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["cohort_id"],
            ["cohorts.id"],
            name=op.f("fk_cohort_memberships_cohort_id_cohorts"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainee_id"],
            ["trainees.id"],
            name=op.f("fk_cohort_memberships_trainee_id_trainees"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cohort_id", "trainee_id", name=op.f("pk_cohort_memberships")),
    )
    with op.batch_alter_table("cohort_memberships", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_cohort_memberships_trainee_id"), ["trainee_id"], unique=False
        )

    op.create_table(
        "facility_closures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("facility_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "ends_on >= starts_on", name=op.f("ck_facility_closures_ends_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["facility_id"],
            ["facilities.id"],
            name=op.f("fk_facility_closures_facility_id_facilities"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facility_closures")),
    )
    with op.batch_alter_table("facility_closures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_facility_closures_facility_id"), ["facility_id"], unique=False
        )

    op.create_table(
        "trainer_leave",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=200), nullable=False),
        sa.CheckConstraint("ends_on >= starts_on", name=op.f("ck_trainer_leave_ends_after_start")),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["trainers.id"],
            name=op.f("fk_trainer_leave_trainer_id_trainers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainer_leave")),
    )
    with op.batch_alter_table("trainer_leave", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainer_leave_trainer_id"), ["trainer_id"], unique=False
        )

    op.create_table(
        "trainer_qualifications",
        sa.Column("trainer_id", sa.Integer(), nullable=False),
        sa.Column("course_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["course_id"],
            ["courses.id"],
            name=op.f("fk_trainer_qualifications_course_id_courses"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["trainers.id"],
            name=op.f("fk_trainer_qualifications_trainer_id_trainers"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trainer_id", "course_id", name=op.f("pk_trainer_qualifications")),
    )
    with op.batch_alter_table("trainer_qualifications", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_trainer_qualifications_course_id"), ["course_id"], unique=False
        )

    _guard_audit_trail()
    app_meta = sa.table("app_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(app_meta, [{"key": "application", "value": "trainer-app"}])


# The audit trail is append-only from the first write: the database itself refuses to change it.
_SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_entries_no_{verb} BEFORE {verb.upper()} ON audit_entries
    BEGIN SELECT RAISE(ABORT, 'audit entries are append-only'); END"""
    for verb in ("update", "delete")
]
_POSTGRES_GUARD = [
    """CREATE FUNCTION audit_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'audit entries are append-only'; END $$""",
    """CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    """CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
]


def _guard_audit_trail() -> None:
    dialect = op.get_bind().dialect.name
    for statement in _SQLITE_GUARDS if dialect == "sqlite" else _POSTGRES_GUARD:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_entries_no_update")
        op.execute("DROP TRIGGER audit_entries_no_delete")
    else:
        op.execute("DROP TRIGGER audit_entries_no_update ON audit_entries")
        op.execute("DROP TRIGGER audit_entries_no_delete ON audit_entries")
        op.execute("DROP FUNCTION audit_entries_append_only()")
    with op.batch_alter_table("trainer_qualifications", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainer_qualifications_course_id"))

    op.drop_table("trainer_qualifications")
    with op.batch_alter_table("trainer_leave", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainer_leave_trainer_id"))

    op.drop_table("trainer_leave")
    with op.batch_alter_table("facility_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facility_closures_facility_id"))

    op.drop_table("facility_closures")
    with op.batch_alter_table("cohort_memberships", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohort_memberships_trainee_id"))

    op.drop_table("cohort_memberships")
    with op.batch_alter_table("trainers", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trainers_hub_id"))

    op.drop_table("trainers")
    with op.batch_alter_table("trainees", schema=None) as batch_op:
        batch_op.drop_index("ix_trainees_name")
        batch_op.drop_index(batch_op.f("ix_trainees_hub_id"))

    op.drop_table("trainees")
    with op.batch_alter_table("hub_closures", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_hub_closures_hub_id"))

    op.drop_table("hub_closures")
    with op.batch_alter_table("facilities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_facilities_hub_id"))

    op.drop_table("facilities")
    with op.batch_alter_table("course_prerequisites", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_course_prerequisites_requires_id"))

    op.drop_table("course_prerequisites")
    with op.batch_alter_table("cohorts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cohorts_hub_id"))

    op.drop_table("cohorts")
    op.drop_table("hubs")
    op.drop_table("courses")
    with op.batch_alter_table("audit_entries", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_entries_occurred_at"))
        batch_op.drop_index("ix_audit_entity")

    op.drop_table("audit_entries")
    op.drop_table("app_meta")
