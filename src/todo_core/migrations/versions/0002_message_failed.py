"""message.failed: an assistant reply that stands for a failed turn (a 503 or a timeout).

Revision ID: 0002_message_failed
Revises: 0001_baseline
Create Date: 2026-11-30

Expand only: NOT NULL with a server default, so the previous release, which never names the column,
keeps inserting messages (they read as not failed) while it serves beside this one.
"""

import sqlalchemy as sa
from alembic import op

revision = "0002_message_failed"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None
oldest_code_revision = "0001_baseline"


def upgrade() -> None:
    # batch: SQLite (`todoctl dev`) alters tables by copying them where it must; PostgreSQL alters in place
    with op.batch_alter_table("message") as table:
        table.add_column(sa.Column("failed", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("message") as table:
        table.drop_column("failed")
