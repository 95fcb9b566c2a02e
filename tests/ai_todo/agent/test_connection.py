"""The shared MCP connection: opened once, reused by every call, thrown away on failure, and only
calls that cannot change anything twice are repeated on a fresh one."""

import asyncio
import signal
from collections.abc import AsyncIterator

import pytest

from ai_todo.agent.connection import McpConnection
from ai_todo.errors import ToolsUnavailable
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, new_user
from tests.support.processes import running_service


@pytest.fixture
async def connection(stack: Stack) -> AsyncIterator[McpConnection]:
    connection = McpConnection(stack.mcp_url, token=INTERNAL_TOKEN, timeout_seconds=5)
    yield connection
    await connection.close()


async def test_one_connection_serves_many_concurrent_calls(connection: McpConnection) -> None:
    user = new_user()

    results = await asyncio.gather(
        *(connection.call("add_task", {"user_id": user.id, "title": f"task {n}"}) for n in range(20))
    )

    assert len({result.structured_content["task_id"] for result in results}) == 20  # type: ignore[index]
    assert connection.connect_count == 1


async def test_tools_are_listed_once_per_connection(connection: McpConnection) -> None:
    first = await connection.tools()
    second = await connection.tools()

    assert [tool.name for tool in first] == [tool.name for tool in second]
    assert {tool.name for tool in first} == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    }
    assert connection.connect_count == 1


async def test_the_internal_token_is_presented(stack: Stack) -> None:
    wrong = McpConnection(stack.mcp_url, token="not-the-token", timeout_seconds=5)
    try:
        with pytest.raises(ToolsUnavailable):
            await wrong.tools()
    finally:
        await wrong.close()


@pytest.mark.parametrize(
    ("tool", "arguments", "connects"),
    [
        ("add_task", {"title": "x"}, 1),
        ("delete_task", {"task_id": 1}, 1),
        ("list_tasks", {"status": "all"}, 2),
    ],
)
async def test_only_calls_safe_to_repeat_are_tried_again_on_a_fresh_connection(
    stack: Stack, tool: str, arguments: dict[str, object], connects: int
) -> None:
    """mcp-server goes away while the connection is idle: the call fails on the dead connection, and
    only a listing is worth a second connection attempt."""
    env = {"DATABASE_URL": stack.database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
    with running_service("mcp_server", env) as mcp:
        connection = McpConnection(f"{mcp.base_url}/mcp", token=INTERNAL_TOKEN, timeout_seconds=5)
        await connection.tools()
    try:
        with pytest.raises(ToolsUnavailable):
            await connection.call(tool, {"user_id": new_user().id, **arguments})
    finally:
        await connection.close()

    assert connection.connect_count == connects


async def test_a_call_that_times_out_fails_alone_and_the_session_stays(stack: Stack) -> None:
    """mcp-server keeps nothing per session, so a hung call is no reason to drop the session the
    other calls are using."""
    user = new_user()
    env = {"DATABASE_URL": stack.database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
    with running_service("mcp_server", env) as mcp:
        connection = McpConnection(f"{mcp.base_url}/mcp", token=INTERNAL_TOKEN, timeout_seconds=1)
        try:
            await connection.tools()
            mcp.process.send_signal(signal.SIGSTOP)
            try:
                with pytest.raises(ToolsUnavailable) as hung:
                    await connection.call("list_tasks", {"user_id": user.id})
            finally:
                mcp.process.send_signal(signal.SIGCONT)
            after = await connection.call("list_tasks", {"user_id": user.id})
        finally:
            await connection.close()

    assert hung.value.timed_out
    assert not after.is_error
    assert connection.connect_count == 1
