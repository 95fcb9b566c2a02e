"""A PostgreSQL restart under chat traffic, with a database server of the test's own: both services
turn unready and answer fast, clear 503s while it is down, serve again by themselves when it is
back, and lose nothing they acknowledged."""

import asyncio
import time

from ai_todo.errors import StorageUnavailable
from tests.ai_todo.stack import new_user
from tests.support.processes import running_service
from tests.support.throwaway_postgres import throwaway_postgres
from tests.system.services import ai_todo_env, mcp_server_env, readiness, wait_until_ready
from tests.system.stored import assert_turns_intact
from tests.system.traffic import Exchange, converse, sent_after, wait_for

CONVERSATIONS = 4
OUTAGE_SECONDS = 2
# Connection refused is immediate; a database that does not answer at all costs the engine's
# connect timeout (3 s). Either way a failure comes far inside the chat's 20 s budget.
FAST_FAILURE_SECONDS = 5


async def test_a_database_restart_under_traffic_loses_nothing_and_needs_no_service_restart() -> None:
    users = [new_user("db-restart") for _ in range(CONVERSATIONS)]
    exchanges: list[Exchange] = []
    stop = asyncio.Event()
    with (
        throwaway_postgres() as database,
        running_service("mcp_server", mcp_server_env(database.url)) as mcp,
        running_service("ai_todo", ai_todo_env(database.url, mcp.base_url)) as ai_todo,
    ):
        workers = [
            asyncio.create_task(
                converse(ai_todo.base_url, user, label=f"{n}", stop=stop, exchanges=exchanges)
            )
            for n, user in enumerate(users)
        ]
        await wait_for(lambda: sum(e.acknowledged for e in exchanges) >= 20, "traffic flowing")

        await asyncio.to_thread(database.stop)
        down = time.monotonic()
        unready = [await readiness(mcp.base_url), await readiness(ai_todo.base_url)]
        await asyncio.sleep(OUTAGE_SECONDS)
        restarting = time.monotonic()
        await asyncio.to_thread(database.start)
        await wait_until_ready(mcp.base_url)
        await wait_until_ready(ai_todo.base_url)
        ready = time.monotonic()
        await wait_for(lambda: sum(e.acknowledged for e in sent_after(exchanges, ready)) >= 20, "resumed")

        stop.set()
        await asyncio.gather(*workers)
        still_running = [mcp.process.poll(), ai_todo.process.poll()]
        assert_turns_intact(database.url, users, exchanges)

    assert still_running == [None, None], "the services must resume without being restarted"
    for response in unready:
        assert response.status_code == 503
        assert response.json() == {"status": "unready", "reason": "database unavailable"}

    during = [e for e in exchanges if down < e.started and e.finished < restarting]
    assert len(during) >= CONVERSATIONS, "every conversation kept trying during the outage"
    for exchange in during:
        assert exchange.status == 503
        assert exchange.body == {"detail": StorageUnavailable.public_message}
        assert exchange.seconds < FAST_FAILURE_SECONDS

    after = sent_after(exchanges, ready)
    assert all(exchange.acknowledged for exchange in after), [(e.message, e.body) for e in after]
    for user in users:
        conversations = {e.conversation_id for e in exchanges if e.user == user and e.acknowledged}
        assert len(conversations) == 1, "each conversation goes on across the outage"
    assert "Traceback" not in ai_todo.logs() + mcp.logs()
