"""The three tables of DESIGN.md and the shapes they travel in."""

from datetime import datetime

from sqlalchemy import Column, Index, false
from sqlmodel import Field, SQLModel

from todo_core.timestamps import UTCDateTime, utcnow

USER_ID_MAX = 128
TITLE_MAX = 200
DESCRIPTION_MAX = 2000
MESSAGE_MAX = 4000
# PostgreSQL `integer`: an id above this can never exist, so it is rejected before any query.
ID_MAX = 2**31 - 1


def _created() -> Column:
    return Column(UTCDateTime(), nullable=False, default=utcnow)


def _updated() -> Column:
    return Column(UTCDateTime(), nullable=False, default=utcnow, onupdate=utcnow)


class TaskBase(SQLModel):
    title: str = Field(min_length=1, max_length=TITLE_MAX)
    description: str | None = Field(default=None, max_length=DESCRIPTION_MAX)


class Task(TaskBase, table=True):
    __tablename__ = "task"
    __table_args__ = (Index("ix_task_user_id_id", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=USER_ID_MAX)
    completed: bool = Field(default=False)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class TaskPublic(TaskBase):
    id: int
    completed: bool
    created_at: datetime
    updated_at: datetime


class Conversation(SQLModel, table=True):
    __tablename__ = "conversation"
    __table_args__ = (Index("ix_conversation_user_id_id", "user_id", "id"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: str = Field(max_length=USER_ID_MAX)
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
    updated_at: datetime = Field(default_factory=utcnow, sa_column=_updated())


class Message(SQLModel, table=True):
    __tablename__ = "message"
    __table_args__ = (
        Index("ix_message_user_id", "user_id"),
        # the chat rate's window: a user's messages since a moment (migration 0003)
        Index("ix_message_user_id_created_at", "user_id", "created_at"),
        Index("ix_message_conversation_id_id", "conversation_id", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    user_id: str = Field(max_length=USER_ID_MAX)
    role: str = Field(max_length=16)
    content: str
    # An assistant reply standing for a turn that failed (a 503 or a timeout), so a history never holds
    # a user's message without an answer. The server default keeps the previous release's inserts valid.
    failed: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    created_at: datetime = Field(default_factory=utcnow, sa_column=_created())
