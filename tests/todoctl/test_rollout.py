from typing import Any

import pytest

from tests.todoctl import factories
from tests.todoctl.fake_kube import FakeCluster
from todoctl.rollout import CRASH_RESTARTS, STUCK_SECONDS, UNSCHEDULABLE_SECONDS, watch_rollout

TIMEOUT = 300.0


def rolling(cluster: FakeCluster, *pods: dict[str, Any]) -> None:
    """ai-todo mid-rollout (one of two new replicas ready), with these pods beside the ready ones."""
    factories.deployed_release(cluster)
    cluster.replace("deployments", factories.deployment("ai-todo", replicas=2, ready=1))
    cluster.add("pods", *pods)


def watch(cluster: FakeCluster, **kwargs: Any):
    kube = cluster.kube()
    return watch_rollout(kube, "todo", timeout=TIMEOUT, clock=kube.clock, sleep=kube.sleep, **kwargs)


def test_a_ready_release_is_ready_at_the_first_look(cluster):
    factories.deployed_release(cluster)
    started = cluster.clock.seconds

    outcome = watch(cluster)

    assert outcome.ready
    assert cluster.clock.seconds - started < 5


def test_a_crash_loop_ends_the_wait_with_its_last_log_lines(cluster):
    rolling(cluster, factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))
    cluster.logs[("ai-todo-7c9d8e6f5-x2k4q", True)] = (
        "Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required\n"
    )
    started = cluster.clock.seconds

    outcome = watch(cluster)

    assert not outcome.ready
    assert outcome.reason == "ai-todo-7c9d8e6f5-x2k4q: CrashLoopBackOff"
    assert "  log | Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required" in outcome.diagnosis.details
    assert cluster.clock.seconds - started < 10


def test_a_container_that_crashed_once_gets_another_chance(cluster):
    pod = factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q")
    pod["status"]["containerStatuses"][0]["restartCount"] = CRASH_RESTARTS - 1
    rolling(cluster, pod)

    outcome = watch(cluster)

    assert outcome.reason == f"not ready after {TIMEOUT:g}s"


@pytest.mark.parametrize(
    ("pod", "patience"),
    [
        (factories.image_missing_pod("mcp-server", "mcp-server-6f7a8b9c0-p9z8y"), STUCK_SECONDS),
        (factories.unschedulable_pod("ai-todo", "ai-todo-7c9d8e6f5-q1w2e"), UNSCHEDULABLE_SECONDS),
    ],
)
def test_a_stuck_pod_ends_the_wait_once_it_has_been_stuck_long_enough(cluster, pod, patience):
    rolling(cluster, pod)
    started = cluster.clock.seconds

    outcome = watch(cluster)

    waited = cluster.clock.seconds - started
    assert outcome.reason.startswith(pod["metadata"]["name"])
    assert patience <= waited < patience + 10


def test_an_image_problem_carries_the_hint_of_how_images_reach_the_cluster(cluster):
    rolling(cluster, factories.image_missing_pod("mcp-server", "mcp-server-6f7a8b9c0-p9z8y"))

    outcome = watch(cluster, image_hint="pass --registry")

    assert outcome.diagnosis.hint == "pass --registry"


def test_a_rollout_with_no_visible_problem_waits_out_the_timeout(cluster):
    rolling(cluster, factories.pod("ai-todo", "ai-todo-7c9d8e6f5-n3w9p", ready=False))
    started = cluster.clock.seconds

    outcome = watch(cluster)

    assert outcome.reason == f"not ready after {TIMEOUT:g}s"
    assert cluster.clock.seconds - started >= TIMEOUT
    assert "ai-todo-7c9d8e6f5-n3w9p: not ready yet (Running)" in outcome.diagnosis.details


def test_a_deployment_past_its_progress_deadline_fails_at_once(cluster):
    factories.deployed_release(cluster)
    cluster.replace("deployments", factories.deployment("ai-todo", ready=0, deadline_exceeded=True))

    outcome = watch(cluster)

    assert outcome.reason == "ai-todo: exceeded its progress deadline"


def test_progress_is_reported_while_waiting(cluster):
    rolling(cluster, factories.pod("ai-todo", "ai-todo-7c9d8e6f5-n3w9p", ready=False))
    seen: list[str] = []

    watch(cluster, on_progress=seen.append)

    assert "ai-todo: 1 of 2 updated replicas available" in seen[0]
