"""Text that displays differently from what it is: a title `U+202E gnp.exe U+202C` reads "exe.png"
on the page. Titles, descriptions and messages refuse C1 controls and bidirectional overrides and
isolates; single-line fields also refuse the Unicode line and paragraph separators. The refusals
come from the one shared check (todo_core.text), reached here through raw MCP and through chat."""

import httpx
import pytest
from mcp_types import CallToolResult

from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, User, chat, tasks_of
from tests.mcp_server.factories import error_text
from tests.mcp_server.http_client import mcp_over_http

BIDI = [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
C1 = ["\x80", "\x85", "\x9b", "\x9f"]
SEPARATORS = ["\u2028", "\u2029"]


async def call(stack: Stack, tool: str, arguments: dict[str, object]) -> CallToolResult:
    async with mcp_over_http(stack.mcp.base_url, INTERNAL_TOKEN) as client:
        return await client.call_tool(tool, arguments)


@pytest.mark.parametrize("bad", [*BIDI, *C1, *SEPARATORS], ids=lambda ch: f"U+{ord(ch):04X}")
async def test_a_title_holding_it_is_refused_by_add_task(stack: Stack, user: User, bad: str) -> None:
    result = await call(stack, "add_task", {"user_id": user.id, "title": f"{bad}gnp{bad}.exe"})

    assert result.is_error
    assert "title" in error_text(result)
    assert await tasks_of(stack, user) == []


@pytest.mark.parametrize("bad", [*BIDI, *C1, *SEPARATORS], ids=lambda ch: f"U+{ord(ch):04X}")
async def test_a_new_title_holding_it_is_refused_by_update_task(stack: Stack, user: User, bad: str) -> None:
    added = await call(stack, "add_task", {"user_id": user.id, "title": "Report"})
    task_id = added.structured_content["task_id"]

    result = await call(stack, "update_task", {"user_id": user.id, "task_id": task_id, "title": f"x{bad}y"})

    assert result.is_error
    assert [task["title"] for task in await tasks_of(stack, user)] == ["Report"]


@pytest.mark.parametrize("bad", [*BIDI, *C1], ids=lambda ch: f"U+{ord(ch):04X}")
async def test_a_description_holding_it_is_refused(stack: Stack, user: User, bad: str) -> None:
    result = await call(stack, "add_task", {"user_id": user.id, "title": "Report", "description": f"a{bad}b"})

    assert result.is_error
    assert await tasks_of(stack, user) == []


@pytest.mark.parametrize("separator", SEPARATORS, ids=["LS", "PS"])
async def test_a_description_may_hold_line_separators_like_newlines(
    stack: Stack, user: User, separator: str
) -> None:
    result = await call(
        stack, "add_task", {"user_id": user.id, "title": "Report", "description": f"one{separator}two"}
    )

    assert not result.is_error, error_text(result)


@pytest.mark.parametrize("bad", [*BIDI, *C1], ids=lambda ch: f"U+{ord(ch):04X}")
async def test_a_chat_message_holding_it_is_422_and_stores_nothing(
    client: httpx.AsyncClient, stack: Stack, user: User, bad: str
) -> None:
    response = await chat(client, user, f"Add a task to {bad}gnp.exe{bad}")

    assert response.status_code == 422
    assert await tasks_of(stack, user) == []
    conversations = await client.get(f"/api/{user.id}/conversations", headers=user.headers)
    assert conversations.json() == []


async def test_a_user_id_holding_a_bidi_override_is_refused_by_the_tools(stack: Stack) -> None:
    result = await call(stack, "add_task", {"user_id": "\u202eecila", "title": "planted"})

    assert result.is_error


async def test_right_to_left_text_without_overrides_is_kept(stack: Stack, user: User) -> None:
    title = "לקנות חלב — شراء الحليب"
    result = await call(stack, "add_task", {"user_id": user.id, "title": title})

    assert not result.is_error, error_text(result)
    assert [task["title"] for task in await tasks_of(stack, user)] == [title]
