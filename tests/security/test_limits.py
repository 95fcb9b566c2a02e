"""The limits that keep one user (or one flood) from taking everything: a per-user chat rate, tool
calls per turn, tasks per user, a bounded list_tasks, a capped reply, and a cap on the requests one
process serves at once. Each is configured by an environment variable; here they are set low."""

import asyncio
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
from pydantic import ValidationError

from ai_todo.chat import CUT_MARK
from ai_todo.settings import AiTodoSettings
from mcp_server.settings import McpServerSettings
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, User, add_tasks, chat, make_settings, new_user, serving
from tests.mcp_server.factories import error_text, payload
from tests.mcp_server.http_client import mcp_over_http
from tests.support.processes import ServiceProcess, running_service

MAX_TASKS = 12
LIST_MAX = 5


async def message_count(client: httpx.AsyncClient, user: User) -> int:
    conversations = (await client.get(f"/api/{user.id}/conversations", headers=user.headers)).json()
    total = 0
    for conversation in conversations:
        path = f"/api/{user.id}/conversations/{conversation['id']}/messages"
        total += len((await client.get(path, headers=user.headers)).json())
    return total


# --- the chat rate, per user, across replicas ------------------------------------------------------


async def test_a_user_over_the_rate_gets_429_with_retry_after_on_any_replica(stack: Stack) -> None:
    settings = make_settings(stack, chat_rate_limit=3, chat_rate_window_seconds=60)
    user, neighbour = new_user(), new_user()
    async with serving(settings) as first, serving(settings) as second:
        answered = [(await chat(replica, user, "hi")).status_code for replica in (first, second, first)]
        refused = await chat(second, user, "hi")
        neighbours = await chat(first, neighbour, "hi")
        stored = await message_count(first, user)

    assert answered == [200, 200, 200]
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert "hi" not in refused.text
    assert stored == 6, "the refused message is not stored"
    assert neighbours.status_code == 200


async def test_the_rate_frees_up_as_the_window_slides(stack: Stack) -> None:
    settings = make_settings(stack, chat_rate_limit=1, chat_rate_window_seconds=1)
    user = new_user()
    async with serving(settings) as client:
        first = await chat(client, user, "hi")
        refused = await chat(client, user, "hi")
        await asyncio.sleep(float(refused.headers["retry-after"]) + 0.1)
        later = await chat(client, user, "hi")

    assert [first.status_code, refused.status_code, later.status_code] == [200, 429, 200]


async def test_messages_sent_at_once_cannot_pass_the_rate_together(stack: Stack) -> None:
    settings = make_settings(stack, chat_rate_limit=2, chat_rate_window_seconds=60)
    user = new_user()
    async with serving(settings) as first, serving(settings) as second:
        responses = await asyncio.gather(*(chat((first, second)[i % 2], user, "hi") for i in range(8)))

    assert sorted(response.status_code for response in responses) == [200, 200] + [429] * 6


# --- tool calls per turn ---------------------------------------------------------------------------


async def test_one_message_makes_at_most_the_configured_tool_calls(stack: Stack) -> None:
    user = new_user()
    message = "Add these tasks:\n" + "\n".join(f"- item {i}" for i in range(20))
    async with serving(make_settings(stack, chat_max_tool_calls=5)) as client:
        response = await chat(client, user, message)
        listed = await chat(client, user, "Show me all my tasks")

    assert response.status_code == 200
    body = response.json()
    assert [call["name"] for call in body["tool_calls"]] == ["add_task"] * 5
    assert "another message" in body["response"]
    assert body["response"].count("not done") == 1
    assert len(listed.json()["tool_calls"][0]["result"]) == 5


# --- tasks per user and the bounded list ------------------------------------------------------------


@pytest.fixture(scope="module")
def limited_mcp(stack: Stack) -> Iterator[ServiceProcess]:
    env = {
        "DATABASE_URL": stack.database_url,
        "MCP_AUTH_TOKEN": INTERNAL_TOKEN,
        "MAX_TASKS_PER_USER": str(MAX_TASKS),
        "LIST_TASKS_MAX": str(LIST_MAX),
    }
    with running_service("mcp_server", env) as service:
        yield service


async def call(service: ServiceProcess, tool: str, arguments: dict[str, Any]) -> Any:
    async with mcp_over_http(service.base_url, INTERNAL_TOKEN) as client:
        return await client.call_tool(tool, arguments)


async def fill(service: ServiceProcess, user: User, count: int) -> list[int]:
    async with mcp_over_http(service.base_url, INTERNAL_TOKEN) as client:
        results = [
            await client.call_tool("add_task", {"user_id": user.id, "title": f"task {i}"})
            for i in range(count)
        ]
    return [payload(result)["task_id"] for result in results]


async def test_a_user_cannot_keep_more_than_the_configured_tasks(limited_mcp: ServiceProcess) -> None:
    user, neighbour = new_user(), new_user()
    ids = await fill(limited_mcp, user, MAX_TASKS)

    refused = await call(limited_mcp, "add_task", {"user_id": user.id, "title": "one too many"})
    neighbours = await call(limited_mcp, "add_task", {"user_id": neighbour.id, "title": "mine"})
    await call(limited_mcp, "delete_task", {"user_id": user.id, "task_id": ids[0]})
    room_again = await call(limited_mcp, "add_task", {"user_id": user.id, "title": "fits again"})

    assert refused.is_error
    assert f"at most {MAX_TASKS} tasks" in error_text(refused)
    assert "delete some" in error_text(refused)
    assert not neighbours.is_error
    assert not room_again.is_error


