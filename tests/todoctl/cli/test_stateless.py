"""validate-stateless against the real services, for what a real cluster does not do: a release whose
mcp-server keeps its tasks in the pod. Pods are deleted in a fake cluster, the processes behind them
really restart, and the chat goes through a real TCP forward. The passing run is proven on the real
cluster (tests/cluster)."""

import json

import pytest

from tests.todoctl import factories
from tests.todoctl.local_stack import LocalRelease


@pytest.fixture
def release(postgres_url, tmp_path, runner, cluster):
    factories.deployed_release(cluster, replicas=1)
    local = LocalRelease(database_url=postgres_url, work=tmp_path)
    yield local
    local.stop()


def run_stack(release, runner, cluster):
    release.start("mcp-server")
    release.start("ai-todo")
    release.attach(cluster)
    runner.process_factory = release.forward


def test_validate_stateless_detects_a_lost_task(invoke, runner, cluster, release):
    release.mcp_database = "per-pod"  # mcp-server keeps its tasks in the pod: a restart loses them
    run_stack(release, runner, cluster)
    # a pod of an earlier rollout still shutting down: already on its way out, nothing to disrupt
    leaving = factories.pod("ai-todo", "ai-todo-4a3b2c1d0e-old00", ready=False)
    leaving["metadata"]["deletionTimestamp"] = "2026-11-28T09:59:00Z"
    cluster.add("pods", leaving)

    result = invoke("--json", "validate-stateless", "--threshold", "60")

    assert result.exit_code == 1
    report = json.loads(result.stdout)
    assert [len(d["deleted"]) for d in report["disruptions"]] == [1, 1, 2]
    assert "ai-todo-4a3b2c1d0e-old00" not in cluster.deleted
    problems = [problem for d in report["disruptions"] for problem in d["problems"]]
    assert "task 1 'Buy groceries' was lost" in problems
    assert "task 2 'Pay bills' was lost" in problems


def test_validate_stateless_needs_a_release_with_an_hs256_secret(invoke, cluster):
    factories.deployed_release(cluster, jwt_secret=None)

    result = invoke("validate-stateless")

    assert result.exit_code == 1
    assert "cannot mint tokens" in result.stdout
