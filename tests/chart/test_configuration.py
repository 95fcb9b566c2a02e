"""ConfigMaps and the Secret: settings flow from values, secrets are generated and kept, checksums
roll the pods when either changes."""

from typing import Any

import helm_python
import pytest

from tests.chart.fake_kube_api import kube_api_with_secrets, render_against_cluster
from tests.chart.rendering import Rendered, parse, pod_spec, render, set_flags
from tests.chart.scenarios import A_DATABASE_URL, SCENARIOS

WITH_DATABASE = {"secrets": {"databaseUrl": A_DATABASE_URL}}
# Every secret given, so two renders of the same values are byte for byte the same.
DETERMINISTIC = {
    "secrets": {
        "databaseUrl": A_DATABASE_URL,
        "authJwtSecret": "jwt-secret-of-at-least-32-characters",
        "mcpAuthToken": "mcp-token",
    }
}


def _merged(*parts: dict[str, Any]) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            merged[key] = {**merged.get(key, {}), **value} if isinstance(value, dict) else value
    return merged


def _env(rendered: Rendered, component: str) -> dict[str, str]:
    return rendered.environment(pod_spec(rendered.component("Deployment", component)), component)


def _annotations(rendered: Rendered, component: str) -> dict[str, str]:
    return rendered.component("Deployment", component)["spec"]["template"]["metadata"]["annotations"]


def test_ai_todo_reaches_mcp_server_by_its_service_name_and_port() -> None:
    rendered = render(WITH_DATABASE)
    service = rendered.get("Service", "mcp-server")

    assert (
        _env(rendered, "ai-todo")["MCP_SERVER_URL"]
        == f"http://mcp-server:{service['spec']['ports'][0]['port']}/mcp"
    )


@pytest.mark.parametrize("replicas", [1, 4])
def test_each_ai_todo_pod_runs_one_server_process(replicas: int) -> None:
    rendered = render(_merged(WITH_DATABASE, set_flags(f"aiTodo.replicaCount={replicas}")))

    assert _env(rendered, "ai-todo")["WEB_CONCURRENCY"] == "1"
    assert rendered.component("Deployment", "ai-todo")["spec"]["replicas"] == replicas


def test_mcp_server_url_follows_the_release_and_the_port() -> None:
    rendered = render(_merged(WITH_DATABASE, set_flags("mcpServer.service.port=9001")), release="staging")

    assert _env(rendered, "ai-todo")["MCP_SERVER_URL"] == "http://staging-mcp-server:9001/mcp"
    assert rendered.get("Service", "staging-mcp-server")["spec"]["ports"][0]["port"] == 9001


def test_set_flags_reach_the_environment() -> None:
    rendered = render(
        _merged(
            WITH_DATABASE,
            set_flags(
                "config.logLevel=DEBUG",
                "config.openaiModel=gpt-4.1",
                "config.openaiBaseUrl=http://llm.local:8080/v1",
                "config.chatTimeoutSeconds=15",
                "secrets.openaiApiKey=sk-123",
            ),
        )
    )
    ai_todo, mcp_server = _env(rendered, "ai-todo"), _env(rendered, "mcp-server")

    assert ai_todo["LOG_LEVEL"] == mcp_server["LOG_LEVEL"] == "DEBUG"
    assert ai_todo["OPENAI_MODEL"] == "gpt-4.1"
    assert ai_todo["OPENAI_BASE_URL"] == "http://llm.local:8080/v1"
    assert ai_todo["OPENAI_API_KEY"] == "sk-123"
    assert ai_todo["CHAT_TIMEOUT_SECONDS"] == "15"


def test_empty_optional_settings_are_left_unset_not_empty() -> None:
    env = _env(render(WITH_DATABASE), "ai-todo")

    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "AUTH_JWKS_URL", "AUTH_ISSUER", "AUTH_AUDIENCE"):
        assert name not in env


