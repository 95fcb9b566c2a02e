"""todoctl on the real cluster, from nothing to nothing, once with Helm 3 and once with Helm 4.

The Helm 3 release is `todo` in `default` on the chart's development PostgreSQL; the Helm 4 release
is `chatbot` in `apps` on the machine's own PostgreSQL, reached from the pods at the node's bridge
address the way a Neon user gives theirs. The tests run in file order on one release per Helm, each
leaving it serving as it found it, the last one removing it.
"""

import json
import time
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import docker
import httpx
import pytest

from tests.cluster.local_cluster import NODE_IP, LocalCluster
from tests.cluster.todoctl_run import Todoctl, read_forward_url
from tests.cluster.traffic import Traffic
from tests.support.browser import chromium
from tests.support.databases import fresh_postgres_database
from tests.support.processes import free_port
from tests.support.tcp_relay import tcp_relay
from todo_core.revisions import head

JOURNEYS = {
    "helm3": {"release": "todo", "namespace": "default", "database": "dev-postgres"},
    "helm4": {"release": "chatbot", "namespace": "apps", "database": "external"},
}


@dataclass
class Journey:
    todoctl: Todoctl
    up: dict[str, Any]
    database: str

    def token(self, user: str) -> str:
        return self.todoctl.token(user)

    def chat_url(self) -> str:
        return self.todoctl.chat_url()


@pytest.fixture(scope="module", params=list(JOURNEYS))
def journey(
    request: pytest.FixtureRequest, cluster: LocalCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Journey]:
    config = JOURNEYS[request.param]
    with ExitStack() as stack:
        secrets = {}
        if config["database"] == "external":
            database = stack.enter_context(fresh_postgres_database()).rsplit("/", 1)[1]
            port = stack.enter_context(tcp_relay(NODE_IP, "127.0.0.1", 5432))
            secrets["DATABASE_URL"] = f"postgresql://postgres@{NODE_IP}:{port}/{database}"
        todoctl = Todoctl(
            cluster,
            helm=cluster.helms[request.param],
            release=config["release"],
            namespace=config["namespace"],
            state_dir=tmp_path_factory.mktemp(f"state-{request.param}"),
            secrets=secrets,
        )
        report = todoctl.json("up", *todoctl.build_options())
        try:
            yield Journey(todoctl, report, config["database"])
        finally:
            todoctl.run("down", check=False)
            if config["namespace"] != "default":
                cluster.kubectl("delete", "namespace", config["namespace"], "--wait=false", check=False)


def chat(journey: Journey, base_url: str, user: str, message: str, **kwargs: Any) -> dict[str, Any]:
    response = httpx.post(
        f"{base_url}/api/{user}/chat",
        json={"message": message, **kwargs},
        headers={"Authorization": f"Bearer {journey.token(user)}"},
        timeout=30,
    )
    assert response.status_code == 200, response.text
    return response.json()


def test_up_goes_from_nothing_to_a_smoke_chat_through_the_registry(journey: Journey) -> None:
    phases = {phase["name"]: phase["detail"] for phase in journey.up["phases"]}
    assert list(phases) == ["values", "doctor", "build", "load", "lint", "deploy", "ready", "smoke chat"]
    assert phases["smoke chat"].endswith("through list_tasks")
    assert "pushed (sha256:" in phases["load"]
    registry = journey.todoctl.cluster.registry
    for component in ("ai-todo", "mcp-server"):
        pods = journey.todoctl.ready_pods(component)
        assert len(pods) == 2
        assert {pod["spec"]["containers"][0]["image"].split("/")[0] for pod in pods} == {registry}
    if journey.database == "dev-postgres":
        [database] = journey.todoctl.ready_pods("dev-postgres")
        assert database["spec"]["containers"][0]["image"].startswith(f"{registry}/dev-postgres:")
    else:
        assert journey.todoctl.pods("dev-postgres") == []


