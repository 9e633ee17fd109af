"""Audit seals: every audit entry linked to the one before by a keyed hash, so an entry changed,
removed, added or reordered in the database file is found (``trainer-app audit verify``).

The entries already in the trail are sealed here, in id order, with this installation's key
(handed in by the code that opens the store): the check covers the whole trail from the start.
The store also gets an identifier, under which the installation records the last seal it saw.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op

from trainer_app.domain import audit_chain
from trainer_app.domain.errors import StoreError
from trainer_app.persistence import chain

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_GUARDS = [
    f"""CREATE TRIGGER audit_seals_no_{verb} BEFORE {verb.upper()} ON audit_seals
    BEGIN SELECT RAISE(ABORT, 'audit seals are append-only'); END"""
    for verb in ("update", "delete")
]
_POSTGRES_GUARDS = [
    f"""CREATE TRIGGER audit_seals_no_{verb} BEFORE {verb.upper()} ON audit_seals
    FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()"""
    for verb in ("update", "delete")
]


def upgrade() -> None:
    seals = op.create_table(
        "audit_seals",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("entry_id", sa.Integer(), nullable=False),
        sa.Column("key_id", sa.String(length=16), nullable=False),
        sa.Column("link", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_seals")),
        sa.UniqueConstraint("entry_id", name=op.f("uq_audit_seals_entry_id")),
    )
    bind = op.get_bind()
    for statement in _SQLITE_GUARDS if bind.dialect.name == "sqlite" else _POSTGRES_GUARDS:
        op.execute(statement)
    app_meta = sa.table("app_meta", sa.column("key", sa.String), sa.column("value", sa.String))
    op.bulk_insert(app_meta, [{"key": chain.STORE_ID, "value": chain.new_store_id()}])
    entries = list(chain.stored_entries(bind))
    if not entries:
        return
    key = context.config.attributes.get("audit_key")
    if not isinstance(key, audit_chain.ChainKey):
        raise StoreError(
            "The audit trail is sealed during this upgrade and needs the installation's audit "
            "key; upgrade by opening the database with trainer-app"
        )
    rows = audit_chain.seal(key, None, entries)
    op.bulk_insert(
        seals,
        [
            {"seq": seq, "entry_id": entry_id, "key_id": key.key_id, "link": link}
            for seq, entry_id, link in rows
        ],
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER audit_seals_no_update")
        op.execute("DROP TRIGGER audit_seals_no_delete")
    else:
        op.execute("DROP TRIGGER audit_seals_no_update ON audit_seals")
        op.execute("DROP TRIGGER audit_seals_no_delete ON audit_seals")
    op.drop_table("audit_seals")
    op.execute(f"DELETE FROM app_meta WHERE key = '{chain.STORE_ID}'")
