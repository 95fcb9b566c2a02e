from datetime import UTC, datetime, timedelta

import pytest

from tests.todoctl import factories
from tests.todoctl.fake_kube import deserialize
from todoctl.parsers.pods import age, deployment_progress, is_ready, pod_status, problems, summarize


def pod(document):
    return deserialize(document, "V1Pod")


def deployment(document):
    return deserialize(document, "V1Deployment")


def test_a_running_pod_summarised_like_kubectl_get_pods():
    running = pod(factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c"))
    now = running.metadata.creation_timestamp + timedelta(minutes=12, seconds=5)

    summary = summarize(running, now)

    assert (summary.ready, summary.status, summary.restarts, summary.age) == ("1/1", "Running", 0, "12m")
    assert summary.component == "ai-todo"
    assert summary.image.startswith("todoctl/ai-todo:")
    assert is_ready(running)


def test_a_crash_looping_pod_is_a_problem_with_the_kubelets_message():
    crashing = pod(factories.crash_looping_pod("ai-todo", "ai-todo-x"))

    [problem] = problems(crashing)

    assert pod_status(crashing) == "CrashLoopBackOff"
    assert summarize(crashing).restarts == 5
    assert problem.is_crash_loop
    assert problem.message.startswith("back-off 5m0s restarting failed container")
    assert not is_ready(crashing)


def test_a_missing_image_is_an_image_problem():
    [problem] = problems(pod(factories.image_missing_pod("mcp-server", "mcp-server-x")))

    assert (problem.reason, problem.is_image_problem) == ("ErrImageNeverPull", True)


def test_an_unschedulable_pod_is_a_problem_with_the_schedulers_message():
    [problem] = problems(pod(factories.unschedulable_pod("ai-todo", "ai-todo-x")))

    assert (problem.reason, problem.message) == (
        "Unschedulable",
        "0/1 nodes are available: 1 Insufficient memory.",
    )


def test_a_terminating_pod_is_neither_ready_nor_running():
    document = factories.pod("ai-todo", "ai-todo-x")
    document["metadata"]["deletionTimestamp"] = "2026-11-28T10:00:00Z"

    assert pod_status(pod(document)) == "Terminating"
    assert not is_ready(pod(document))


@pytest.mark.parametrize(
    ("document", "done", "failed", "message"),
    [
        (factories.deployment("ai-todo"), True, False, "ai-todo: 2/2 ready"),
        (
            factories.deployment("ai-todo", ready=1),
            False,
            False,
            "ai-todo: 1 of 2 updated replicas available",
        ),
        (
            factories.deployment("ai-todo", generation=3, observed=2),
            False,
            False,
            "waiting for the controller",
        ),
        (
            factories.deployment("ai-todo", ready=0, deadline_exceeded=True),
            False,
            True,
            "exceeded its progress deadline",
        ),
    ],
)
def test_deployment_progress_follows_kubectl_rollout_status(document, done, failed, message):
    progress = deployment_progress(deployment(document))

    assert (progress.done, progress.failed) == (done, failed)
    assert message in progress.message


def test_old_replicas_still_terminating_are_not_done():
    document = factories.deployment("ai-todo")
    document["status"].update(replicas=3, updatedReplicas=2)

    assert "1 old replicas pending termination" in deployment_progress(deployment(document)).message


@pytest.mark.parametrize(
    ("seconds", "shown"), [(45, "45s"), (125, "2m"), (7300, "2h"), (3 * 86400 + 5, "3d")]
)
def test_ages_are_short_like_kubectls(seconds, shown):
    now = datetime(2026, 11, 28, tzinfo=UTC)

    assert age(now - timedelta(seconds=seconds), now) == shown
