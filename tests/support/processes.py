"""Real service processes on free ports, waited for until ready and stopped with SIGTERM."""

import atexit
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

# Every service this test process starts logs into one directory, removed when the process exits;
# a failing test shows the log it needs in its assertion message.
_LOG_DIR = Path(tempfile.mkdtemp(prefix="todoctl-test-logs-"))
atexit.register(shutil.rmtree, _LOG_DIR, ignore_errors=True)


# ai-todo is ready only once its agent runtime is loaded: a couple of seconds of CPU, many more on a
# machine shared with other test runs.
START_TIMEOUT_SECONDS = 90


def descendants(pid: int) -> list[int]:
    """The process's children, their children and so on, as running now."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(parent, []).append(int(entry.name))
    found: list[int] = []
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.append(child)
            pending.append(child)
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class ServiceProcess:
    module: str
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = START_TIMEOUT_SECONDS) -> float:
        """Seconds until /readyz answered 200; raises with the process log when it never does."""
        started = time.monotonic()
        deadline = started + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.module} exited with {self.process.returncode}:\n{self.logs()}")
            try:
                if httpx.get(f"{self.base_url}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise TimeoutError(f"{self.module} not ready after {timeout}s:\n{self.logs()}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        if self.process.poll() is None:
            self.process.send_signal(sig)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_service(module: str, env: Mapping[str, str], port: int | None = None) -> ServiceProcess:
    port = port or free_port()
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AUTH_", "MCP_"))}
    full_env.update({"HOST": "127.0.0.1", "PORT": str(port), "PYTHONUNBUFFERED": "1", **env})
    # the child keeps its own descriptor; ours is closed at once, logs() reads the file by name
    with tempfile.NamedTemporaryFile(dir=_LOG_DIR, prefix=f"{module}-", suffix=".log", delete=False) as log:
        process = subprocess.Popen(
            [sys.executable, "-m", module], env=full_env, stdout=log, stderr=subprocess.STDOUT
        )
    return ServiceProcess(module=module, port=port, process=process, log_path=Path(log.name))


@contextmanager
def running_service(module: str, env: Mapping[str, str], port: int | None = None) -> Iterator[ServiceProcess]:
    service = start_service(module, env, port)
    try:
        service.wait_ready()
        yield service
    finally:
        service.stop()
