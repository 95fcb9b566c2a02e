"""Verifying bearer tokens with real signed tokens: HS256 from the shared secret, and Better Auth's
EdDSA, RS256 and ES256 through a real JWKS endpoint; the verdicts of tokens that passed are
remembered until the tokens expire."""

import time
from collections.abc import AsyncIterator, Callable, Iterator

import jwt
import pytest

from ai_todo.auth import (
    CLOCK_LEEWAY_SECONDS,
    MAX_TOKEN_LENGTH,
    REMEMBERED_TOKENS,
    InvalidToken,
    TokenVerifier,
)
from ai_todo.errors import AuthUnavailable
from ai_todo.jwks import JwksKeys
from tests.ai_todo.jwks_server import JwksServer, SigningKey, claims, serving_jwks, signing_key
from tests.ai_todo.stack import JWT_SECRET, Stack, make_settings, new_user, serving
from todo_core.tokens import mint_token

ALGORITHMS = ["EdDSA", "RS256", "ES256"]


@pytest.fixture(scope="module")
def keys() -> dict[str, SigningKey]:
    return {algorithm: signing_key(algorithm, f"key-{algorithm.lower()}") for algorithm in ALGORITHMS}


@pytest.fixture
def jwks(keys: dict[str, SigningKey]) -> Iterator[JwksServer]:
    with serving_jwks(*keys.values()) as server:
        yield server


MakeVerifier = Callable[..., TokenVerifier]


@pytest.fixture
async def verifier_for() -> AsyncIterator[MakeVerifier]:
    """Verifiers on a JWKS server, refreshing on every unknown kid unless told otherwise."""
    made: list[TokenVerifier] = []

    def make(server: JwksServer, *, min_refresh_interval_seconds: float = 0, **options: str) -> TokenVerifier:
        keys = JwksKeys(server.url, min_refresh_interval_seconds=min_refresh_interval_seconds)
        made.append(TokenVerifier(jwks=keys, **options))
        return made[-1]

    yield make
    for verifier in made:
        await verifier.aclose()


async def rejected(verifier: TokenVerifier, token: str) -> str:
    with pytest.raises(InvalidToken) as error:
        await verifier.verify(token)
    return str(error.value)


async def test_hs256_token_proves_its_subject() -> None:
    verifier = TokenVerifier(secret=JWT_SECRET)

    assert await verifier.verify(mint_token(JWT_SECRET, "alice")) == "alice"


@pytest.mark.parametrize("algorithm", ALGORITHMS)
async def test_better_auth_algorithms_are_verified_through_the_jwks(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey], algorithm: str
) -> None:
    verifier = verifier_for(jwks)

    assert await verifier.verify(keys[algorithm].sign(claims("bob"))) == "bob"


