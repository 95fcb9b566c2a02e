"""The tools as the agent sees them: no `user_id` anywhere the model looks, the verified user's id
(the run context) on every call whatever the model sent, and no call at all without a user."""

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from agents import FunctionTool, ModelBehaviorError, RunContextWrapper

from ai_todo.agent.connection import McpConnection
from ai_todo.agent.user_tools import ToolCallRecord, UserTurn, function_tools
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, add_tasks, new_user, tasks_of


@pytest.fixture
async def connection(stack: Stack) -> AsyncIterator[McpConnection]:
    connection = McpConnection(stack.mcp_url, token=INTERNAL_TOKEN, timeout_seconds=5)
    yield connection
    await connection.close()


@pytest.fixture
async def tools(connection: McpConnection) -> dict[str, FunctionTool]:
    return {tool.name: tool for tool in function_tools(connection, await connection.tools())}


async def call(tool: FunctionTool, turn: object, arguments: object) -> str:
    return await tool.on_invoke_tool(RunContextWrapper(context=turn), json.dumps(arguments))  # type: ignore[arg-type]


async def test_no_schema_the_model_sees_mentions_user_id(
    connection: McpConnection, tools: dict[str, FunctionTool]
) -> None:
    assert sorted(tools) == ["add_task", "complete_task", "delete_task", "list_tasks", "update_task"]
    for tool in tools.values():
        assert "user_id" not in tool.params_json_schema["properties"]
        assert "user_id" not in tool.params_json_schema.get("required", [])
        assert tool.description
    assert tools["add_task"].params_json_schema["required"] == ["title"]
    assert "user_id" in (await connection.tools())[0].input_schema["properties"], (
        "the shared listing is untouched"
    )


async def test_a_crafted_user_id_is_replaced_by_the_verified_one(
    stack: Stack, tools: dict[str, FunctionTool]
) -> None:
    alice, bob = new_user("alice"), new_user("bob")
    await add_tasks(stack, bob, "Bob's secret")
    turn = UserTurn(alice.id, max_calls=25)

    await call(tools["add_task"], turn, {"title": "Planted", "user_id": bob.id})
    listing = await call(tools["list_tasks"], turn, {"user_id": bob.id})

    assert [task["title"] for task in await tasks_of(stack, bob)] == ["Bob's secret"]
    assert [task["title"] for task in await tasks_of(stack, alice)] == ["Planted"]
    assert [task["title"] for task in json.loads(listing)["result"]] == ["Planted"]
    assert [record.arguments for record in turn.calls] == [{"title": "Planted"}, {}]


async def test_calls_are_recorded_with_plain_results_and_clean_errors(
    stack: Stack, tools: dict[str, FunctionTool]
) -> None:
    user = new_user()
    ids = await add_tasks(stack, user, "Read a book")
    turn = UserTurn(user.id, max_calls=25)

    await call(tools["complete_task"], turn, {"task_id": ids["Read a book"]})
    error_text = await call(tools["delete_task"], turn, {"task_id": 2_000_000_000})
    await call(tools["list_tasks"], turn, {"status": "completed"})

    completed, missing, listing = turn.calls
    assert completed == ToolCallRecord(
        "complete_task",
        {"task_id": ids["Read a book"]},
        {"task_id": ids["Read a book"], "status": "completed", "title": "Read a book"},
    )
    assert missing.result == {"error": "task 2000000000 not found"}
    assert "task 2000000000 not found" in error_text, "the model reads the error to explain it"
    assert [task["title"] for task in listing.result] == ["Read a book"]


async def test_a_missing_argument_goes_back_to_the_model_without_a_call(
    stack: Stack, tools: dict[str, FunctionTool]
) -> None:
    user = new_user()
    turn = UserTurn(user.id, max_calls=25)

    text = await call(tools["add_task"], turn, {"description": "no title"})

    assert text == "missing required arguments: title"
    assert turn.calls == [ToolCallRecord("add_task", {"description": "no title"}, {"error": text})]
    assert await tasks_of(stack, user) == []


@pytest.mark.parametrize("context", [None, "alice", {"user_id": "alice"}])
async def test_without_a_users_turn_no_tool_calls_anything(
    stack: Stack, tools: dict[str, FunctionTool], context: Any
) -> None:
    user = new_user()

    with pytest.raises(TypeError, match="within a user's turn"):
        await call(tools["add_task"], context, {"title": "Orphan", "user_id": user.id})

    assert await tasks_of(stack, user) == []


@pytest.mark.parametrize("arguments", ["{not json", "[1, 2]", '"text"', "null"])
async def test_arguments_that_are_not_a_json_object_are_the_models_fault(
    tools: dict[str, FunctionTool], arguments: str
) -> None:
    turn = UserTurn("alice", max_calls=25)

    with pytest.raises(ModelBehaviorError):
        await tools["list_tasks"].on_invoke_tool(RunContextWrapper(context=turn), arguments)  # type: ignore[arg-type]

    assert turn.calls == []


async def test_calls_past_the_cap_are_not_sent_and_the_model_is_told_why(
    stack: Stack, tools: dict[str, FunctionTool]
) -> None:
    user = new_user()
    turn = UserTurn(user.id, max_calls=2)

    texts = [await call(tools["add_task"], turn, {"title": f"Task {n}"}) for n in range(3)]

    assert texts[2].startswith("not done: this message already made 2 tool calls")
    assert [record.name for record in turn.calls] == ["add_task", "add_task"]
    assert [task["title"] for task in await tasks_of(stack, user)] == ["Task 0", "Task 1"]
