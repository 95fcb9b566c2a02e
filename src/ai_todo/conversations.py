"""Conversations and their messages, as plain functions over a connection. Every query is scoped to
its user: another user's conversation is indistinguishable from a missing one.

The two writes of a chat turn are on the path of every message, so they are Core statements built
once (SQLAlchemy compiles each once per engine and reuses it) and take as few round trips as the
work allows: no ORM unit of work, no separate existence check before the update that proves it."""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import Connection, Row, Table, bindparam, case, func, insert, select, update

from ai_todo.errors import ConversationNotFound, RateLimited
from todo_core.db import USER_CHAT_LOCK, lock_user
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
    select(_message.c.role, _message.c.content, _message.c.failed)
    .where(_message.c.conversation_id == bindparam("conversation"))
    .order_by(_message.c.id.desc())
    .limit(bindparam("limit"))
)
# The user's messages in the rate window: how many, how many of them failed, and the oldest.
_is_user = _message.c.role == "user"
_RATE_WINDOW = select(
    func.coalesce(func.sum(case((_is_user, 1), else_=0)), 0),
    func.coalesce(func.sum(case((_message.c.failed, 1), else_=0)), 0),
    func.min(case((_is_user, _message.c.created_at))),
).where(_message.c.user_id == bindparam("owner"), _message.c.created_at > bindparam("since"))


@dataclass(frozen=True)
class HistoryMessage:
    role: Role
    content: str
    failed: bool = False  # a reply standing for a turn that failed


@dataclass(frozen=True)
class RateLimit:
    """At most `messages` user messages in any `window_seconds`; 0 messages: no limit."""

    messages: int
    window_seconds: int


@dataclass(frozen=True)
class TurnStart:
    conversation_id: int
    history: list[HistoryMessage]


def start_turn(
    *,
    connection: Connection,
    user_id: str,
    conversation_id: int | None,
    message: str,
    history_limit: int,
    rate_limit: RateLimit,
) -> TurnStart:
    """Checks the user's rate, finds or creates the conversation, reads the latest `history_limit`
    messages before this one, and stores the user's message."""
    check_rate(connection=connection, user_id=user_id, rate_limit=rate_limit)
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


def check_rate(*, connection: Connection, user_id: str, rate_limit: RateLimit) -> None:
    """Raises RateLimited when the user's messages in the window already reach the limit.

    The stored messages are the record, so the limit holds across every replica and every restart
    with no state of its own. A turn counts from the moment its message is stored, so a burst sent
    at once is counted in full; a turn that failed (answered by a reply marked failed) does not
    count, so retrying through an outage does not lock a user out once it is over. Under the
    user's lock, so requests racing on two replicas cannot both pass: the lock is a statement of
    its own, since a statement reads what was committed when it began. The wait is until the
    oldest message in the window leaves it."""
    if rate_limit.messages == 0:
        return
    lock_user(connection, USER_CHAT_LOCK, user_id)
    now = utcnow()
    window = timedelta(seconds=rate_limit.window_seconds)
    sent, failed, oldest = connection.execute(_RATE_WINDOW, {"owner": user_id, "since": now - window}).one()
    if sent - failed < rate_limit.messages or oldest is None:
        return
    wait = (oldest + window - now).total_seconds()
    raise RateLimited(retry_after_seconds=max(1, math.ceil(wait)))


def add_message(
    *,
    connection: Connection,
    user_id: str,
    conversation_id: int,
    role: Role,
    content: str,
    failed: bool = False,
) -> None:
    """`failed`: an assistant reply standing for a turn that failed, so no user message is left
    without an answer in the history."""
    now = utcnow()
    _insert_message(
        connection,
        user_id=user_id,
        conversation_id=conversation_id,
        role=role,
        content=content,
        failed=failed,
        now=now,
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
    """The latest `limit` messages (id, role, content, failed, created_at) of one of the user's
    conversations, oldest first."""
    owner = select(_conversation.c.id).where(
        _conversation.c.id == conversation_id, _conversation.c.user_id == user_id
    )
    if connection.execute(owner).first() is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")
    query = (
        select(_message.c.id, _message.c.role, _message.c.content, _message.c.failed, _message.c.created_at)
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
    connection: Connection,
    *,
    user_id: str,
    conversation_id: int,
    role: Role,
    content: str,
    now: datetime,
    failed: bool = False,
) -> None:
    row = {"conversation_id": conversation_id, "user_id": user_id, "role": role, "content": content}
    connection.execute(_ADD_MESSAGE, {**row, "failed": failed, "created_at": now})


def _recent_messages(connection: Connection, conversation_id: int, limit: int) -> list[HistoryMessage]:
    if limit == 0:
        return []
    rows = connection.execute(_RECENT_MESSAGES, {"conversation": conversation_id, "limit": limit}).all()
    return [
        HistoryMessage(role=role, content=content, failed=failed) for role, content, failed in reversed(rows)
    ]