def test_status_and_logs_show_the_real_pods(journey: Journey) -> None:
    status = journey.todoctl.json("status")
    shown = {pod["name"] for pod in status["pods"]}
    real = {pod["metadata"]["name"] for c in ("ai-todo", "mcp-server") for pod in journey.todoctl.pods(c)}
    assert real <= shown
    assert status["status"] == "deployed"
    assert status["schema"]["database"] == head()

    schema = journey.todoctl.json("db")
    assert [pod["relation"] for pod in schema["pods"]] == ["current", "current"]
    assert {pod["code"] for pod in schema["pods"]} == {head()}

    logs = journey.todoctl.run("logs", "ai-todo").stdout
    [pod] = journey.todoctl.pods("ai-todo")[:1]
    assert pod["metadata"]["name"] in logs
    assert "Uvicorn running" in logs or "chat_turn" in logs or "assistant_loaded" in logs


def test_doctor_checks_the_registry_and_that_a_node_pulls_from_it(journey: Journey) -> None:
    todoctl = journey.todoctl
    report = todoctl.json("doctor")
    checks = {check["name"]: check for check in report["checks"]}
    assert report["ok"]
    assert checks["registry"]["ok"]
    assert checks["registry pull"]["ok"]
    assert checks["registry pull"]["detail"].startswith(
        f"a node pulled and ran {todoctl.cluster.registry}/ai-todo:"
    )
    assert checks["api server"]["detail"].startswith("Kubernetes v1.34.")

    elsewhere = todoctl.run("doctor", "--registry", "127.0.0.1:5999", check=False)
    assert elsewhere.returncode == 1
    assert "the registry 127.0.0.1:5999 does not answer" in elsewhere.stdout


def test_helm_test_of_the_release_passes(journey: Journey) -> None:
    tested = journey.todoctl.helm_run("test", journey.todoctl.release, "--timeout", "3m")
    assert "Phase:          Succeeded" in tested.stdout or "Succeeded" in tested.stdout


def test_forward_answers_again_on_the_same_url_after_its_pod_is_deleted(journey: Journey) -> None:
    forward = journey.todoctl.spawn("forward", "--port", str(free_port()), "--user", "forwarded")
    try:
        url = read_forward_url(forward)
        base = url.split("/#", 1)[0]
        first = chat(journey, base, "forwarded", "Add a task to water the plants")
        assert first["tool_calls"][0]["name"] == "add_task"
        with chromium() as browser:
            page = browser.new_context().new_page()
            page.set_default_timeout(30_000)
            page.goto(url)
            page.wait_for_selector("#workspace:not([hidden])")
            page.fill("#message", "Show me all my tasks")
            page.keyboard.press("Enter")
            page.wait_for_selector(".msg.assistant:not(.thinking)")
            assert "Water the plants" in page.inner_text("#log")
            assert "Water the plants" in page.inner_text("#pending-tasks")

        for pod in journey.todoctl.pods("ai-todo"):
            journey.todoctl.kubectl("delete", "pod", pod["metadata"]["name"], "--wait=false")
        deadline = time.monotonic() + 120
        answered = None
        while time.monotonic() < deadline and answered is None:
            try:
                answered = chat(
                    journey, base, "forwarded", "What's pending?", conversation_id=first["conversation_id"]
                )
            except (httpx.HTTPError, AssertionError):
                time.sleep(1)
        assert answered is not None, "the forwarded URL never answered again"
        assert "Water the plants" in answered["response"]
    finally:
        forward.terminate()
        forward.wait(30)


def test_validate_stateless_loses_no_task_and_no_message(journey: Journey) -> None:
    report = journey.todoctl.json("validate-stateless", "--concurrent", "5", timeout=900)
    assert report["passed"], json.dumps(report, indent=2)


def test_scale_mcp_to_three_ready_pods_and_back_to_one(journey: Journey) -> None:
    todoctl = journey.todoctl
    todoctl.run("scale", "mcp", "3")
    assert len(todoctl.ready_pods("mcp-server")) == 3
    assert todoctl.user_values()["mcpServer"]["replicaCount"] == 3

    todoctl.run("scale", "mcp", "1")
    assert len(todoctl.ready_pods("mcp-server")) == 1
    assert todoctl.user_values()["mcpServer"]["replicaCount"] == 1


