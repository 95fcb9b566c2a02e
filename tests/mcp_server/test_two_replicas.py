"""Two mcp-server processes over one database: what two replicas behind a Service are."""

import asyncio
from collections.abc import Iterator

import pytest

from tests.mcp_server.factories import payload
from tests.mcp_server.http_client import mcp_over_http
from tests.support.processes import ServiceProcess, running_service

TOKEN = "internal-token-for-tests"


@pytest.fixture
def replicas(postgres_url: str) -> Iterator[tuple[ServiceProcess, ServiceProcess]]:
    with (
        running_service("mcp_server", {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN}) as first,
        running_service("mcp_server", {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN}) as second,
    ):
        yield first, second


async def test_interleaved_calls_for_one_user_lose_nothing(
    replicas: tuple[ServiceProcess, ServiceProcess],
) -> None:
    first, second = replicas
    async with mcp_over_http(first.base_url, TOKEN) as a, mcp_over_http(second.base_url, TOKEN) as b:
        clients = (a, b)
        added = await asyncio.gather(
            *(
                clients[i % 2].call_tool("add_task", {"user_id": "alice", "title": f"task {i}"})
                for i in range(40)
            )
        )
        ids = [payload(result)["task_id"] for result in added]

        # the same tasks changed at once through both replicas: titles via one, descriptions via the other
        await asyncio.gather(
            *(
                a.call_tool("update_task", {"user_id": "alice", "task_id": i, "title": f"renamed {i}"})
                for i in ids
            ),
            *(
                b.call_tool("update_task", {"user_id": "alice", "task_id": i, "description": f"note {i}"})
                for i in ids
            ),
        )
        halves = ids[:20], ids[20:]
        await asyncio.gather(
            *(a.call_tool("complete_task", {"user_id": "alice", "task_id": i}) for i in halves[0]),
            *(b.call_tool("delete_task", {"user_id": "alice", "task_id": i}) for i in halves[1]),
        )
        seen_by_a = payload(await a.call_tool("list_tasks", {"user_id": "alice"}))
        seen_by_b = payload(await b.call_tool("list_tasks", {"user_id": "alice"}))

    assert len(set(ids)) == 40
    assert seen_by_a == seen_by_b
    assert [task["id"] for task in seen_by_a] == sorted(halves[0])
    for task in seen_by_a:
        assert task["title"] == f"renamed {task['id']}"
        assert task["description"] == f"note {task['id']}"
        assert task["completed"] is True
