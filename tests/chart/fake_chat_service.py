"""A stand-in for ai-todo's HTTP contract (DESIGN.md, Chat API) on 127.0.0.1, for testing the helm
test's chat check: /readyz, and POST /api/{user_id}/chat with a bearer JWT checked like ai-todo
checks it (HS256, subject = path user, issuer and audience when configured)."""

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt

CHAT_PATH = re.compile(r"^/api/(?P<user_id>[^/]+)/chat$")


@dataclass
class FakeChatService:
    secret: str
    issuer: str | None = None
    audience: str | None = None
    ready: bool = True
    tool_calls: list[dict[str, Any]] = field(
        default_factory=lambda: [{"name": "list_tasks", "arguments": {"status": "all"}, "result": []}]
    )
    chats: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def answer_chat(
        self, user_id: str, authorization: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        token = authorization.removeprefix("Bearer ")
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=["HS256"],
                issuer=self.issuer,
                audience=self.audience,
                options={"require": ["sub", "exp"]},
            )
        except jwt.InvalidTokenError as error:
            return 401, {"detail": f"invalid token: {error}"}
        if claims["sub"] != user_id:
            return 403, {"detail": "token subject does not match the user"}
        self.chats.append({"user_id": user_id, "claims": claims, "body": body})
        return 200, {
            "conversation_id": 1,
            "response": "You have no tasks yet.",
            "tool_calls": self.tool_calls,
        }


@contextmanager
def fake_chat_service(service: FakeChatService) -> Iterator[FakeChatService]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if self.path == "/readyz" and service.ready:
                self._answer(200, {"status": "ready"})
            elif self.path == "/readyz":
                self._answer(503, {"status": "unready", "reason": "database unavailable"})
            else:
                self._answer(404, {"detail": "Not Found"})

        def do_POST(self) -> None:
            match = CHAT_PATH.match(self.path)
            if not match:
                self._answer(404, {"detail": "Not Found"})
                return
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            self._answer(*service.answer_chat(match["user_id"], self.headers.get("Authorization", ""), body))

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reports what matters."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    service.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield service
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
