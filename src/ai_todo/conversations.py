"""Conversations and their messages, as plain functions over a session. Every query is scoped to
its user: another user's conversation is indistinguishable from a missing one."""

import math
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy import case, func, update
from sqlmodel import Session, col, select

from ai_todo.errors import ConversationNotFound, RateLimited
from todo_core.db import USER_CHAT_LOCK, lock_user
from todo_core.models import Conversation, Message
from todo_core.timestamps import utcnow

Role = Literal["user", "assistant"]


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
    session: Session,
    user_id: str,
    conversation_id: int | None,
    message: str,
    history_limit: int,
    rate_limit: RateLimit,
) -> TurnStart:
    """Checks the user's rate, finds or creates the conversation, reads the latest `history_limit`
    messages before this one, and stores the user's message."""
    check_rate(session=session, user_id=user_id, rate_limit=rate_limit)
    if conversation_id is None:
        conversation = Conversation(user_id=user_id)
        session.add(conversation)
        session.flush()
        assert conversation.id is not None
        conversation_id = conversation.id
        history: list[HistoryMessage] = []
    else:
        _require_conversation(session=session, user_id=user_id, conversation_id=conversation_id)
        history = _recent_messages(session=session, conversation_id=conversation_id, limit=history_limit)
    add_message(
        session=session, user_id=user_id, conversation_id=conversation_id, role="user", content=message
    )
    return TurnStart(conversation_id=conversation_id, history=history)


def check_rate(*, session: Session, user_id: str, rate_limit: RateLimit) -> None:
    """Raises RateLimited when the user's messages in the window already reach the limit.

    The stored messages are the record, so the limit holds across every replica and every restart
    with no state of its own. A turn counts from the moment its message is stored, so a burst sent
    at once is counted in full; a turn that failed (answered by a reply marked failed) does not
    count, so retrying through an outage does not lock a user out once it is over. Under the
    user's lock, so requests racing on two replicas cannot both pass. The wait is until the oldest
    message in the window leaves it."""
    if rate_limit.messages == 0:
        return
    lock_user(session, USER_CHAT_LOCK, user_id)
    now = utcnow()
    is_user = col(Message.role) == "user"
    query = select(
        func.coalesce(func.sum(case((is_user, 1), else_=0)), 0),
        func.coalesce(func.sum(case((col(Message.failed), 1), else_=0)), 0),
        func.min(case((is_user, Message.created_at))),
    ).where(
        Message.user_id == user_id,
        col(Message.created_at) > now - timedelta(seconds=rate_limit.window_seconds),
    )
    sent, failed, oldest = session.exec(query).one()
    if sent - failed < rate_limit.messages or oldest is None:
        return
    wait = (oldest + timedelta(seconds=rate_limit.window_seconds) - now).total_seconds()
    raise RateLimited(retry_after_seconds=max(1, math.ceil(wait)))


def add_message(
    *, session: Session, user_id: str, conversation_id: int, role: Role, content: str, failed: bool = False
) -> None:
    """`failed`: an assistant reply standing for a turn that failed, so no user message is left
    without an answer in the history."""
    session.add(
        Message(conversation_id=conversation_id, user_id=user_id, role=role, content=content, failed=failed)
    )
    session.execute(
        update(Conversation).where(col(Conversation.id) == conversation_id).values(updated_at=utcnow())
    )


def list_conversations(*, session: Session, user_id: str, limit: int) -> list[Conversation]:
    """The user's conversations, most recently active first."""
    query = (
        select(Conversation)
        .where(Conversation.user_id == user_id)
        .order_by(col(Conversation.updated_at).desc(), col(Conversation.id).desc())
        .limit(limit)
    )
    return list(session.exec(query).all())


def first_messages(
    *, session: Session, user_id: str, conversation_ids: list[int], length: int
) -> dict[int, str]:
    """The first `length` characters of each conversation's first message, by conversation: what a
    list of conversations shows so the user can tell them apart."""
    if not conversation_ids:
        return {}
    firsts = (
        select(func.min(Message.id))
        .where(col(Message.conversation_id).in_(conversation_ids), Message.user_id == user_id)
        .group_by(col(Message.conversation_id))
    )
    query = select(Message.conversation_id, func.substr(Message.content, 1, length)).where(
        col(Message.id).in_(firsts)
    )
    return dict(session.exec(query).all())  # type: ignore[arg-type]


def list_messages(*, session: Session, user_id: str, conversation_id: int, limit: int) -> list[Message]:
    """The latest `limit` messages of one of the user's conversations, oldest first."""
    _require_conversation(session=session, user_id=user_id, conversation_id=conversation_id)
    query = (
        select(Message)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    return list(reversed(session.exec(query).all()))


def _require_conversation(*, session: Session, user_id: str, conversation_id: int) -> None:
    query = select(Conversation.id).where(Conversation.id == conversation_id, Conversation.user_id == user_id)
    if session.exec(query).first() is None:
        raise ConversationNotFound(f"conversation {conversation_id} not found")


def _recent_messages(*, session: Session, conversation_id: int, limit: int) -> list[HistoryMessage]:
    if limit == 0:
        return []
    query = (
        select(Message.role, Message.content, Message.failed)
        .where(Message.conversation_id == conversation_id)
        .order_by(col(Message.id).desc())
        .limit(limit)
    )
    rows = session.exec(query).all()
    return [
        HistoryMessage(role=role, content=content, failed=failed)  # type: ignore[arg-type]
        for role, content, failed in reversed(rows)
    ]
