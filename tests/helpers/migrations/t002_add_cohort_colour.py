"""A test-only schema change on top of the real head, so today's head is an 'older' schema.

Revision ID: t002
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

from trainer_app.persistence.db import SCHEMA_HEAD

revision = "t002"
down_revision = SCHEMA_HEAD  # always on top of the newest real migration
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.add_column(sa.Column("colour", sa.String(16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cohorts") as batch:
        batch.drop_column("colour")