async def test_adds_racing_on_two_replicas_stop_exactly_at_the_limit(
    stack: Stack, limited_mcp: ServiceProcess
) -> None:
    user = new_user()
    env = {
        "DATABASE_URL": stack.database_url,
        "MCP_AUTH_TOKEN": INTERNAL_TOKEN,
        "MAX_TASKS_PER_USER": str(MAX_TASKS),
    }
    with running_service("mcp_server", env) as other_replica:
        async with (
            mcp_over_http(limited_mcp.base_url, INTERNAL_TOKEN) as a,
            mcp_over_http(other_replica.base_url, INTERNAL_TOKEN) as b,
        ):
            results = await asyncio.gather(
                *(
                    (a, b)[i % 2].call_tool("add_task", {"user_id": user.id, "title": f"t{i}"})
                    for i in range(30)
                )
            )

    assert sum(not result.is_error for result in results) == MAX_TASKS


async def test_list_tasks_returns_pages_and_after_id_gets_the_rest(limited_mcp: ServiceProcess) -> None:
    user = new_user()
    ids = await fill(limited_mcp, user, 12)

    pages: list[list[int]] = []
    after = 0
    while True:
        page = payload(await call(limited_mcp, "list_tasks", {"user_id": user.id, "after_id": after}))
        pages.append([task["id"] for task in page])
        if len(page) < LIST_MAX:
            break
        after = page[-1]["id"]
    smaller = payload(await call(limited_mcp, "list_tasks", {"user_id": user.id, "limit": 2}))

    assert pages == [ids[0:5], ids[5:10], ids[10:12]]
    assert [task["id"] for task in smaller] == ids[:2]


@pytest.mark.parametrize("limit", [0, LIST_MAX + 1, 10**9, -1, "5", 2.5, True])
async def test_list_tasks_refuses_a_limit_out_of_bounds(limited_mcp: ServiceProcess, limit: object) -> None:
    result = await call(limited_mcp, "list_tasks", {"user_id": "anyone", "limit": limit})

    assert result.is_error


@pytest.mark.parametrize("after_id", [-1, 2**31, "1", None, 1.5])
async def test_list_tasks_refuses_a_bad_after_id(limited_mcp: ServiceProcess, after_id: object) -> None:
    result = await call(limited_mcp, "list_tasks", {"user_id": "anyone", "after_id": after_id})

    assert result.is_error


async def test_the_offline_model_finds_a_task_on_a_later_page(
    stack: Stack, limited_mcp: ServiceProcess
) -> None:
    user = new_user()
    ids = await fill(limited_mcp, user, 11)
    settings = make_settings(stack, mcp_server_url=f"{limited_mcp.base_url}/mcp")
    async with serving(settings) as client:
        response = await chat(client, user, "Delete the task called 'task 10'")

    calls = response.json()["tool_calls"]
    assert [call["name"] for call in calls] == ["list_tasks"] * 3 + ["delete_task"]
    assert calls[-1]["arguments"] == {"task_id": ids[10]}


# --- the reply cap ----------------------------------------------------------------------------------


async def test_the_reply_is_capped_like_a_message_and_says_so(stack: Stack) -> None:
    user = new_user()
    await add_tasks(stack, user, *(f"a fairly long task title number {i}" for i in range(30)))
    async with serving(make_settings(stack, chat_reply_max_chars=200)) as client:
        response = await chat(client, user, "Show me all my tasks")
        history = (
            await client.get(
                f"/api/{user.id}/conversations/{response.json()['conversation_id']}/messages",
                headers=user.headers,
            )
        ).json()

    reply = response.json()["response"]
    assert len(reply) == 200
    assert reply.endswith(CUT_MARK)
    assert history[-1]["content"] == reply


# --- requests one process serves at once -------------------------------------------------------------


@pytest.fixture
async def silent_tool_server() -> AsyncIterator[str]:
    """A TCP server that accepts and never answers: a chat turn waits on it until its timeout."""

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()
        writer.close()

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        yield f"http://127.0.0.1:{port}/mcp"


async def test_past_the_concurrency_cap_requests_get_503_and_probes_still_answer(
    stack: Stack, silent_tool_server: str
) -> None:
    settings = make_settings(
        stack, max_concurrent_requests=1, mcp_server_url=silent_tool_server, mcp_timeout_seconds=2
    )
    user = new_user()
    async with serving(settings) as client:
        held = asyncio.create_task(chat(client, user, "Show me all my tasks"))
        await asyncio.sleep(0.5)
        busy = await chat(client, new_user(), "hi")
        probes = [(await client.get(path)).status_code for path in ("/healthz", "/readyz")]
        await held

    assert busy.status_code == 503
    assert busy.headers["retry-after"] == "1"
    assert probes == [200, 200]


# --- the settings themselves ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("chat_rate_limit", -1),
        ("chat_rate_window_seconds", 0),
        ("chat_max_tool_calls", 0),
        ("chat_reply_max_chars", 10),
        ("max_concurrent_requests", 0),
        ("chat_rate_limit", "lots"),
    ],
)
def test_ai_todo_refuses_a_limit_out_of_range(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        AiTodoSettings(auth_jwt_secret="s" * 32, **{field: value})


@pytest.mark.parametrize(
    ("field", "value"), [("max_tasks_per_user", 0), ("list_tasks_max", 0), ("list_tasks_max", 10**9)]
)
def test_mcp_server_refuses_a_limit_out_of_range(field: str, value: object) -> None:
    with pytest.raises(ValidationError, match=field):
        McpServerSettings(mcp_auth_token="t" * 32, **{field: value})
