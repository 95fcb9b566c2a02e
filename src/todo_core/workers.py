"""Several server processes on one port, for a machine with more cores than one Python process can
use (the GIL keeps a process to about one core). The parent binds the socket and starts each worker
as a fresh interpreter (spawn, not fork: nothing of the parent's threads, connections or event loop
is inherited); the workers accept connections from the shared socket, the kernel spreading them.

A worker that dies is started again, after a pause that doubles while replacements keep dying young
(a broken install must not spin the CPU). On SIGTERM or SIGINT the
parent passes the signal on and waits: each worker drains on its own terms (unready for the delay,
then finishing in-flight requests), and the parent exits 0 once all have. A second signal is passed
on too, which makes the workers stop at once. In Kubernetes a pod runs one process and replicas add
more; this is for everywhere else."""

import contextlib
import importlib
import logging
import multiprocessing
import os
import signal
import socket
import time
from multiprocessing.process import BaseProcess
from types import FrameType

log = logging.getLogger(__name__)

# The pause before replacing a dead worker: it doubles, up to the maximum, each time a worker dies
# less than a minute after its start, and starts again from the first once one has lived longer.
FIRST_PAUSE_SECONDS = 1.0
MAX_PAUSE_SECONDS = 30.0
YOUNG_SECONDS = 60.0
_POLL_SECONDS = 0.2


def run_worker(target: str, sock: socket.socket) -> None:
    """A worker process's entry: `target` ("package.module:function") called with the socket."""
    module_name, _, function_name = target.partition(":")
    getattr(importlib.import_module(module_name), function_name)(sock)


def listening_socket(host: str, port: int) -> socket.socket:
    """The socket every worker accepts from, bound before any worker starts."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


class Supervisor:
    """Runs `count` workers, each calling `target` ("package.module:function") with the shared socket
    in a process of its own, until told to stop."""

    def __init__(self, target: str, sock: socket.socket, count: int) -> None:
        if count < 1:
            raise ValueError("at least one worker")
        self.target = target
        self.sock = sock
        self.count = count
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[tuple[BaseProcess, float]] = []
        self._signals: list[int] = []
        self._pause = FIRST_PAUSE_SECONDS

    def run(self) -> None:
        """Serves until SIGTERM or SIGINT, then returns once every worker has drained and exited."""
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self._on_signal)
        self._workers = [self._start() for _ in range(self.count)]
        log.info("workers_started count=%d pids=%s", self.count, [p.pid for p, _ in self._workers])
        while not self._signals:
            self._replace_dead()
            time.sleep(_POLL_SECONDS)
        self._stop(self._signals[0])

    def _on_signal(self, sig: int, frame: FrameType | None) -> None:
        self._signals.append(sig)
        if len(self._signals) > 1:
            # the second signal: the workers stop at once
            self._forward(sig)

    def _stop(self, sig: int) -> None:
        log.info("workers_stopping count=%d", len(self._workers))
        self._forward(sig)
        for process, _ in self._workers:
            process.join()
        log.info("workers_stopped")

    def _forward(self, sig: int) -> None:
        for process, _ in self._workers:
            if process.is_alive() and process.pid is not None:
                _send(process.pid, sig)

    def _start(self) -> tuple[BaseProcess, float]:
        process = self._context.Process(target=run_worker, args=(self.target, self.sock))
        process.start()
        return process, time.monotonic()

    def _replace_dead(self) -> None:
        for index, (process, started) in enumerate(self._workers):
            if process.is_alive():
                continue
            young = time.monotonic() - started < YOUNG_SECONDS
            pause = self._pause if young else FIRST_PAUSE_SECONDS
            log.warning(
                "worker_exited pid=%s exit_code=%s restarting_in_seconds=%.0f",
                process.pid,
                process.exitcode,
                pause,
            )
            self._pause = min(pause * 2, MAX_PAUSE_SECONDS) if young else FIRST_PAUSE_SECONDS
            if self._wait(pause):
                return
            self._workers[index] = self._start()

    def _wait(self, seconds: float) -> bool:
        """Sleeps up to `seconds`; True when a signal came meanwhile."""
        deadline = time.monotonic() + seconds
        while not self._signals and time.monotonic() < deadline:
            time.sleep(_POLL_SECONDS)
        return bool(self._signals)


def _send(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # it exited meanwhile
        os.kill(pid, sig)
