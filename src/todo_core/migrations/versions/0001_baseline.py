"""Baseline: the schema every release before migrations created with `create_all`.

Revision ID: 0001_baseline
Revises:
Create Date: 2026-11-30

Frozen here, not derived from todo_core.models: the models move on, this revision never does. A
database made by those releases has these tables and no alembic_version; todo_core.schema stamps it
with this revision instead of creating anything.
"""

import sqlalchemy as sa
from alembic import op

revision = "0001_baseline"
down_revision = None
branch_labels = None
depends_on = None
oldest_code_revision = "0001_baseline"


def _timestamp(name: str) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=False)


def upgrade() -> None:
    op.create_table(
        "conversation",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_index("ix_conversation_user_id_id", "conversation", ["user_id", "id"])
    op.create_table(
        "task",
        sa.Column("title", sa.String(200), nullable=False),
        sa.Column("description", sa.String(2000), nullable=True),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("completed", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        _timestamp("updated_at"),
    )
    op.create_index("ix_task_user_id_id", "task", ["user_id", "id"])
    op.create_table(
        "message",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversation.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("user_id", sa.String(128), nullable=False),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("content", sa.String(), nullable=False),
        _timestamp("created_at"),
    )
    op.create_index("ix_message_conversation_id_id", "message", ["conversation_id", "id"])
    op.create_index("ix_message_user_id", "message", ["user_id"])


def downgrade() -> None:
    op.drop_table("message")
    op.drop_table("task")
    op.drop_table("conversation")
