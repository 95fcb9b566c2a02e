"""Wall time of todoctl commands that need no cluster, as a user runs them (a fresh process each):
`--help`, `lint` (Helm's embedded engine plus Kubernetes schemas), `build --dry-run`, and `dev` from
start to both services ready. Run from the repository root: `python -m bench.todoctl_commands [--runs 5]`."""

import argparse
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tests.support.processes import free_port

from bench.stats import describe_ms

COMMANDS = {
    "--help": ["--help"],
    "lint": ["lint"],
    "build --dry-run": ["build", "--dry-run"],
}


def timed(argv: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "todoctl", *argv], cwd=cwd, check=True, capture_output=True, timeout=300
    )
    return time.perf_counter() - started


def dev_until_ready(cwd: Path) -> float:
    """From starting `todoctl dev` to its "chat ready" line (both services answered /readyz)."""
    command = [
        sys.executable,
        "-m",
        "todoctl",
        "--json",
        "dev",
        "--port",
        str(free_port()),
        "--mcp-port",
        str(free_port()),
        "--data-dir",
        str(cwd / "dev"),
    ]
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        for line in process.stdout:
            if '"url"' in line:
                return time.perf_counter() - started
        raise RuntimeError(f"todoctl dev exited with {process.wait()}")
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"python {platform.python_version()} on {platform.machine()}, {args.runs} runs each")
    with tempfile.TemporaryDirectory() as directory:
        cwd = Path(directory)
        for name, argv in COMMANDS.items():
            print(f"todoctl {name:<16} {describe_ms([timed(argv, cwd) for _ in range(args.runs)])}")
        print(
            f"todoctl {'dev (to ready)':<16} {describe_ms([dev_until_ready(cwd) for _ in range(args.runs)])}"
        )


if __name__ == "__main__":
    main()
