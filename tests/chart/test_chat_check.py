"""files/chat_check.py, the program the `helm test` pod runs, run here as that pod runs it: against
the real services configured with the environment the chart gives them, and, for the failures it
must report, against the real mcp-server and a stand-in for ai-todo that checks tokens like ai-todo."""

import os
import subprocess
import sys
from collections.abc import Iterator

import pytest

from tests.chart.fake_chat_service import FakeChatService, fake_chat_service
from tests.chart.rendering import CHART_DIR, pod_spec
from tests.chart.scenarios import SCENARIOS
from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, free_port, running_service

CHAT_CHECK = CHART_DIR / "files" / "chat_check.py"
SECRET = "a-jwt-secret-of-at-least-32-characters"
MCP_TOKEN = "an-internal-token-of-the-release"


@pytest.fixture(scope="module")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('chat-check') / 'todo.db'}"


@pytest.fixture(scope="module")
def mcp_server(database_url: str) -> Iterator[ServiceProcess]:
    with running_service(
        "mcp_server", {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": MCP_TOKEN}
    ) as service:
        yield service


def run_check(chat_url: str, mcp_url: str, **env: str | None) -> subprocess.CompletedProcess[str]:
    """The check with the pod's environment; MCP_AUTH_TOKEN is the release's unless given (None: absent)."""
    given = {"MCP_AUTH_TOKEN": MCP_TOKEN, **env}
    return subprocess.run(
        [sys.executable, str(CHAT_CHECK)],
        env={
            "PATH": os.environ["PATH"],
            "CHAT_URL": chat_url,
            "MCP_URL": mcp_url,
            **{name: value for name, value in given.items() if value is not None},
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_passes_when_the_chat_answers_through_a_tool(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET)) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 0, result.stderr
    assert "mcp-server is ready" in result.stdout
    assert "mcp-server refuses calls without the internal token" in result.stdout
    assert "through list_tasks" in result.stdout
    assert [c["user_id"] for c in chat.chats] == [c["claims"]["sub"] for c in chat.chats] == ["helm-test"]


def test_tokens_carry_the_configured_issuer_and_audience(mcp_server: ServiceProcess) -> None:
    service = FakeChatService(secret=SECRET, issuer="https://issuer.example", audience="todo")
    with fake_chat_service(service) as chat:
        result = run_check(
            chat.url,
            mcp_server.base_url,
            AUTH_JWT_SECRET=SECRET,
            AUTH_ISSUER="https://issuer.example",
            AUTH_AUDIENCE="todo",
        )

    assert result.returncode == 0, result.stderr
    assert chat.chats[0]["claims"]["aud"] == "todo"


def test_fails_when_the_chat_answers_without_a_tool(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET, tool_calls=[])) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 1
    assert "without a tool, so mcp-server was not reached" in result.stderr


def test_fails_when_the_chat_refuses_the_token(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret="another-secret-of-at-least-32-characters")) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 1
    assert "the chat answered 401" in result.stderr


def test_fails_naming_the_service_that_is_not_ready(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET, ready=False)) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 1
    assert "ai-todo is not ready: /readyz answered 503" in result.stderr
    assert chat.chats == []


def test_fails_when_mcp_server_cannot_be_reached() -> None:
    unreachable = f"http://127.0.0.1:{free_port()}"
    with fake_chat_service(FakeChatService(secret=SECRET)) as chat:
        result = run_check(chat.url, unreachable, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 1
    assert f"{unreachable}/readyz: ConnectError" in result.stderr


def test_fails_when_the_secret_holds_no_internal_token(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET)) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET, MCP_AUTH_TOKEN=None)

    assert result.returncode == 1
    assert "the release's Secret holds no MCP_AUTH_TOKEN" in result.stderr
    assert chat.chats == []


def test_fails_when_mcp_server_answers_without_the_token(database_url: str) -> None:
    open_env = {"DATABASE_URL": database_url, "MCP_INSECURE_NO_AUTH": "true", "HOST": "127.0.0.1"}
    with (
        running_service("mcp_server", open_env) as open_server,
        fake_chat_service(FakeChatService(secret=SECRET)) as chat,
    ):
        result = run_check(chat.url, open_server.base_url, AUTH_JWT_SECRET=SECRET)

    assert result.returncode == 1
    assert "mcp-server answered a call without the internal token with 200, not 401" in result.stderr


def test_fails_when_mcp_server_holds_another_token(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET)) as chat:
        result = run_check(chat.url, mcp_server.base_url, AUTH_JWT_SECRET=SECRET, MCP_AUTH_TOKEN="rotated")

    assert result.returncode == 1
    assert "mcp-server refused the Secret's MCP_AUTH_TOKEN (401)" in result.stderr


def test_with_only_a_jwks_checks_readiness_and_sends_no_message(mcp_server: ServiceProcess) -> None:
    with fake_chat_service(FakeChatService(secret=SECRET)) as chat:
        result = run_check(chat.url, mcp_server.base_url)

    assert result.returncode == 0, result.stderr
    assert "skipped the chat message" in result.stdout
    assert chat.chats == []


def test_passes_against_the_services_configured_as_the_chart_configures_them() -> None:
    rendered = SCENARIOS["dev-example"].render()
    environments = {
        component: rendered.environment(pod_spec(rendered.component("Deployment", component)), component)
        for component in ("ai-todo", "mcp-server")
    }
    pod_env = {v["name"]: v for v in pod_spec(rendered.get("Pod", "todo-chat-test"))["containers"][0]["env"]}
    secret = rendered.secret_data(pod_env["AUTH_JWT_SECRET"]["valueFrom"]["secretKeyRef"]["name"])
    pod_secrets = {
        name: secret[pod_env[name]["valueFrom"]["secretKeyRef"]["key"]]
        for name in ("AUTH_JWT_SECRET", "MCP_AUTH_TOKEN")
    }

    # Only the addresses change: a local database and local ports instead of cluster DNS.
    with fresh_postgres_database() as database_url:
        mcp_env = {**environments["mcp-server"], "DATABASE_URL": database_url}
        del mcp_env["PORT"]
        with running_service("mcp_server", mcp_env) as mcp:
            chat_env = {
                **environments["ai-todo"],
                "DATABASE_URL": database_url,
                "MCP_SERVER_URL": f"{mcp.base_url}/mcp",
            }
            del chat_env["PORT"]
            with running_service("ai_todo", chat_env) as chat:
                result = run_check(chat.base_url, mcp.base_url, **pod_secrets)

    assert result.returncode == 0, result.stderr + chat.logs() + mcp.logs()
    assert "through list_tasks" in result.stdout
