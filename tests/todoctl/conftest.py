"""Fixtures of todoctl's tests: fakes at the cluster boundary, a private state directory, and the
CLI invoked the way a user would, through Typer."""

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tests.todoctl import factories
from tests.todoctl.fake_docker import FakeDockerApi
from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import FakeRunner
from todoctl.cli.app import app
from todoctl.session import Boundary

# what a developer's shell may carry that would change a command's behaviour
_AMBIENT = (
    "DATABASE_URL",
    "OPENAI_API_KEY",
    "AUTH_JWT_SECRET",
    "MCP_AUTH_TOKEN",
    "TODOCTL_CONTEXT",
    "TODOCTL_NAMESPACE",
    "TODOCTL_RELEASE",
    "TODOCTL_PROVIDER",
    "TODOCTL_TIMEOUT",
    "TODOCTL_JSON",
)


@pytest.fixture(autouse=True)
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _AMBIENT:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TODOCTL_STATE_DIR", str(tmp_path / "state"))
    workdir = tmp_path / "work"
    workdir.mkdir()
    monkeypatch.chdir(workdir)


@pytest.fixture
def runner() -> FakeRunner:
    return FakeRunner()


@pytest.fixture
def cluster() -> FakeCluster:
    return FakeCluster()


@pytest.fixture
def deployed(cluster: FakeCluster) -> FakeCluster:
    factories.deployed_release(cluster)
    return cluster


@pytest.fixture
def docker_api() -> FakeDockerApi:
    return FakeDockerApi()


@pytest.fixture
def context_name() -> str:
    return "minikube"


@pytest.fixture
def boundary(
    runner: FakeRunner, cluster: FakeCluster, docker_api: FakeDockerApi, context_name: str
) -> Boundary:
    return Boundary(
        runner=runner,
        kube=lambda **_: cluster.kube(),
        docker=lambda: docker_api,
        kube_contexts=lambda: ([context_name], context_name),
    )


Invoke = Callable[..., "CliResult"]


class CliResult:
    def __init__(self, result) -> None:  # type: ignore[no-untyped-def]
        self.exit_code: int = result.exit_code
        self.stdout: str = result.stdout
        self.stderr: str = result.stderr
        self.output: str = result.output
        self.exception = result.exception

    def __repr__(self) -> str:
        return f"<exit {self.exit_code}>\n{self.output}"


@pytest.fixture
def invoke(boundary: Boundary) -> Invoke:
    def run(*args: str, input: str | None = None) -> CliResult:
        result = CliRunner().invoke(app, list(args), obj=boundary, input=input, env={"COLUMNS": "200"})
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            raise result.exception
        return CliResult(result)

    return run
