"""`status`."""

import json

from tests.todoctl import factories, scripted


def test_status_shows_the_release_its_pods_and_its_services(invoke, runner, deployed):
    scripted.helm(runner)

    result = invoke("--json", "status")

    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert (document["revision"], document["status"]) == (2, "deployed")
    assert [pod["name"] for pod in document["pods"]][:1] == ["ai-todo-5b85bc8649-a1b2c"]
    assert {pod["ready"] for pod in document["pods"]} == {"1/1"}
    service = next(s for s in document["services"] if s["name"] == "ai-todo-service")
    assert (service["type"], service["ports"], service["ready_endpoints"]) == ("ClusterIP", "8000/TCP", 2)


def test_status_table_for_people(invoke, runner, deployed):
    scripted.helm(runner)
    deployed.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))

    result = invoke("status")

    assert "revision 2, deployed" in result.stdout
    assert "CrashLoopBackOff" in result.stdout
    assert "ai-todo-service" in result.stdout


def test_status_of_a_release_that_is_not_installed(invoke, runner):
    scripted.helm(runner)
    scripted.helm_fails(runner, "status", "helm/release-not-found.txt")

    result = invoke("status")

    assert result.exit_code == 0
    assert "release todo is not installed in namespace default" in result.stdout
