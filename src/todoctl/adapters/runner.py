"""The one place todoctl runs other programs.

argv lists only, never a shell; every one-shot command has a timeout; a failed command becomes a
typed error (see tool_errors.classify). Long-lived programs (kubectl port-forward, the local
services of `todoctl dev`) go through `spawn`, are stopped with SIGTERM, then SIGKILL, and on Linux
never outlive todoctl: the kernel sends them SIGTERM when it ends, even by SIGKILL.
"""

import ctypes
import functools
import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from todoctl.errors import CommandTimedOut, ToolNotFound
from todoctl.parsers.tool_errors import classify, install_hint

# A timeout that cannot be mistaken for "wait forever": one-shot commands must all end.
DEFAULT_TIMEOUT_SECONDS = 60.0
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class Completed:
    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        """Both streams: several tools print their messages on stderr even when they succeed."""
        return self.stdout + self.stderr


class Spawned:
    """A long-lived child process in its own session, so a terminal's Ctrl-C reaches todoctl
    first and todoctl decides the order in which children stop."""

    def __init__(self, argv: Sequence[str], process: subprocess.Popen[str], log: IO[str] | None) -> None:
        self.argv = tuple(argv)
        self.process = process
        self._log = log

    @property
    def pid(self) -> int:
        return self.process.pid

    def poll(self) -> int | None:
        return self.process.poll()

    def lines(self) -> Iterator[str]:
        """stdout and stderr together, line by line, until the process closes them."""
        if self.process.stdout is None:
            raise RuntimeError(f"{self.argv[0]} was spawned with its output going to a file")
        for line in self.process.stdout:
            yield line.rstrip("\n")

    def wait(self, timeout: float | None = None) -> int:
        return self.process.wait(timeout)

    def terminate(self) -> None:
        """SIGTERM only: whoever reads its output sees it end, then calls stop()."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, and SIGKILL after `timeout` seconds; returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()
        if self._log is not None:
            self._log.close()
        return self.process.returncode


class Runner:
    def which(self, program: str) -> str | None:
        return shutil.which(program)

    def run(
        self,
        argv: Sequence[str],
        *,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        input: bytes | None = None,
        check: bool = True,
        env: Mapping[str, str] | None = None,
        tool: str | None = None,
    ) -> Completed:
        """Runs a command to completion. With `check`, a non-zero exit raises the classified error;
        `tool` (helm, kubectl, ...) says whose messages to read when the program's name does not."""
        completed = self._execute(_validated(argv), timeout=timeout, input=input, env=env, tool=tool)
        if check and completed.returncode != 0:
            raise classify(
                completed.argv, completed.returncode, completed.stdout, completed.stderr, tool=tool
            )
        return completed

    def spawn(
        self,
        argv: Sequence[str],
        *,
        env: Mapping[str, str] | None = None,
        log_path: Path | None = None,
        umask: int | None = None,
    ) -> Spawned:
        """Starts a long-lived program. Its output goes to `log_path` (created 0600), or else to a
        pipe read with `Spawned.lines()`; `umask` is the mode mask of the files it creates."""
        return self._start(_validated(argv), env=env, log_path=log_path, umask=umask)

    def _execute(
        self,
        argv: list[str],
        *,
        timeout: float,
        input: bytes | None,
        env: Mapping[str, str] | None,
        tool: str | None = None,
    ) -> Completed:
        try:
            result = subprocess.run(
                argv,
                input=input,
                capture_output=True,
                timeout=timeout,
                env=dict(env) if env is not None else None,
                check=False,
            )
        except FileNotFoundError:
            raise missing_tool(argv[0], tool) from None
        except subprocess.TimeoutExpired as expired:
            raise CommandTimedOut(
                f"`{_display(argv)}` did not finish within {timeout:g}s and was stopped",
                hint="the cluster may be overloaded or unreachable; check it with `todoctl doctor`",
                argv=argv,
                stdout=_text(expired.stdout),
                stderr=_text(expired.stderr),
            ) from None
        return Completed(tuple(argv), result.returncode, _text(result.stdout), _text(result.stderr))

    def _start(
        self, argv: list[str], *, env: Mapping[str, str] | None, log_path: Path | None, umask: int | None
    ) -> Spawned:
        log = _open_log(log_path) if log_path is not None else None
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.DEVNULL,
                stdout=log if log is not None else subprocess.PIPE,
                stderr=subprocess.STDOUT,
                env=dict(env) if env is not None else None,
                text=True,
                errors="replace",
                bufsize=1,
                start_new_session=True,
                umask=-1 if umask is None else umask,
                preexec_fn=_ending_with(os.getpid()),  # noqa: PLW1509 - see _ending_with
            )
        except FileNotFoundError:
            if log is not None:
                log.close()
            raise missing_tool(argv[0]) from None
        return Spawned(argv, process, log)


def _open_log(path: Path) -> IO[str]:
    """Appends to the log, which only its owner may read: services log what users typed."""
    return os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600), "a", encoding="utf-8")


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's prctl, looked up once in todoctl itself (a child between fork and exec should do as
    little as possible); None off Linux."""
    if not sys.platform.startswith("linux"):
        return None
    return ctypes.CDLL(None, use_errno=True).prctl


def _ending_with(parent: int) -> Callable[[], None] | None:
    """What a child runs before exec: asks the kernel for SIGTERM when the thread that started it
    ends (PR_SET_PDEATHSIG), which for todoctl's main thread means todoctl exiting however it
    exits; the port-forward's kubectl is started and stopped by its supervising thread, so it too
    goes with the thread that owns it. A child whose parent is already gone stops at once.

    It only calls a C function already looked up and reads its parent's pid: nothing that could
    wait on a lock another thread of todoctl held at the fork."""
    prctl = _prctl()
    if prctl is None:
        return None

    def before_exec() -> None:
        prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)
        if os.getppid() != parent:
            os._exit(1)

    return before_exec


def missing_tool(program: str, tool: str | None = None) -> ToolNotFound:
    return ToolNotFound(f"{program} is not installed or not on PATH", hint=install_hint(tool or program))


def _validated(argv: Sequence[str]) -> list[str]:
    if isinstance(argv, str | bytes):
        raise TypeError("argv must be a list of arguments, never one command line")
    parts = [os.fspath(part) if isinstance(part, os.PathLike) else part for part in argv]
    if not parts or not all(isinstance(part, str) for part in parts):
        raise TypeError(f"argv must be a non-empty list of strings, got {argv!r}")
    return parts


def _text(stream: bytes | str | None) -> str:
    if stream is None:
        return ""
    if isinstance(stream, str):
        return stream
    return stream.decode("utf-8", errors="replace")


def _display(argv: Sequence[str]) -> str:
    return " ".join(argv[:3]) + (" ..." if len(argv) > 3 else "")
