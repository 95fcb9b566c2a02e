"""The chat client against the real chat service: its answers, and each way it can fail."""

import pytest

from tests.support.processes import free_port, running_service
from tests.todoctl import factories
from todo_core.tokens import mint_token
from todoctl.chat import ChatApi, ChatFailed

SECRET = factories.JWT_SECRET


@pytest.fixture(scope="module")
def chat_without_tools(tmp_path_factory):
    """ai-todo whose tool server does not answer (nothing listens at MCP_SERVER_URL)."""
    database = tmp_path_factory.mktemp("db") / "todo.db"
    env = {
        "DATABASE_URL": f"sqlite:///{database}",
        "AUTH_JWT_SECRET": SECRET,
        "MCP_SERVER_URL": f"http://127.0.0.1:{free_port()}/mcp",
    }
    with running_service("ai_todo", env) as service:
        yield service.base_url


def test_a_wrong_token_is_rejected_with_a_hint(chat_without_tools):
    with (
        ChatApi(
            chat_without_tools, token=mint_token("another-secret-of-32-characters!", "alice"), user_id="alice"
        ) as api,
        pytest.raises(ChatFailed) as raised,
    ):
        api.chat("hello")

    assert raised.value.status == 401
    assert raised.value.hint


def test_tools_that_do_not_answer_give_the_services_friendly_503(chat_without_tools):
    api = ChatApi(chat_without_tools, token=mint_token(SECRET, "alice"), user_id="alice")
    with api, pytest.raises(ChatFailed) as raised:
        api.chat("Add a task to buy groceries")

    assert raised.value.status == 503
    assert raised.value.message.startswith("the chat service answered 503: ")
    assert len(raised.value.message) > len("the chat service answered 503: ")


def test_another_users_path_is_forbidden(chat_without_tools):
    api = ChatApi(chat_without_tools, token=mint_token(SECRET, "alice"), user_id="bob")
    with api, pytest.raises(ChatFailed) as raised:
        api.conversations()

    assert raised.value.status == 403


def test_readiness_of_a_running_service(chat_without_tools):
    with ChatApi(chat_without_tools, token=None, user_id="alice") as api:
        assert api.ready() is True


def test_a_service_that_is_not_there_does_not_answer():
    with ChatApi(f"http://127.0.0.1:{free_port()}", token=None, user_id="alice") as api:
        assert api.ready() is False
        with pytest.raises(ChatFailed, match="the chat service does not answer") as raised:
            api.chat("hello")

    assert raised.value.status is None


def test_the_per_user_rate_is_a_429_that_says_how_long_to_wait(tmp_path):
    database = f"sqlite:///{tmp_path / 'todo.db'}"
    internal = "internal-token-of-the-rate-test"
    with running_service("mcp_server", {"DATABASE_URL": database, "MCP_AUTH_TOKEN": internal}) as tools:
        env = {
            "DATABASE_URL": database,
            "AUTH_JWT_SECRET": SECRET,
            "MCP_SERVER_URL": f"{tools.base_url}/mcp",
            "MCP_AUTH_TOKEN": internal,
            "CHAT_RATE_LIMIT": "2",
        }
        with running_service("ai_todo", env) as service:
            api = ChatApi(service.base_url, token=mint_token(SECRET, "alice"), user_id="alice", timeout=60)
            with api:
                api.chat("Show me all my tasks")
                api.chat("What's pending?")
                with pytest.raises(ChatFailed) as raised:
                    api.chat("What have I completed?")

    assert raised.value.rate_limited
    assert raised.value.retry_after is not None
    assert 0 < raised.value.retry_after <= 300
    assert raised.value.message.startswith("too many messages for now: ")
    assert f"wait {raised.value.retry_after:g} s" in (raised.value.hint or "")
