"""A rolling upgrade from the previous release on one PostgreSQL database, as `helm upgrade` runs it:
the previous release serving with its data; this release starting beside it and migrating in place;
both generations serving side by side, in every pairing of chat service and tool server (a Service
spreads calls over old and new pods alike); an old pod restarting on the migrated database; nothing
lost. This is the expand-then-contract rule (docs/architecture.md) tested for real: the previous
release's own services, its chat path included, run against the migrated schema."""

import httpx
import psycopg

from tests.ai_todo.stack import User, new_user
from tests.support.previous_release import previous_release_env
from tests.support.processes import ServiceProcess, running_service
from tests.system.services import ai_todo_env, mcp_server_env, readiness
from tests.system.stored import assert_nothing_acknowledged_lost, stored_conversations
from tests.system.traffic import Exchange, send_turn
from todo_core.revisions import BASELINE, head


async def _turn(service: ServiceProcess, user: User, message: str, conversation: int | None) -> Exchange:
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        exchange = await send_turn(client, user, message, conversation)
    assert exchange.acknowledged, (exchange.status, exchange.body, service.logs())
    return exchange


def _tool_names(exchange: Exchange) -> list[str]:
    return [call["name"] for call in exchange.body["tool_calls"]]


async def test_the_previous_release_keeps_serving_beside_this_one_on_the_migrated_database(
    postgres_url: str,
) -> None:
    previous = previous_release_env()
    user = new_user("upgrade")
    exchanges: list[Exchange] = []
    with (
        running_service("mcp_server", {**mcp_server_env(postgres_url), **previous}) as old_tools,
        running_service("ai_todo", {**ai_todo_env(postgres_url, old_tools.base_url), **previous}) as old_chat,
    ):
        # the previous release alone, as users have it today
        assert "schema" not in (await readiness(old_chat.base_url)).json(), "not the previous release"
        exchanges.append(await _turn(old_chat, user, "Add a task to buy milk", None))
        conversation = exchanges[0].conversation_id
        exchanges.append(await _turn(old_chat, user, "Add a task to pay bills", conversation))
        milk = exchanges[0].created_tasks()[0][0]
        assert _revision(postgres_url) is None

        with (
            running_service("mcp_server", mcp_server_env(postgres_url)) as new_tools,
            running_service("ai_todo", ai_todo_env(postgres_url, old_tools.base_url)) as new_chat,
        ):
            # this release migrated the database in place, once
            migrations = new_tools.logs() + new_chat.logs()
            assert migrations.count(f"schema_upgraded from={BASELINE} to={head()} stamped=True") == 1
            assert _revision(postgres_url) == head()
            assert (await readiness(new_chat.base_url)).json()["schema"]["relation"] == "current"

            # side by side: old chat with old tools on the migrated schema, new chat with old tools
            exchanges.append(await _turn(old_chat, user, "Add a task to call mom", conversation))
            listed = await _turn(new_chat, user, "Show me all my tasks", conversation)
            exchanges.append(listed)
            assert _tool_names(listed) == ["list_tasks"]
            for title in ("milk", "bills", "mom"):
                assert title in listed.body["response"].lower()

            # an old pod restarting mid-upgrade starts on the migrated database and calls new tools
            with running_service(
                "ai_todo", {**ai_todo_env(postgres_url, new_tools.base_url), **previous}
            ) as restarted:
                done = await _turn(restarted, user, f"Mark task {milk} as complete", conversation)
                exchanges.append(done)
                assert _tool_names(done) == ["complete_task"]

            async with httpx.AsyncClient(base_url=new_chat.base_url, timeout=10) as client:
                listing = await client.get(
                    f"/api/{user.id}/conversations/{conversation}/messages", headers=user.headers
                )
            history = listing.json()

    assert [message["role"] for message in history] == ["user", "assistant"] * len(exchanges)
    assert [message["content"] for message in history[::2]] == [exchange.message for exchange in exchanges]
    assert_nothing_acknowledged_lost(stored_conversations(postgres_url, [user]), exchanges)
    with psycopg.connect(_dsn(postgres_url)) as connection:
        failed = connection.execute("SELECT DISTINCT failed FROM message").fetchall()
        tasks = connection.execute("SELECT title, completed FROM task ORDER BY id").fetchall()
    assert failed == [(False,)], "the previous release's messages read as not failed"
    assert tasks == [("Buy milk", True), ("Pay bills", False), ("Call mom", False)]


def _dsn(database_url: str) -> str:
    return database_url.replace("postgresql+psycopg://", "postgresql://")


def _revision(database_url: str) -> str | None:
    with psycopg.connect(_dsn(database_url)) as connection:
        if connection.execute("SELECT to_regclass('alembic_version')").fetchone()[0] is None:
            return None
        return connection.execute("SELECT version_num FROM alembic_version").fetchone()[0]
