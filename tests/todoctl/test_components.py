import pytest

from todoctl.components import (
    AI_TODO,
    IMAGES,
    SERVICES,
    component,
    component_selector,
    components,
    images,
    services_selector,
)
from todoctl.errors import ConfigError


@pytest.mark.parametrize(
    ("typed", "label"),
    [("ai-todo", "ai-todo"), ("ai", "ai-todo"), (" MCP ", "mcp-server"), ("mcp-server", "mcp-server")],
)
def test_the_names_users_type_mean_one_service(typed: str, label: str) -> None:
    assert component(typed) == label


@pytest.mark.parametrize("typed", ["dev-postgres", "postgres", "", "ai-todo,mcp", "x" * 10_000])
def test_anything_else_is_no_service(typed: str) -> None:
    with pytest.raises(ConfigError, match="unknown component"):
        component(typed)


def test_all_or_nothing_means_both_services() -> None:
    assert components(None) == components("all") == ["ai-todo", "mcp-server"]


@pytest.mark.parametrize(
    ("selection", "chosen"),
    [
        ("all", ["ai-todo", "mcp-server"]),
        ("ai-todo", ["ai-todo"]),
        ("mcp", ["mcp-server"]),
        ("mcp-server", ["mcp-server"]),
        ("dev-postgres", ["dev-postgres"]),
    ],
)
def test_build_and_load_take_the_names_their_help_lists(selection: str, chosen: list[str]) -> None:
    assert images(selection) == chosen


@pytest.mark.parametrize("selection", ["ai", "ALL", "postgres", "", "../etc"])
def test_an_image_the_help_does_not_list_is_refused(selection: str) -> None:
    with pytest.raises(ConfigError, match="unknown image"):
        images(selection)


def test_each_image_is_named_for_its_label_and_has_a_values_key() -> None:
    assert {label: item.image for label, item in IMAGES.items()} == {
        "ai-todo": "todoctl/ai-todo",
        "mcp-server": "todoctl/mcp-server",
        "dev-postgres": "todoctl/dev-postgres",
    }
    assert [IMAGES[label].values_key for label in IMAGES] == ["aiTodo", "mcpServer", "devPostgres"]
    assert [item.module for item in SERVICES] == ["ai_todo", "mcp_server"]


def test_selectors_are_the_chart_labels() -> None:
    base = "app.kubernetes.io/name=todo,app.kubernetes.io/instance=rel"
    assert (
        AI_TODO.selector("rel")
        == component_selector("rel", "ai-todo")
        == f"{base},app.kubernetes.io/component=ai-todo"
    )
    assert services_selector("rel") == f"{base},app.kubernetes.io/component in (ai-todo,mcp-server)"
