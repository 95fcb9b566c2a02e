"""Fixtures for the CLI tests that reach real services behind the fake cluster."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import FakeRunner
from tests.todoctl.local_stack import LocalRelease


@pytest.fixture
def stack(tmp_path: Path, runner: FakeRunner, deployed: FakeCluster) -> Iterator[LocalRelease]:
    """Both services running for real on SQLite; `kubectl port-forward` reaches them."""
    local = LocalRelease(database_url=f"sqlite:///{tmp_path / 'todo.db'}", work=tmp_path)
    local.start("mcp-server")
    local.start("ai-todo")
    runner.process_factory = local.forward
    yield local
    local.stop()
