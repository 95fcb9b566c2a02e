"""A failed turn leaves no dangling message: after a 503 or a timeout the history holds the user's
message and a reply marked failed, the words the user got. When the tool server timed out, the reply
says the change may have happened: a task was once created behind a 503. A later turn's model sees
the failed reply marked as such, and failed turns do not use up the user's chat rate."""

import signal
from typing import Any

import httpx
from sqlalchemy import text

from ai_todo.agent.assistant import FAILED_TURN_MARK
from ai_todo.errors import MAY_HAVE_HAPPENED, ToolsUnavailable
from tests.ai_todo.chat_completions_stub import serving_chat_completions
from tests.ai_todo.chat_completions_stub import text as model_text
from tests.ai_todo.stack import Stack, User, chat, make_settings, new_user, serving
from tests.support.processes import ServiceProcess, free_port
from todo_core.db import make_engine


async def history(client: httpx.AsyncClient, user: User, conversation_id: int) -> list[dict[str, Any]]:
    path = f"/api/{user.id}/conversations/{conversation_id}/messages"
    return (await client.get(path, headers=user.headers)).json()


async def only_conversation(client: httpx.AsyncClient, user: User) -> int:
    [conversation] = (await client.get(f"/api/{user.id}/conversations", headers=user.headers)).json()
    return conversation["id"]


def stored_flags(stack: Stack, user: User) -> list[tuple[str, bool]]:
    engine = make_engine(stack.database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT role, failed FROM message WHERE user_id = :user ORDER BY id"), {"user": user.id}
            ).all()
    finally:
        engine.dispose()
    return [(role, failed) for role, failed in rows]


async def test_a_503_leaves_the_message_answered_by_a_failed_reply(stack: Stack) -> None:
    user = new_user()
    settings = make_settings(stack, mcp_server_url=f"http://127.0.0.1:{free_port()}/mcp")
    async with serving(settings) as client:
        response = await chat(client, user, "Add a task to buy milk")
        messages = await history(client, user, await only_conversation(client, user))

    assert response.status_code == 503
    assert [(m["role"], m["content"], m["failed"]) for m in messages] == [
        ("user", "Add a task to buy milk", False),
        ("assistant", ToolsUnavailable.public_message, True),
    ]
    assert stored_flags(stack, user) == [("user", False), ("assistant", True)]


async def test_a_tool_server_that_times_out_gets_a_reply_saying_the_change_may_have_happened(
    stack: Stack, own_mcp_server: ServiceProcess
) -> None:
    user = new_user()
    settings = make_settings(stack, mcp_server_url=f"{own_mcp_server.base_url}/mcp", mcp_timeout_seconds=1)
    async with serving(settings) as client:
        await chat(client, user, "Show me all my tasks")  # connected before the server hangs
        own_mcp_server.process.send_signal(signal.SIGSTOP)
        try:
            hung = await chat(client, user, "Add a task to buy milk", await only_conversation(client, user))
        finally:
            own_mcp_server.process.send_signal(signal.SIGCONT)
        messages = await history(client, user, await only_conversation(client, user))

    assert hung.status_code == 503
    assert MAY_HAVE_HAPPENED in hung.json()["detail"]
    assert messages[-1]["failed"] is True
    assert messages[-1]["content"] == hung.json()["detail"]
    assert [m["role"] for m in messages] == ["user", "assistant", "user", "assistant"]


async def test_the_next_turns_model_sees_the_failed_reply_marked(stack: Stack) -> None:
    user = new_user()
    with serving_chat_completions(lambda _: model_text("All good now.")) as llm:
        llm.status = 500
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            failed = await chat(client, user, "Add a task to buy milk")
            llm.status = 200
            llm.requests.clear()
            later = await chat(
                client, user, "try again", failed_conversation := await only_conversation(client, user)
            )

    assert failed.status_code == 503
    assert later.status_code == 200
    assert later.json()["conversation_id"] == failed_conversation
    seen = [(m["role"], m["content"]) for m in llm.requests[0]["messages"] if m["role"] != "system"]
    assert seen == [
        ("user", "Add a task to buy milk"),
        ("assistant", FAILED_TURN_MARK + failed.json()["detail"]),
        ("user", "try again"),
    ]


async def test_retrying_through_an_outage_does_not_use_up_the_rate(stack: Stack) -> None:
    user = new_user()
    down = make_settings(
        stack,
        mcp_server_url=f"http://127.0.0.1:{free_port()}/mcp",
        chat_rate_limit=2,
        chat_rate_window_seconds=60,
    )
    async with serving(down) as client:
        retries = [(await chat(client, user, "Show me all my tasks")).status_code for _ in range(4)]
    async with serving(make_settings(stack, chat_rate_limit=2, chat_rate_window_seconds=60)) as client:
        after = [(await chat(client, user, "Show me all my tasks")).status_code for _ in range(3)]

    assert retries == [503] * 4
    assert after == [200, 200, 429]
