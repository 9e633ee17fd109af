"""A test-only migration that rebuilds a table other tables refer to (SQLite can change a table
only by copying it), as a future migration on a populated store may.

Revision ID: r002
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "r002"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hubs", recreate="always") as batch:
        batch.add_column(sa.Column("motto", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hubs", recreate="always") as batch:
        batch.drop_column("motto")
