"""The chart's components as todoctl knows them: one row each, with every name the chart, Docker,
Python and the user give it. The two services, and the development database todoctl builds an
image of so that no cluster needs Docker Hub for it."""

from dataclasses import dataclass

from todoctl.errors import ConfigError

CHART_NAME = "todo"
DEFAULT_RELEASE = "todo"


@dataclass(frozen=True)
class Component:
    # the chart's app.kubernetes.io/component label; also its Dockerfile's and its image's name
    label: str
    # the chart's values key for it (replicaCount, image, …)
    values_key: str
    # the top-level Python packages its image carries; none for an image of someone else's program
    packages: tuple[str, ...] = ()
    # what `python -m` runs (todoctl dev)
    module: str | None = None
    # what users may type for it besides its label
    aliases: tuple[str, ...] = ()

    @property
    def image(self) -> str:
        """The local repository (todoctl/ai-todo); its last part is its name in a registry too."""
        return f"todoctl/{self.label}"

    def selector(self, release: str) -> str:
        return f"{release_selector(release)},app.kubernetes.io/component={self.label}"


AI_TODO = Component("ai-todo", "aiTodo", ("todo_core", "ai_todo"), "ai_todo", ("ai",))
MCP_SERVER = Component("mcp-server", "mcpServer", ("todo_core", "mcp_server"), "mcp_server", ("mcp",))
DEV_POSTGRES = Component("dev-postgres", "devPostgres")
SERVICES = (AI_TODO, MCP_SERVER)
# the images `todoctl build` makes: "all" is the two services
IMAGES = {item.label: item for item in (*SERVICES, DEV_POSTGRES)}
_SERVICE_NAMES = {name: item for item in SERVICES for name in (item.label, *item.aliases)}
# what `build` and `load` take, exactly as their help lists it: a label, "mcp", or "all" (both services)
_IMAGE_NAMES = {
    **{label: [label] for label in IMAGES},
    "mcp": [MCP_SERVER.label],
    "all": [item.label for item in SERVICES],
}


def component(name: str) -> str:
    """The label of the service a user named."""
    try:
        return _SERVICE_NAMES[name.strip().lower()].label
    except KeyError:
        raise ConfigError(
            f"unknown component {name!r}", hint="use one of: ai-todo, mcp (or mcp-server)"
        ) from None


def components(name: str | None) -> list[str]:
    """`None` or "all" mean both."""
    if name is None or name.strip().lower() == "all":
        return [item.label for item in SERVICES]
    return [component(name)]


def images(selection: str) -> list[str]:
    """`ai-todo`, `mcp` (or `mcp-server`), `all` (both services) or `dev-postgres`."""
    if selection in _IMAGE_NAMES:
        return _IMAGE_NAMES[selection]
    raise ConfigError(f"unknown image {selection!r}", hint="build one of: ai-todo, mcp, all, dev-postgres")


def release_selector(release: str) -> str:
    return f"app.kubernetes.io/name={CHART_NAME},app.kubernetes.io/instance={release}"


def component_selector(release: str, label: str) -> str:
    return IMAGES[label].selector(release)


def services_selector(release: str) -> str:
    """The pods of both services, not the development database's."""
    labels = ",".join(item.label for item in SERVICES)
    return f"{release_selector(release)},app.kubernetes.io/component in ({labels})"
