"""The settings every service reads; each service subclasses this once."""

from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class ServiceSettings(BaseSettings):
    """Configuration from environment variables only; the same names locally, in containers and in
    the chart. Unknown variables are ignored because a pod's environment holds many of them."""

    model_config = SettingsConfigDict(env_file=None, extra="ignore", case_sensitive=False)

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
