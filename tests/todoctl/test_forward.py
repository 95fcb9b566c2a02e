"""The port-forward supervisor against kubectl's real outputs."""

import pytest

from tests.todoctl import fixture_files
from tests.todoctl.fake_runner import FakeProcess, FakeRunner
from todoctl.errors import TodoctlError
from todoctl.forward import PortForward, Target

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
