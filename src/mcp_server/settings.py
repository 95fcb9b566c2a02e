"""mcp-server's configuration.

The tools take `user_id` as a plain argument, so whoever reaches an open /mcp can act as any user.
The server therefore fails closed: it does not start without MCP_AUTH_TOKEN. The one way around it is
an explicit opt-out for experiments on one's own machine, and only on a loopback address."""

from typing import Self

from pydantic import Field, SecretStr, model_validator

from mcp_server.tasks import LIST_TASKS_MAX, MAX_TASKS_PER_USER
from todo_core.settings import ServiceSettings

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


class McpServerSettings(ServiceSettings):
    port: int = Field(default=8001, ge=1, le=65535)
    mcp_auth_token: SecretStr | None = Field(
        default=None, description="/mcp refuses calls without `Authorization: Bearer <token>`; required"
    )
    max_tasks_per_user: int = Field(
        default=MAX_TASKS_PER_USER,
        ge=1,
        le=1_000_000,
        description="add_task refuses a user who already has this many",
    )
    list_tasks_max: int = Field(
        default=LIST_TASKS_MAX,
        ge=1,
        le=10_000,
        description="the most tasks one list_tasks call returns (and the default)",
    )
    mcp_insecure_no_auth: bool = Field(
        default=False,
        description="serve /mcp without a token: local experiments only, and only on a loopback HOST",
    )

    @model_validator(mode="after")
    def _fail_closed(self) -> Self:
        if self.mcp_insecure_no_auth:
            if self.host not in LOOPBACK_HOSTS:
                raise ValueError(
                    "MCP_INSECURE_NO_AUTH serves every user's tasks to anyone who connects: it is accepted "
                    f"only with HOST=127.0.0.1, ::1 or localhost, not {self.host!r}"
                )
            return self
        if self.mcp_auth_token is None:
            raise ValueError(
                "MCP_AUTH_TOKEN is not set: without it anyone who reaches /mcp could act as any user. "
                "Set it to the token ai-todo sends (the chart and `todoctl dev` generate one); for an "
                "experiment on this machine only, set MCP_INSECURE_NO_AUTH=true and HOST=127.0.0.1"
            )
        return self
