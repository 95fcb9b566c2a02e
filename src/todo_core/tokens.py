"""Minting HS256 tokens for a user: what `todoctl dev`, `forward`, `chat`, the chart's `helm test` pod
and the tests hand out. ai_todo.auth verifies them; mcp-server never sees one (it trusts ai-todo's
internal token)."""

import time

import jwt

# A link's token lands in the browser's history database: it should stop opening anything soon.
# An hour covers a session at the page; `todoctl dev`/`forward --token-minutes` choose otherwise.
DEFAULT_TTL_SECONDS = 3600


def mint_token(
    secret: str,
    user_id: str,
    *,
    ttl_seconds: int = DEFAULT_TTL_SECONDS,
    issuer: str | None = None,
    audience: str | None = None,
) -> str:
    now = int(time.time())
    claims: dict[str, object] = {"sub": user_id, "iat": now, "exp": now + ttl_seconds}
    if issuer:
        claims["iss"] = issuer
    if audience:
        claims["aud"] = audience
    return jwt.encode(claims, secret, algorithm="HS256")
