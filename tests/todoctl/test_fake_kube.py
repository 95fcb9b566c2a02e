"""The fake API server is as strict as the real one where todoctl depends on it."""

import json

import pytest
from kubernetes.client.exceptions import ApiException

from tests.todoctl import factories, fixture_files

POD = "ai-todo-5b85bc8649-a1b2c"


def test_a_deleted_pod_is_terminating_until_its_containers_stop(deployed):
    deployed.core.delete_namespaced_pod(POD, "default")

    [leaving] = [
        pod for pod in deployed.kube().pods("app.kubernetes.io/component=ai-todo") if pod.metadata.name == POD
    ]
    assert leaving.metadata.deletion_timestamp is not None
    assert leaving.metadata.deletion_grace_period_seconds == 30

    deployed.finish_terminating(POD)

    assert POD not in [
        pod.metadata.name for pod in deployed.kube().pods("app.kubernetes.io/component=ai-todo")
    ]


def test_the_log_of_a_previous_container_that_never_ran_is_a_bad_request(deployed):
    with pytest.raises(ApiException) as raised:
        deployed.core.read_namespaced_pod_log(POD, "default", previous=True)

    status = json.loads(raised.value.body)
    assert (raised.value.status, status["reason"]) == (400, "BadRequest")
    # kubectl prints the same message after "Error from server (BadRequest): "
    real = fixture_files.text("kubectl/logs-previous-not-found.stderr.txt")
    assert real.startswith("Error from server (BadRequest): previous terminated container ")
    assert status["message"] == f'previous terminated container "ai-todo" in pod "{POD}" not found'


def test_the_log_of_a_crashed_container_is_there(deployed):
    deployed.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))
    deployed.logs[("ai-todo-7c9d8e6f5-x2k4q", True)] = "Traceback\nValueError: boom\n"

    log = deployed.core.read_namespaced_pod_log("ai-todo-7c9d8e6f5-x2k4q", "default", previous=True)

    assert log.endswith("ValueError: boom")


def test_a_patch_that_changes_nothing_keeps_the_generation(deployed):
    body = {"spec": {"template": {"metadata": {"annotations": {"kubectl.kubernetes.io/restartedAt": "x"}}}}}

    first = deployed.apps.patch_namespaced_deployment("ai-todo", "default", body)
    again = deployed.apps.patch_namespaced_deployment("ai-todo", "default", body)

    assert (first.metadata.generation, again.metadata.generation) == (2, 2)
    assert again.spec.template.metadata.annotations["kubectl.kubernetes.io/restartedAt"] == "x"
