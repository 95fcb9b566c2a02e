"""The port-forward supervisor against kubectl's real outputs."""

import pytest

from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import FakeProcess, FakeRunner
from todoctl.errors import TodoctlError
from todoctl.forward import ChatPods, PortForward, Target

FORWARDING = ["Forwarding from 127.0.0.1:18000 -> 8000", "Forwarding from [::1]:18000 -> 8000"]


def supervisor(runner: FakeRunner, events: list) -> PortForward:
    return PortForward(
        runner,
        context="minikube",
        namespace="default",
        target=Target("ai-todo-service", 8000),
        local_port=18000,
        on_event=lambda kind, text: events.append((kind, text)),
        backoff=(0,),
    )


def to_chat_pods(runner: FakeRunner, cluster: FakeCluster, events: list) -> PortForward:
    """A supervisor that chooses among the release's ai-todo pods, as `todoctl forward` runs it."""
    return PortForward(
        runner,
        context="minikube",
        namespace="default",
        target=Target("ai-todo-service", 8000, "http"),
        local_port=18000,
        on_event=lambda kind, text: events.append((kind, text)),
        backoff=(0,),
        pods=ChatPods(cluster.kube(), "todo"),
    )


def test_a_legacy_kubectl_that_keeps_running_with_a_dead_tunnel_is_replaced():
    # older kubectl logs "lost connection to pod" and keeps running (kubernetes/kubectl#1169)
    runner, events = FakeRunner(), []
    dead = FakeProcess(
        [*FORWARDING, *fixture_files.text("kubectl/port-forward-error-legacy.txt").splitlines()],
        stays_open=True,
    )
    fresh = FakeProcess(FORWARDING, stays_open=True)
    runner.processes += [dead, fresh]

    forward = supervisor(runner, events).start()
    fresh.emitted.wait(10)
    forward.stop()

    assert dead.stopped.is_set()
    assert events == [
        ("dropped", "lost connection to pod"),
        ("reconnected", "forwarding http://127.0.0.1:18000 again"),
    ]
    assert forward.reconnects == 1


def test_the_forward_keeps_trying_while_no_pod_is_ready():
    runner, events = FakeRunner(), []
    no_pods = ["error: unable to forward port because pod is not running. Current status=Pending"]
    up = FakeProcess(FORWARDING, stays_open=True)
    runner.processes += [
        FakeProcess([*FORWARDING, "error: lost connection to pod"]),
        FakeProcess(no_pods),
        FakeProcess(no_pods),
        up,
    ]

    forward = supervisor(runner, events).start()
    up.emitted.wait(10)
    forward.stop()

    assert [kind for kind, _ in events] == ["dropped", "dropped", "dropped", "reconnected"]
    assert events[1][1] == "unable to forward port because pod is not running. Current status=Pending"


def test_a_missing_service_is_reported_when_starting():
    runner = FakeRunner()
    runner.processes.append(
        FakeProcess(['Error from server (NotFound): services "ai-todo-service" not found'])
    )

    with pytest.raises(TodoctlError) as raised:
        supervisor(runner, []).start()

    assert "NotFound" in raised.value.message
    assert "todoctl deploy" in raised.value.hint


def test_stop_ends_a_forward_that_is_running():
    runner = FakeRunner()
    running = FakeProcess(FORWARDING, stays_open=True)
    runner.processes.append(running)

    forward = supervisor(runner, []).start()
    forward.stop()

    assert running.stopped.is_set()
    assert not forward.supervising


def test_the_forward_goes_to_the_newest_ready_pod_and_leaves_it_once_it_shuts_down():
    cluster, runner, events = FakeCluster(), FakeRunner(), []
    factories.deployed_release(cluster)
    first = FakeProcess(FORWARDING, stays_open=True)
    second = FakeProcess(FORWARDING, stays_open=True)
    runner.processes += [first, second]
    forward = to_chat_pods(runner, cluster, events).start()

    leaving = cluster.named("pods", "ai-todo-5b85bc8649-d3e4f")
    leaving["metadata"]["deletionTimestamp"] = "2026-11-30T12:00:00Z"
    second.emitted.wait(10)
    forward.stop()

    assert [argv[2] for argv in runner.spawned] == [
        "pod/ai-todo-5b85bc8649-d3e4f",
        "pod/ai-todo-5b85bc8649-a1b2c",
    ]
    assert runner.spawned[0][3] == "18000:http"
    assert events[0] == ("dropped", "pod ai-todo-5b85bc8649-d3e4f is shutting down")
    assert events[1] == (
        "reconnected",
        "forwarding http://127.0.0.1:18000 again to pod ai-todo-5b85bc8649-a1b2c",
    )


def test_without_a_ready_pod_the_forward_waits_on_the_service():
    cluster, runner, events = FakeCluster(), FakeRunner(), []
    factories.deployed_release(cluster)
    for pod in cluster.objects["pods"]:
        pod["metadata"]["deletionTimestamp"] = "2026-11-30T12:00:00Z"
    runner.processes.append(FakeProcess(FORWARDING, stays_open=True))
    forward = to_chat_pods(runner, cluster, events).start()
    forward.stop()

    assert runner.spawned[0][2:4] == ("svc/ai-todo-service", "18000:8000")


def test_a_forward_left_to_the_service_moves_to_a_pod_once_one_is_ready():
    """Both pods deleted at once: kubectl may forward through the Service to a pod that is shutting
    down, whose tunnel stays open and answers nothing once it is gone."""
    cluster, runner, events = FakeCluster(), FakeRunner(), []
    factories.deployed_release(cluster)
    leaving = [pod for pod in cluster.objects["pods"] if pod["metadata"]["name"].startswith("ai-todo")]
    for pod in leaving:
        pod["metadata"]["deletionTimestamp"] = "2026-11-30T12:00:00Z"
    through_service = FakeProcess(FORWARDING, stays_open=True)
    to_pod = FakeProcess(FORWARDING, stays_open=True)
    runner.processes += [through_service, to_pod]
    forward = to_chat_pods(runner, cluster, events).start()

    cluster.add("pods", factories.pod("ai-todo", "ai-todo-7c9d8e6f5a-n3w1p"))
    to_pod.emitted.wait(10)
    forward.stop()

    assert [argv[2] for argv in runner.spawned] == ["svc/ai-todo-service", "pod/ai-todo-7c9d8e6f5a-n3w1p"]
    assert events[0] == ("dropped", "pod ai-todo-7c9d8e6f5a-n3w1p is ready")
