"""Chat turns through ai-todo with the offline model, closed loop: N conversations each sending its
next message as soon as the last one is answered, at 1, 10 and 50 conversations. Prints latency,
throughput and the CPU time each service process spends per turn (read from /proc), and ai-todo's
start-up: exec to /readyz 200 and exec to the first chat answer. Real processes: ai-todo and
mcp-server on PostgreSQL.

`--against REF [REF ...]` runs the same for the src/ of other commits (e.g. the previous main, or
each commit of a branch in order, to see what each one saved) in the same run, level by level in
turn, and prints the ratio of each figure against the first. `--workers 1 2` runs this
checkout's ai-todo with 1 and with 2 worker processes (WEB_CONCURRENCY).
Run from the repository root: `python -m bench.chat_turns [--against c2bf73a] [--workers 1 2]`."""

import argparse
import asyncio
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field

import httpx
from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, free_port, running_service, start_service

from bench import cpu
from bench.checkouts import THIS_CHECKOUT, Checkout, add_against, compared
from bench.machine import describe, load_average
from bench.report import table
from bench.services import SECRET, ChatStack, ai_todo_env, chat_stack, mcp_env
from bench.stats import median_ms, percentile_ms, ratio
from bench.traffic import Conversation, Record, client
from todo_core.tokens import mint_token

LEVELS = (1, 10, 50)
WARM_UP_TURNS = 20


@dataclass
class Result:
    """Every turn of one stack at one level, over all rounds."""

    record: Record = field(default_factory=Record)
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def throughput(self) -> float:
        return self.record.turns / self.seconds if self.seconds else float("nan")

    def cpu_ms(self, service: str) -> float:
        return self.cpu_seconds.get(service, float("nan")) / max(self.record.turns, 1) * 1000


async def closed_loop(base_url: str, concurrency: int, turns_each: int, record: Record) -> float:
    """Seconds the whole load took."""
    async with client(base_url, concurrency) as http:
        conversations = [Conversation(http, f"bench-{n}") for n in range(concurrency)]

        async def converse(conversation: Conversation) -> None:
            for _ in range(turns_each):
                await conversation.send(record)

        started = time.perf_counter()
        await asyncio.gather(*(converse(c) for c in conversations))
        return time.perf_counter() - started


