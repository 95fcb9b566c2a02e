"""ai-todo's configuration: environment variables only, checked at start-up so a pod with a broken
configuration fails loudly instead of serving with an open door."""

from typing import Self

from pydantic import Field, SecretStr, model_validator

from todo_core.models import MESSAGE_MAX
from todo_core.settings import ServiceSettings

# RFC 7518 §3.2: an HS256 key must be at least as long as the hash output (256 bits).
JWT_SECRET_MIN_LENGTH = 32


class AiTodoSettings(ServiceSettings):
    port: int = Field(default=8000, ge=1, le=65535)
    web_concurrency: int = Field(
        default=1,
        ge=1,
        le=64,
        description="server processes sharing the port, for a machine with several cores; in "
        "Kubernetes keep 1 and add replicas",
    )
    mcp_server_url: str = Field(
        default="http://127.0.0.1:8001/mcp", pattern=r"^https?://", description="mcp-server's /mcp endpoint"
    )
    mcp_auth_token: SecretStr | None = Field(default=None, description="the shared internal token")
    mcp_timeout_seconds: float = Field(
        default=5, gt=0, le=60, description="how long connecting to mcp-server or one tool call may take"
    )
    auth_jwks_url: str | None = Field(
        default=None, pattern=r"^https?://", description="JWKS of the auth provider (Better Auth)"
    )
    auth_jwt_secret: SecretStr | None = Field(default=None, description="HS256 secret for local runs")
    auth_issuer: str | None = Field(default=None, description="when set, tokens must carry this `iss`")
    auth_audience: str | None = Field(default=None, description="when set, tokens must carry this `aud`")
    openai_api_key: SecretStr | None = Field(
        default=None, description="selects a real LLM; without it the built-in offline model answers"
    )
    openai_base_url: str | None = Field(
        default=None, pattern=r"^https?://", description="any OpenAI-compatible Chat Completions endpoint"
    )
    openai_model: str = Field(default="gpt-4o-mini", min_length=1, description="the model name to ask for")
    agent_tracing: bool = Field(
        default=False, description="send agent traces to OpenAI (needs OPENAI_API_KEY); off by default"
    )
    chat_timeout_seconds: float = Field(
        default=20, gt=0, le=300, description="budget for one chat turn, model and tools together; then 503"
    )
    api_docs: bool = Field(
        default=False,
        description="serve the interactive API docs at /docs (self-hosted); /openapi.json is always",
    )
    chat_history_messages: int = Field(
        default=20, ge=0, le=200, description="how many earlier messages of a conversation the model sees"
    )
    chat_rate_limit: int = Field(
        default=30, ge=0, le=10_000, description="chat messages one user may send per window; 0: no limit"
    )
    chat_rate_window_seconds: int = Field(
        default=60, ge=1, le=86_400, description="the window of CHAT_RATE_LIMIT, sliding"
    )
    chat_max_tool_calls: int = Field(
        default=25, ge=1, le=1000, description="tool calls one chat turn may make; later ones are refused"
    )
    chat_reply_max_chars: int = Field(
        default=MESSAGE_MAX, ge=100, le=100_000, description="the assistant's reply is cut to this length"
    )

    @model_validator(mode="after")
    def _check_consistency(self) -> Self:
        if self.auth_jwks_url is None and self.auth_jwt_secret is None:
            raise ValueError(
                "no authentication configured: set AUTH_JWKS_URL (the auth provider's JWKS) or "
                f"AUTH_JWT_SECRET (an HS256 secret of at least {JWT_SECRET_MIN_LENGTH} characters)"
            )
        if (
            self.auth_jwt_secret is not None
            and len(self.auth_jwt_secret.get_secret_value()) < JWT_SECRET_MIN_LENGTH
        ):
            raise ValueError(f"AUTH_JWT_SECRET is too short: use at least {JWT_SECRET_MIN_LENGTH} characters")
        if self.agent_tracing and self.openai_api_key is None:
            raise ValueError("AGENT_TRACING needs OPENAI_API_KEY: traces go to OpenAI and need a key")
        return self
