"""Tokens an attacker can make without the secret: unsigned ones, and real ones with a changed payload."""

import base64
import json
import time

import jwt


def _segment(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def alg_none_token(user_id: str) -> str:
    now = int(time.time())
    return jwt.encode({"sub": user_id, "iat": now, "exp": now + 600}, None, algorithm="none")


def tampered_token(token: str, **changes: object) -> str:
    """`token` with its claims changed and its original signature kept."""
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return f"{header}.{_segment({**claims, **changes})}.{signature}"
