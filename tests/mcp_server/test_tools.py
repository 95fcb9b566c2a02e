"""The tools through a real in-memory MCP client session: the contract, and bad input that changes nothing."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from mcp import Client
from sqlalchemy.engine import Engine

from mcp_server.server import STORAGE_UNAVAILABLE, build_server
from tests.mcp_server.factories import error_text, payload, ready_engine
from tests.support.processes import free_port
from todo_core.db import make_engine
from todo_core.models import ID_MAX


@pytest.fixture
def engine(database_url: str) -> Engine:
    return ready_engine(database_url)


@asynccontextmanager
async def connected(engine: Engine) -> AsyncIterator[Client]:
    # a context manager, not an async fixture: the session's cancel scopes must open and close in one task
    async with Client(build_server(engine)) as client:
        yield client


async def test_the_five_tools_are_listed_with_user_id_first_and_described(engine: Engine) -> None:
    async with connected(engine) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert set(tools) == {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
    for tool in tools.values():
        assert tool.description
        properties = tool.input_schema["properties"]
        assert next(iter(properties)) == "user_id"
        assert "user_id" in tool.input_schema["required"]
        assert all(spec.get("description") for spec in properties.values()), tool.name
    assert tools["list_tasks"].input_schema["properties"]["status"]["enum"] == ["all", "pending", "completed"]


async def test_every_tool_declares_what_it_does_to_the_tasks(engine: Engine) -> None:
    async with connected(engine) as client:
        tools = {tool.name: tool.annotations for tool in (await client.list_tools()).tools}
    hints = {
        name: (a.read_only_hint, a.destructive_hint, a.idempotent_hint, a.open_world_hint)
        for name, a in tools.items()
        if a is not None
    }
    assert hints == {
        "add_task": (False, False, False, False),
        "list_tasks": (True, None, None, False),
        "complete_task": (False, False, True, False),
        "delete_task": (False, True, True, False),
        "update_task": (False, True, True, False),
    }


async def test_tool_results_follow_the_contract(engine: Engine) -> None:
    async with connected(engine) as client:
        added = payload(await client.call_tool("add_task", {"user_id": "alice", "title": "Buy groceries"}))
        task_id = added["task_id"]
        [listed] = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
        renamed = {"user_id": "alice", "task_id": task_id, "title": "Call mom tonight"}
        updated = payload(await client.call_tool("update_task", renamed))
        completed = payload(await client.call_tool("complete_task", {"user_id": "alice", "task_id": task_id}))
        pending = payload(await client.call_tool("list_tasks", {"user_id": "alice", "status": "pending"}))
        deleted = payload(await client.call_tool("delete_task", {"user_id": "alice", "task_id": task_id}))

    assert added == {"task_id": task_id, "status": "created", "title": "Buy groceries"}
    assert set(listed) == {"id", "title", "description", "completed", "created_at", "updated_at"}
    assert updated == {"task_id": task_id, "status": "updated", "title": "Call mom tonight"}
    assert completed == {"task_id": task_id, "status": "completed", "title": "Call mom tonight"}
    assert pending == []
    assert deleted == {"task_id": task_id, "status": "deleted", "title": "Call mom tonight"}


async def test_title_and_description_are_trimmed(engine: Engine) -> None:
    async with connected(engine) as client:
        await client.call_tool(
            "add_task", {"user_id": "alice", "title": "  Pay bills \n", "description": " x "}
        )
        [task] = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
    assert (task["title"], task["description"]) == ("Pay bills", "x")


async def test_another_users_task_is_not_found_exactly_like_a_missing_one(engine: Engine) -> None:
    async with connected(engine) as client:
        task_id = payload(await client.call_tool("add_task", {"user_id": "alice", "title": "mine"}))[
            "task_id"
        ]
        foreign = await client.call_tool("complete_task", {"user_id": "bob", "task_id": task_id})
        missing = await client.call_tool("complete_task", {"user_id": "bob", "task_id": task_id + 1000})
        bobs = payload(await client.call_tool("list_tasks", {"user_id": "bob"}))
        [alices] = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
    assert foreign.is_error
    assert missing.is_error
    assert error_text(foreign).replace(str(task_id), "N") == error_text(missing).replace(
        str(task_id + 1000), "N"
    )
    assert bobs == []
    assert alices["completed"] is False


BAD_CALLS = [
    ("add_task", {"user_id": "alice", "title": ""}, "title"),
    ("add_task", {"user_id": "alice", "title": "   "}, "title"),
    ("add_task", {"user_id": "alice", "title": "x" * 10_000}, "title"),
    ("add_task", {"user_id": "alice", "title": "nul\x00byte"}, "control characters"),
    ("add_task", {"user_id": "alice", "title": "ok", "description": "d" * 10_000}, "description"),
    ("add_task", {"user_id": "alice", "title": 42}, "title"),
    ("add_task", {"user_id": "alice", "title": ["a", "b"]}, "title"),
    ("add_task", {"title": "no owner"}, "user_id"),
    ("add_task", {"user_id": "", "title": "empty owner"}, "user_id"),
    ("add_task", {"user_id": "u" * 500, "title": "long owner"}, "user_id"),
    ("add_task", {"user_id": 7, "title": "numeric owner"}, "user_id"),
    ("list_tasks", {"user_id": "alice", "status": "done"}, "status"),
    ("list_tasks", {"user_id": "alice", "status": None}, "status"),
    ("complete_task", {"user_id": "alice", "task_id": -1}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": 0}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": ID_MAX + 1}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": 10**30}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": "1; DROP TABLE task"}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": True}, "task_id"),
    ("complete_task", {"user_id": "alice", "task_id": 1.5}, "task_id"),
    ("complete_task", {"user_id": "alice"}, "task_id"),
    ("delete_task", {"user_id": "alice", "task_id": None}, "task_id"),
    ("update_task", {"user_id": "alice", "task_id": 1}, "nothing to update"),
    ("update_task", {"user_id": "alice", "task_id": 1, "title": ""}, "title"),
    ("update_task", {"user_id": "alice", "task_id": 1, "title": "tab\there"}, "control characters"),
    ("no_such_tool", {"user_id": "alice"}, "no_such_tool"),
]


@pytest.mark.parametrize(("tool", "arguments", "mentions"), BAD_CALLS)
async def test_bad_input_gets_a_clear_tool_error_and_changes_nothing(
    engine: Engine, tool: str, arguments: dict, mentions: str
) -> None:
    async with connected(engine) as client:
        payload(await client.call_tool("add_task", {"user_id": "alice", "title": "keep me"}))
        before = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
        result = await client.call_tool(tool, arguments)
        after = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))

    assert result.is_error
    assert mentions in error_text(result)
    assert "Traceback" not in error_text(result)
    assert after == before


async def test_storage_outage_is_a_clear_tool_error_without_internals() -> None:
    unreachable = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/none")
    async with connected(unreachable) as client:
        result = await client.call_tool("list_tasks", {"user_id": "alice"})
    assert result.is_error
    assert error_text(result).endswith(STORAGE_UNAVAILABLE)
    assert "psycopg" not in error_text(result)
