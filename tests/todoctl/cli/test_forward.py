import os
import signal
import threading
from collections.abc import Callable

import jwt

from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_runner import FakeProcess

FORWARDING = ["Forwarding from 127.0.0.1:18000 -> 8000", "Forwarding from [::1]:18000 -> 8000"]


LOST = fixture_files.text("kubectl/port-forward-lost-connection-v1.31.txt").splitlines()


def sigterm_when(condition: Callable[[], bool]) -> None:
    """Sends this process SIGTERM, as a service manager would, once `condition()` holds."""

    def watch() -> None:
        pause = threading.Event()
        while not condition():
            pause.wait(0.02)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, daemon=True).start()


def test_forward_prints_a_url_with_a_token_and_reconnects_after_losing_its_pod(invoke, runner, deployed):
    lost = FakeProcess(LOST, exit_code=1)
    again = FakeProcess(FORWARDING, stays_open=True, exit_code=0)
    runner.processes += [lost, again]
    sigterm_when(again.emitted.is_set)

    result = invoke("forward", "--port", "18000", "--user", "alice")

    assert result.exit_code == 0, result
    url = next(line for line in result.stdout.splitlines() if "chat ready" in line).split("chat ready: ")[1]
    assert url.startswith("http://127.0.0.1:18000/#token=")
    claims = jwt.decode(url.split("#token=")[1], factories.JWT_SECRET, algorithms=["HS256"])
    assert claims["sub"] == "alice"
    # the link lands in the browser's history: its token works for an hour, not a day
    assert claims["exp"] - claims["iat"] == 3600
    assert "signed in as 'alice' for 60 minutes" in result.stdout
    assert "port-forward lost (lost connection to pod); reconnecting" in result.stdout
    assert "forwarding http://127.0.0.1:18000 again" in result.stdout
    # the newest ready pod, on the port the Service targets
    assert (
        runner.spawned
        == [
            (
                "kubectl",
                "port-forward",
                "pod/ai-todo-5b85bc8649-d3e4f",
                "18000:http",
                "--address",
                "127.0.0.1",
                "--namespace",
                "default",
                "--context",
                "minikube",
            ),
        ]
        * 2
    )
    assert again.stopped.is_set()
    assert "stopped forwarding (1 reconnects)" in result.stdout


def test_forward_to_a_taken_port_says_to_pick_another(invoke, runner, deployed):
    runner.processes.append(
        FakeProcess(
            [
                "Unable to listen on port 18000: Listeners failed to create with the following errors: "
                "[unable to create listener: Error listen tcp4 127.0.0.1:18000: bind: "
                "address already in use]",
                "error: unable to listen on any of the requested ports: [{18000 8000}]",
            ]
        )
    )

    result = invoke("forward", "--port", "18000")

    assert result.exit_code == 1
    assert "port 18000 on 127.0.0.1 is taken" in result.stdout
    assert "--port" in result.stdout


def test_forward_without_a_deployed_release_says_to_deploy(invoke, cluster):
    result = invoke("forward")

    assert result.exit_code == 1
    assert "release todo has no ai-todo deployment" in result.stdout