async def test_keys_are_fetched_once_and_cached(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    verifier = verifier_for(jwks)

    for algorithm in ALGORITHMS * 3:
        await verifier.verify(keys[algorithm].sign(claims("bob")))

    assert jwks.fetches == 1


async def test_an_unknown_kid_refreshes_the_keys_once(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    verifier = verifier_for(jwks)
    await verifier.verify(keys["EdDSA"].sign(claims("bob")))
    rotated = signing_key("EdDSA", "key-rotated")
    jwks.keys.append(rotated.jwk)

    assert await verifier.verify(rotated.sign(claims("bob"))) == "bob"
    assert jwks.fetches == 2


async def test_made_up_kids_cannot_hammer_the_auth_provider(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    verifier = verifier_for(jwks, min_refresh_interval_seconds=60)
    await verifier.verify(keys["ES256"].sign(claims("bob")))
    stranger = signing_key("ES256", "kid-0")

    for number in range(20):
        stranger.kid = f"kid-{number}"
        assert await rejected(verifier, stranger.sign(claims("bob"))) == "token signed with an unknown key"

    assert jwks.fetches == 1


async def test_expired_token_is_rejected(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    assert await rejected(verifier_for(jwks), keys["EdDSA"].sign(claims("bob", ttl=-120))) == "token expired"


async def test_token_signed_with_another_key_under_a_known_kid_is_rejected(
    verifier_for: MakeVerifier, jwks: JwksServer
) -> None:
    impostor = signing_key("RS256", "key-rs256")

    assert await rejected(verifier_for(jwks), impostor.sign(claims("bob"))) == "token signature is invalid"


async def test_hs256_token_signed_with_a_wrong_secret_is_rejected() -> None:
    verifier = TokenVerifier(secret=JWT_SECRET)

    assert await rejected(verifier, mint_token("w" * 40, "alice")) == "token signature is invalid"


async def test_alg_none_is_rejected(verifier_for: MakeVerifier, jwks: JwksServer) -> None:
    unsigned = jwt.encode(claims("bob"), None, algorithm="none")

    assert await rejected(verifier_for(jwks), unsigned) == "tokens signed with 'none' are not accepted"
    assert (
        await rejected(TokenVerifier(secret=JWT_SECRET), unsigned)
        == "tokens signed with 'none' are not accepted"
    )


async def test_hs256_is_refused_when_only_a_jwks_is_configured(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    # the classic confusion: an HMAC token "signed" with the public key everyone can fetch
    public_jwk = str(keys["RS256"].jwk)
    forged = jwt.encode(claims("bob"), public_jwk + "-padding-to-32-bytes", algorithm="HS256")

    assert await rejected(verifier_for(jwks), forged) == "tokens signed with 'HS256' are not accepted"


async def test_a_key_is_used_only_with_its_own_algorithm(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    es_key = keys["ES256"]
    mislabelled = jwt.encode(
        claims("bob"), es_key.private_key, algorithm="ES256", headers={"kid": "key-eddsa"}
    )

    assert await rejected(verifier_for(jwks), mislabelled) == "token algorithm does not match its key"


async def test_issuer_and_audience_are_checked_when_configured(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    verifier = verifier_for(jwks, issuer="https://auth.example.com", audience="todo")
    key = keys["EdDSA"]

    good = key.sign(claims("bob", iss="https://auth.example.com", aud="todo"))
    wrong_issuer = key.sign(claims("bob", iss="https://evil.example.com", aud="todo"))
    wrong_audience = key.sign(claims("bob", iss="https://auth.example.com", aud="other"))
    no_audience = key.sign(claims("bob", iss="https://auth.example.com"))

    assert await verifier.verify(good) == "bob"
    assert await rejected(verifier, wrong_issuer) == "token issuer not accepted"
    assert await rejected(verifier, wrong_audience) == "token audience not accepted"
    assert (await rejected(verifier, no_audience)).startswith("invalid token")


async def test_an_audience_is_ignored_when_none_is_configured(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    token = keys["EdDSA"].sign(claims("bob", aud="https://todo.example.com"))

    assert await verifier_for(jwks).verify(token) == "bob"


@pytest.mark.parametrize(
    ("payload", "reason"),
    [
        ({"exp": 2_000_000_000}, "invalid token"),
        ({"sub": "carol"}, "invalid token"),
        ({"sub": "", "exp": 2_000_000_000}, "token subject is not a valid user id"),
        ({"sub": " carol", "exp": 2_000_000_000}, "token subject is not a valid user id"),
        ({"sub": "x" * 129, "exp": 2_000_000_000}, "token subject is not a valid user id"),
        ({"sub": "bad\nname", "exp": 2_000_000_000}, "token subject is not a valid user id"),
        ({"sub": 42, "exp": 2_000_000_000}, "invalid token"),
    ],
    ids=["no-sub", "no-exp", "empty-sub", "padded-sub", "long-sub", "control-sub", "number-sub"],
)
async def test_claims_a_user_id_cannot_come_from_are_rejected(payload: dict, reason: str) -> None:
    token = jwt.encode(payload, JWT_SECRET, algorithm="HS256")

    assert (await rejected(TokenVerifier(secret=JWT_SECRET), token)).startswith(reason)


@pytest.mark.parametrize(
    "token",
    ["", "abc", "a.b.c", "x" * (MAX_TOKEN_LENGTH + 1)],
    ids=["empty", "one-part", "garbage-parts", "huge"],
)
async def test_malformed_tokens_are_rejected(token: str) -> None:
    await rejected(TokenVerifier(secret=JWT_SECRET), token)


async def test_an_unreachable_jwks_means_auth_is_unavailable_not_unauthorized(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    jwks.status = 500

    with pytest.raises(AuthUnavailable):
        await verifier_for(jwks).verify(keys["EdDSA"].sign(claims("bob")))


async def test_cached_keys_keep_working_while_the_jwks_is_down(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    verifier = verifier_for(jwks)
    await verifier.verify(keys["EdDSA"].sign(claims("bob")))
    jwks.status = 503

    assert await verifier.verify(keys["ES256"].sign(claims("bob"))) == "bob"
    assert await rejected(verifier, signing_key("EdDSA", "new").sign(claims("bob"))) == (
        "token signed with an unknown key"
    )


async def test_a_jwks_without_usable_keys_is_an_outage(
    verifier_for: MakeVerifier, jwks: JwksServer, keys: dict[str, SigningKey]
) -> None:
    jwks.keys = [{"kty": "oct", "k": "c2VjcmV0", "kid": "symmetric"}, {"kty": "RSA", "kid": "broken"}]

    with pytest.raises(AuthUnavailable):
        await verifier_for(jwks).verify(keys["EdDSA"].sign(claims("bob")))


async def test_a_single_key_serves_tokens_without_kid(
    verifier_for: MakeVerifier, keys: dict[str, SigningKey]
) -> None:
    key = keys["ES256"]
    with serving_jwks(key) as server:
        token = jwt.encode(claims("bob"), key.private_key, algorithm="ES256")

        assert await verifier_for(server).verify(token) == "bob"


async def test_the_api_accepts_better_auth_tokens_and_refuses_hs256_ones_without_a_secret(
    stack: Stack, keys: dict[str, SigningKey]
) -> None:
    user = new_user()
    better_auth = {"Authorization": f"Bearer {keys['EdDSA'].sign(claims(user.id))}"}
    with serving_jwks(keys["EdDSA"]) as server:
        async with serving(make_settings(stack, auth_jwt_secret=None, auth_jwks_url=server.url)) as client:
            accepted = await client.post(user.chat_path, json={"message": "hello"}, headers=better_auth)
            hs256 = await client.post(user.chat_path, json={"message": "hello"}, headers=user.headers)

    assert accepted.status_code == 200
    assert hs256.status_code == 401


async def test_the_api_answers_503_when_the_jwks_cannot_be_fetched(
    stack: Stack, keys: dict[str, SigningKey]
) -> None:
    user = new_user()
    with serving_jwks(keys["EdDSA"]) as server:
        server.status = 502
        async with serving(make_settings(stack, auth_jwt_secret=None, auth_jwks_url=server.url)) as client:
            response = await client.post(
                user.chat_path,
                json={"message": "hello"},
                headers={"Authorization": f"Bearer {keys['EdDSA'].sign(claims(user.id))}"},
            )

    assert response.status_code == 503
    assert response.json() == {"detail": "Sign-in can't be checked right now. Please try again in a moment."}
    assert response.headers["retry-after"] == "5"


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def test_a_token_that_passed_is_not_checked_again_until_it_expires() -> None:
    clock = Clock()
    verifier = TokenVerifier(secret=JWT_SECRET, clock=clock)
    token = mint_token(JWT_SECRET, "alice", ttl_seconds=60)

    first = await verifier.verify(token)
    clock.now += 60 + CLOCK_LEEWAY_SECONDS - 1
    still = await verifier.verify(token)
    clock.now += 2

    assert (first, still) == ("alice", "alice")
    assert await rejected(verifier, token) == "token expired"


async def test_only_tokens_that_passed_are_remembered() -> None:
    verifier = TokenVerifier(secret=JWT_SECRET)
    forged = mint_token("another-secret-" + "x" * 32, "alice")

    assert await rejected(verifier, forged) == "token signature is invalid"
    assert await rejected(verifier, forged) == "token signature is invalid"


async def test_the_least_recently_used_verdicts_are_forgotten_first() -> None:
    clock = Clock()
    verifier = TokenVerifier(secret=JWT_SECRET, clock=clock)
    kept, dropped = (
        mint_token(JWT_SECRET, "kept", ttl_seconds=60),
        mint_token(JWT_SECRET, "dropped", ttl_seconds=60),
    )
    await verifier.verify(dropped)
    await verifier.verify(kept)
    for n in range(REMEMBERED_TOKENS - 1):
        await verifier.verify(mint_token(JWT_SECRET, f"user-{n}"))
        if n % 100 == 0:
            await verifier.verify(kept)  # in use: stays remembered
    clock.now += 3600  # only a remembered verdict is checked against this clock

    assert await rejected(verifier, kept) == "token expired", "remembered, so its expiry was checked here"
    assert await verifier.verify(dropped) == "dropped", "forgotten, so checked again by the library"
