"""ai-todo's configuration: environment variables only, and a broken one fails at start-up."""

import pytest
from pydantic import ValidationError

from ai_todo.settings import JWT_SECRET_MIN_LENGTH, AiTodoSettings

SECRET = "k" * JWT_SECRET_MIN_LENGTH


def test_defaults_follow_the_design(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)

    settings = AiTodoSettings()

    assert settings.port == 8000
    assert settings.host == "0.0.0.0"
    assert settings.mcp_server_url == "http://127.0.0.1:8001/mcp"
    assert settings.openai_api_key is None
    assert settings.agent_tracing is False
    assert settings.web_concurrency == 1


def test_every_design_variable_is_read_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    values = {
        "DATABASE_URL": "postgresql+psycopg://u@db/todo",
        "PORT": "9000",
        "MCP_SERVER_URL": "http://mcp-server:8001/mcp",
        "MCP_AUTH_TOKEN": "internal",
        "AUTH_JWKS_URL": "https://auth.example.com/api/auth/jwks",
        "AUTH_ISSUER": "https://auth.example.com",
        "AUTH_AUDIENCE": "todo",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": "http://llm.internal/v1",
        "OPENAI_MODEL": "some-model",
        "CHAT_TIMEOUT_SECONDS": "7.5",
        "MCP_TIMEOUT_SECONDS": "2",
        "CHAT_HISTORY_MESSAGES": "4",
        "WEB_CONCURRENCY": "3",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)

    settings = AiTodoSettings()

    assert settings.database_url == values["DATABASE_URL"]
    assert settings.port == 9000
    assert settings.mcp_server_url == values["MCP_SERVER_URL"]
    assert settings.mcp_auth_token is not None
    assert settings.mcp_auth_token.get_secret_value() == "internal"
    assert settings.auth_jwks_url == values["AUTH_JWKS_URL"]
    assert (settings.auth_issuer, settings.auth_audience) == ("https://auth.example.com", "todo")
    assert settings.openai_api_key is not None
    assert (settings.openai_base_url, settings.openai_model) == ("http://llm.internal/v1", "some-model")
    assert (settings.chat_timeout_seconds, settings.mcp_timeout_seconds, settings.chat_history_messages) == (
        7.5,
        2,
        4,
    )
    assert settings.web_concurrency == 3


def test_no_authentication_at_all_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValidationError, match="no authentication configured"):
        AiTodoSettings()


def test_a_short_hs256_secret_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", "k" * (JWT_SECRET_MIN_LENGTH - 1))

    with pytest.raises(ValidationError, match="AUTH_JWT_SECRET is too short"):
        AiTodoSettings()


def test_empty_variables_count_as_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)
    monkeypatch.setenv("OPENAI_API_KEY", "")
    monkeypatch.setenv("AUTH_JWKS_URL", "")

    settings = AiTodoSettings()

    assert settings.openai_api_key is None
    assert settings.auth_jwks_url is None


def test_tracing_without_a_key_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)
    monkeypatch.setenv("AGENT_TRACING", "true")

    with pytest.raises(ValidationError, match="AGENT_TRACING needs OPENAI_API_KEY"):
        AiTodoSettings()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("MCP_SERVER_URL", "mcp-server:8001"),
        ("AUTH_JWKS_URL", "file:///etc/passwd"),
        ("CHAT_TIMEOUT_SECONDS", "0"),
        ("CHAT_HISTORY_MESSAGES", "-1"),
        ("MCP_TIMEOUT_SECONDS", "forever"),
    ],
)
def test_nonsense_values_are_errors(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        AiTodoSettings()


@pytest.mark.parametrize("workers", ["0", "-1", "65", "two", "1.5", "9" * 50])
def test_a_worker_count_out_of_range_is_refused(monkeypatch: pytest.MonkeyPatch, workers: str) -> None:
    monkeypatch.setenv("AUTH_JWT_SECRET", SECRET)
    monkeypatch.setenv("WEB_CONCURRENCY", workers)

    with pytest.raises(ValidationError, match="web_concurrency"):
        AiTodoSettings()
