"""User accounts and electronic signatures: who signs in, with which role, for which hubs
(coordinators) or which trainer (trainers), and who signed which record, meaning what. Passwords
are kept only as argon2id hashes. A store upgraded to this revision has no account yet: the
window's first start asks for the administrator's. Signatures are append-only, like the audit
trail.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 00:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_SQLITE_GUARDS = [
    f"""CREATE TRIGGER signatures_no_{verb} BEFORE {verb.upper()} ON signatures
    BEGIN SELECT RAISE(ABORT, 'signatures are append-only'); END"""
    for verb in ("update", "delete")
]
_POSTGRES_GUARDS = [
    f"""CREATE TRIGGER signatures_no_{verb} BEFORE {verb.upper()} ON signatures
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"""
    for verb in ("update", "delete")
]


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("trainer_id", sa.Integer(), nullable=True),
        sa.Column("failed_sign_ins", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(), nullable=True),
        sa.Column("last_sign_in", sa.DateTime(), nullable=True),
        sa.Column("password_changed_at", sa.DateTime(), nullable=False),
        sa.Column("row_version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "failed_sign_ins >= 0", name=op.f("ck_users_failed_sign_ins_not_negative")
        ),
        sa.ForeignKeyConstraint(
            ["trainer_id"],
            ["trainers.id"],
            name=op.f("fk_users_trainer_id_trainers"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
        sqlite_autoincrement=True,
    )
    op.create_index(op.f("ix_users_trainer_id"), "users", ["trainer_id"], unique=False)
    op.create_table(
        "user_hubs",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("hub_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["hub_id"], ["hubs.id"], name=op.f("fk_user_hubs_hub_id_hubs"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_hubs_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "hub_id", name=op.f("pk_user_hubs")),
    )
    op.create_index(op.f("ix_user_hubs_hub_id"), "user_hubs", ["hub_id"], unique=False)
    op.create_table(
        "signatures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("record_id", sa.Integer(), nullable=False),
        sa.Column("meaning", sa.String(length=16), nullable=False),
        sa.Column("username", sa.String(length=32), nullable=False),
        sa.Column("full_name", sa.String(length=120), nullable=False),
        sa.Column("signed_at", sa.DateTime(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("seal", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_signatures")),
        sqlite_autoincrement=True,
    )
    op.create_index("ix_signatures_record", "signatures", ["kind", "record_id"], unique=False)
    guards = _SQLITE_GUARDS if op.get_bind().dialect.name == "sqlite" else _POSTGRES_GUARDS
    for statement in guards:
        op.execute(statement)


def downgrade() -> None:
    for verb in ("update", "delete"):
        on = "" if op.get_bind().dialect.name == "sqlite" else " ON signatures"
        op.execute(f"DROP TRIGGER signatures_no_{verb}{on}")
    op.drop_index("ix_signatures_record", table_name="signatures")
    op.drop_table("signatures")
    op.drop_index(op.f("ix_user_hubs_hub_id"), table_name="user_hubs")
    op.drop_table("user_hubs")
    op.drop_index(op.f("ix_users_trainer_id"), table_name="users")
    op.drop_table("users")
