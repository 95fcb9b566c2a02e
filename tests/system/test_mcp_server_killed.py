"""mcp-server SIGKILLed while turns wait on it, then started again: the turns it took down answer a
clear 503, ai-todo reconnects by itself (no restart, no one telling it), and nothing acknowledged is
lost or done twice."""

import asyncio
import signal
import time

from ai_todo.errors import ToolsUnavailable
from tests.ai_todo.stack import new_user
from tests.support.processes import free_port, running_service, start_service
from tests.system.services import ai_todo_env, mcp_server_env
from tests.system.stored import assert_turns_intact
from tests.system.traffic import Exchange, converse, in_flight_at, sent_after, wait_for

CONVERSATIONS = 4
# A turn takes tens of milliseconds; after this long frozen, every conversation's turn is waiting on
# a tool call.
FROZEN_SECONDS = 0.5
# ai-todo's tool call timeout (MCP_TIMEOUT_SECONDS, 5 s) bounds how long a broken call can wait.
BROKEN_CALL_SECONDS = 6


async def test_mcp_server_killed_during_turns_is_reconnected_by_itself(postgres_url: str) -> None:
    users = [new_user("mcp-kill") for _ in range(CONVERSATIONS)]
    exchanges: list[Exchange] = []
    stop = asyncio.Event()
    port = free_port()
    first = start_service("mcp_server", mcp_server_env(postgres_url), port=port)
    try:
        first.wait_ready()
        with running_service("ai_todo", ai_todo_env(postgres_url, first.base_url)) as ai_todo:
            workers = [
                asyncio.create_task(
                    converse(ai_todo.base_url, user, label=f"{n}", stop=stop, exchanges=exchanges)
                )
                for n, user in enumerate(users)
            ]
            await wait_for(lambda: sum(e.acknowledged for e in exchanges) >= 20, "traffic flowing")

            # Frozen first, so the kill lands while turns are surely inside a tool call.
            first.process.send_signal(signal.SIGSTOP)
            await asyncio.sleep(FROZEN_SECONDS)
            killed = time.monotonic()
            first.process.kill()
            first.process.wait(10)
            await asyncio.sleep(1)
            restarting = time.monotonic()
            second = start_service("mcp_server", mcp_server_env(postgres_url), port=port)
            try:
                # waited for in a thread: the conversations keep going while it starts
                await asyncio.to_thread(second.wait_ready)
                back = time.monotonic()
                await wait_for(
                    lambda: sum(e.acknowledged for e in sent_after(exchanges, back)) >= 20, "resumed"
                )
            finally:
                stop.set()
                await asyncio.gather(*workers)
                second.stop()
            ai_todo_survived = ai_todo.process.poll() is None
            reconnects = ai_todo.logs().count("mcp_connected")
        assert_turns_intact(postgres_url, users, exchanges)
    finally:
        first.stop()

    hit = in_flight_at(exchanges, killed)
    assert len(hit) == CONVERSATIONS, "the kill landed while every conversation's turn was in flight"
    for exchange in hit:
        assert exchange.status == 503
        assert exchange.body == {"detail": ToolsUnavailable.public_message}
        assert exchange.finished - killed < BROKEN_CALL_SECONDS
    while_down = [e for e in exchanges if killed < e.started and e.finished < restarting]
    assert while_down, "turns were sent while mcp-server was down"
    assert {e.status for e in while_down} == {503}

    assert ai_todo_survived
    assert reconnects >= 2, "ai-todo opened a fresh connection to the new mcp-server"
    after = sent_after(exchanges, back)
    assert all(exchange.acknowledged for exchange in after), [(e.message, e.body) for e in after]
