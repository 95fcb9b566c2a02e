"""Chat turns through ai-todo as people send them: open loop. N users each send a message, read the
answer and think a few seconds (uniformly random between --think MIN MAX) before the next one; when
not yet answered at the moment the next message is due, the user sends it as soon as the answer
comes, and its latency counts from when it was due, so a queue shows in the figures instead of
slowing the load down. Every run uses the same random schedule (--seed), so two stacks face the
same arrivals.

Prints, at 10 and at 100 users: turns answered, errors, the rate offered, latency p50/p95/p99/max,
and the CPU time each service process spends per turn (read from /proc). `--against REF [REF ...]`
runs the same for the src/ of other commits in the same run, level by level in turn, with the ratios
against the first.
Run from the repository root: `python -m bench.chat_users [--against c2bf73a]`."""

import argparse
import asyncio
import random
import time
from contextlib import ExitStack
from dataclasses import dataclass, field

from bench import cpu
from bench.chat_turns import WARM_UP_TURNS, closed_loop
from bench.checkouts import THIS_CHECKOUT, add_against, compared
from bench.machine import describe, load_average
from bench.report import table
from bench.services import ChatStack, chat_stack
from bench.stats import percentile_ms, ratio
from bench.traffic import Conversation, Record, client

LEVELS = (10, 100)


@dataclass
class Result:
    record: Record = field(default_factory=Record)
    seconds: float = 0.0
    cpu_seconds: dict[str, float] = field(default_factory=dict)
    client_cpu_seconds: float = 0.0

    def cpu_ms(self, service: str) -> float:
        return self.cpu_seconds.get(service, float("nan")) / max(self.record.turns, 1) * 1000


@dataclass(frozen=True)
class Schedule:
    users: int
    seconds: float
    think: tuple[float, float]
    seed: int

    def pauses(self, user: int) -> random.Random:
        """The same pauses for this user in every run."""
        return random.Random(self.seed * 100_003 + user)


async def person(
    conversation: Conversation, pauses: random.Random, schedule: Schedule, until: float, record: Record
) -> None:
    due = time.perf_counter() + pauses.uniform(0, schedule.think[1])  # arrivals spread over a first pause
    while due < until:
        await asyncio.sleep(max(0.0, due - time.perf_counter()))
        await conversation.send(record, since=due)
        due += pauses.uniform(*schedule.think)


async def open_loop(base_url: str, schedule: Schedule, record: Record) -> None:
    async with client(base_url, schedule.users) as http:
        until = time.perf_counter() + schedule.seconds
        people = [Conversation(http, f"user-{n}") for n in range(schedule.users)]
        await asyncio.gather(
            *(person(p, schedule.pauses(n), schedule, until, record) for n, p in enumerate(people))
        )


def measure(stack: ChatStack, schedule: Schedule, result: Result) -> None:
    before, client_before = cpu.snapshot(stack.pids), time.process_time()
    started = time.perf_counter()
    asyncio.run(open_loop(stack.ai_todo.base_url, schedule, result.record))
    result.seconds += time.perf_counter() - started
    after = cpu.snapshot(stack.pids)
    result.client_cpu_seconds += time.process_time() - client_before
    for name in before:
        result.cpu_seconds[name] = result.cpu_seconds.get(name, 0.0) + after[name] - before[name]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, nargs="+", default=list(LEVELS), help="people at once")
    parser.add_argument("--seconds", type=float, default=90, help="how long each level runs")
    parser.add_argument("--think", type=float, nargs=2, default=[2.0, 6.0], metavar=("MIN", "MAX"))
    parser.add_argument("--seed", type=int, default=14, help="of the random schedule")
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="rounds over levels and stacks, so drifting load hits each alike",
    )
    add_against(parser)
    parser.add_argument("--workers", type=int, default=1, help="ai-todo worker processes of this checkout")
    args = parser.parse_args()
    print(describe())
    print(load_average())

    with ExitStack() as exit_stack:
        checkouts = compared(exit_stack, args.against)
        stacks = []
        for checkout in checkouts:
            stack = exit_stack.enter_context(
                chat_stack(checkout, args.workers if checkout is THIS_CHECKOUT else 1)
            )
            asyncio.run(closed_loop(stack.ai_todo.base_url, 1, WARM_UP_TURNS, Record()))
            stacks.append(stack)
        results = {(stack.label, users): Result() for stack in stacks for users in args.users}
        for round_number in range(args.rounds):
            for users in args.users:
                # each round a new schedule, the same for every stack
                schedule = Schedule(
                    users, args.seconds, (args.think[0], args.think[1]), args.seed + round_number
                )
                for stack in stacks:
                    measure(stack, schedule, results[stack.label, users])
                    print(f"  done: {stack.label}, {users} users; {load_average()}", flush=True)

    think = f"{args.think[0]:g}-{args.think[1]:g} s"
    print(f"open loop, offline model: each user sends, reads the answer and thinks {think} before the next")
    rows = []
    for users in args.users:
        for stack in stacks:
            result = results[stack.label, users]
            latencies = result.record.latencies
            rows.append(
                [
                    stack.label,
                    str(users),
                    str(result.record.turns),
                    result.record.error_summary(),
                    f"{result.record.turns / result.seconds:.1f}",
                    *(f"{percentile_ms(latencies, q):.1f}" for q in (0.5, 0.95, 0.99)),
                    f"{max(latencies, default=float('nan')) * 1000:.1f}",
                    f"{result.cpu_ms('ai-todo'):.2f}",
                    f"{result.cpu_ms('mcp-server'):.2f}",
                    f"{result.client_cpu_seconds / max(result.record.turns, 1) * 1000:.2f}",
                ]
            )
    print(
        table(
            [
                "stack",
                "users",
                "turns",
                "errors",
                "turns/s",
                "p50 ms",
                "p95 ms",
                "p99 ms",
                "max ms",
                "ai-todo CPU ms/turn",
                "mcp-server CPU ms/turn",
                "load client ms/turn",
            ],
            rows,
        )
    )
    if args.against:
        base = stacks[0].label
        print(f"ratios, each stack against {base} (lower is better)")
        ratio_rows = []
        for users, stack in ((users, stack) for users in args.users for stack in stacks[1:]):
            old_result, new_result = results[base, users], results[stack.label, users]
            ratio_rows.append(
                [
                    stack.label,
                    str(users),
                    *(
                        ratio(
                            percentile_ms(new_result.record.latencies, q),
                            percentile_ms(old_result.record.latencies, q),
                        )
                        for q in (0.5, 0.95, 0.99)
                    ),
                    ratio(new_result.cpu_ms("ai-todo"), old_result.cpu_ms("ai-todo")),
                    ratio(new_result.cpu_ms("mcp-server"), old_result.cpu_ms("mcp-server")),
                ]
            )
        print(table(["stack", "users", "p50", "p95", "p99", "ai-todo CPU", "mcp-server CPU"], ratio_rows))
    print(load_average())


if __name__ == "__main__":
    main()
