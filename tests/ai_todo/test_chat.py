"""The chat service of a process: turns and the task panel's reads share one MCP connection."""

import logging
from collections.abc import AsyncIterator

import pytest

from ai_todo.chat import ChatService
from ai_todo.settings import AiTodoSettings
from ai_todo.storage import Storage
from tests.ai_todo.stack import User, logged
from todo_core.db import make_engine
from todo_core.schema import upgrade_schema


@pytest.fixture
async def service(settings: AiTodoSettings) -> AsyncIterator[ChatService]:
    engine = make_engine(settings.database_url)
    upgrade_schema(engine)
    service = ChatService(settings, Storage(engine))
    try:
        yield service
    finally:
        await service.close()
        engine.dispose()


async def test_task_reads_and_turns_share_one_connection(
    service: ChatService, user: User, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="ai_todo.agent.connection")
    await service.turn(user_id=user.id, message="Add a task to buy milk", conversation_id=None)
    pending = await service.list_tasks(user_id=user.id, status="pending")
    completed = await service.list_tasks(user_id=user.id, status="completed")

    assert [task.title for task in pending] == ["Buy milk"]
    assert completed == []
    assert len(logged(caplog, "mcp_connected")) == 1
