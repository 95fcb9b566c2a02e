"""A cap on the requests one process serves at once, shared by both services.

Past the cap a request is answered 503 with Retry-After at once, instead of queueing for memory and
database connections until everything in the process is slow. The cap is per process on purpose: what
it protects (memory, the connection pool, the event loop) is per process too, and more replicas
serve more. Health and readiness probes are never counted or refused: a busy pod is not a dead one,
and its readiness must keep reporting the truth."""

import json

from starlette.types import ASGIApp, Receive, Scope, Send

PROBE_PATHS = frozenset({"/healthz", "/readyz"})
RETRY_AFTER_SECONDS = "1"
BUSY_BODY = json.dumps({"detail": "The service is busy. Please try again in a moment."}).encode()


class ConcurrencyLimit:
    def __init__(self, app: ASGIApp, *, limit: int) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in PROBE_PATHS:
            await self.app(scope, receive, send)
            return
        # One event loop per process: the check and the increment cannot interleave.
        if self.in_flight >= self.limit:
            await _busy(send)
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1


async def _busy(send: Send) -> None:
    await send(
        {
            "type": "http.response.start",
            "status": 503,
            "headers": [
                (b"content-type", b"application/json"),
                (b"retry-after", RETRY_AFTER_SECONDS.encode()),
                (b"content-length", str(len(BUSY_BODY)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": BUSY_BODY})
