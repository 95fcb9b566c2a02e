"""CPU time of service processes, read from /proc (Linux only): what a turn costs each process,
whatever else shares the cores. A server with workers is a process tree; its CPU is the tree's."""

import os
from pathlib import Path

from tests.support.processes import descendants

_TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")


def _stat_fields(pid: int) -> list[str]:
    # /proc/<pid>/stat: the command may hold spaces, so fields count from after its closing ")"
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far."""
    fields = _stat_fields(pid)
    return (int(fields[11]) + int(fields[12])) / _TICKS_PER_SECOND


def tree_cpu_seconds(pid: int) -> float:
    """CPU time of the process and of its living descendants (a server's workers)."""
    return sum(_cpu_or_zero(p) for p in (pid, *descendants(pid)))


def _cpu_or_zero(pid: int) -> float:
    try:
        return cpu_seconds(pid)
    except OSError:
        return 0.0


def snapshot(pids: dict[str, int]) -> dict[str, float]:
    return {name: tree_cpu_seconds(pid) for name, pid in pids.items()}


def per_turn_ms(before: dict[str, float], after: dict[str, float], turns: int) -> dict[str, float]:
    return {name: (after[name] - before[name]) / max(turns, 1) * 1000 for name in before}
