"""The settings every service reads; each service subclasses this once."""

import sys
from typing import Literal, TypeVar

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from todo_core.db import DATABASE_SCHEMES

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]
S = TypeVar("S", bound="ServiceSettings")

# A real URL is well under this; a longer one is a mistake (a pasted file, a runaway template).
MAX_DATABASE_URL_LENGTH = 4096
EXPECTED_DATABASE_URL = (
    "expected postgresql://USER:PASSWORD@HOST:PORT/DATABASE (or postgres://, postgresql+psycopg://) "
    "or sqlite:///PATH"
)


class ServiceSettings(BaseSettings):
    """Configuration from environment variables only; the same names locally, in containers and in
    the chart. Unknown variables are ignored because a pod's environment holds many of them. An empty
    variable counts as unset: a chart or a shell often sets "" to mean "not given"."""

    # hide_input_in_errors: a rejected DATABASE_URL or secret is never echoed, even in a traceback
    model_config = SettingsConfigDict(
        env_file=None,
        extra="ignore",
        case_sensitive=False,
        env_ignore_empty=True,
        hide_input_in_errors=True,
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

    @field_validator("database_url")
    @classmethod
    def _usable_database_url(cls, value: str) -> str:
        """Refused here, in one line, rather than as SQLAlchemy's traceback when the engine is made;
        the message never repeats the URL, which may hold a password."""
        return check_database_url(value)


def check_database_url(value: str) -> str:
    if len(value) > MAX_DATABASE_URL_LENGTH:
        raise ValueError(f"longer than {MAX_DATABASE_URL_LENGTH} characters; {EXPECTED_DATABASE_URL}")
    if any(ord(character) < 32 or ord(character) == 127 for character in value):
        raise ValueError(f"contains control characters; {EXPECTED_DATABASE_URL}")
    try:
        url = make_url(value)
    except (ArgumentError, ValueError):
        raise ValueError(f"not a database URL; {EXPECTED_DATABASE_URL}") from None
    if url.drivername not in DATABASE_SCHEMES:
        # make_url allows only word characters and "+" in a scheme, so naming it echoes nothing else
        raise ValueError(f"unsupported scheme {url.drivername!r}; {EXPECTED_DATABASE_URL}")
    if url.drivername != "sqlite" and not (url.host or url.database or url.query.get("host")):
        raise ValueError(f"names no host and no database; {EXPECTED_DATABASE_URL}")
    return value


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
