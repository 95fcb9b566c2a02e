import pytest

from todoctl.errors import ConfigError
from todoctl.logs import selector, split_prefix


def test_the_prefix_kubectl_adds_names_the_pod():
    assert split_prefix("[pod/ai-todo-5b85bc8649-a1b2c/ai-todo] chat_turn outcome=ok") == (
        "ai-todo-5b85bc8649-a1b2c",
        "chat_turn outcome=ok",
    )
    assert split_prefix("[not a prefix] text") == (None, "[not a prefix] text")


def test_logs_select_the_services_not_the_development_database():
    assert selector("todo", None).endswith("app.kubernetes.io/component in (ai-todo,mcp-server)")
    assert selector("todo", "mcp").endswith("app.kubernetes.io/component=mcp-server")


def test_an_unknown_component_is_refused():
    with pytest.raises(ConfigError, match="unknown component 'web'"):
        selector("todo", "web")
