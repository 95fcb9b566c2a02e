"""Chat turns through ai-todo with the offline model: latency (median, p95) and throughput at 1, 10
and 50 concurrent conversations, and start-up time from exec to /readyz 200. Real processes: ai-todo
and mcp-server on PostgreSQL. Run from the repository root: `python -m bench.chat_turns`."""

import argparse
import asyncio
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx
from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, free_port, running_service, start_service

from bench.stats import describe_ms
from todo_core.tokens import mint_token

SECRET = "bench-secret-" + "b" * 32
MCP_TOKEN = "bench-mcp-token-" + "m" * 32
# Each cycle adds a task, lists, completes it and deletes it: one tool call per turn, and a task
# list that stays small however long the run.
CYCLE = ("Add a task to buy milk number {n}", "What's pending?", "Mark it as done", "Delete it")
WARM_UP_TURNS = 20


@dataclass
class Run:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    seconds: float = 0.0


async def conversation(client: httpx.AsyncClient, worker: int, turns: int, run: Run) -> None:
    user = f"bench-{worker}-{time.monotonic_ns()}"
    headers = {"Authorization": f"Bearer {mint_token(SECRET, user)}"}
    conversation_id = None
    last_reply = ""
    for turn in range(turns):
        message = CYCLE[turn % len(CYCLE)].format(n=turn)
        if message == "Mark it as done" and "(task" not in last_reply:
            message = "What's pending?"  # the add before failed; "it" would mean nothing
        started = time.perf_counter()
        try:
            response = await client.post(
                f"/api/{user}/chat",
                json={"message": message, "conversation_id": conversation_id},
                headers=headers,
            )
        except httpx.HTTPError as error:
            run.errors.append(type(error).__name__)
            continue
        run.latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            run.errors.append(f"HTTP {response.status_code}")
            continue
        body = response.json()
        conversation_id = body["conversation_id"]
        last_reply = body["response"]


async def load(base_url: str, concurrency: int, turns_each: int) -> Run:
    run = Run()
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, timeout=30, limits=limits) as client:
        started = time.perf_counter()
        await asyncio.gather(
            *(conversation(client, worker, turns_each, run) for worker in range(concurrency))
        )
        run.seconds = time.perf_counter() - started
    return run


def exec_to_ready(env: dict[str, str]) -> tuple[float, float]:
    """Seconds from exec to the first /readyz 200, and to the first chat turn answered."""
    port = free_port()
    started = time.monotonic()
    service = start_service("ai_todo", env, port=port)
    try:
        ready = _poll(lambda: httpx.get(f"{service.base_url}/readyz", timeout=1).status_code == 200, service)
        ready_after = time.monotonic() - started
        headers = {"Authorization": f"Bearer {mint_token(SECRET, 'bench-start')}"}
        _poll(
            lambda: (
                httpx.post(
                    f"{service.base_url}/api/bench-start/chat",
                    json={"message": "hi"},
                    headers=headers,
                    timeout=30,
                ).status_code
                == 200
            ),
            service,
        )
        return (ready_after if ready else float("nan")), time.monotonic() - started
    finally:
        service.stop()


def _poll(check: Callable[[], bool], service: ServiceProcess, timeout: float = 60) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"ai-todo exited:\n{service.logs()}")
        try:
            if check():
                return True
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    return False


def _spread(seconds: list[float]) -> str:
    return f"median {statistics.median(seconds):.2f} s, max {max(seconds):.2f} s"


def import_seconds(module: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, "-c", f"import {module}"], check=True)
    return time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=400, help="turns per concurrency level")
    parser.add_argument("--starts", type=int, default=5, help="start-up measurements")
    args = parser.parse_args()

    with (
        fresh_postgres_database() as database_url,
        running_service("mcp_server", {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": MCP_TOKEN}) as mcp,
    ):
        env = {
            "DATABASE_URL": database_url,
            "MCP_SERVER_URL": f"{mcp.base_url}/mcp",
            "MCP_AUTH_TOKEN": MCP_TOKEN,
            "AUTH_JWT_SECRET": SECRET,
        }
        starts = [exec_to_ready(env) for _ in range(args.starts)]
        with running_service("ai_todo", env) as service:
            asyncio.run(load(service.base_url, 1, WARM_UP_TURNS))
            runs = {c: asyncio.run(load(service.base_url, c, max(4, args.turns // c))) for c in (1, 10, 50)}

    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    print("ai-todo chat turns, offline model (ai-todo + mcp-server processes, PostgreSQL):")
    for concurrency, run in runs.items():
        throughput = len(run.latencies) / run.seconds
        print(
            f"  {concurrency:>2} concurrent: {describe_ms(run.latencies)} "
            f"throughput={throughput:.0f} turns/s errors={len(run.errors)}"
            + (f" ({', '.join(sorted(set(run.errors)))})" if run.errors else "")
        )
    print("  targets: median under 40 ms and p95 under 100 ms at 10 concurrent; zero errors at 50")
    ready = [r for r, _ in starts]
    first_turn = [f for _, f in starts]
    print("start-up (python -m ai_todo):")
    print(f"  exec -> /readyz 200:       {_spread(ready)} (target < 3 s)")
    print(f"  exec -> first chat answer: {_spread(first_turn)}")
    print(f"  import agents alone:       {import_seconds('agents'):.2f} s (kept off the start path)")


if __name__ == "__main__":
    main()