def measure(stack: ChatStack, concurrency: int, turns: int, result: Result) -> None:
    before = cpu.snapshot(stack.pids)
    result.seconds += asyncio.run(
        closed_loop(stack.ai_todo.base_url, concurrency, max(4, turns // concurrency), result.record)
    )
    after = cpu.snapshot(stack.pids)
    for service in before:
        result.cpu_seconds[service] = result.cpu_seconds.get(service, 0.0) + after[service] - before[service]


def exec_to_first_answer(checkout: Checkout, env: dict[str, str]) -> tuple[float, float]:
    """Seconds from exec to the first /readyz 200, and to the first chat answer sent right after."""
    started = time.monotonic()
    service = start_service("ai_todo", {**env, **checkout.env}, port=free_port())
    try:
        _poll(lambda: httpx.get(f"{service.base_url}/readyz", timeout=1).status_code == 200, service)
        ready = time.monotonic() - started
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
        return ready, time.monotonic() - started
    finally:
        service.stop()


def _poll(check: Callable[[], bool], service: ServiceProcess, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if service.process.poll() is not None:
            raise RuntimeError(f"ai-todo exited:\n{service.logs()}")
        try:
            if check():
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.01)
    raise TimeoutError(f"ai-todo did not answer within {timeout} s:\n{service.logs()}")


def start_ups(checkouts: list[Checkout], starts: int) -> dict[str, list[tuple[float, float]]]:
    """Start-up of each checkout's ai-todo, taken in turn so drifting load hits each alike."""
    timings: dict[str, list[tuple[float, float]]] = {c.label: [] for c in checkouts}
    with (
        fresh_postgres_database() as database_url,
        running_service("mcp_server", mcp_env(database_url)) as mcp,
    ):
        env = ai_todo_env(database_url, mcp.base_url)
        exec_to_first_answer(checkouts[-1], env)  # the schema exists for every start measured
        for _ in range(starts):
            for checkout in checkouts:
                timings[checkout.label].append(exec_to_first_answer(checkout, env))
    return timings


def stacks(exit_stack: ExitStack, checkouts: list[Checkout], workers: list[int]) -> Iterator[ChatStack]:
    for checkout in checkouts:
        for count in workers if checkout is THIS_CHECKOUT else [1]:
            stack = exit_stack.enter_context(chat_stack(checkout, count))
            asyncio.run(closed_loop(stack.ai_todo.base_url, 1, WARM_UP_TURNS, Record()))
            yield stack


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--turns", type=int, default=400, help="turns per level and round")
    parser.add_argument("--rounds", type=int, default=1, help="rounds over all levels and stacks")
    parser.add_argument("--levels", type=int, nargs="+", default=list(LEVELS), help="conversations at once")
    parser.add_argument("--starts", type=int, default=5, help="start-up measurements of each checkout")
    add_against(parser)
    parser.add_argument("--workers", type=int, nargs="+", default=[1], help="worker counts of this checkout")
    args = parser.parse_args()
    print(describe())
    print(load_average())

    with ExitStack() as exit_stack:
        checkouts = compared(exit_stack, args.against)
        running = list(stacks(exit_stack, checkouts, args.workers))
        results = {(s.label, level): Result() for s in running for level in args.levels}
        for _ in range(args.rounds):
            for level in args.levels:
                for stack in running:
                    measure(stack, level, args.turns, results[stack.label, level])
    print(load_average())
    starts = start_ups(checkouts, args.starts) if args.starts else {}

    print("closed loop, offline model: each conversation sends its next message once the last is answered")
    rows = []
    for level in args.levels:
        for stack in running:
            result = results[stack.label, level]
            rows.append(_row(stack.label, level, result))
    print(table(HEADERS, rows))
    if args.against:
        base = running[0].label
        print(f"ratios, each stack against {base} (latency and CPU: lower is better; throughput: higher)")
        ratio_rows = []
        for level in args.levels:
            old = results[base, level]
            for stack in running[1:]:
                new = results[stack.label, level]
                ratio_rows.append(
                    [
                        stack.label,
                        str(level),
                        ratio(median_ms(new.record.latencies), median_ms(old.record.latencies)),
                        ratio(
                            percentile_ms(new.record.latencies, 0.95),
                            percentile_ms(old.record.latencies, 0.95),
                        ),
                        ratio(new.throughput, old.throughput),
                        ratio(new.cpu_ms("ai-todo"), old.cpu_ms("ai-todo")),
                        ratio(new.cpu_ms("mcp-server"), old.cpu_ms("mcp-server")),
                    ]
                )
        print(
            table(["stack", "conv.", "median", "p95", "turns/s", "ai-todo CPU", "mcp-server CPU"], ratio_rows)
        )
    if starts:
        print("start-up of ai-todo (python -m ai_todo, mcp-server already running):")
        start_rows = [
            [label, *_spread([r for r, _ in timings]), *_spread([a for _, a in timings])]
            for label, timings in starts.items()
        ]
        print(
            table(["checkout", "exec->/readyz median", "max", "exec->first answer median", "max"], start_rows)
        )
    print(load_average())


HEADERS = [
    "stack",
    "conv.",
    "turns",
    "errors",
    "median ms",
    "p95 ms",
    "p99 ms",
    "turns/s",
    "ai-todo CPU ms/turn",
    "mcp-server CPU ms/turn",
]


def _row(label: str, level: int, result: Result) -> list[str]:
    latencies = result.record.latencies
    return [
        label,
        str(level),
        str(result.record.turns),
        result.record.error_summary(),
        f"{median_ms(latencies):.1f}",
        f"{percentile_ms(latencies, 0.95):.1f}",
        f"{percentile_ms(latencies, 0.99):.1f}",
        f"{result.throughput:.0f}",
        f"{result.cpu_ms('ai-todo'):.2f}",
        f"{result.cpu_ms('mcp-server'):.2f}",
    ]


def _spread(seconds: list[float]) -> list[str]:
    ordered = sorted(seconds)
    return [f"{ordered[len(ordered) // 2]:.2f} s", f"{ordered[-1]:.2f} s"]


if __name__ == "__main__":
    main()
