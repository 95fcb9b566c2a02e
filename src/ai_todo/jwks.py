"""The auth provider's signing keys (a JWKS URL, as Better Auth publishes), fetched over HTTP and
cached. A token with an unknown `kid` triggers one refresh, which is how a key rotation is picked
up; refreshes are spaced out so a flood of made-up `kid`s cannot hammer the provider. The HTTP
client is httpx2, the one the MCP client and the model client already load."""

import asyncio
import logging
import time

import httpx2
import jwt

from ai_todo.errors import AuthUnavailable

log = logging.getLogger(__name__)

# The asymmetric algorithms Better Auth can sign with; HS256 is handled apart, from the shared secret.
ASYMMETRIC_ALGORITHMS = frozenset({"EdDSA", "RS256", "ES256"})
MAX_JWKS_BYTES = 256 * 1024


class UnknownKey(Exception):
    """No key of the set matches the token's `kid`, even after a refresh."""


class JwksKeys:
    def __init__(
        self,
        url: str,
        *,
        timeout_seconds: float = 5.0,
        min_refresh_interval_seconds: float = 10.0,
        client: httpx2.AsyncClient | None = None,
    ) -> None:
        self.url = url
        self.min_refresh_interval_seconds = min_refresh_interval_seconds
        self._client = client or httpx2.AsyncClient(timeout=timeout_seconds, follow_redirects=False)
        self._keys: dict[str, jwt.PyJWK] = {}
        self._last_attempt: float | None = None
        self._lock = asyncio.Lock()

    async def key_for(self, kid: str | None) -> jwt.PyJWK:
        key = self._lookup(kid)
        if key is None:
            await self._refresh()
            key = self._lookup(kid)
        if key is None:
            raise UnknownKey(f"no signing key with kid {kid!r}")
        return key

    async def aclose(self) -> None:
        await self._client.aclose()

    def _lookup(self, kid: str | None) -> jwt.PyJWK | None:
        if kid is None:
            # A token without `kid` is only unambiguous when the set holds a single key.
            return next(iter(self._keys.values())) if len(self._keys) == 1 else None
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        attempt_before = self._last_attempt
        async with self._lock:
            if self._last_attempt != attempt_before:
                return  # another request refreshed while this one waited
            now = time.monotonic()
            if (
                self._last_attempt is not None
                and now - self._last_attempt < self.min_refresh_interval_seconds
            ):
                return
            self._last_attempt = now
            try:
                self._keys = await self._fetch()
            except (httpx2.HTTPError, ValueError) as error:
                log.warning("jwks_refresh_failed url=%s error=%s", self.url, _describe(error))
                if not self._keys:
                    raise AuthUnavailable(f"JWKS unavailable: {_describe(error)}") from None

    async def _fetch(self) -> dict[str, jwt.PyJWK]:
        response = await self._client.get(self.url, headers={"Accept": "application/json"})
        response.raise_for_status()
        if len(response.content) > MAX_JWKS_BYTES:
            raise ValueError(f"JWKS larger than {MAX_JWKS_BYTES} bytes")
        document = response.json()
        if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
            raise ValueError("JWKS document has no 'keys' list")
        keys: dict[str, jwt.PyJWK] = {}
        for index, entry in enumerate(document["keys"]):
            key = _parse_key(entry)
            if key is None:
                log.info("jwks_key_skipped index=%d", index)
                continue
            keys[key.key_id or f"#{index}"] = key
        if not keys:
            raise ValueError("JWKS holds no usable EdDSA, RS256 or ES256 signing key")
        log.info("jwks_refreshed url=%s keys=%d", self.url, len(keys))
        return keys


def _parse_key(entry: object) -> jwt.PyJWK | None:
    if not isinstance(entry, dict) or entry.get("use", "sig") != "sig":
        return None
    try:
        key = jwt.PyJWK(entry)
    except jwt.PyJWTError:
        return None
    return key if key.algorithm_name in ASYMMETRIC_ALGORITHMS else None


def _describe(error: Exception) -> str:
    if isinstance(error, httpx2.HTTPStatusError):
        return f"HTTP {error.response.status_code}"
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__
