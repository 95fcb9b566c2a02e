"""The runner with its two system calls replaced: commands answer with scripted real outputs.

Everything else (argv validation, the classification of failures into typed errors) is the real
runner's, so a test sees exactly what a command would see from the real tool.
"""

import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from todoctl.adapters.runner import Completed, Runner, missing_tool


@dataclass(frozen=True)
class Answer:
    stdout: str = ""
    stderr: str = ""
    returncode: int = 0


@dataclass(frozen=True)
class Call:
    argv: tuple[str, ...]
    input: bytes | None
    timeout: float


class FakeProcess:
    """A spawned program that prints `lines` and then exits, or stays up until stopped."""

    def __init__(self, lines: list[str], *, stays_open: bool = False, exit_code: int = 1) -> None:
        self._lines = lines
        self.stays_open = stays_open
        self.exit_code = exit_code
        self.pid = 4242
        self.argv: tuple[str, ...] = ()
        self.stopped = threading.Event()
        self.emitted = threading.Event()  # every scripted line was read
        self.finished = threading.Event()

    def lines(self) -> Iterator[str]:
        for line in self._lines:
            if self.stopped.is_set():
                break
            yield line
        self.emitted.set()
        if self.stays_open:
            self.stopped.wait()
        self.finished.set()

    def poll(self) -> int | None:
        if self.stopped.is_set() or (self.finished.is_set() and not self.stays_open):
            return self.exit_code
        return None

    def wait(self, timeout: float | None = None) -> int:
        self.finished.wait(timeout)
        return self.exit_code

    def terminate(self) -> None:
        self.stopped.set()

    def stop(self, timeout: float = 10.0) -> int:
        self.stopped.set()
        return self.exit_code


class FakeRunner(Runner):
    def __init__(self, installed: tuple[str, ...] = ("helm", "kubectl", "minikube", "kind", "k3d")) -> None:
        self.installed = set(installed)
        self.calls: list[Call] = []
        self.spawned: list[tuple[str, ...]] = []
        self.processes: list[FakeProcess] = []
        # when set, makes the process for each spawn instead of `processes`
        self.process_factory: Callable[[tuple[str, ...]], FakeProcess] | None = None
        self._answers: list[tuple[tuple[str, ...], Answer | Callable[[tuple[str, ...]], Answer]]] = []
        # program -> how it reads its command line (fake_helm.FakeHelmCli.check): a refusal (exit
        # non-zero) is the answer; warnings it prints before running go ahead of the scripted stderr
        self.checks: dict[str, Callable[[tuple[str, ...]], Answer]] = {}

    def on(self, *prefix: str, stdout: str = "", stderr: str = "", returncode: int = 0) -> None:
        """Commands starting with `prefix` answer so; the latest matching rule wins."""
        self._answers.append((prefix, Answer(stdout, stderr, returncode)))

    def on_call(self, *prefix: str, answer: Callable[[tuple[str, ...]], Answer]) -> None:
        """For answers that depend on what happened before (e.g. the tags a build just made)."""
        self._answers.append((prefix, answer))

    def which(self, program: str) -> str | None:
        return f"/usr/local/bin/{program}" if program in self.installed else None

    def argvs(self, *prefix: str) -> list[tuple[str, ...]]:
        return [call.argv for call in self.calls if call.argv[: len(prefix)] == prefix]

    def _execute(
        self,
        argv: list[str],
        *,
        timeout: float,
        input: bytes | None,
        env: Mapping[str, str] | None,
        tool: str | None = None,
    ) -> Completed:
        self.calls.append(Call(tuple(argv), input, timeout))
        if argv[0] not in self.installed:
            raise missing_tool(argv[0], tool)
        check = self.checks.get(argv[0])
        verdict = check(tuple(argv)) if check is not None else Answer()
        if verdict.returncode != 0:
            return Completed(tuple(argv), verdict.returncode, verdict.stdout, verdict.stderr)
        for prefix, scripted in reversed(self._answers):
            if tuple(argv[: len(prefix)]) == prefix:
                answer = scripted(tuple(argv)) if callable(scripted) else scripted
                return Completed(
                    tuple(argv), answer.returncode, answer.stdout, verdict.stderr + answer.stderr
                )
        raise AssertionError(f"the test scripted no answer for {argv}")

    def _start(  # type: ignore[override]
        self, argv: list[str], *, env: Mapping[str, str] | None, log_path: Path | None, umask: int | None
    ) -> FakeProcess:
        self.spawned.append(tuple(argv))
        if argv[0] not in self.installed:
            raise missing_tool(argv[0])
        if self.process_factory is not None:
            process = self.process_factory(tuple(argv))
        elif self.processes:
            process = self.processes.pop(0)
        else:
            raise AssertionError(f"the test scripted no process for {argv}")
        process.argv = tuple(argv)
        return process
