"""The shared MCP connection: opened once, reused by every call, thrown away on failure, and only
calls whose listed annotations say a repeat cannot change anything are repeated on a fresh one.
How often it connected and what it repeated are read from its log, as an operator would."""

import asyncio
import logging
import signal
from collections.abc import AsyncIterator

import pytest
from mcp.types import Tool as MCPTool
from mcp.types import ToolAnnotations

from ai_todo.agent.connection import McpConnection, may_repeat
from ai_todo.errors import ToolsUnavailable
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, logged, new_user
from tests.support.processes import running_service


@pytest.fixture(autouse=True)
def connection_log(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO, logger="ai_todo.agent.connection")
    return caplog


@pytest.fixture
async def connection(stack: Stack) -> AsyncIterator[McpConnection]:
    connection = McpConnection(stack.mcp_url, token=INTERNAL_TOKEN, timeout_seconds=5)
    yield connection
    await connection.close()


async def test_one_connection_serves_many_concurrent_calls(
    connection: McpConnection, caplog: pytest.LogCaptureFixture
) -> None:
    user = new_user()

    results = await asyncio.gather(
        *(connection.call("add_task", {"user_id": user.id, "title": f"task {n}"}) for n in range(20))
    )

    assert len({result.structured_content["task_id"] for result in results}) == 20  # type: ignore[index]
    assert len(logged(caplog, "mcp_connected")) == 1


async def test_tools_are_listed_once_per_connection(
    connection: McpConnection, caplog: pytest.LogCaptureFixture
) -> None:
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
    assert len(logged(caplog, "mcp_connected")) == 1


async def test_the_internal_token_is_presented(stack: Stack) -> None:
    wrong = McpConnection(stack.mcp_url, token="not-the-token", timeout_seconds=5)
    try:
        with pytest.raises(ToolsUnavailable):
            await wrong.tools()
    finally:
        await wrong.close()


@pytest.mark.parametrize(
    ("tool", "arguments", "repeated"),
    [
        ("add_task", {"title": "x"}, False),
        ("delete_task", {"task_id": 1}, False),
        ("update_task", {"task_id": 1, "title": "y"}, False),
        ("complete_task", {"task_id": 1}, True),
        ("list_tasks", {"status": "all"}, True),
    ],
)
async def test_only_calls_the_listing_marks_safe_are_tried_again_on_a_fresh_connection(
    stack: Stack, caplog: pytest.LogCaptureFixture, tool: str, arguments: dict[str, object], repeated: bool
) -> None:
    """mcp-server goes away while the connection is idle: the call fails on the dead connection, and
    only a read or a harmless mark is worth a second connection attempt."""
    env = {"DATABASE_URL": stack.database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
    with running_service("mcp_server", env) as mcp:
        connection = McpConnection(f"{mcp.base_url}/mcp", token=INTERNAL_TOKEN, timeout_seconds=5)
        await connection.tools()
    try:
        with pytest.raises(ToolsUnavailable):
            await connection.call(tool, {"user_id": new_user().id, **arguments})
    finally:
        await connection.close()

    assert logged(caplog, "mcp_call_repeated") == ([f"mcp_call_repeated tool={tool}"] if repeated else [])
    assert len(logged(caplog, "mcp_connect_failed")) == int(repeated)


def listed(annotations: ToolAnnotations | None) -> MCPTool:
    return MCPTool(name="t", input_schema={"type": "object"}, annotations=annotations)


@pytest.mark.parametrize(
    ("annotations", "repeatable"),
    [
        (None, False),
        (ToolAnnotations(), False),
        (ToolAnnotations(read_only_hint=True), True),
        # read-only wins: a tool that changes nothing destroys nothing, whatever else it says
        (ToolAnnotations(read_only_hint=True, destructive_hint=True), True),
        (ToolAnnotations(idempotent_hint=True, destructive_hint=False), True),
        # destructive is what the specification assumes when it is left out
        (ToolAnnotations(idempotent_hint=True), False),
        (ToolAnnotations(idempotent_hint=True, destructive_hint=True), False),
        (ToolAnnotations(idempotent_hint=False, destructive_hint=False), False),
        (ToolAnnotations(read_only_hint=False, idempotent_hint=None, destructive_hint=False), False),
    ],
)
def test_a_repeat_is_allowed_only_by_what_the_tool_declares(
    annotations: ToolAnnotations | None, repeatable: bool
) -> None:
    assert may_repeat(listed(annotations)) is repeatable


async def test_a_call_that_times_out_fails_alone_and_the_session_stays(
    stack: Stack, caplog: pytest.LogCaptureFixture
) -> None:
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
    assert len(logged(caplog, "mcp_connected")) == 1
