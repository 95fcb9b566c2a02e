"""A small client of ai-todo's chat API (DESIGN.md, "Chat API"), for `chat`, `up`'s smoke test,
`validate-stateless` and `dev`."""

from dataclasses import dataclass, field
from typing import Any

import httpx

from todoctl.errors import TodoctlError

# What to wait after a 429 that names no Retry-After of its own.
DEFAULT_RETRY_AFTER_SECONDS = 5.0


class ChatFailed(TodoctlError):
    """The service answered with an error, or not at all; `status` is None when it did not answer.
    `retry_after` is the wait a 429 or 503 asked for."""

    def __init__(
        self,
        message: str,
        hint: str | None = None,
        *,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, hint)
        self.status = status
        self.retry_after = retry_after

    @property
    def rate_limited(self) -> bool:
        return self.status == 429


@dataclass(frozen=True)
class Reply:
    conversation_id: int
    response: str
    tool_calls: list[dict[str, Any]] = field(default_factory=list)


class ChatApi:
    def __init__(self, base_url: str, *, token: str | None, user_id: str, timeout: float = 60) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.user_id = user_id
        self.http = httpx.Client(base_url=base_url, headers=headers, timeout=timeout)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> "ChatApi":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ready(self) -> bool:
        try:
            return self.http.get("/readyz", timeout=5).status_code == 200
        except httpx.HTTPError:
            return False

    def chat(self, message: str, conversation_id: int | None = None) -> Reply:
        body = self._call(
            "POST", f"/api/{self.user_id}/chat", json={"message": message, "conversation_id": conversation_id}
        )
        try:
            return Reply(
                int(body["conversation_id"]), str(body["response"]), list(body.get("tool_calls") or [])
            )
        except (KeyError, TypeError, ValueError):
            raise ChatFailed(f"the chat service answered in an unexpected shape: {str(body)[:200]}") from None

    def conversations(self) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/api/{self.user_id}/conversations"))

    def messages(self, conversation_id: int) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/api/{self.user_id}/conversations/{conversation_id}/messages"))

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self.http.request(method, path, **kwargs)
        except httpx.HTTPError as error:
            raise ChatFailed(f"the chat service does not answer: {error or type(error).__name__}") from None
        if response.status_code == 401:
            raise ChatFailed(
                "the chat service rejected the token",
                hint="mint a new one (todoctl forward prints one)",
                status=401,
            )
        if response.status_code == 429:
            wait = _retry_after(response)
            raise ChatFailed(
                f"too many messages for now: {_detail(response)}",
                hint=f"wait {wait:g} s and send it again",
                status=429,
                retry_after=wait,
            )
        if response.status_code >= 400:
            raise ChatFailed(
                f"the chat service answered {response.status_code}: {_detail(response)}",
                status=response.status_code,
                retry_after=_retry_after(response) if "retry-after" in response.headers else None,
            )
        try:
            return response.json()
        except ValueError:
            raise ChatFailed(
                f"the chat service answered with something that is not JSON: {response.text[:200]}"
            ) from None


def _retry_after(response: httpx.Response) -> float:
    """Retry-After in seconds (RFC 9110 also allows a date, which these services never send)."""
    try:
        return max(0.0, min(float(response.headers.get("retry-after", "")), 300.0))
    except ValueError:
        return DEFAULT_RETRY_AFTER_SECONDS


def _detail(response: httpx.Response) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        return response.text[:200]
    return detail if isinstance(detail, str) else str(detail)[:200]


def tasks_from(reply: Reply) -> list[dict[str, Any]] | None:
    """The task list a `list_tasks` tool call returned in this reply, if there was one."""
    for call in reply.tool_calls:
        if call.get("name") == "list_tasks":
            result = call.get("result")
            if isinstance(result, list):
                return result
    return None
