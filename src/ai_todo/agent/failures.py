"""Turning whatever an agent run raised into the chat error its user sees."""

import openai
from agents.exceptions import MaxTurnsExceeded, ModelBehaviorError

from ai_todo.errors import AssistantFailed, ChatError, ModelUnavailable


def classify(error: BaseException) -> ChatError | None:
    """The chat error behind `error`, or None when it is not an expected failure (a bug).

    The SDK wraps what tools raise (an MCP outage surfaces as AgentsException caused by our
    ToolsUnavailable), so the whole chain of causes is searched."""
    for cause in _chain(error):
        if isinstance(cause, ChatError):
            return cause
        if isinstance(cause, openai.APIError):
            return ModelUnavailable(
                f"{type(cause).__name__}: {getattr(cause, 'status_code', '')}".strip(": ")
            )
        if isinstance(cause, MaxTurnsExceeded | ModelBehaviorError):
            return AssistantFailed(type(cause).__name__)
    return None


def _chain(error: BaseException) -> list[BaseException]:
    seen: list[BaseException] = []
    pending = [error]
    while pending:
        current = pending.pop(0)
        if any(current is known for known in seen):
            continue
        seen.append(current)
        if isinstance(current, BaseExceptionGroup):
            pending.extend(current.exceptions)
        pending.extend(cause for cause in (current.__cause__, current.__context__) if cause is not None)
    return seen
