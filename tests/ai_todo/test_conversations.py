"""Conversations and messages on both databases the service supports."""

from datetime import timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from ai_todo.conversations import (
    _RATE_WINDOW,
    HistoryMessage,
    RateLimit,
    TurnStart,
    add_message,
    first_messages,
    list_conversations,
    list_messages,
    start_turn,
)
from ai_todo.errors import ConversationNotFound, RateLimited
from todo_core.db import make_engine
from todo_core.models import Conversation, Message
from todo_core.schema import upgrade_schema
from todo_core.timestamps import utcnow

NO_LIMIT = RateLimit(messages=0, window_seconds=60)


def _turn(
    engine: Engine,
    user: str,
    message: str,
    conversation: int | None = None,
    limit: int = 20,
    *,
    rate_limit: RateLimit = NO_LIMIT,
) -> TurnStart:
    with engine.begin() as connection:
        return start_turn(
            connection=connection,
            user_id=user,
            conversation_id=conversation,
            message=message,
            history_limit=limit,
            rate_limit=rate_limit,
        )


def _reply(engine: Engine, user: str, conversation: int, text: str, *, failed: bool = False) -> None:
    with engine.begin() as connection:
        add_message(
            connection=connection,
            user_id=user,
            conversation_id=conversation,
            role="assistant",
            content=text,
            failed=failed,
        )


def _stored(engine: Engine) -> list[tuple[object, ...]]:
    """(id, conversation_id, user_id, role, content, created_at, failed) of every message."""
    columns = ("id", "conversation_id", "user_id", "role", "content", "created_at", "failed")
    query = select(*(Message.__table__.c[name] for name in columns)).order_by(Message.id)  # type: ignore[attr-defined]
    with engine.connect() as connection:
        return [tuple(row) for row in connection.execute(query)]


def _conversation_row(engine: Engine, conversation: int) -> Conversation:
    with Session(engine) as session:
        found = session.get(Conversation, conversation)
    assert found is not None
    return found


def test_a_first_turn_creates_the_conversation_with_no_history(engine: Engine) -> None:
    turn = _turn(engine, "alice", "hello")

    assert turn.history == []
    [(_, conversation_id, user_id, role, content, created_at, failed)] = _stored(engine)
    assert (conversation_id, user_id, role, content) == (turn.conversation_id, "alice", "user", "hello")
    assert failed is False
    conversation = _conversation_row(engine, turn.conversation_id)
    assert conversation.user_id == "alice"
    assert created_at.tzinfo is not None
    assert conversation.created_at == conversation.updated_at == created_at


def test_a_reply_is_stored_after_the_message_and_marks_the_conversation_active(engine: Engine) -> None:
    conversation = _turn(engine, "alice", "hello").conversation_id
    before = _conversation_row(engine, conversation)

    _reply(engine, "alice", conversation, "hi there")

    after = _conversation_row(engine, conversation)
    stored = _stored(engine)
    assert [(row[3], row[4]) for row in stored] == [("user", "hello"), ("assistant", "hi there")]
    assert after.updated_at == stored[-1][5] > before.updated_at
    assert after.created_at == before.created_at


def test_a_turn_whose_transaction_fails_leaves_nothing_behind(engine: Engine) -> None:
    def failing_turn() -> None:
        with engine.begin() as connection:
            start_turn(
                connection=connection,
                user_id="alice",
                conversation_id=None,
                message="lost",
                history_limit=5,
                rate_limit=RateLimit(messages=30, window_seconds=60),
            )
            raise RuntimeError("the process died before the commit")

    with pytest.raises(RuntimeError):
        failing_turn()

    assert _stored(engine) == []
    with engine.connect() as connection:
        assert list_conversations(connection=connection, user_id="alice", limit=10) == []


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
    with engine.connect() as connection, pytest.raises(ConversationNotFound):
        list_messages(connection=connection, user_id="mallory", conversation_id=conversation, limit=10)
    with engine.connect() as connection:
        messages = list_messages(
            connection=connection, user_id="alice", conversation_id=conversation, limit=10
        )
    assert [m.content for m in messages] == ["private"]
    assert _conversation_row(engine, conversation).updated_at == _stored(engine)[0][5], "left untouched"


