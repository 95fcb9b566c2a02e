"""A small OpenAI-compatible Chat Completions server on localhost, standing in for a real LLM: it
answers with the tool calls and texts a test scripts, and records every request it gets."""

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            stub.requests.append(body)
            stub.headers.append({name.lower(): value for name, value in self.headers.items()})
            time.sleep(stub.delay_seconds)
            if stub.status != 200:
                self._send(stub.status, {"error": {"message": "scripted failure", "type": "server_error"}})
                return
            self._send(
                200,
                {
                    "id": f"chatcmpl-{len(stub.requests)}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": body["model"],
                    "choices": [
                        {
                            "index": 0,
                            "message": stub.script(body),
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
                },
            )

        def _send(self, status: int, payload: dict[str, Any]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: test output is not the place for access logs."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    stub.base_url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield stub
    finally:
        server.shutdown()
        server.server_close()
