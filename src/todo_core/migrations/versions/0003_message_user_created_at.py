"""An index on message(user_id, created_at): the per-user chat rate counts a user's messages in the
last window on every turn, and with only ix_message_user_id that read grew with everything the user
ever sent.

Revision ID: 0003_message_user_created_at
Revises: 0002_message_failed
Create Date: 2026-12-01

Expand only: an index more, which the previous release neither names nor notices. ix_message_user_id
is now a prefix of it and redundant; dropping it is a contract step for a later release, as
docs/architecture.md's "Schema changes" asks. The index is built in the migration's transaction,
which blocks writes to message while it builds: fast on a chat history, noticeable on a very large one.
"""

from alembic import op

revision = "0003_message_user_created_at"
down_revision = "0002_message_failed"
branch_labels = None
depends_on = None
oldest_code_revision = "0001_baseline"


def upgrade() -> None:
    op.create_index("ix_message_user_id_created_at", "message", ["user_id", "created_at"])


def downgrade() -> None:
    op.drop_index("ix_message_user_id_created_at", table_name="message")
