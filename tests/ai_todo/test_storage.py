"""The one way ai-todo reaches its database: reads and writes off the event loop, a write committed
or not at all, and one answer (StorageUnavailable) to a database or a pool that cannot serve."""

import logging
import threading

import pytest
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

from ai_todo.conversations import RateLimit, TurnStart, list_conversations, list_messages, start_turn
from ai_todo.errors import ConversationNotFound, StorageUnavailable
from ai_todo.storage import Storage
from tests.support.processes import free_port
from todo_core.db import make_engine

NO_LIMIT = RateLimit(messages=0, window_seconds=60)


def _first_message(connection: Connection, user: str = "alice") -> TurnStart:
    return start_turn(
        connection=connection,
        user_id=user,
        conversation_id=None,
        message="hello",
        history_limit=5,
        rate_limit=NO_LIMIT,
    )


def _conversation_ids(connection: Connection) -> list[int]:
    return [row.id for row in list_conversations(connection=connection, user_id="alice", limit=10)]


async def test_a_write_is_committed_when_it_returns(engine: Engine) -> None:
    storage = Storage(engine)

    started = await storage.write(_first_message)

    assert await storage.read(_conversation_ids) == [started.conversation_id]


async def test_a_write_that_raises_leaves_nothing_behind_and_its_error_passes_through(engine: Engine) -> None:
    storage = Storage(engine)

    def failing(connection: Connection) -> None:
        _first_message(connection)
        raise RuntimeError("a bug after the first statement")

    with pytest.raises(RuntimeError, match="a bug after the first statement"):
        await storage.write(failing)

    assert await storage.read(_conversation_ids) == []


async def test_a_read_keeps_nothing_it_changed(engine: Engine) -> None:
    storage = Storage(engine)

    await storage.read(_first_message)

    assert await storage.read(_conversation_ids) == []


async def test_a_refusal_of_the_operation_keeps_its_own_error(engine: Engine) -> None:
    storage = Storage(engine)

    with pytest.raises(ConversationNotFound):
        await storage.read(
            lambda connection: list_messages(
                connection=connection, user_id="alice", conversation_id=7, limit=5
            )
        )


async def test_reads_and_writes_run_off_the_event_loop_thread(engine: Engine) -> None:
    storage = Storage(engine)
    loop_thread = threading.get_ident()

    read_in = await storage.read(lambda _: threading.get_ident())
    wrote_in = await storage.write(lambda _: threading.get_ident())

    assert loop_thread not in (read_in, wrote_in)


async def test_a_database_that_does_not_answer_is_storage_unavailable(
    caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/todo")
    storage = Storage(engine)
    try:
        with caplog.at_level(logging.WARNING, logger="ai_todo.storage"):
            with pytest.raises(StorageUnavailable) as read_failed:
                await storage.read(_conversation_ids)
            with pytest.raises(StorageUnavailable) as write_failed:
                await storage.write(_first_message)
    finally:
        engine.dispose()

    assert str(read_failed.value) == str(write_failed.value) == "OperationalError"
    assert read_failed.value.status_code == 503
    logged = [record.getMessage() for record in caplog.records if record.name == "ai_todo.storage"]
    assert logged == ["storage_error error=OperationalError"] * 2


async def test_a_pool_with_no_connection_to_give_is_storage_unavailable(postgres_url: str) -> None:
    engine = create_engine(postgres_url, pool_size=1, max_overflow=0, pool_timeout=0.1)
    storage = Storage(engine)
    try:
        with engine.connect(), pytest.raises(StorageUnavailable, match="TimeoutError"):
            await storage.read(lambda connection: connection.exec_driver_sql("SELECT 1").scalar())
        answered = await storage.read(lambda connection: connection.exec_driver_sql("SELECT 1").scalar())
    finally:
        engine.dispose()

    assert answered == 1