def test_conversations_are_listed_by_latest_activity(engine: Engine) -> None:
    first = _turn(engine, "alice", "a").conversation_id
    second = _turn(engine, "alice", "b").conversation_id
    _turn(engine, "bob", "c")
    _reply(engine, "alice", first, "back to the first")

    with engine.connect() as connection:
        listed = list_conversations(connection=connection, user_id="alice", limit=10)
        limited = list_conversations(connection=connection, user_id="alice", limit=1)

    assert [c.id for c in listed] == [first, second]
    assert [c.id for c in limited] == [first]


def test_first_messages_are_the_start_of_each_conversations_opening_line(engine: Engine) -> None:
    long_one = _turn(engine, "alice", "Zoë ☕ " + "x" * 100).conversation_id
    short_one = _turn(engine, "alice", "hello").conversation_id
    _reply(engine, "alice", short_one, "Hi! How can I help?")
    _turn(engine, "alice", "a later message", short_one)
    theirs = _turn(engine, "bob", "bob's secret").conversation_id

    with engine.connect() as connection:
        previews = first_messages(
            connection=connection, user_id="alice", conversation_ids=[long_one, short_one, theirs], length=10
        )
        none = first_messages(connection=connection, user_id="alice", conversation_ids=[], length=10)

    assert previews == {long_one: "Zoë ☕ xxxx", short_one: "hello"}
    assert none == {}


def test_a_failed_reply_is_stored_marked_and_comes_back_so_in_history_and_listing(engine: Engine) -> None:
    conversation = _turn(engine, "alice", "add milk").conversation_id
    _reply(engine, "alice", conversation, "The task service is unavailable.", failed=True)

    turn = _turn(engine, "alice", "try again", conversation)
    with engine.connect() as connection:
        listed = list_messages(connection=connection, user_id="alice", conversation_id=conversation, limit=10)

    assert turn.history == [
        HistoryMessage("user", "add milk"),
        HistoryMessage("assistant", "The task service is unavailable.", failed=True),
    ]
    assert [(m.content, m.failed) for m in listed] == [
        ("add milk", False),
        ("The task service is unavailable.", True),
        ("try again", False),
    ]
    assert [row[6] for row in _stored(engine)] == [False, True, False]


def test_the_rate_limit_refuses_past_the_limit_and_stores_nothing(engine: Engine) -> None:
    limit = RateLimit(messages=2, window_seconds=60)
    conversation = _turn(engine, "alice", "one", rate_limit=limit).conversation_id
    _turn(engine, "alice", "two", conversation, rate_limit=limit)

    with pytest.raises(RateLimited) as refused:
        _turn(engine, "alice", "three", conversation, rate_limit=limit)
    _turn(engine, "bob", "bob's own rate", rate_limit=limit)

    assert 1 <= refused.value.retry_after_seconds <= 60
    assert [row[4] for row in _stored(engine)] == ["one", "two", "bob's own rate"]


def test_a_failed_turn_does_not_count_toward_the_rate(engine: Engine) -> None:
    limit = RateLimit(messages=1, window_seconds=60)
    conversation = _turn(engine, "alice", "during the outage", rate_limit=limit).conversation_id
    _reply(engine, "alice", conversation, "unavailable", failed=True)

    _turn(engine, "alice", "after it", conversation, rate_limit=limit)

    with pytest.raises(RateLimited):
        _turn(engine, "alice", "one too many", conversation, rate_limit=limit)


def test_the_rate_window_is_read_by_its_index_not_by_everything_the_user_sent(postgres_url: str) -> None:
    """Every turn counts the user's recent messages; with (user_id, created_at) indexed that read is
    a range over the window, however long the user's history. (Sequential scans are off so the
    planner shows its index choice on a table this small.)"""
    engine = make_engine(postgres_url)
    upgrade_schema(engine)
    compiled = _RATE_WINDOW.compile(engine)
    params = {"owner": "alice", "since": utcnow() - timedelta(seconds=60)}
    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
            plan = "\n".join(
                row[0]
                for row in connection.exec_driver_sql(
                    f"EXPLAIN {compiled}", compiled.construct_params(params)
                )
            )
    finally:
        engine.dispose()

    assert "ix_message_user_id_created_at" in plan, plan
    assert "Index Cond: (((user_id)::text = 'alice'::text) AND (created_at >" in plan, plan
