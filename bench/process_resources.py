"""Memory (resident set size) of each service process: just started, at rest after some turns, and
under the 50-conversation load of `bench.chat_turns` (its peak, and where it settles after); and
the CPU time each process spends per chat turn under that load, which is what bounds throughput on
a small machine. Real processes on PostgreSQL, offline model. Linux only (reads /proc).
Run from the repository root: `python -m bench.process_resources [--turns 1000]`."""

import argparse
import asyncio
import threading
import time
from pathlib import Path

from tests.support.processes import ServiceProcess

from bench import cpu
from bench.chat_turns import WARM_UP_TURNS, closed_loop
from bench.checkouts import THIS_CHECKOUT
from bench.machine import describe, load_average
from bench.services import chat_stack
from bench.traffic import Record

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


def snapshot(services: dict[str, ServiceProcess]) -> dict[str, float]:
    return {name: rss_mib(service.process.pid) for name, service in services.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--turns", type=int, default=1000, help="turns of the 50-conversation load")
    args = parser.parse_args()
    print(describe())
    print(load_average())
    with chat_stack(THIS_CHECKOUT) as stack:
        services = {"mcp-server": stack.mcp, "ai-todo": stack.ai_todo}
        started = snapshot(services)
        asyncio.run(closed_loop(stack.ai_todo.base_url, 1, WARM_UP_TURNS, Record()))
        time.sleep(SETTLE_SECONDS)
        at_rest = snapshot(services)
        cpu_before, client_before = cpu.snapshot(stack.pids), time.process_time()
        run = Record()
        with PeakSampler(services) as sampler:
            seconds = asyncio.run(
                closed_loop(stack.ai_todo.base_url, CONCURRENCY, max(4, args.turns // CONCURRENCY), run)
            )
        cpu_after, client_cpu = cpu.snapshot(stack.pids), time.process_time() - client_before
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
    turns = run.turns
    print(f"CPU time per chat turn under that load ({turns} turns in {seconds:.1f} s):")
    for name, ms in cpu.per_turn_ms(cpu_before, cpu_after, turns).items():
        print(f"  {name:<12} {ms:>6.1f} ms")
    print(f"  {'load client':<12} {client_cpu / turns * 1000:>6.1f} ms   (this script, on the same cores)")
    print(load_average())


if __name__ == "__main__":
    main()
