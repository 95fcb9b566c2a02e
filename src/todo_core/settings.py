"""The settings every service reads; each service subclasses this once."""

import sys
from typing import Literal, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
S = TypeVar("S", bound="ServiceSettings")


class ServiceSettings(BaseSettings):
    """Configuration from environment variables only; the same names locally, in containers and in
    the chart. Unknown variables are ignored because a pod's environment holds many of them. An empty
    variable counts as unset: a chart or a shell often sets "" to mean "not given"."""

    model_config = SettingsConfigDict(
        env_file=None, extra="ignore", case_sensitive=False, env_ignore_empty=True
    )

    database_url: str = Field(
        default="sqlite:///./todo.db",
        description="SQLAlchemy URL: postgresql+psycopg://... in clusters, sqlite:///... locally",
    )
    host: str = "0.0.0.0"  # noqa: S104 - a container must listen on all interfaces
    port: int = Field(default=8000, ge=1, le=65535)
    log_level: LogLevel = "INFO"
    shutdown_delay_seconds: float = Field(
        default=0, ge=0, le=60, description="after SIGTERM, seconds to stay serving while reporting unready"
    )
    shutdown_timeout_seconds: int = Field(
        default=20, ge=1, le=300, description="then, seconds in-flight requests get to finish"
    )
    max_concurrent_requests: int = Field(
        default=100,
        ge=1,
        le=10_000,
        description="requests one process serves at once (probes aside); past it 503 with Retry-After",
    )


def load_settings(settings_class: type[S], service: str) -> S:
    """The service's settings from the environment; a broken configuration exits with one line per
    problem, named by its environment variable, instead of a traceback."""
    try:
        return settings_class()
    except ValidationError as error:
        sys.exit(f"{service}: invalid configuration\n{describe(error)}")


def describe(error: ValidationError) -> str:
    """One line per problem, named by its environment variable."""
    lines = []
    for problem in error.errors():
        message = problem["msg"].removeprefix("Value error, ")
        variable = "_".join(str(part) for part in problem["loc"]).upper()
        lines.append(f"  {variable}: {message}" if variable else f"  {message}")
    return "\n".join(lines)
