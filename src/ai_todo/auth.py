"""Verifying the bearer token of a request: Better Auth tokens through the provider's JWKS
(EdDSA, RS256, ES256) and HS256 tokens from a shared secret for local runs. The token's `sub` is
the user id; `iss` and `aud` are checked when configured.

Checking a signature costs more than everything else a request's authentication does, and a client
sends the same token with every message. A token that passed keeps its verdict until it expires:
the same checks would give the same answer (signing keys are never dropped while the process runs,
see `jwks`), so the verdict of each recent token is remembered. Only tokens that passed are."""

import time
from collections import OrderedDict
from collections.abc import Callable

import jwt

from ai_todo.jwks import ASYMMETRIC_ALGORITHMS, JwksKeys, UnknownKey
from ai_todo.settings import AiTodoSettings
from todo_core.models import USER_ID_MAX
from todo_core.text import single_line

# Real tokens are well under 2 KiB; a huge header is rejected before any parsing.
MAX_TOKEN_LENGTH = 8192
# Seconds of clock difference tolerated between the auth provider and this pod.
CLOCK_LEEWAY_SECONDS = 30
# Verdicts remembered: enough for every active user of a pod, bounded whatever the traffic.
REMEMBERED_TOKENS = 1024


class InvalidToken(Exception):
    """The request is not authenticated; the message says why, for the 401 body."""


class TokenVerifier:
    def __init__(
        self,
        *,
        secret: str | None = None,
        jwks: JwksKeys | None = None,
        issuer: str | None = None,
        audience: str | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if secret is None and jwks is None:
            raise ValueError("a token verifier needs a secret, a JWKS or both")
        self.secret = secret
        self.jwks = jwks
        self.issuer = issuer
        self.audience = audience
        # what a remembered verdict's expiry is checked against
        self.clock = clock
        # token -> (its user id, its `exp`), most recently used last
        self._passed: OrderedDict[str, tuple[str, float]] = OrderedDict()

    @classmethod
    def from_settings(cls, settings: AiTodoSettings) -> "TokenVerifier":
        return cls(
            secret=settings.auth_jwt_secret.get_secret_value() if settings.auth_jwt_secret else None,
            jwks=JwksKeys(settings.auth_jwks_url) if settings.auth_jwks_url else None,
            issuer=settings.auth_issuer,
            audience=settings.auth_audience,
        )

    async def verify(self, token: str) -> str:
        """The user id the token proves; raises InvalidToken, or AuthUnavailable when the JWKS
        cannot be fetched."""
        if len(token) > MAX_TOKEN_LENGTH:
            raise InvalidToken("token too long")
        remembered = self._passed.get(token)
        if remembered is not None:
            user_id, expires = remembered
            if self.clock() > expires + CLOCK_LEEWAY_SECONDS:
                del self._passed[token]
                raise InvalidToken("token expired")
            self._passed.move_to_end(token)
            return user_id
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise InvalidToken("malformed token") from None
        algorithm = header.get("alg")
        key = await self._key_for(algorithm, header.get("kid"))
        try:
            claims = jwt.decode(
                token,
                key,
                algorithms=[algorithm],
                issuer=self.issuer,
                audience=self.audience,
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["sub", "exp"], "verify_aud": self.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise InvalidToken("token expired") from None
        except jwt.InvalidSignatureError:
            raise InvalidToken("token signature is invalid") from None
        except jwt.InvalidIssuerError:
            raise InvalidToken("token issuer not accepted") from None
        except jwt.InvalidAudienceError:
            raise InvalidToken("token audience not accepted") from None
        except jwt.PyJWTError as error:
            raise InvalidToken(f"invalid token: {error}") from None
        user_id = _user_id(claims.get("sub"))
        self._passed[token] = (user_id, float(claims["exp"]))
        if len(self._passed) > REMEMBERED_TOKENS:
            self._passed.popitem(last=False)
        return user_id

    async def aclose(self) -> None:
        if self.jwks is not None:
            await self.jwks.aclose()

    async def _key_for(self, algorithm: object, kid: object) -> object:
        if algorithm == "HS256" and self.secret is not None:
            return self.secret
        if algorithm in ASYMMETRIC_ALGORITHMS and self.jwks is not None:
            if kid is not None and not isinstance(kid, str):
                raise InvalidToken("malformed token")
            try:
                key = await self.jwks.key_for(kid)
            except UnknownKey:
                raise InvalidToken("token signed with an unknown key") from None
            # A key is only ever used with its own algorithm (no RS256 key read as HS256, etc.).
            if key.algorithm_name != algorithm:
                raise InvalidToken("token algorithm does not match its key")
            return key
        raise InvalidToken(f"tokens signed with {str(algorithm)[:20]!r} are not accepted")


def _user_id(subject: object) -> str:
    if (
        not isinstance(subject, str)
        or not subject
        # mcp-server strips whitespace from user ids, so " bob" would reach bob's tasks there
        or subject != subject.strip()
        or len(subject) > USER_ID_MAX
    ):
        raise InvalidToken("token subject is not a valid user id")
    try:
        # the same characters mcp-server accepts in a user id, so a valid token always reaches it
        return single_line(subject)
    except ValueError:
        raise InvalidToken("token subject is not a valid user id") from None
