"""The failures a chat request can meet, each with the status and the sentence its caller sees.

Messages are written for the person in the chat: no exception names, no internals, and for a 503 a
hint that trying again later is the fix."""


class ChatError(Exception):
    status_code = 500
    outcome = "error"  # the word the chat_turn log line uses
    public_message = "Something went wrong on our side. Please try again."

    def __init__(self, detail: str | None = None) -> None:
        # `detail` is for the log line only; the response always carries `public_message`.
        super().__init__(detail or self.public_message)


class ConversationNotFound(ChatError):
    status_code = 404
    outcome = "not_found"
    public_message = "conversation not found"


class RateLimited(ChatError):
    """The user sent more messages in the window than CHAT_RATE_LIMIT allows."""

    status_code = 429
    outcome = "rate_limited"
    public_message = "You're sending messages faster than I can answer them. Please wait a moment."

    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"retry after {retry_after_seconds}s")
        self.retry_after_seconds = retry_after_seconds


class ServiceUnavailable(ChatError):
    """A dependency did not answer in time; the request may succeed a moment later."""

    status_code = 503


class StorageUnavailable(ServiceUnavailable):
    outcome = "storage_unavailable"
    public_message = "Your conversation can't be saved right now. Please try again in a moment."


# The words for a failure after which a change may or may not have been made: a request that timed
# out may still be running on mcp-server (a task was once created behind a 503).
MAY_HAVE_HAPPENED = (
    "I can't tell whether your change went through: it may have happened. "
    "Check your tasks before asking again."
)


class ToolsUnavailable(ServiceUnavailable):
    outcome = "tools_unavailable"
    public_message = "I can't reach your task list right now. Please try again in a moment."

    def __init__(self, detail: str | None = None, *, timed_out: bool = False) -> None:
        super().__init__(detail)
        # A call that timed out may still be running on mcp-server: never repeat it, and say so.
        self.timed_out = timed_out
        if timed_out:
            self.public_message = f"Your task list didn't answer in time. {MAY_HAVE_HAPPENED}"


class ModelUnavailable(ServiceUnavailable):
    outcome = "model_unavailable"
    public_message = "The assistant isn't answering right now. Please try again in a moment."


class TurnTimedOut(ServiceUnavailable):
    # the turn's deadline may cut a tool call under way
    outcome = "timeout"
    public_message = f"That took too long to answer. {MAY_HAVE_HAPPENED}"


class AssistantFailed(ServiceUnavailable):
    """The model answered but not usefully (malformed tool calls, endless tool loops)."""

    outcome = "assistant_failed"
    public_message = "I couldn't finish that request. Please try again or rephrase it."


class AuthUnavailable(ServiceUnavailable):
    outcome = "auth_unavailable"
    public_message = "Sign-in can't be checked right now. Please try again in a moment."
