"""ai-todo SIGKILLed in the middle of turns: whatever point of a turn the kill lands on, the database
holds nothing half-written that breaks the next request on that conversation, served by the next
process."""

import asyncio
import random
import signal
import time

import httpx
import psycopg

from tests.ai_todo.stack import new_user
from tests.support.processes import ServiceProcess, free_port, running_service, start_service
from tests.system.services import ai_todo_env, mcp_server_env
from tests.system.stored import assert_turns_intact, stored_conversations
from tests.system.traffic import Exchange, converse, send_turn, sent_after, wait_for

CONVERSATIONS = 4
KILLS = 3


async def _start(env: dict[str, str], port: int) -> ServiceProcess:
    service = start_service("ai_todo", env, port=port)
    await asyncio.to_thread(service.wait_ready)
    return service


def _kill(service: ServiceProcess) -> float:
    """The moment of the kill. It blocks the event loop until the process is gone, so clients'
    timestamps around it are late: which turns it cut is read from their outcome, not their times."""
    killed = time.monotonic()
    service.process.kill()
    service.process.wait(10)
    return killed


async def test_kills_at_random_points_of_turns_leave_every_conversation_able_to_go_on(
    postgres_url: str,
) -> None:
    users = [new_user("ai-kill") for _ in range(CONVERSATIONS)]
    exchanges: list[Exchange] = []
    stop = asyncio.Event()
    # Seeded: a failure can be replayed with the same kill moments.
    moments = random.Random(5)
    with running_service("mcp_server", mcp_server_env(postgres_url)) as mcp:
        env, port = ai_todo_env(postgres_url, mcp.base_url), free_port()
        service = await _start(env, port)
        workers = [
            asyncio.create_task(
                converse(service.base_url, user, label=f"{n}", stop=stop, exchanges=exchanges)
            )
            for n, user in enumerate(users)
        ]
        rounds = []
        for _ in range(KILLS):
            started = time.monotonic()
            await wait_for(
                lambda since=started: sum(e.acknowledged for e in sent_after(exchanges, since)) >= 8,
                "serving",
            )
            await asyncio.sleep(moments.uniform(0, 0.3))
            rounds.append((started, _kill(service)))
            service = await _start(env, port)
        last_start = time.monotonic()
        try:
            await wait_for(
                lambda: all(
                    any(e.acknowledged and e.user == user for e in sent_after(exchanges, last_start))
                    for user in users
                ),
                "every conversation answered by the last process",
            )
        finally:
            stop.set()
            await asyncio.gather(*workers)
            service.stop()
        assert_turns_intact(postgres_url, users, exchanges)

    for started, killed in rounds:
        cut = [e for e in exchanges if started < e.started < killed and e.status is None]
        assert cut, "the kill landed while turns were in flight, and their clients saw it"
    # a connection pooled by a client to the dead process may still fail once; any answer is a 200
    after = [e for e in sent_after(exchanges, last_start) if e.status is not None]
    assert all(exchange.acknowledged for exchange in after), [(e.message, e.body) for e in after]
    for user in users:
        conversations = {e.conversation_id for e in exchanges if e.user == user and e.acknowledged}
        assert len(conversations) == 1, "each conversation goes on with the next process"


async def test_a_turn_cut_after_its_message_was_stored_does_not_break_the_next_one(postgres_url: str) -> None:
    user = new_user("ai-kill")
    with running_service("mcp_server", mcp_server_env(postgres_url)) as mcp:
        env, port = ai_todo_env(postgres_url, mcp.base_url), free_port()
        first = await _start(env, port)
        async with httpx.AsyncClient(base_url=first.base_url) as client:
            opened = await send_turn(client, user, "Add a task to buy milk", None)
            # mcp-server frozen: the next turn stores its message, then waits on a tool call
            mcp.process.send_signal(signal.SIGSTOP)
            try:
                cut = asyncio.create_task(send_turn(client, user, "What's pending?", opened.conversation_id))
                await wait_for(
                    lambda: _message_count(postgres_url, opened.conversation_id) == 3, "the message stored"
                )
                _kill(first)
            finally:
                mcp.process.send_signal(signal.SIGCONT)
            interrupted = await cut
        second = await _start(env, port)
        try:
            async with httpx.AsyncClient(base_url=second.base_url) as client:
                after = await send_turn(client, user, "Show me all my tasks", opened.conversation_id)
        finally:
            second.stop()
        [messages] = stored_conversations(postgres_url, [user]).values()

    assert opened.acknowledged
    assert interrupted.status is None
    assert after.acknowledged, after.body
    assert [task["title"] for task in after.body["tool_calls"][0]["result"]] == ["Buy milk"]
    assert [(m.role, m.content) for m in messages] == [
        ("user", "Add a task to buy milk"),
        ("assistant", opened.body["response"]),
        ("user", "What's pending?"),
        ("user", "Show me all my tasks"),
        ("assistant", after.body["response"]),
    ]


def _message_count(database_url: str, conversation_id: int | None) -> int:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        row = connection.execute(
            "SELECT count(*) FROM message WHERE conversation_id = %s", (conversation_id,)
        ).fetchone()
    return row[0] if row else 0
