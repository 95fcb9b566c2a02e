"""Conversations and their messages, as plain functions over a connection. Every query is scoped to
its user: another user's conversation is indistinguishable from a missing one.

The two writes of a chat turn are on the path of every message, so they are Core statements built
once (SQLAlchemy compiles each once per engine and reuses it) and take as few round trips as the
work allows: no ORM unit of work, no separate existence check before the update that proves it."""

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Connection, Row, Table, bindparam, func, insert, select, update

from ai_todo.errors import ConversationNotFound
from todo_core.models import Conversation, Message
from todo_core.timestamps import utcnow

Role = Literal["user", "assistant"]

_conversation: Table = Conversation.__table__  # type: ignore[attr-defined]
_message: Table = Message.__table__  # type: ignore[attr-defined]

# Inserts take their values by column name.
_NEW_CONVERSATION = insert(_conversation).returning(_conversation.c.id)
_ADD_MESSAGE = insert(_message)
# Proves the conversation is the user's and marks it active, in one statement.
_TOUCH_CONVERSATION = (
    update(_conversation)
    .where(_conversation.c.id == bindparam("conversation"), _conversation.c.user_id == bindparam("owner"))
    .values(updated_at=bindparam("now"))
    .returning(_conversation.c.id)
)
_RECENT_MESSAGES = (
    select(_message.c.role, _message.c.content)
    .where(_message.c.conversation_id == bindparam("conversation"))
    .order_by(_message.c.id.desc())
    .limit(bindparam("limit"))
)


@dataclass(frozen=True)
class HistoryMessage:
    role: Role
    content: str


@dataclass(frozen=True)
class TurnStart:
    conversation_id: int
    history: list[HistoryMessage]


def start_turn(
    *, connection: Connection, user_id: str, conversation_id: int | None, message: str, history_limit: int
) -> TurnStart:
    """Finds or creates the conversation, reads the latest `history_limit` messages before this
    one, and stores the user's message."""
    now = utcnow()
    if conversation_id is None:
        conversation_id = connection.execute(
            _NEW_CONVERSATION, {"user_id": user_id, "created_at": now, "updated_at": now}
        ).scalar_one()
        history: list[HistoryMessage] = []
    else:
        if not _touch(connection, user_id=user_id, conversation_id=conversation_id, now=now):
            raise ConversationNotFound(f"conversation {conversation_id} not found")
        history = _recent_messages(connection, conversation_id, history_limit)
    _insert_message(
        connection, user_id=user_id, conversation_id=conversation_id, role="user", content=message, now=now
    )
    return TurnStart(conversation_id=conversation_id, history=history)


def add_message(
    *, connection: Connection, user_id: str, conversation_id: int, role: Role, content: str
) -> None:
    now = utcnow()
    _insert_message(
        connection, user_id=user_id, conversation_id=conversation_id, role=role, content=content, now=now
    )
    _touch(connection, user_id=user_id, conversation_id=conversation_id, now=now)


def list_conversations(*, connection: Connection, user_id: str, limit: int) -> list[Row]:
    """The user's conversations (id, created_at, updated_at), most recently active first."""
    query = (
        select(_conversation.c.id, _conversation.c.created_at, _conversation.c.updated_at)
        .where(_conversation.c.user_id == user_id)
        .order_by(_conversation.c.updated_at.desc(), _conversation.c.id.desc())
        .limit(limit)
    )
    return list(connection.execute(query))


def first_messages(
    *, connection: Connection, user_id: str, conversation_ids: list[int], length: int
) -> dict[int, str]:
    """The first `length` characters of each conversation's first message, by conversation: what a
    list of conversations shows so the user can tell them apart."""
    if not conversation_ids:
        return {}
    firsts = (
        select(func.min(_message.c.id))
        .where(_message.c.conversation_id.in_(conversation_ids), _message.c.user_id == user_id)
        .group_by(_message.c.conversation_id)
    )
    query = select(_message.c.conversation_id, func.substr(_message.c.content, 1, length)).where(
        _message.c.id.in_(firsts)
    )
    return {conversation_id: preview for conversation_id, preview in connection.execute(query)}


def list_messages(*, connection: Connection, user_id: str, conversation_id: int, limit: int) -> list[Row]:
    """The latest `limit` messages (id, role, content, created_at) of one of the user's
    conversations, oldest first."""
    owner = select(_conversation.c.id).where(
        _conversation.c.id == conversation_id, _conversation.c.user_id == user_id
    )
    if connection.execute(owner).first() is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    query = (
        select(_message.c.id, _message.c.role, _message.c.content, _message.c.created_at)
        .where(_message.c.conversation_id == conversation_id)
        .order_by(_message.c.id.desc())
        .limit(limit)
    )
    return list(reversed(connection.execute(query).all()))


def _touch(connection: Connection, *, user_id: str, conversation_id: int, now: datetime) -> bool:
    """Marks the user's conversation active; False when the user has no such conversation."""
    params = {"conversation": conversation_id, "owner": user_id, "now": now}
    return connection.execute(_TOUCH_CONVERSATION, params).first() is not None


def _insert_message(
    connection: Connection, *, user_id: str, conversation_id: int, role: Role, content: str, now: datetime
) -> None:
    row = {"conversation_id": conversation_id, "user_id": user_id, "role": role, "content": content}
    connection.execute(_ADD_MESSAGE, {**row, "created_at": now})


def _recent_messages(connection: Connection, conversation_id: int, limit: int) -> list[HistoryMessage]:
    if limit == 0:
        return []
    rows = connection.execute(_RECENT_MESSAGES, {"conversation": conversation_id, "limit": limit}).all()
    return [HistoryMessage(role=role, content=content) for role, content in reversed(rows)]
