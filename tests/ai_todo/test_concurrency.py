"""Many conversations at once: no error, no message lost or duplicated, no task crossing users."""

import asyncio

import httpx
import pytest

from tests.ai_todo.stack import Stack, User, chat, new_user, tasks_of


async def _conversation(client: httpx.AsyncClient, user: User, number: int) -> int:
    first = await chat(client, user, f"Add a task to buy item {number}")
    assert first.status_code == 200, first.text
    conversation = first.json()["conversation_id"]
    for message in (f"Add a task to call person {number}", "Show me all my tasks"):
        response = await chat(client, user, message, conversation)
        assert response.status_code == 200, response.text
    return conversation


@pytest.mark.parametrize("conversations", [10, 50])
async def test_concurrent_conversations_lose_and_duplicate_nothing(
    client: httpx.AsyncClient, stack: Stack, conversations: int
) -> None:
    users = [new_user() for _ in range(conversations)]

    ids = await asyncio.gather(*(_conversation(client, user, n) for n, user in enumerate(users)))

    assert len(set(ids)) == conversations
    for number, (user, conversation) in enumerate(zip(users, ids, strict=True)):
        messages = (
            await client.get(f"/api/{user.id}/conversations/{conversation}/messages", headers=user.headers)
        ).json()
        assert [(m["role"], m["content"]) for m in messages if m["role"] == "user"] == [
            ("user", f"Add a task to buy item {number}"),
            ("user", f"Add a task to call person {number}"),
            ("user", "Show me all my tasks"),
        ]
        assert [m["role"] for m in messages] == ["user", "assistant"] * 3
        assert [task["title"] for task in await tasks_of(stack, user)] == [
            f"Buy item {number}",
            f"Call person {number}",
        ]
