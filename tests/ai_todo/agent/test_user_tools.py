"""The tools as one user's agent sees them: no `user_id` anywhere the model looks, and the verified
user's id on every call whatever the model sent."""

from collections.abc import AsyncIterator

import pytest

from ai_todo.agent.connection import McpConnection
from ai_todo.agent.user_tools import ToolCallRecord, UserTools
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, add_tasks, new_user, tasks_of


@pytest.fixture
async def connection(stack: Stack) -> AsyncIterator[McpConnection]:
    connection = McpConnection(stack.mcp_url, token=INTERNAL_TOKEN, timeout_seconds=5)
    yield connection
    await connection.close()


async def test_no_schema_the_model_sees_mentions_user_id(connection: McpConnection) -> None:
    tools = await UserTools(connection, "alice", max_calls=25).list_tools()

    assert len(tools) == 5
    for tool in tools:
        assert "user_id" not in tool.input_schema["properties"]
        assert "user_id" not in tool.input_schema.get("required", [])
    assert "user_id" in (await connection.tools())[0].input_schema["properties"], (
        "the shared list is untouched"
    )


async def test_a_crafted_user_id_is_replaced_by_the_verified_one(
    stack: Stack, connection: McpConnection
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    await add_tasks(stack, bob, "Bob's secret")
    tools = UserTools(connection, alice.id, max_calls=25)

    await tools.call_tool("add_task", {"title": "Planted", "user_id": bob.id})
    listing = await tools.call_tool("list_tasks", {"user_id": bob.id})

    assert [task["title"] for task in await tasks_of(stack, bob)] == ["Bob's secret"]
    assert [task["title"] for task in await tasks_of(stack, alice)] == ["Planted"]
    assert [task["title"] for task in listing.structured_content["result"]] == ["Planted"]  # type: ignore[index]
    assert [call.arguments for call in tools.calls] == [{"title": "Planted"}, {}]


async def test_calls_are_recorded_with_plain_results_and_clean_errors(
    stack: Stack, connection: McpConnection
) -> None:
    user = new_user()
    ids = await add_tasks(stack, user, "Read a book")
    tools = UserTools(connection, user.id, max_calls=25)

    await tools.call_tool("complete_task", {"task_id": ids["Read a book"]})
    await tools.call_tool("delete_task", {"task_id": 2_000_000_000})
    await tools.call_tool("list_tasks", {"status": "completed"})

    completed, missing, listing = tools.calls
    assert completed == ToolCallRecord(
        "complete_task",
        {"task_id": ids["Read a book"]},
        {"task_id": ids["Read a book"], "status": "completed", "title": "Read a book"},
    )
    assert missing.result == {"error": "task 2000000000 not found"}
    assert [task["title"] for task in listing.result] == ["Read a book"]


async def test_the_stripped_schemas_are_made_once_per_listing_and_follow_a_reconnect(
    connection: McpConnection,
) -> None:
    tools = UserTools(connection, "alice", max_calls=25)
    first, again = await tools.list_tools(), await tools.list_tools()
    await connection.close()  # the next use opens a new connection, with a new listing
    after_reconnect = await tools.list_tools()

    assert all(a is b for a, b in zip(first, again, strict=True))
    assert not any(a is b for a, b in zip(first, after_reconnect, strict=True))
    assert [tool.input_schema for tool in after_reconnect] == [tool.input_schema for tool in first]
    assert all("user_id" not in tool.input_schema["properties"] for tool in after_reconnect)
