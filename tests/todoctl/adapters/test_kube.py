"""The Kubernetes boundary over API objects that answer with real API JSON."""

import json
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from kubernetes import client, config
from kubernetes.client.exceptions import ApiException

from tests.support.json_http import serving_json
from tests.support.processes import running_service
from tests.system.services import mcp_server_env
from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_kube import FakeCluster
from todoctl.adapters.kube import Kube, contexts
from todoctl.errors import ClusterUnreachable, TodoctlError
from todoctl.parsers.pods import is_ready

SELECTOR = "app.kubernetes.io/name=todo,app.kubernetes.io/instance=todo,app.kubernetes.io/component=ai-todo"


class Clock:
    """Time that moves only when something asks for it."""

    def __init__(self, step: float) -> None:
        self.now = 0.0
        self.step = step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def test_wait_pods_returns_once_a_watch_event_satisfies_it(deployed):
    deployed.replace("pods", factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c", ready=False))
    deployed.watches["pods"] = [[("MODIFIED", factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c"))]]

    pods = deployed.kube().wait_pods(SELECTOR, lambda pods: all(is_ready(p) for p in pods), timeout=30)

    assert pods is not None
    assert all(is_ready(p) for p in pods)


def test_a_deleted_pod_leaves_the_watched_set(deployed):
    gone = factories.pod("ai-todo", "ai-todo-5b85bc8649-d3e4f")
    deployed.watches["pods"] = [[("DELETED", gone)]]

    pods = deployed.kube().wait_pods(SELECTOR, lambda pods: len(pods) == 1, timeout=30)

    assert [p.metadata.name for p in pods] == ["ai-todo-5b85bc8649-a1b2c"]


def test_waiting_gives_up_at_the_deadline(deployed):
    kube = deployed.kube()
    kube.clock = Clock(step=10)

    assert kube.wait_deployments(SELECTOR, lambda items: False, timeout=25) is None


def test_the_api_refusing_access_is_a_clear_error(deployed, monkeypatch):
    def forbidden(*args, **kwargs):
        raise ApiException(status=403, reason="Forbidden")

    monkeypatch.setattr(deployed.core, "list_namespaced_pod", forbidden)

    with pytest.raises(TodoctlError, match=r"refused to let todoctl list pods \(403 Forbidden\)"):
        deployed.kube().pods(SELECTOR)


def test_an_api_server_that_does_not_answer_is_unreachable(deployed):
    deployed.unreachable = True

    with pytest.raises(ClusterUnreachable, match="could not list pods: the API server does not answer"):
        deployed.kube().pods(SELECTOR)


def test_secret_values_are_decoded(deployed):
    assert deployed.kube().secret_value("todo-secret", "AUTH_JWT_SECRET") == factories.JWT_SECRET
    assert deployed.kube().secret_value("todo-secret", "OPENAI_API_KEY") is None


def test_deleting_a_pod_that_is_already_gone_is_fine(deployed):
    kube = deployed.kube()
    kube.delete_pods(["ai-todo-5b85bc8649-a1b2c"])
    deployed.finish_terminating()

    kube.delete_pods(["ai-todo-5b85bc8649-a1b2c"])

    assert deployed.deleted == ["ai-todo-5b85bc8649-a1b2c"]


def test_leftovers_skip_objects_already_being_deleted(cluster):
    terminating = factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c")
    terminating["metadata"]["deletionTimestamp"] = "2026-11-28T10:00:00Z"
    cluster.add("pods", terminating)
    cluster.add("secrets", factories.manifest("Secret"))

    assert cluster.kube().leftovers("app.kubernetes.io/instance=todo") == ["secret/todo-secret"]


def test_contexts_come_from_the_kubeconfig(tmp_path):
    kubeconfig = tmp_path / "config"
    kubeconfig.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: kind-dev\n"
        "clusters:\n- name: kind-dev\n  cluster: {server: 'https://127.0.0.1:6443'}\n"
        "- name: minikube\n  cluster: {server: 'https://192.168.49.2:8443'}\n"
        "users:\n- name: dev\n  user: {token: t}\n"
        "contexts:\n- name: kind-dev\n  context: {cluster: kind-dev, user: dev}\n"
        "- name: minikube\n  context: {cluster: minikube, user: dev}\n"
    )

    assert contexts(str(kubeconfig)) == (["kind-dev", "minikube"], "kind-dev")
    assert contexts(str(tmp_path / "missing")) == ([], None)


def test_connecting_to_an_unknown_context_says_what_to_do(tmp_path, monkeypatch):
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "missing"))

    with pytest.raises(ClusterUnreachable, match="no usable kube context 'minikube'"):
        Kube.connect(context="minikube", namespace="default")


def test_version_of_the_api_server(deployed):
    assert deployed.kube().server_version() == "v1.34.0"


def test_pod_events_come_oldest_first(cluster):
    cluster.add("pods", factories.unschedulable_pod("ai-todo", "ai-todo-x"))
    late = factories.event("ai-todo-x", "FailedScheduling", "second")
    late["lastTimestamp"] = "2022-12-23T10:00:00Z"
    cluster.add("events", late, factories.event("ai-todo-x", "FailedScheduling", "first"))

    assert [event.message for event in cluster.kube().pod_events("ai-todo-x")] == ["first", "second"]


def test_an_empty_cluster_has_no_pods():
    assert FakeCluster().kube().pods(SELECTOR) == []


def test_a_pods_answer_comes_through_the_pod_proxy_with_its_status(deployed, sqlite_url):
    with running_service("mcp_server", mcp_server_env(sqlite_url)) as service:
        deployed.pod_servers["ai-todo-5b85bc8649-a1b2c"] = service.base_url
        kube = deployed.kube()

        status, body = kube.pod_get("ai-todo-5b85bc8649-a1b2c", 8000, "readyz")
        missing_status, _ = kube.pod_get("ai-todo-5b85bc8649-a1b2c", 8000, "no-such-page")

    assert status == 200
    assert json.loads(body)["status"] == "ready"
    assert missing_status == 404


def test_a_pod_the_api_server_cannot_reach_gives_the_proxys_own_answer(deployed):
    status, body = deployed.kube().pod_get("ai-todo-5b85bc8649-d3e4f", 8000, "readyz")

    assert status == 503
    assert json.loads(body)["message"].startswith("error trying to reach service: dial tcp")


def test_a_pod_that_is_gone_is_a_404_not_a_crash(deployed):
    status, _ = deployed.kube().pod_get("ai-todo-gone", 8000, "readyz")

    assert status == 404


def test_the_api_refusing_the_pod_proxy_is_a_clear_error(deployed, monkeypatch):
    def forbidden(*args, **kwargs):
        raise ApiException(status=403, reason="Forbidden")

    monkeypatch.setattr(deployed.core, "connect_get_namespaced_pod_proxy_with_path", forbidden)

    with pytest.raises(TodoctlError, match=r"refused to let todoctl reach pod ai-todo-x \(403 Forbidden\)"):
        deployed.kube().pod_get("ai-todo-x", 8000, "readyz")


def test_the_real_client_reaches_the_pod_proxy_and_keeps_the_pods_status(tmp_path):
    """Over HTTP, against a stand-in API server: the path the client builds, a raw body (not the
    client's JSON decoding, which turns it into a Python repr), and a 503 handed back, not raised."""
    asked = []
    answers = {
        "/api/v1/namespaces/default/pods/ai-todo-a:8000/proxy/readyz": (200, {"status": "ready"}),
        "/api/v1/namespaces/default/pods/ai-todo-b:8000/proxy/readyz": (503, {"status": "unready"}),
    }

    def respond(request):
        path = unquote(request.path)  # the client sends pod:port as pod%3Aport; the API server decodes it
        asked.append(path)
        return answers.get(path, (404, {"kind": "Status", "code": 404}))

    with serving_json(respond) as server:
        kubeconfig = tmp_path / "config"
        kubeconfig.write_text(
            "apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: stand-in, cluster: {{server: '{server}'}}}}]\n"
            "users: [{name: u, user: {token: t}}]\n"
            "contexts: [{name: stand-in, context: {cluster: stand-in, user: u}}]\n"
        )
        api = config.new_client_from_config(config_file=str(kubeconfig), context="stand-in")
        kube = Kube(namespace="default", core=client.CoreV1Api(api), apps=None)

        ready = kube.pod_get("ai-todo-a", 8000, "readyz")
        unready = kube.pod_get("ai-todo-b", 8000, "readyz")

    assert asked == list(answers)
    assert (ready[0], json.loads(ready[1])) == (200, {"status": "ready"})
    assert (unready[0], json.loads(unready[1])) == (503, {"status": "unready"})


def test_a_watch_the_api_server_expired_is_listed_again_even_with_a_timeout(deployed):
    # with a timeout the client does not retry a 410 itself: it raises, and the wait must re-list
    deployed.replace("pods", factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c", ready=False))
    expired = fixture_files.document("kubectl/watch-event-expired-410.json")
    deployed.watches["pods"] = [
        [(expired["type"], expired["object"])],
        [("MODIFIED", factories.pod("ai-todo", "ai-todo-5b85bc8649-a1b2c"))],
    ]

    pods = deployed.kube().wait_pods(SELECTOR, lambda pods: all(is_ready(p) for p in pods), timeout=30)

    assert pods is not None
    assert all(is_ready(p) for p in pods)
    assert [name for name, _ in deployed.requests].count("list_namespaced_pod") == 4


def test_every_api_call_has_a_request_timeout(deployed):
    kube = deployed.kube()
    kube.server_version()
    kube.pods(SELECTOR)
    kube.deployments(SELECTOR)
    kube.services(SELECTOR)
    kube.endpoint_slices("ai-todo-service")
    kube.pod_events("ai-todo-5b85bc8649-a1b2c")
    kube.pod_log("ai-todo-5b85bc8649-a1b2c")
    kube.secret_value("todo-secret", "AUTH_JWT_SECRET")
    kube.config_map_data(factories.manifest("ConfigMap", "ai-todo")["metadata"]["name"])
    kube.leftovers(SELECTOR)
    kube.restart_deployment("ai-todo")
    kube.wait_deployments(SELECTOR, lambda items: True, timeout=5)
    kube.wait_pods(SELECTOR, lambda items: False, timeout=0.01)
    kube.delete_pods(["ai-todo-5b85bc8649-a1b2c"])
    kube.create_pod(factories.pod("ai-todo", "ai-todo-5b85bc8649-z9y8x"))
    kube.namespace_exists()
    kube.pod_get("ai-todo-5b85bc8649-d3e4f", 8000, "readyz")

    called = {name for name, _ in deployed.requests}
    assert len(called) >= 17
    assert [name for name, kwargs in deployed.requests if not kwargs.get("_request_timeout")] == []


def test_two_restarts_in_the_same_instant_make_two_rollouts(deployed):
    kube = deployed.kube()
    kube.now = lambda: datetime(2026, 11, 28, 10, 0, 0, tzinfo=UTC)

    assert kube.restart_deployment("ai-todo") == 2
    assert kube.restart_deployment("ai-todo") == 3

    first, second = (body["spec"]["template"]["metadata"]["annotations"] for _, body in deployed.patched)
    assert first != second


def test_a_restart_that_starts_no_rollout_is_an_error(deployed, monkeypatch):
    # e.g. a controller or webhook that puts the template back: the API server keeps the generation
    def unchanged(name, namespace, body, **kwargs):
        return deployed.apps.read_namespaced_deployment(name, namespace)

    monkeypatch.setattr(deployed.apps, "patch_namespaced_deployment", unchanged)

    with pytest.raises(TodoctlError, match="restarting deployment ai-todo started no new rollout"):
        deployed.kube().restart_deployment("ai-todo")


def test_the_log_of_a_previous_container_that_never_ran_is_empty(deployed):
    deployed.logs[("ai-todo-5b85bc8649-a1b2c", False)] = "serving\n"

    assert deployed.kube().pod_log("ai-todo-5b85bc8649-a1b2c", previous=True) == ""
