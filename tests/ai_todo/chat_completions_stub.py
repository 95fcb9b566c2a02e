"""A small OpenAI-compatible Chat Completions server on localhost, standing in for a real LLM: it
answers with the tool calls and texts a test scripts, and records every request it gets."""

import json
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from tests.support.json_http import JsonRequest, serving_json

# Given the request body, the assistant message to answer with.
Script = Callable[[dict[str, Any]], dict[str, Any]]


def tool_call(name: str, arguments: dict[str, Any], call_id: str = "call_1") -> dict[str, Any]:
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(arguments)},
            }
        ],
    }


def text(content: str) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


def act_then_report(name: str, arguments: dict[str, Any]) -> Script:
    """One tool call for the user's message, then a reply quoting what the tool returned."""

    def script(request: dict[str, Any]) -> dict[str, Any]:
        last = request["messages"][-1]
        if last["role"] == "tool":
            return text(f"Done: {tool_content(last)}")
        return tool_call(name, arguments)

    return script


def tool_content(message: dict[str, Any]) -> str:
    """A tool message's text, whether sent as a string or as a list of text parts."""
    content = message["content"]
    if isinstance(content, list):
        return "".join(part.get("text", "") for part in content)
    return content


@dataclass
class ChatCompletionsStub:
    script: Script
    base_url: str = ""
    status: int = 200
    delay_seconds: float = 0
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)


@contextmanager
def serving_chat_completions(script: Script) -> Iterator[ChatCompletionsStub]:
    stub = ChatCompletionsStub(script=script)

    def respond(request: JsonRequest) -> tuple[int, Any]:
        stub.requests.append(request.body)
        stub.headers.append(dict(request.headers))
        time.sleep(stub.delay_seconds)
        if stub.status != 200:
            return stub.status, {"error": {"message": "scripted failure", "type": "server_error"}}
        return 200, {
            "id": f"chatcmpl-{len(stub.requests)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": request.body["model"],
            "choices": [{"index": 0, "message": stub.script(request.body), "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
        }

    with serving_json(respond) as base_url:
        stub.base_url = f"{base_url}/v1"
        yield stub