def test_mcp_server_gets_only_its_own_secrets() -> None:
    env = _env(SCENARIOS["everything-set"].render(), "mcp-server")

    assert env["DATABASE_URL"] == A_DATABASE_URL
    assert env["MCP_AUTH_TOKEN"] == "an-mcp-token"
    assert not {"OPENAI_API_KEY", "AUTH_JWT_SECRET"} & env.keys()


def test_both_services_share_the_generated_mcp_token() -> None:
    rendered = render(WITH_DATABASE)
    token = _env(rendered, "ai-todo")["MCP_AUTH_TOKEN"]

    assert len(token) >= 32
    assert _env(rendered, "mcp-server")["MCP_AUTH_TOKEN"] == token


def test_a_jwt_secret_is_generated_when_no_auth_is_configured() -> None:
    env = _env(render(WITH_DATABASE), "ai-todo")

    assert len(env["AUTH_JWT_SECRET"]) >= 32
    assert env["AUTH_JWT_SECRET"] != env["MCP_AUTH_TOKEN"]


def test_no_jwt_secret_when_tokens_come_from_a_jwks() -> None:
    env = _env(SCENARIOS["jwks-only"].render(), "ai-todo")

    assert env["AUTH_JWKS_URL"] == "https://auth.example.com/api/auth/jwks"
    assert env["AUTH_ISSUER"] == "https://auth.example.com"
    assert "AUTH_JWT_SECRET" not in env


def test_given_secrets_are_used_as_given() -> None:
    env = _env(render(DETERMINISTIC), "ai-todo")

    assert (env["AUTH_JWT_SECRET"], env["MCP_AUTH_TOKEN"]) == (
        "jwt-secret-of-at-least-32-characters",
        "mcp-token",
    )


def test_an_existing_secret_replaces_the_charts_own() -> None:
    rendered = SCENARIOS["existing-secret"].render()
    ai_todo = pod_spec(rendered.component("Deployment", "ai-todo"))["containers"][0]
    mcp_server = pod_spec(rendered.component("Deployment", "mcp-server"))["containers"][0]

    assert rendered.of_kind("Secret") == []
    assert {"secretRef": {"name": "todo-from-vault"}} in ai_todo["envFrom"]
    assert {v["valueFrom"]["secretKeyRef"]["name"] for v in mcp_server["env"]} == {"todo-from-vault"}
    # Nothing to hash: such a Secret changes outside Helm.
    assert "checksum/secret" not in _annotations(rendered, "ai-todo")


def test_same_values_give_the_same_checksums() -> None:
    first, second = render(DETERMINISTIC), render(DETERMINISTIC)

    for component in ("ai-todo", "mcp-server"):
        assert _annotations(first, component) == _annotations(second, component)


@pytest.mark.parametrize(
    "change",
    [
        "secrets.databaseUrl=postgresql+psycopg://todo:other@db.example.com/todo",
        "secrets.mcpAuthToken=another-token",
        "secrets.authJwtSecret=another-secret-of-at-least-32-characters",
        "secrets.openaiApiKey=sk-new",
    ],
)
def test_a_changed_secret_changes_the_secret_checksum(change: str) -> None:
    before, after = render(DETERMINISTIC), render(_merged(DETERMINISTIC, set_flags(change)))

    assert (
        _annotations(before, "ai-todo")["checksum/secret"]
        != _annotations(after, "ai-todo")["checksum/secret"]
    )
    assert (
        _annotations(before, "ai-todo")["checksum/config"]
        == _annotations(after, "ai-todo")["checksum/config"]
    )


def test_a_changed_setting_rolls_only_the_services_that_read_it() -> None:
    before = render(DETERMINISTIC)
    model = render(_merged(DETERMINISTIC, set_flags("config.openaiModel=gpt-4.1")))
    log_level = render(_merged(DETERMINISTIC, set_flags("config.logLevel=DEBUG")))

    assert (
        _annotations(model, "ai-todo")["checksum/config"]
        != _annotations(before, "ai-todo")["checksum/config"]
    )
    assert _annotations(model, "mcp-server") == _annotations(before, "mcp-server")
    for component in ("ai-todo", "mcp-server"):
        assert (
            _annotations(log_level, component)["checksum/config"]
            != (_annotations(before, component)["checksum/config"])
        )