def test_a_changed_value_rolls_the_pods_and_rollback_restores_it(journey: Journey) -> None:
    todoctl = journey.todoctl
    before = {pod["metadata"]["name"] for pod in todoctl.pods("ai-todo")}
    todoctl.run("deploy", "--set", "config.logLevel=DEBUG")

    pods = todoctl.ready_pods("ai-todo")
    assert not before & {pod["metadata"]["name"] for pod in pods}
    for pod in pods:
        env = todoctl.kubectl("exec", pod["metadata"]["name"], "--", "printenv", "LOG_LEVEL").stdout
        assert env.strip() == "DEBUG"

    todoctl.run("rollback")
    for pod in todoctl.ready_pods("ai-todo"):
        env = todoctl.kubectl("exec", pod["metadata"]["name"], "--", "printenv", "LOG_LEVEL").stdout
        assert env.strip() == "INFO"


def test_restart_replaces_every_pod(journey: Journey) -> None:
    todoctl = journey.todoctl
    before = {pod["metadata"]["name"] for c in ("ai-todo", "mcp-server") for pod in todoctl.pods(c)}
    todoctl.run("restart")
    after = {pod["metadata"]["name"] for c in ("ai-todo", "mcp-server") for pod in todoctl.ready_pods(c)}
    assert after
    assert not before & after


def test_a_rolling_upgrade_to_a_new_image_fails_no_request(journey: Journey) -> None:
    todoctl = journey.todoctl
    [current] = {pod["spec"]["containers"][0]["image"] for pod in todoctl.ready_pods("ai-todo")}
    repository, tag = current.rsplit(":", 1)
    client = docker.from_env()
    new_tag = f"{tag}-next"
    client.api.tag(current, repository, tag=new_tag)
    for event in client.api.push(repository, tag=new_tag, stream=True, decode=True):
        assert "error" not in event, event

    with Traffic(todoctl, users=2) as traffic:
        time.sleep(3)
        todoctl.run("deploy", "--set", f"aiTodo.image.tag={new_tag}")
        time.sleep(3)

    assert traffic.failures == []
    assert traffic.ok > 10
    images = {pod["spec"]["containers"][0]["image"] for pod in todoctl.ready_pods("ai-todo")}
    assert images == {f"{repository}:{new_tag}"}


def test_an_image_that_does_not_exist_fails_fast_and_leaves_the_release_serving(journey: Journey) -> None:
    todoctl = journey.todoctl
    revision = todoctl.json("status")["revision"]

    failed = todoctl.run("deploy", "--set", "mcpServer.image.tag=does-not-exist", check=False)

    assert failed.returncode == 1
    assert "ErrImagePull" in failed.stdout or "ImagePullBackOff" in failed.stdout
    assert f"It was rolled back to revision {revision}." in failed.stdout
    assert todoctl.json("status")["status"] == "deployed"
    assert todoctl.ready_pods("mcp-server")
    reply = chat(journey, journey.chat_url(), "after-failure", "Show me all my tasks")
    assert reply["tool_calls"]


def test_a_crash_loop_is_explained_with_its_last_log_lines(journey: Journey) -> None:
    todoctl = journey.todoctl
    revision = todoctl.json("status")["revision"]

    # A port the chart accepts but an unprivileged process cannot bind: uvicorn says so and exits.
    failed = todoctl.run("deploy", "--set", "aiTodo.service.port=80", check=False)

    assert failed.returncode == 1
    assert "CrashLoopBackOff" in failed.stdout
    assert "log |" in failed.stdout
    assert "80" in failed.stdout
    assert f"It was rolled back to revision {revision}." in failed.stdout
    assert todoctl.ready_pods("ai-todo")


def test_down_leaves_nothing_of_the_release_behind(journey: Journey) -> None:
    todoctl = journey.todoctl
    removed = todoctl.json("down")
    assert removed["was_installed"]
    assert removed["leftovers"] == []
    selector = f"app.kubernetes.io/instance={todoctl.release}"
    left = journey.todoctl.cluster.kubectl_json(
        "-n", todoctl.namespace, "get", "all,secrets,configmaps,networkpolicies", "-l", selector
    )
    assert left["items"] == []
    assert todoctl.helm_run("list", "-q").stdout.strip() == ""
