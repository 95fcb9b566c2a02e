"""mcp-server as a real process over HTTP: the official client, the internal token, health, shutdown, logs."""

import asyncio
import signal
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.mcp_server.factories import payload
from tests.mcp_server.http_client import mcp_over_http
from tests.support.processes import ServiceProcess, free_port, running_service, start_service
from todo_core.revisions import head

TOKEN = "internal-token-for-tests"


@pytest.fixture
def server(postgres_url: str) -> Iterator[ServiceProcess]:
    with running_service("mcp_server", {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN}) as service:
        yield service


async def test_official_client_manages_tasks_over_http(server: ServiceProcess) -> None:
    async with mcp_over_http(server.base_url, TOKEN) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
        added = payload(await client.call_tool("add_task", {"user_id": "alice", "title": "Buy groceries"}))
        listed = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
    assert names == {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
    assert [task["id"] for task in listed] == [added["task_id"]]


async def test_every_tool_call_logs_one_line_with_its_duration(server: ServiceProcess) -> None:
    async with mcp_over_http(server.base_url, TOKEN) as client:
        await client.call_tool("add_task", {"user_id": "alice", "title": "secret title"})
        await client.call_tool("complete_task", {"user_id": "alice", "task_id": 999_999})
    await asyncio.sleep(0.2)
    logs = server.logs()
    assert "tool_call tool=add_task outcome=ok duration_ms=" in logs
    assert "tool_call tool=complete_task outcome=tool_error duration_ms=" in logs
    assert "secret title" not in logs


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Bearer", "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x", "x" * 20_000],
)
def test_calls_without_the_internal_token_get_401(server: ServiceProcess, authorization: str | None) -> None:
    headers = {"Accept": "application/json, text/event-stream"}
    if authorization is not None:
        headers["Authorization"] = authorization
    response = httpx.post(
        f"{server.base_url}/mcp",
        headers=headers,
        json={"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}},
    )
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"
    assert response.headers["www-authenticate"].startswith("Bearer")


def test_probes_answer_without_the_internal_token(server: ServiceProcess) -> None:
    assert httpx.get(f"{server.base_url}/healthz").json() == {"status": "ok"}
    assert httpx.get(f"{server.base_url}/readyz").json() == {
        "status": "ready",
        "schema": {"code": head(), "database": head(), "relation": "current"},
    }


def test_database_down_makes_it_unready_but_alive() -> None:
    service = start_service(
        "mcp_server",
        {"DATABASE_URL": f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/x", "MCP_AUTH_TOKEN": TOKEN},
    )
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                health = httpx.get(f"{service.base_url}/healthz", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        started = time.monotonic()
        ready = httpx.get(f"{service.base_url}/readyz", timeout=10)
        assert time.monotonic() - started < 5
    finally:
        service.stop()
    assert health.status_code == 200
    assert ready.status_code == 503
    assert ready.json() == {"status": "unready", "reason": "database unavailable"}


async def test_sigterm_keeps_serving_and_ready_through_the_delay_then_stops(postgres_url: str) -> None:
    # Kubernetes has already taken the pod out of the ready endpoints; while it still serves, kube-proxy
    # may fall back to it when no other pod is ready, so it stays ready until the delay is over.
    env = {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN, "SHUTDOWN_DELAY_SECONDS": "2"}
    with running_service("mcp_server", env) as service:
        service.process.send_signal(signal.SIGTERM)
        await asyncio.sleep(0.3)
        async with httpx.AsyncClient() as http:
            readiness = await http.get(f"{service.base_url}/readyz")
        async with mcp_over_http(service.base_url, TOKEN) as client:
            served = payload(
                await client.call_tool("add_task", {"user_id": "alice", "title": "during the delay"})
            )
        exit_code = service.process.wait(15)
        logs = service.logs()
    assert exit_code == 0
    assert readiness.status_code == 200
    assert served["status"] == "created"
    assert logs.index("shutdown_requested serving_for_seconds=2") < logs.index(
        "shutdown_draining unready=true"
    )


def _add_task_request(title: str) -> dict:
    # one plain JSON-RPC POST: the stateless server needs no session, and unlike the MCP client a bare
    # request has no background stream whose failure during the shutdown could hide an answer
    return {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "add_task", "arguments": {"user_id": "alice", "title": title}},
    }


async def test_sigterm_lets_in_flight_calls_finish(postgres_url: str) -> None:
    headers = {"Accept": "application/json, text/event-stream", "Authorization": f"Bearer {TOKEN}"}
    with running_service("mcp_server", {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN}) as service:
        async with httpx.AsyncClient(base_url=service.base_url, headers=headers, timeout=30) as http:
            calls = [
                asyncio.create_task(http.post("/mcp", json=_add_task_request(f"t{i}"))) for i in range(20)
            ]
            await asyncio.sleep(0.01)  # the calls are on the wire, most not yet answered
            service.process.send_signal(signal.SIGTERM)
            results = await asyncio.gather(*calls, return_exceptions=True)
        assert service.process.wait(15) == 0
    answered = [r for r in results if isinstance(r, httpx.Response)]
    refused = [r for r in results if not isinstance(r, httpx.Response)]
    assert answered, "no call was in flight when the signal arrived"
    # a call either completes or is never accepted; none is cut off half-way
    assert all(r.status_code == 200 and r.json()["result"]["isError"] is False for r in answered)
    assert all(isinstance(error, httpx.ConnectError) for error in refused), refused
    with running_service("mcp_server", {"DATABASE_URL": postgres_url, "MCP_AUTH_TOKEN": TOKEN}) as successor:
        async with mcp_over_http(successor.base_url, TOKEN) as client:
            stored = payload(await client.call_tool("list_tasks", {"user_id": "alice"}))
    answered_titles = {r.json()["result"]["structuredContent"]["title"] for r in answered}
    assert answered_titles <= {task["title"] for task in stored}
