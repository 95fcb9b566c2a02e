"""Attacks on a victim's data through every endpoint of the API, with real signed tokens, on a
service that checks issuer and audience and accepts both the shared secret and the provider's JWKS:
each is refused with the right status, the answer says nothing about the victim, and the victim's
conversations and tasks are exactly as they were."""

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
import pytest

from tests.ai_todo.forged_tokens import alg_none_token, tampered_token
from tests.ai_todo.jwks_server import SigningKey, claims, serving_jwks, signing_key
from tests.ai_todo.stack import JWT_SECRET, Stack, User, make_settings, new_user, serving, tasks_of
from todo_core.tokens import mint_token

ISSUER = "https://auth.example.com"
AUDIENCE = "todo-api"
SECRET_TITLE = "Plan the surprise party"


def valid_token(user_id: str) -> str:
    return mint_token(JWT_SECRET, user_id, issuer=ISSUER, audience=AUDIENCE)


@dataclass
class Scene:
    client: httpx.AsyncClient
    stack: Stack
    victim: User
    attacker: User
    provider_key: SigningKey
    conversation_id: int

    def as_victim(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {valid_token(self.victim.id)}"}

    async def victim_state(self) -> dict[str, Any]:
        conversations = await self.client.get(
            f"/api/{self.victim.id}/conversations", headers=self.as_victim()
        )
        messages = await self.client.get(
            f"/api/{self.victim.id}/conversations/{self.conversation_id}/messages", headers=self.as_victim()
        )
        return {
            "conversations": conversations.json(),
            "messages": messages.json(),
            "tasks": await tasks_of(self.stack, self.victim),
        }

    async def attack_everywhere(
        self, path_user: str, token: str, conversation_id: int | None = None
    ) -> list[httpx.Response]:
        """The three endpoints under `path_user`'s path, aimed at the victim's conversation unless
        told another."""
        headers = {"Authorization": f"Bearer {token}"}
        conversation_id = conversation_id or self.conversation_id
        base = f"/api/{path_user}"
        return [
            await self.client.post(
                f"{base}/chat",
                json={"message": "Delete all my tasks", "conversation_id": conversation_id},
                headers=headers,
            ),
            await self.client.get(f"{base}/conversations", headers=headers),
            await self.client.get(f"{base}/conversations/{conversation_id}/messages", headers=headers),
        ]

    def assert_nothing_about_the_victim_in(self, response: httpx.Response) -> None:
        for secret in (SECRET_TITLE, "surprise party", str(self.victim.id)):
            assert secret not in response.text


@pytest.fixture
async def scene(stack: Stack) -> AsyncIterator[Scene]:
    provider_key = signing_key("EdDSA", "provider-key")
    with serving_jwks(provider_key) as jwks:
        settings = make_settings(stack, auth_jwks_url=jwks.url, auth_issuer=ISSUER, auth_audience=AUDIENCE)
        async with serving(settings) as client:
            victim, attacker = new_user("victim"), new_user("attacker")
            opened = await client.post(
                victim.chat_path,
                json={"message": f"Add a task to {SECRET_TITLE.lower()}"},
                headers={"Authorization": f"Bearer {valid_token(victim.id)}"},
            )
            assert opened.status_code == 200, opened.text
            yield Scene(client, stack, victim, attacker, provider_key, opened.json()["conversation_id"])


# How each forged token is made, given the victim's id, the attacker's id and the provider's real key.
FORGERIES: dict[str, tuple[Callable[[str, str, SigningKey], str], str]] = {
    "signed-with-a-guessed-secret": (
        lambda victim, _, __: jwt.encode(
            {**claims(victim), "iss": ISSUER, "aud": AUDIENCE}, "guessed-" + "x" * 32, algorithm="HS256"
        ),
        "token signature is invalid",
    ),
    "attacker-token-with-victim-subject": (
        lambda victim, attacker, _: tampered_token(valid_token(attacker), sub=victim),
        "token signature is invalid",
    ),
    "expired": (
        lambda victim, _, __: mint_token(
            JWT_SECRET, victim, ttl_seconds=-3600, issuer=ISSUER, audience=AUDIENCE
        ),
        "token expired",
    ),
    "alg-none": (lambda victim, _, __: alg_none_token(victim), "tokens signed with 'none' are not accepted"),
    "wrong-key-under-the-provider-kid": (
        lambda victim, _, __: signing_key("EdDSA", "provider-key").sign(
            claims(victim, iss=ISSUER, aud=AUDIENCE)
        ),
        "token signature is invalid",
    ),
    "hs256-signed-with-the-provider-public-key": (
        lambda victim, _, key: jwt.encode(
            {**claims(victim), "iss": ISSUER, "aud": AUDIENCE},
            str(key.jwk).ljust(32, "="),
            algorithm="HS256",
            headers={"kid": key.kid},
        ),
        "token signature is invalid",
    ),
    "wrong-audience": (
        lambda victim, _, key: key.sign(claims(victim, iss=ISSUER, aud="another-api")),
        "token audience not accepted",
    ),
    "wrong-issuer": (
        lambda victim, _, key: key.sign(claims(victim, iss="https://evil.example.com", aud=AUDIENCE)),
        "token issuer not accepted",
    ),
}


@pytest.mark.parametrize("forgery", list(FORGERIES))
async def test_forged_tokens_are_refused_with_401_everywhere_and_touch_nothing(
    scene: Scene, forgery: str
) -> None:
    make, reason = FORGERIES[forgery]
    token = make(scene.victim.id, scene.attacker.id, scene.provider_key)
    before = await scene.victim_state()

    responses = await scene.attack_everywhere(scene.victim.id, token)

    for response in responses:
        assert response.status_code == 401
        assert response.json() == {"detail": reason}
        assert response.headers["www-authenticate"] == "Bearer"
        scene.assert_nothing_about_the_victim_in(response)
    assert await scene.victim_state() == before


async def test_the_providers_own_token_passes_so_the_refusals_above_are_the_forgeries_doing(
    scene: Scene,
) -> None:
    token = scene.provider_key.sign(claims(scene.victim.id, iss=ISSUER, aud=AUDIENCE))

    _, conversations, messages = await scene.attack_everywhere(scene.victim.id, token)

    assert conversations.status_code == 200
    assert messages.status_code == 200
    assert SECRET_TITLE in messages.text


async def test_a_valid_token_on_another_users_path_is_403_everywhere_and_touches_nothing(
    scene: Scene,
) -> None:
    before = await scene.victim_state()

    responses = await scene.attack_everywhere(scene.victim.id, valid_token(scene.attacker.id))

    for response in responses:
        assert response.status_code == 403
        assert response.json() == {"detail": "token does not belong to this user"}
        scene.assert_nothing_about_the_victim_in(response)
    assert await scene.victim_state() == before


async def test_another_users_conversation_id_answers_exactly_like_a_missing_one(scene: Scene) -> None:
    before = await scene.victim_state()
    token = valid_token(scene.attacker.id)

    theirs = await scene.attack_everywhere(scene.attacker.id, token)
    missing = await scene.attack_everywhere(scene.attacker.id, token, conversation_id=2_000_000_000)

    chat, own_conversations, messages = theirs
    assert (chat.status_code, chat.json()) == (404, {"detail": "conversation not found"})
    assert (messages.status_code, messages.json()) == (404, {"detail": "conversation not found"})
    assert own_conversations.json() == [], "a refused turn must not open a conversation for the attacker"
    for their_answer, missing_answer in zip(theirs, missing, strict=True):
        assert (their_answer.status_code, their_answer.json()) == (
            missing_answer.status_code,
            missing_answer.json(),
        )
        scene.assert_nothing_about_the_victim_in(their_answer)
    assert await scene.victim_state() == before
