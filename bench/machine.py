"""What a benchmark ran on, printed with its figures: they mean little without it."""

import os
import platform
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import docker
from docker.errors import DockerException


def _memory_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024**2
    return float("nan")


def _package(name: str) -> str:
    try:
        return f"{name} {version(name)}"
    except PackageNotFoundError:
        return f"{name} absent"


def _docker() -> str:
    try:
        client = docker.from_env(timeout=10)
        try:
            return f"Docker {client.version()['Version']}"
        finally:
            client.close()
    except DockerException:
        return "no Docker engine"


def describe() -> str:
    return (
        f"machine: {os.cpu_count()} cores, {_memory_gib():.1f} GiB, {platform.system()} "
        f"{platform.machine()}, Python {platform.python_version()}, {_docker()}, "
        f"{', '.join(_package(name) for name in ('uvicorn', 'uvloop', 'httptools'))}"
    )


def load_average() -> str:
    """The load average: other work on the machine skews every figure beside it."""
    one, five, fifteen = os.getloadavg()
    return f"load average: {one:.2f} {five:.2f} {fifteen:.2f} (1, 5, 15 min)"
