"""The shared internal token: /mcp answers only callers that present it."""

import hmac

from starlette.types import ASGIApp, Receive, Scope, Send

UNAUTHORIZED_BODY = b'{"error":"unauthorized","detail":"missing or wrong internal MCP token"}'


class InternalTokenMiddleware:
    def __init__(self, app: ASGIApp, *, token: str, path_prefix: str = "/mcp") -> None:
        self.app = app
        self.expected = token.encode()
        self.path_prefix = path_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(self.path_prefix):
            await self.app(scope, receive, send)
            return
        scheme, _, presented = dict(scope["headers"]).get(b"authorization", b"").partition(b" ")
        # the scheme is case-insensitive (RFC 7235); the token is compared in constant time
        if scheme.lower() == b"bearer" and hmac.compare_digest(presented, self.expected):
            await self.app(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"www-authenticate", b'Bearer realm="mcp-server"'),
                    (b"content-length", str(len(UNAUTHORIZED_BODY)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": UNAUTHORIZED_BODY})