def test_the_checksum_is_over_the_secret_the_release_installs() -> None:
    rendered = render(WITH_DATABASE)
    checksums = {
        _annotations(rendered, component)["checksum/secret"] for component in ("ai-todo", "mcp-server")
    }

    # One value for both: the generated tokens were made once per render, not once per include.
    assert len(checksums) == 1


def test_generated_secrets_are_kept_across_upgrades() -> None:
    stored = {"AUTH_JWT_SECRET": "secret-from-install", "MCP_AUTH_TOKEN": "token-from-install"}
    with kube_api_with_secrets({("apps", "todo-secret"): stored}) as kubeconfig:
        upgraded = parse(render_against_cluster(kubeconfig, WITH_DATABASE, release="todo", namespace="apps"))

    assert upgraded.secret_data("todo-secret") == {"DATABASE_URL": A_DATABASE_URL, **stored}


def test_a_given_secret_wins_over_the_stored_one_on_upgrade() -> None:
    stored = {"AUTH_JWT_SECRET": "secret-from-install", "MCP_AUTH_TOKEN": "token-from-install"}
    values = _merged(WITH_DATABASE, set_flags("secrets.mcpAuthToken=rotated-token"))
    with kube_api_with_secrets({("apps", "todo-secret"): stored}) as kubeconfig:
        upgraded = parse(render_against_cluster(kubeconfig, values, release="todo", namespace="apps"))

    assert upgraded.secret_data("todo-secret")["MCP_AUTH_TOKEN"] == "rotated-token"
    assert upgraded.secret_data("todo-secret")["AUTH_JWT_SECRET"] == "secret-from-install"


def test_a_first_install_generates_fresh_secrets_each_time() -> None:
    first, second = render(WITH_DATABASE), render(WITH_DATABASE)

    assert (
        first.secret_data("todo-secret")["MCP_AUTH_TOKEN"]
        != second.secret_data("todo-secret")["MCP_AUTH_TOKEN"]
    )


BAD_COMBINATIONS = {
    "not a postgres url": (
        {"secrets": {"databaseUrl": "mysql://todo:hunter2@db/todo"}},
        "secrets.databaseUrl must be a PostgreSQL URL",
    ),
    "tracing without a key": (
        {"secrets": {"databaseUrl": A_DATABASE_URL}, "config": {"agentTracing": True}},
        "config.agentTracing sends traces to OpenAI and needs secrets.openaiApiKey",
    ),
    "two databases": (
        {"secrets": {"databaseUrl": A_DATABASE_URL}, "devPostgres": {"enabled": True}},
        "choose one database",
    ),
    "secret values beside an existing secret": (
        {"existingSecret": "mine", "secrets": {"openaiApiKey": "sk-1"}},
        'secrets.openaiApiKey is not used when existingSecret is set: put it into Secret "mine"',
    ),
    "drain shorter than a chat turn": (
        {"shutdown": {"drainSeconds": 10}, "config": {"chatTimeoutSeconds": 30}},
        r"shutdown.drainSeconds \(10\) must be at least config.chatTimeoutSeconds \(30\)",
    ),
    "development database beside an existing secret": (
        {"existingSecret": "mine", "devPostgres": {"enabled": True}},
        "devPostgres.enabled writes DATABASE_URL into the chart's own Secret",
    ),
}


@pytest.mark.parametrize(("values", "message"), BAD_COMBINATIONS.values(), ids=BAD_COMBINATIONS.keys())
def test_contradictory_values_fail_with_what_to_change(values: dict[str, Any], message: str) -> None:
    with pytest.raises(helm_python.HelmRenderError, match=message) as failure:
        render(values)

    assert "hunter2" not in str(failure.value)
