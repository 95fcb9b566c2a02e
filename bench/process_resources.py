"""Memory (resident set size) of each service process: just started, at rest after some turns, and
under the 50-conversation load of `bench.chat_turns` (its peak, and where it settles after); and
the CPU time each process spends per chat turn under that load, which is what bounds throughput on
a small machine. Real processes on PostgreSQL, offline model. Linux only (reads /proc).
Run from the repository root: `python -m bench.process_resources [--turns 1000]`."""

import argparse
import asyncio
import os
import threading
import time
from pathlib import Path

from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, running_service

from bench.chat_turns import MCP_TOKEN, SECRET, WARM_UP_TURNS, load
from bench.machine import describe, load_average

CONCURRENCY = 50
SAMPLE_EVERY_SECONDS = 0.05
SETTLE_SECONDS = 3


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise LookupError(f"no VmRSS for process {pid}")


class PeakSampler:
    """The highest RSS of each process while the `with` block runs."""

    def __init__(self, services: dict[str, ServiceProcess]) -> None:
        self.pids = {name: service.process.pid for name, service in services.items()}
        self.peaks = dict.fromkeys(self.pids, 0.0)
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakSampler":
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._done.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._done.wait(SAMPLE_EVERY_SECONDS):
            for name, pid in self.pids.items():
                self.peaks[name] = max(self.peaks[name], rss_mib(pid))


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far."""
    # /proc/<pid>/stat: the command may hold spaces, so fields count from after its closing ")"
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def snapshot(services: dict[str, ServiceProcess]) -> dict[str, float]:
    return {name: rss_mib(service.process.pid) for name, service in services.items()}


def cpu_snapshot(services: dict[str, ServiceProcess]) -> dict[str, float]:
    return {name: cpu_seconds(service.process.pid) for name, service in services.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=1000, help="turns of the 50-conversation load")
    args = parser.parse_args()
    print(describe())
    print(load_average())
    with (
        fresh_postgres_database() as database_url,
        running_service("mcp_server", {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": MCP_TOKEN}) as mcp,
        running_service(
            "ai_todo",
            {
                "DATABASE_URL": database_url,
                "MCP_SERVER_URL": f"{mcp.base_url}/mcp",
                "MCP_AUTH_TOKEN": MCP_TOKEN,
                "AUTH_JWT_SECRET": SECRET,
            },
        ) as ai_todo,
    ):
        services = {"mcp-server": mcp, "ai-todo": ai_todo}
        started = snapshot(services)
        asyncio.run(load(ai_todo.base_url, 1, WARM_UP_TURNS))
        time.sleep(SETTLE_SECONDS)
        at_rest = snapshot(services)
        cpu_before, client_before = cpu_snapshot(services), time.process_time()
        with PeakSampler(services) as sampler:
            run = asyncio.run(load(ai_todo.base_url, CONCURRENCY, max(4, args.turns // CONCURRENCY)))
        cpu_after, client_cpu = cpu_snapshot(services), time.process_time() - client_before
        time.sleep(SETTLE_SECONDS)
        after = snapshot(services)

    print(
        f"RSS of each service process (MiB); load: {CONCURRENCY} concurrent conversations, "
        f"{len(run.latencies)} turns, {len(run.errors)} errors:"
    )
    print(f"  {'':<12} {'started':>8} {'at rest':>8} {'peak':>8} {'after':>8}")
    for name in services:
        print(
            f"  {name:<12} {started[name]:>8.1f} {at_rest[name]:>8.1f} {sampler.peaks[name]:>8.1f} "
            f"{after[name]:>8.1f}"
        )
    print("  started: ready, no turn yet; at rest: idle after warm-up turns; after: idle once the load ended")
    turns = len(run.latencies)
    print(f"CPU time per chat turn under that load ({turns} turns in {run.seconds:.1f} s):")
    for name in services:
        print(f"  {name:<12} {(cpu_after[name] - cpu_before[name]) / turns * 1000:>6.1f} ms")
    print(f"  {'load client':<12} {client_cpu / turns * 1000:>6.1f} ms   (this script, on the same cores)")
    print(load_average())


if __name__ == "__main__":
    main()
