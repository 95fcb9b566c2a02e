"""The chart against the services' settings classes, read as they are now: every variable the chart
gives a service is a setting of that service, and every setting it needs is given."""

import pytest
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from ai_todo.settings import AiTodoSettings
from mcp_server.settings import McpServerSettings
from tests.chart.rendering import SERVICE_COMPONENTS, Rendered, pod_spec
from tests.chart.scenarios import SELF_CONTAINED, Scenario

SETTINGS: dict[str, type[BaseSettings]] = {"ai-todo": AiTodoSettings, "mcp-server": McpServerSettings}

# Needed in a cluster even where the class has a default, because the default suits a laptop:
# SQLite and a local mcp-server, no drain delay, no internal token.
NEEDED_IN_A_CLUSTER = {
    "ai-todo": {"DATABASE_URL", "PORT", "SHUTDOWN_DELAY_SECONDS", "MCP_SERVER_URL", "MCP_AUTH_TOKEN"},
    "mcp-server": {"DATABASE_URL", "PORT", "SHUTDOWN_DELAY_SECONDS", "MCP_AUTH_TOKEN"},
}


def env_names(settings: type[BaseSettings]) -> dict[str, str]:
    """{environment variable: field} as pydantic-settings matches them (case-insensitively here)."""
    assert settings.model_config.get("case_sensitive") is False
    prefix = settings.model_config.get("env_prefix", "")
    names = {}
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias or field.alias
        if isinstance(alias, AliasChoices):
            choices = [choice for choice in alias.choices if isinstance(choice, str)]
        else:
            choices = [alias or f"{prefix}{field_name}"]
        names.update({choice.upper(): field_name for choice in choices})
    return names


def _environment(rendered: Rendered, component: str) -> dict[str, str]:
    return rendered.environment(pod_spec(rendered.component("Deployment", component)), component)


CASES = [(name, component) for name in SELF_CONTAINED for component in SERVICE_COMPONENTS]


@pytest.mark.parametrize(("scenario", "component"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_every_variable_the_chart_sets_is_a_setting_of_that_service(scenario: str, component: str) -> None:
    environment = _environment(SELF_CONTAINED[scenario].render(), component)

    assert set(environment) - set(env_names(SETTINGS[component])) == set()


@pytest.mark.parametrize(("scenario", "component"), CASES, ids=[f"{s}-{c}" for s, c in CASES])
def test_every_setting_a_service_needs_is_set(scenario: str, component: str) -> None:
    settings = SETTINGS[component]
    required = {
        name
        for name, field_name in env_names(settings).items()
        if settings.model_fields[field_name].is_required()
    }

    environment = _environment(SELF_CONTAINED[scenario].render(), component)

    assert (required | NEEDED_IN_A_CLUSTER[component]) - set(environment) == set()


@pytest.mark.parametrize("scenario", SELF_CONTAINED.values(), ids=SELF_CONTAINED.keys())
def test_the_services_accept_the_environment_the_chart_gives_them(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    rendered = scenario.render()
    for component in SERVICE_COMPONENTS:
        settings_class = SETTINGS[component]
        for name in env_names(settings_class):
            monkeypatch.delenv(name, raising=False)
        environment = _environment(rendered, component)
        for name, value in environment.items():
            monkeypatch.setenv(name, value)

        settings = settings_class()

        container = pod_spec(rendered.component("Deployment", component))["containers"][0]
        assert settings.port == container["ports"][0]["containerPort"]
        assert settings.database_url == environment["DATABASE_URL"]
        assert settings.shutdown_delay_seconds > 0


def test_env_names_follow_prefixes_and_aliases() -> None:
    class Example(BaseSettings):
        model_config = SettingsConfigDict(env_prefix="app_", case_sensitive=False)
        plain: str = ""
        aliased: str = Field(default="", validation_alias=AliasChoices("FIRST", "second"))

    assert env_names(Example) == {"APP_PLAIN": "plain", "FIRST": "aliased", "SECOND": "aliased"}
