import json

import pytest

from tests.todoctl import scripted
from tests.todoctl.fake_runner import Answer
from todoctl import state

PHASES = ["values", "doctor", "build", "load", "lint", "deploy", "ready", "smoke chat"]


def minikube_lists_what_was_built(docker_api):
    """`minikube image ls --format json` holding the images just built and loaded."""

    def answer(argv: tuple[str, ...]) -> Answer:
        return Answer(stdout=scripted.minikube_image_list("docker", docker_api.config_digests))

    return answer


def test_up_runs_every_phase_and_times_it(invoke, runner, docker_api, stack):
    scripted.helm(runner, major=4)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)
    runner.on("minikube", "image", "load")
    runner.on_call("minikube", "image", "ls", answer=minikube_lists_what_was_built(docker_api))

    result = invoke("--json", "up")

    assert result.exit_code == 0, result
    report = json.loads(result.stdout)
    assert [phase["name"] for phase in report["phases"]] == PHASES
    assert report["total_seconds"] == pytest.approx(sum(phase["seconds"] for phase in report["phases"]))
    details = {phase["name"]: phase["detail"] for phase in report["phases"]}
    assert details["smoke chat"].startswith("'Show me all my tasks' → ")
    assert details["smoke chat"].endswith("through list_tasks")
    assert len(docker_api.builds) == 3
    assert len(runner.argvs("minikube", "image", "load")) == 3
    values = json.loads(next(c for c in runner.calls if c.argv[:2] == ("helm", "upgrade")).input)
    assert values["aiTodo"]["image"]["tag"] == state.built_images()["ai-todo"]["image"].rsplit(":", 1)[1]


def test_up_stops_at_the_doctor_with_its_fix(invoke, runner, docker_api, deployed):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_stopped(runner)

    result = invoke("up")

    assert result.exit_code == 1
    assert "cluster: minikube cluster 'minikube' is not running" in result.stdout
    assert "minikube start --memory 4096 --cpus 2" in result.stdout
    assert docker_api.builds == []
    assert runner.argvs("helm", "upgrade") == []


def test_up_checks_the_values_before_anything_slow(invoke, runner, docker_api, deployed):
    scripted.helm(runner)
    scripted.kubectl(runner)
    scripted.minikube_running(runner)

    result = invoke("up", "--set", "aiTodo.service.type=Ingress")

    assert result.exit_code == 1
    assert "the chart does not lint with these values" in result.stdout
    assert "at '/aiTodo/service/type': value must be one of 'ClusterIP', 'NodePort'" in result.stdout
    assert docker_api.builds == []
    assert runner.argvs("minikube") == []
    assert runner.argvs("helm", "upgrade") == []
