"""Conversations and messages on both databases the service supports."""

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from ai_todo.conversations import (
    HistoryMessage,
    RateLimit,
    add_message,
    first_messages,
    list_conversations,
    list_messages,
    start_turn,
)
from ai_todo.errors import ConversationNotFound
from todo_core.db import make_engine, session_scope
from todo_core.schema import upgrade_schema


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


def _turn(
    engine: Engine, user: str, message: str, conversation: int | None = None, limit: int = 20
) -> object:
    with session_scope(engine) as session:
        return start_turn(
            session=session,
            user_id=user,
            conversation_id=conversation,
            message=message,
            history_limit=limit,
            rate_limit=RateLimit(messages=0, window_seconds=60),
        )


def _reply(engine: Engine, user: str, conversation: int, text: str) -> None:
    with session_scope(engine) as session:
        add_message(
            session=session, user_id=user, conversation_id=conversation, role="assistant", content=text
        )


def test_a_first_turn_creates_the_conversation_with_no_history(engine: Engine) -> None:
    turn = _turn(engine, "alice", "hello")

    assert turn.history == []
    with session_scope(engine) as session:
        [message] = list_messages(
            session=session, user_id="alice", conversation_id=turn.conversation_id, limit=10
        )
    assert (message.role, message.content, message.user_id) == ("user", "hello", "alice")


def test_history_is_the_latest_messages_before_this_one_oldest_first(engine: Engine) -> None:
    conversation = _turn(engine, "alice", "one").conversation_id
    _reply(engine, "alice", conversation, "two")
    _turn(engine, "alice", "three", conversation)
    _reply(engine, "alice", conversation, "four")

    turn = _turn(engine, "alice", "five", conversation, limit=3)

    assert turn.history == [
        HistoryMessage("assistant", "two"),
        HistoryMessage("user", "three"),
        HistoryMessage("assistant", "four"),
    ]


def test_a_history_limit_of_zero_sends_nothing(engine: Engine) -> None:
    conversation = _turn(engine, "alice", "one").conversation_id

    assert _turn(engine, "alice", "two", conversation, limit=0).history == []


def test_another_users_conversation_is_not_found_and_gets_no_message(engine: Engine) -> None:
    conversation = _turn(engine, "alice", "private").conversation_id

    with pytest.raises(ConversationNotFound):
        _turn(engine, "mallory", "sneaky", conversation)
    with session_scope(engine) as session, pytest.raises(ConversationNotFound):
        list_messages(session=session, user_id="mallory", conversation_id=conversation, limit=10)
    with session_scope(engine) as session:
        messages = list_messages(session=session, user_id="alice", conversation_id=conversation, limit=10)
    assert [m.content for m in messages] == ["private"]


def test_conversations_are_listed_by_latest_activity(engine: Engine) -> None:
    first = _turn(engine, "alice", "a").conversation_id
    second = _turn(engine, "alice", "b").conversation_id
    _turn(engine, "bob", "c")
    _reply(engine, "alice", first, "back to the first")

    with session_scope(engine) as session:
        listed = list_conversations(session=session, user_id="alice", limit=10)
        limited = list_conversations(session=session, user_id="alice", limit=1)

    assert [c.id for c in listed] == [first, second]
    assert [c.id for c in limited] == [first]


def test_first_messages_are_the_start_of_each_conversations_opening_line(engine: Engine) -> None:
    long_one = _turn(engine, "alice", "Zoë ☕ " + "x" * 100).conversation_id
    short_one = _turn(engine, "alice", "hello").conversation_id
    _reply(engine, "alice", short_one, "Hi! How can I help?")
    _turn(engine, "alice", "a later message", short_one)
    theirs = _turn(engine, "bob", "bob's secret").conversation_id

    with session_scope(engine) as session:
        previews = first_messages(
            session=session, user_id="alice", conversation_ids=[long_one, short_one, theirs], length=10
        )
        none = first_messages(session=session, user_id="alice", conversation_ids=[], length=10)

    assert previews == {long_one: "Zoë ☕ xxxx", short_one: "hello"}
    assert none == {}
