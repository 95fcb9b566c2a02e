"""How failures become responses: what the caller is told, and what the log keeps.

A 422 says which field is wrong and why, never what was sent: echoing the input would send back
31 KB for a 31 KB message, and cannot even be written when Python's JSON parser read the body into
values no JSON encoder can write (NaN, 1e400, a lone surrogate). A failure nobody expected is one
log line with its type, no user text; its traceback goes to DEBUG, never to the response."""

import logging
import re
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ai_todo.errors import ChatError, RateLimited

log = logging.getLogger(__name__)

# What a client should wait before retrying a 503.
RETRY_AFTER_SECONDS = "5"
UNEXPECTED = "Something went wrong on our side. Please try again."
# A body with ten thousand unknown keys must not get ten thousand problems back.
MAX_PROBLEMS = 10
MAX_MESSAGE_LENGTH = 200
# A location part is shown only when it is a plain field name; anything else came from the client.
_FIELD_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
_HIDDEN = "<key>"


def public_problems(errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The validation errors as a 422 shows them: location, message and type, without the input."""
    return [
        {
            "loc": [_location_part(part) for part in error.get("loc", ())],
            "msg": _printable(str(error.get("msg", "invalid")))[:MAX_MESSAGE_LENGTH],
            "type": _printable(str(error.get("type", "invalid")))[:MAX_MESSAGE_LENGTH],
        }
        for error in errors[:MAX_PROBLEMS]
    ]


def _location_part(part: object) -> str | int:
    if isinstance(part, int) and not isinstance(part, bool):
        return part
    return part if isinstance(part, str) and _FIELD_NAME.fullmatch(part) else _HIDDEN


def _printable(text: str) -> str:
    return text.encode("utf-8", "replace").decode("utf-8")


def route_of(scope: Scope) -> str:
    """The route's template ("/api/{user_id}/chat"): the path itself carries the user's id."""
    return getattr(scope.get("route"), "path", None) or "unrouted"


def add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, error: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": public_problems(list(error.errors()))}, status_code=422)

    @app.exception_handler(ChatError)
    async def chat_error(_: Request, error: ChatError) -> JSONResponse:
        headers = None
        if isinstance(error, RateLimited):
            headers = {"Retry-After": str(error.retry_after_seconds)}
        elif error.status_code == 503:
            headers = {"Retry-After": RETRY_AFTER_SECONDS}
        return JSONResponse({"detail": error.public_message}, status_code=error.status_code, headers=headers)

    app.add_middleware(UnexpectedErrors)


class UnexpectedErrors:
    """The innermost guard against a bug: one log line naming the exception type and the route, the
    traceback at DEBUG only, and a plain 500. Without it the server logs the whole traceback (a
    RecursionError's is 180 KB) and the exception's text, which may quote what the user sent."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as error:
            log.error("unexpected_error route=%s error=%s", route_of(scope), type(error).__name__)
            log.debug("unexpected_error traceback", exc_info=error)
            if started:
                # the status line is gone; only dropping the connection tells the client
                raise
            response = JSONResponse({"detail": UNEXPECTED}, status_code=500)
            await response(scope, receive, send)
