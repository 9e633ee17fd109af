"""A test-only migration that creates a table and then fails, as a real one might on odd data.

Revision ID: f002
Revises: the newest real migration (SCHEMA_HEAD)
"""

import sqlalchemy as sa
from alembic import op

from trainer_app.persistence.db import SCHEMA_HEAD

revision = "f002"
down_revision = SCHEMA_HEAD  # always on top of the newest real migration
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table("half_made", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO no_such_table VALUES (1)")


def downgrade() -> None:
    op.drop_table("half_made")
