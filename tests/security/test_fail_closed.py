"""mcp-server takes `user_id` as a plain argument, so an open /mcp lets anyone act as any user. It
must fail closed: no start without MCP_AUTH_TOKEN, unless an explicit opt-out is set for an
experiment on a loopback address. The attack that worked before: add_task for "victim", no header."""

import json
import os
import subprocess
import sys

import helm_python
import httpx
import pytest

from tests.chart.fake_kube_api import kube_api_with_secrets, render_against_cluster
from tests.chart.rendering import Rendered, parse, pod_spec, render
from tests.chart.scenarios import A_DATABASE_URL
from tests.support.databases import fresh_postgres_database
from tests.support.processes import free_port, running_service

ADD_TASK_FOR_VICTIM = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "tools/call",
    "params": {"name": "add_task", "arguments": {"user_id": "victim", "title": "planted"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream"}


def start_mcp_server(extra: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """mcp-server run to its end; a refused configuration exits once its imports are done (seconds,
    more on a loaded machine), one that starts would run until the timeout."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MCP_", "AUTH_", "OPENAI_"))}
    env.update({"DATABASE_URL": "sqlite:///:memory:", "PORT": str(free_port()), **extra})
    return subprocess.run(
        [sys.executable, "-m", "mcp_server"], env=env, capture_output=True, text=True, timeout=90, check=False
    )


@pytest.mark.parametrize(
    "extra",
    [{}, {"MCP_AUTH_TOKEN": ""}, {"MCP_INSECURE_NO_AUTH": "false"}, {"HOST": "127.0.0.1"}],
    ids=["unset", "empty", "opt-out-false", "loopback-but-no-opt-out"],
)
def test_mcp_server_refuses_to_start_without_a_token(extra: dict[str, str]) -> None:
    result = start_mcp_server(extra)

    assert result.returncode != 0
    assert "mcp-server: invalid configuration" in result.stderr
    assert "MCP_AUTH_TOKEN is not set" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "10.0.0.5", "example.com"])
def test_the_opt_out_is_refused_off_loopback(host: str) -> None:
    result = start_mcp_server({"MCP_INSECURE_NO_AUTH": "true", "HOST": host})

    assert result.returncode != 0
    assert "accepted only with HOST=127.0.0.1" in result.stderr


def test_the_explicit_local_opt_out_serves_without_a_token_on_loopback() -> None:
    with (
        fresh_postgres_database() as database_url,
        running_service(
            "mcp_server", {"DATABASE_URL": database_url, "MCP_INSECURE_NO_AUTH": "true", "HOST": "127.0.0.1"}
        ) as service,
    ):
        response = httpx.post(f"{service.base_url}/mcp", json=ADD_TASK_FOR_VICTIM, headers=MCP_HEADERS)

    assert response.status_code == 200
    assert json.loads(response.text)["result"]["isError"] is False


def test_with_a_token_an_anonymous_add_task_for_another_user_is_401() -> None:
    with (
        fresh_postgres_database() as database_url,
        running_service("mcp_server", {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": "t" * 32}) as service,
    ):
        response = httpx.post(f"{service.base_url}/mcp", json=ADD_TASK_FOR_VICTIM, headers=MCP_HEADERS)

    assert response.status_code == 401


# --- the chart: the key is required ---------------------------------------------------------------

EXISTING = {"existingSecret": "todo-from-vault"}
HOLDS_ALL = {"DATABASE_URL": A_DATABASE_URL, "AUTH_JWT_SECRET": "j" * 32, "MCP_AUTH_TOKEN": "m" * 32}


def secret_key_ref(rendered: Rendered, component: str, variable: str) -> dict[str, object]:
    container = pod_spec(rendered.component("Deployment", component))["containers"][0]
    (found,) = [env for env in container.get("env", []) if env["name"] == variable]
    return found["valueFrom"]["secretKeyRef"]


@pytest.mark.parametrize("values", [EXISTING, {"devPostgres": {"enabled": True}}], ids=["existing", "own"])
@pytest.mark.parametrize("component", ["mcp-server", "ai-todo"])
def test_both_services_require_the_key_of_their_secret(values: dict[str, object], component: str) -> None:
    reference = secret_key_ref(render(values), component, "MCP_AUTH_TOKEN")

    assert reference["key"] == "MCP_AUTH_TOKEN"
    assert not reference.get("optional")


@pytest.mark.parametrize(
    ("stored", "message"),
    [
        (
            {k: v for k, v in HOLDS_ALL.items() if k != "MCP_AUTH_TOKEN"},
            'Secret "todo-from-vault" has no MCP_AUTH_TOKEN',
        ),
        ({**HOLDS_ALL, "MCP_AUTH_TOKEN": ""}, 'Secret "todo-from-vault" has no MCP_AUTH_TOKEN'),
    ],
    ids=["key-missing", "key-empty"],
)
def test_an_install_whose_existing_secret_lacks_the_token_fails_to_render(
    stored: dict[str, str], message: str
) -> None:
    with (
        kube_api_with_secrets({("apps", "todo-from-vault"): stored}) as kubeconfig,
        pytest.raises(helm_python.HelmRenderError, match=message) as failure,
    ):
        render_against_cluster(kubeconfig, EXISTING, release="todo", namespace="apps")

    assert HOLDS_ALL["AUTH_JWT_SECRET"] not in str(failure.value)


def test_an_install_whose_existing_secret_is_missing_fails_to_render() -> None:
    with (
        kube_api_with_secrets({("apps", "another-secret"): HOLDS_ALL}) as kubeconfig,
        pytest.raises(
            helm_python.HelmRenderError, match='Secret "todo-from-vault" not found in namespace apps'
        ),
    ):
        render_against_cluster(kubeconfig, EXISTING, release="todo", namespace="apps")


def test_an_install_whose_existing_secret_holds_the_token_renders() -> None:
    with kube_api_with_secrets({("apps", "todo-from-vault"): HOLDS_ALL}) as kubeconfig:
        rendered = parse(render_against_cluster(kubeconfig, EXISTING, release="todo", namespace="apps"))

    assert secret_key_ref(rendered, "mcp-server", "MCP_AUTH_TOKEN")["name"] == "todo-from-vault"


def test_without_a_cluster_the_render_passes_and_the_helm_test_pod_checks_the_key() -> None:
    rendered = render(EXISTING)
    pod = pod_spec(rendered.get("Pod", "todo-chat-test"))["containers"][0]
    env = {variable["name"]: variable for variable in pod["env"]}

    # `helm template` sees no cluster: the pods' required key and `helm test` catch a missing token
    assert env["MCP_AUTH_TOKEN"]["valueFrom"]["secretKeyRef"] == {
        "name": "todo-from-vault",
        "key": "MCP_AUTH_TOKEN",
        "optional": True,
    }
