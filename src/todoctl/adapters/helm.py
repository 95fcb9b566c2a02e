"""Helm 3 and Helm 4 through pyhelm3, with every helm process started by todoctl's runner.

pyhelm3 builds the argv and parses the JSON; its `Command.run` would hand the argv to a shell, so
`RoutedCommand` replaces exactly that step. Values travel on stdin (`--values -`), which keeps
secrets out of argv and out of `ps`.
"""

import asyncio
import json
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import semver
from pyhelm3 import Command

from todoctl.adapters.runner import Runner
from todoctl.errors import TodoctlError
from todoctl.parsers.versions import Version, helm_version

T = TypeVar("T")
# `todoctl down` runs `helm uninstall --wait`, which Helm has had since 3.7.0 (helm/helm#9702);
# every other flag todoctl passes is older.
MINIMUM_HELM = Version(3, 7, 0)
SUPPORTED_MAJORS = (3, 4)

# What helm may take beyond its own --timeout (a rollback or uninstall with --wait) before the process
# is stopped: rendering, talking to the API server, writing the release record.
_RUNNER_MARGIN_SECONDS = 60


class RoutedCommand(Command):
    def __init__(
        self, runner: Runner, *, executable: str, kubecontext: str | None, timeout_seconds: int
    ) -> None:
        super().__init__(
            default_timeout=f"{timeout_seconds}s", executable=executable, kubecontext=kubecontext
        )
        self.executable = executable
        self._runner = runner
        self._process_timeout = timeout_seconds + _RUNNER_MARGIN_SECONDS

    def argv(self, command: Sequence[Any]) -> list[str]:
        argv = [self._executable, *(str(part) for part in command)]
        if self._kubecontext:
            argv += ["--kube-context", self._kubecontext]
        return argv

    async def run(self, command: list[Any], input: bytes | None = None) -> bytes:
        # Blocking on purpose: helm is the only thing running, and a Ctrl-C then interrupts the
        # wait and stops helm instead of leaving it behind in a worker thread.
        completed = self._runner.run(
            self.argv(command), timeout=self._process_timeout, input=input, tool="helm"
        )
        return completed.stdout.encode()

    def client_version(self) -> semver.Version:
        found = helm_version(
            self._runner.run(
                [self._executable, "version", "--template", "{{ .Version }}"], tool="helm"
            ).stdout
        )
        return semver.Version(found.major, found.minor, found.patch)


@dataclass(frozen=True)
class LintFinding:
    severity: str  # INFO, WARNING or ERROR
    path: str
    message: str

    @property
    def is_problem(self) -> bool:
        """Under --strict a warning fails the lint just as an error does."""
        return self.severity not in {"INFO", "UNKNOWN"}

    def __str__(self) -> str:
        return f"[{self.severity}] {self.path}: {self.message}"


@dataclass(frozen=True)
class LintReport:
    passed: bool
    findings: list[LintFinding]


class Helm:
    def __init__(
        self,
        runner: Runner,
        *,
        namespace: str,
        context: str | None = None,
        timeout_seconds: int = 300,
        executable: str = "helm",
    ) -> None:
        self.runner = runner
        self.namespace = namespace
        self.timeout_seconds = timeout_seconds
        self.command = RoutedCommand(
            runner, executable=executable, kubecontext=context, timeout_seconds=timeout_seconds
        )

    @cached_property
    def version(self) -> Version:
        return helm_version(self._sync(self.command.version()))

    @property
    def supported(self) -> RoutedCommand:
        """The command line, once the helm behind it is known to understand every flag todoctl
        passes; raises, naming the version found and the one needed, before any other helm call."""
        check_supported(self.version, self.command.executable)
        return self.command

    def upgrade_install(self, release: str, chart: Path, values: dict[str, Any]) -> dict[str, Any]:
        """`helm upgrade --install` without waiting (todoctl waits itself, see rollout.py); returns the
        release as `helm status -o json` shows it."""
        return self._sync(
            self.supported.install_or_upgrade(
                release, chart, values, create_namespace=True, namespace=self.namespace
            )
        )

    def status(self, release: str) -> dict[str, Any]:
        return self._sync(self.supported.status(release, namespace=self.namespace))

    def history(self, release: str) -> list[dict[str, Any]]:
        return list(self._sync(self.supported.history(release, namespace=self.namespace)))

    def user_values(self, release: str) -> dict[str, Any]:
        """The values the release was installed with (not the chart's defaults)."""
        return self._sync(self.supported.get_values(release, namespace=self.namespace))

    def rollback(self, release: str, revision: int | None = None) -> None:
        self._sync(self.supported.rollback(release, revision, namespace=self.namespace, wait=True))

    def uninstall(self, release: str) -> None:
        self._sync(self.supported.uninstall(release, namespace=self.namespace, wait=True))

    def lint(self, chart: Path, values: dict[str, Any] | None = None) -> LintReport:
        """`helm lint --strict` of the chart with these values (on stdin, as deploys pass them);
        warnings fail too."""
        argv = self.supported.argv(
            ["lint", "--strict", str(chart), "--namespace", self.namespace, "--values", "-"]
        )
        completed = self.runner.run(argv, check=False, input=json.dumps(values or {}).encode(), tool="helm")
        return LintReport(passed=completed.returncode == 0, findings=parse_lint_output(completed.output))

    @staticmethod
    def _sync(coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run(coroutine)


def check_supported(version: Version, executable: str = "helm") -> None:
    if version.major not in SUPPORTED_MAJORS:
        raise TodoctlError(
            f"{executable} is Helm {version}, which todoctl does not support",
            hint="install Helm 3 (3.7 or newer) or Helm 4: https://helm.sh/docs/intro/install/",
        )
    if version < MINIMUM_HELM:
        raise TodoctlError(
            f"{executable} is Helm {version}; todoctl needs Helm {MINIMUM_HELM} or newer",
            hint="todoctl runs `helm uninstall --wait`, new in Helm 3.7; install a newer Helm "
            "(https://helm.sh/docs/intro/install/) or point --helm / TODOCTL_HELM at one",
        )


def parse_lint_output(output: str) -> list[LintFinding]:
    """`[SEVERITY] path: message` lines; TAB-indented lines continue the previous message."""
    findings: list[LintFinding] = []
    for line in output.splitlines():
        if line.startswith("\t") and findings:
            last = findings.pop()
            findings.append(LintFinding(last.severity, last.path, f"{last.message}: {line.strip()}"))
            continue
        if not line.startswith("[") or "]" not in line:
            continue
        severity, rest = line[1:].split("]", 1)
        path, _, message = rest.strip().partition(": ")
        findings.append(LintFinding(severity.strip(), path.strip(), message.strip()))
    return findings
