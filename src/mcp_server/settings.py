"""mcp-server's configuration."""

from pydantic import Field, SecretStr

from todo_core.settings import ServiceSettings


class McpServerSettings(ServiceSettings):
    port: int = Field(default=8001, ge=1, le=65535)
    mcp_auth_token: SecretStr | None = Field(
        default=None, description="when set, /mcp refuses calls without `Authorization: Bearer <token>`"
    )
