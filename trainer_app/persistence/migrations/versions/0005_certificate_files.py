"""Certificate files: which issued certificates still wait for their PDF, and which batch
(process and computer) is writing it; a batch interrupted after issuing and before writing
leaves them waiting, and the next batch writes them.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Certificates issued before this revision had their files written in the same step.
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.add_column(sa.Column("file_pending", sa.String(length=120), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("certificates", schema=None) as batch_op:
        batch_op.drop_column("file_pending")
