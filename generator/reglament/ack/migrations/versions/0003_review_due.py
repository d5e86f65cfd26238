"""Review cycles: each registered edition keeps its regulation's review deadline (the dashboard lists overdue ones).

Existing rows get NULL (no deadline known); every record is kept.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("ack_documents") as batch:
        batch.add_column(sa.Column("review_due", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ack_documents") as batch:
        batch.drop_column("review_due")
