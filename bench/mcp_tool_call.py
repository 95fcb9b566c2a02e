"""Latency of one MCP tool call over HTTP: the official client against a real mcp-server process on
PostgreSQL. Run from the repository root: `python -m bench.mcp_tool_call [--calls 300]`."""

import argparse
import asyncio
import platform
import time

from tests.mcp_server.http_client import mcp_over_http
from tests.support.databases import fresh_postgres_database
from tests.support.processes import running_service

from bench.services import MCP_TOKEN
from bench.stats import describe_ms


async def measure(base_url: str, calls: int) -> dict[str, list[float]]:
    samples: dict[str, list[float]] = {"add_task": [], "list_tasks": [], "complete_task": []}
    async with mcp_over_http(base_url, MCP_TOKEN) as client:
        for i in range(20):  # warm the connection pool and the server's code paths
            await client.call_tool("add_task", {"user_id": "warmup", "title": f"w{i}"})
        for i in range(calls):
            started = time.perf_counter()
            added = await client.call_tool("add_task", {"user_id": "bench", "title": f"task {i}"})
            samples["add_task"].append(time.perf_counter() - started)

            started = time.perf_counter()
            await client.call_tool("list_tasks", {"user_id": "bench", "status": "pending"})
            samples["list_tasks"].append(time.perf_counter() - started)

            task_id = added.structured_content["task_id"]
            started = time.perf_counter()
            await client.call_tool("complete_task", {"user_id": "bench", "task_id": task_id})
            samples["complete_task"].append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=300)
    args = parser.parse_args()
    with (
        fresh_postgres_database() as url,
        running_service("mcp_server", {"DATABASE_URL": url, "MCP_AUTH_TOKEN": MCP_TOKEN}) as server,
    ):
        samples = asyncio.run(measure(server.base_url, args.calls))
    print(f"machine: {platform.node()} {platform.machine()} python {platform.python_version()}")
    print("MCP tool call over HTTP (official client, mcp-server process, PostgreSQL):")
    for tool, values in samples.items():
        print(f"  {tool:<14} {describe_ms(values)}")
    print(f"  {'all calls':<14} {describe_ms([v for values in samples.values() for v in values])}")
    print("  target: median under 10 ms here; spec ceiling 200 ms")


if __name__ == "__main__":
    main()
