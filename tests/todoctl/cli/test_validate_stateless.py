"""validate-stateless against the real services: pods are deleted in a fake cluster, the processes
behind them really restart, and the chat goes through a real TCP forward."""

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


def test_validate_stateless_passes_when_every_pod_keeps_nothing(invoke, runner, cluster, release):
    run_stack(release, runner, cluster)
    # a pod of an earlier rollout still shutting down: already on its way out, nothing to disrupt
    leaving = factories.pod("ai-todo", "ai-todo-4a3b2c1d0e-old00", ready=False)
    leaving["metadata"]["deletionTimestamp"] = "2026-11-28T09:59:00Z"
    cluster.add("pods", leaving)

    result = invoke("--json", "validate-stateless", "--threshold", "60")

    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert [d["name"] for d in report["disruptions"]] == ["ai-todo pods", "mcp-server pods", "all pods"]
    assert [len(d["deleted"]) for d in report["disruptions"]] == [1, 1, 2]
    assert all(
        d["history_intact"] and d["tasks_intact"] and d["conversation_continued"]
        for d in report["disruptions"]
    )
    assert report["tasks"] == 2
    assert cluster.deleted[:2] == ["ai-todo-5b85bc8649-a1b2c", "mcp-server-5b85bc8649-a1b2c"]
    assert "ai-todo-4a3b2c1d0e-old00" not in cluster.deleted
    # the forward to the deleted ai-todo pod dropped and was re-established
    assert len(runner.spawned) >= 2


def test_validate_stateless_detects_a_lost_task(invoke, runner, cluster, release):
    release.mcp_database = "per-pod"  # mcp-server keeps its tasks in the pod: a restart loses them
    run_stack(release, runner, cluster)

    result = invoke("validate-stateless", "--threshold", "60")

    assert result.exit_code == 1
    assert "mcp-server pods: task 1 'Buy groceries' was lost" in result.stdout
    assert "mcp-server pods: task 2 'Pay bills' was lost" in result.stdout
    assert "the deployment did not prove stateless" in result.stdout


def test_validate_stateless_counts_requests_of_concurrent_conversations(invoke, runner, cluster, release):
    run_stack(release, runner, cluster)

    result = invoke("--json", "validate-stateless", "--threshold", "60", "--concurrent", "2")

    report = json.loads(result.stdout)
    assert report["load"]["conversations"] == 2
    assert report["load"]["requests"] > 0
    assert report["load"]["lost_tasks"] == 0
    assert result.exit_code == (0 if report["passed"] else 1)


def test_validate_stateless_needs_a_release_with_an_hs256_secret(invoke, cluster):
    factories.deployed_release(cluster, jwt_secret=None)

    result = invoke("validate-stateless")

    assert result.exit_code == 1
    assert "cannot mint tokens" in result.stdout
