"""Reading the agent loop's input items (OpenAI Responses format, as the Agents SDK hands them to a
model) into what the offline model needs: the latest user message, the replies before it, and the
results of the tool calls made since."""

import json
import re
from dataclasses import dataclass
from typing import Any

from ai_todo.offline.planner import Outcome

# How mcp-server words an expected failure: "Error executing tool complete_task: task 7 not found".
_ERROR_PREFIX = re.compile(r"^Error executing tool \w+:\s*")
_TASK_MENTION = re.compile(r"\btask (\d+)\b|#(\d+)\b")


@dataclass(frozen=True)
class Transcript:
    message: str
    earlier_replies: tuple[str, ...]
    outcomes: dict[str, Outcome]

    def last_task_id(self) -> int | None:
        """The task the previous reply was about, when it named exactly one: what "it" means."""
        if not self.earlier_replies:
            return None
        mentioned = {
            int(first or second) for first, second in _TASK_MENTION.findall(self.earlier_replies[-1])
        }
        return mentioned.pop() if len(mentioned) == 1 else None


def read_transcript(model_input: str | list[Any]) -> Transcript:
    items = (
        [{"role": "user", "content": model_input}]
        if isinstance(model_input, str)
        else [_as_dict(i) for i in model_input]
    )
    last_user = max((index for index, item in enumerate(items) if item.get("role") == "user"), default=None)
    if last_user is None:
        return Transcript(message="", earlier_replies=(), outcomes={})
    replies = tuple(
        _text(item.get("content")) for item in items[:last_user] if item.get("role") == "assistant"
    )
    outcomes = {
        str(item.get("call_id")): parse_output(item.get("output"))
        for item in items[last_user + 1 :]
        if item.get("type") == "function_call_output"
    }
    return Transcript(
        message=_text(items[last_user].get("content")), earlier_replies=replies, outcomes=outcomes
    )


def parse_output(output: Any) -> Outcome:
    """A tool result: JSON (mcp-server's structured results) is a success, plain text an error."""
    text = _text(output)
    try:
        value = json.loads(text)
    except ValueError:
        return Outcome(ok=False, value=_ERROR_PREFIX.sub("", text.strip()))
    if isinstance(value, dict) and set(value) == {"result"}:
        value = value["result"]
    return Outcome(ok=True, value=value)


def _as_dict(item: Any) -> dict[str, Any]:
    if isinstance(item, dict):
        return item
    dump = getattr(item, "model_dump", None)
    return dump() if callable(dump) else {}


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(_text(part) for part in content)
    if isinstance(content, dict):
        return str(content.get("text") or "")
    return ""
