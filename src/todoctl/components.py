"""The two services as the chart labels them, and the names users type for them."""

from todoctl.errors import ConfigError

CHART_NAME = "todo"
DEFAULT_RELEASE = "todo"

# component label -> the chart's values key for it
VALUES_KEYS = {"ai-todo": "aiTodo", "mcp-server": "mcpServer"}
# what users may type -> component label
ALIASES = {"ai-todo": "ai-todo", "ai": "ai-todo", "mcp": "mcp-server", "mcp-server": "mcp-server"}
# image name (todoctl/<name>) per component; the Dockerfiles carry the same names. dev-postgres is the
# chart's development database, built here so that no cluster needs Docker Hub for it.
IMAGES = {
    "ai-todo": "todoctl/ai-todo",
    "mcp-server": "todoctl/mcp-server",
    "dev-postgres": "todoctl/dev-postgres",
}
# image -> the chart's values key holding its `image`
IMAGE_VALUES_KEYS = {**VALUES_KEYS, "dev-postgres": "devPostgres"}


def component(name: str) -> str:
    try:
        return ALIASES[name.strip().lower()]
    except KeyError:
        raise ConfigError(
            f"unknown component {name!r}", hint="use one of: ai-todo, mcp (or mcp-server)"
        ) from None


def components(name: str | None) -> list[str]:
    """`None` or "all" mean both."""
    if name is None or name.strip().lower() == "all":
        return list(VALUES_KEYS)
    return [component(name)]


def release_selector(release: str) -> str:
    return f"app.kubernetes.io/name={CHART_NAME},app.kubernetes.io/instance={release}"


def component_selector(release: str, name: str) -> str:
    return f"{release_selector(release)},app.kubernetes.io/component={name}"
