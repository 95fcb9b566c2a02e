"""A stand-in for ai-todo's HTTP contract (DESIGN.md, Chat API) on 127.0.0.1, for testing the helm
test's chat check: /readyz, and POST /api/{user_id}/chat with a bearer JWT checked like ai-todo
checks it (HS256, subject = path user, issuer and audience when configured)."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import jwt

from tests.support.json_http import JsonRequest, serving_json

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
    def respond(request: JsonRequest) -> tuple[int, Any]:
        if request.method == "GET" and request.path == "/readyz":
            if service.ready:
                return 200, {"status": "ready"}
            return 503, {"status": "unready", "reason": "database unavailable"}
        match = CHAT_PATH.match(request.path)
        if request.method == "POST" and match:
            return service.answer_chat(
                match["user_id"], request.headers.get("authorization", ""), request.body
            )
        return 404, {"detail": "Not Found"}

    with serving_json(respond) as base_url:
        service.url = base_url
        yield service
