"""A test-only migration that rebuilds a table other tables refer to (SQLite can change a table
only by copying it), as a future migration on a populated store may.

Revision ID: r002
Revises: the newest real migration (SCHEMA_HEAD)
"""

import sqlalchemy as sa
from alembic import op

from trainer_app.persistence.db import SCHEMA_HEAD

revision = "r002"
down_revision = SCHEMA_HEAD  # always on top of the newest real migration
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("hubs", recreate="always") as batch:
        batch.add_column(sa.Column("motto", sa.String(80), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("hubs", recreate="always") as batch:
        batch.drop_column("motto")
