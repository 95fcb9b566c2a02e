"""Chat bodies an attacker would send: valid JSON that Python's parser reads into values no JSON
encoder can write back (non-finite numbers, lone surrogates), huge inputs, and text that would
mislead a reader. Each gets a 4xx that does not echo the input, never a 500, and nothing is stored."""

import logging

import httpx
import pytest

from ai_todo import conversations
from tests.ai_todo.stack import User, chat
from todo_core.models import MESSAGE_MAX


async def post_raw(client: httpx.AsyncClient, user: User, text: str) -> httpx.Response:
    return await client.post(
        user.chat_path, content=text.encode(), headers={**user.headers, "Content-Type": "application/json"}
    )


@pytest.mark.parametrize(
    "body",
    [
        '{"message": "hi", "conversation_id": 1e400}',
        '{"message": "hi", "conversation_id": -1e400}',
        '{"message": "hi", "conversation_id": NaN}',
        '{"message": "hi", "conversation_id": Infinity}',
        '{"message": NaN}',
        '{"message": "lone surrogate \\ud800 here"}',
        '{"message": "low surrogate \\udfff"}',
        '{"message": "hi", "\\ud800": 1}',
        '{"message": {"\\ud800": NaN}}',
        "[NaN]",
    ],
    ids=[
        "id-overflows-to-infinity",
        "id-overflows-to-minus-infinity",
        "id-nan",
        "id-infinity",
        "message-nan",
        "lone-high-surrogate",
        "lone-low-surrogate",
        "surrogate-as-a-key",
        "surrogate-key-nan-value",
        "nan-in-a-list",
    ],
)
async def test_valid_looking_json_is_422_not_500(client: httpx.AsyncClient, user: User, body: str) -> None:
    response = await post_raw(client, user, body)

    assert response.status_code == 422, response.text
    assert response.json()["detail"]
    conversations = await client.get(f"/api/{user.id}/conversations", headers=user.headers)
    assert conversations.json() == []


async def test_a_422_does_not_echo_the_submitted_message(client: httpx.AsyncClient, user: User) -> None:
    marker = "ECHO-ME-"
    response = await chat(client, user, marker + "x" * 31_000)

    assert response.status_code == 422
    assert marker not in response.text
    assert len(response.content) < 2048


async def test_a_422_does_not_echo_unknown_keys(client: httpx.AsyncClient, user: User) -> None:
    key = "k" * 20_000
    response = await client.post(user.chat_path, json={"message": "hi", key: 1}, headers=user.headers)

    assert response.status_code == 422
    assert key[:100] not in response.text
    assert len(response.content) < 2048


async def test_a_422_still_says_which_field_is_wrong(client: httpx.AsyncClient, user: User) -> None:
    response = await chat(client, user, "x" * (MESSAGE_MAX + 1))

    (problem,) = response.json()["detail"]
    assert problem["loc"] == ["body", "message"]
    assert str(MESSAGE_MAX) in problem["msg"]
    assert "input" not in problem


@pytest.mark.parametrize(
    "path",
    ["/api/%ED%A0%80/chat", "/api/%FF%FE/chat", "/api/a%00b/chat"],
    ids=["encoded-surrogate", "invalid-utf-8", "nul"],
)
async def test_hostile_user_ids_in_the_path_are_refused_without_a_500(
    client: httpx.AsyncClient, user: User, path: str
) -> None:
    response = await client.post(path, json={"message": "hi"}, headers=user.headers)

    assert response.status_code in (400, 401, 403, 404, 422), response.text


async def test_the_deeply_nested_wish_that_crashed_the_offline_model_gets_a_reply(
    client: httpx.AsyncClient, user: User
) -> None:
    message = ("i need " * 570)[:3990] + "milk"

    response = await chat(client, user, message)

    assert response.status_code == 200, response.text
    assert response.json()["response"]


async def test_an_unexpected_failure_is_one_log_line_without_user_text(
    client: httpx.AsyncClient, user: User, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(**_: object) -> None:
        raise RuntimeError("boom with user text: SECRET-MESSAGE")

    monkeypatch.setattr(conversations, "start_turn", broken)
    caplog.set_level(logging.DEBUG)

    response = await chat(client, user, "SECRET-MESSAGE")

    assert response.status_code == 500
    assert "SECRET-MESSAGE" not in response.text
    above_debug = [record for record in caplog.records if record.levelno > logging.DEBUG]
    problems = [record for record in above_debug if record.levelno >= logging.WARNING]
    assert len(problems) == 1
    assert problems[0].exc_info is None
    assert "\n" not in problems[0].getMessage()
    assert all("SECRET-MESSAGE" not in record.getMessage() for record in above_debug)
    assert any(record.exc_info for record in caplog.records if record.levelno == logging.DEBUG)
