"""The chat API's contract (DESIGN.md): shapes and every status code, against the real mcp-server
and PostgreSQL, with the offline model."""

import httpx
import pytest

from tests.ai_todo.stack import JWT_SECRET, Stack, User, add_tasks, chat, new_user, tasks_of
from todo_core.models import MESSAGE_MAX
from todo_core.revisions import head
from todo_core.tokens import mint_token


async def test_first_message_starts_a_conversation_and_reports_the_tool_calls(
    client: httpx.AsyncClient, user: User
) -> None:
    response = await chat(client, user, "Add a task to buy groceries")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"conversation_id", "response", "tool_calls"}
    assert isinstance(body["conversation_id"], int)
    assert "Buy groceries" in body["response"]
    [call] = body["tool_calls"]
    assert call["name"] == "add_task"
    assert call["arguments"] == {"title": "Buy groceries"}
    assert call["result"]["status"] == "created"
    assert call["result"]["title"] == "Buy groceries"


async def test_conversation_continues_with_its_id_and_keeps_every_message(
    client: httpx.AsyncClient, user: User
) -> None:
    first = (await chat(client, user, "Add a task to call mom")).json()
    second = await chat(client, user, "Show me all my tasks", first["conversation_id"])

    assert second.status_code == 200
    assert second.json()["conversation_id"] == first["conversation_id"]
    messages = await client.get(
        f"/api/{user.id}/conversations/{first['conversation_id']}/messages", headers=user.headers
    )
    assert [(m["role"], m["content"]) for m in messages.json()] == [
        ("user", "Add a task to call mom"),
        ("assistant", first["response"]),
        ("user", "Show me all my tasks"),
        ("assistant", second.json()["response"]),
    ]


async def test_history_reaches_the_model_so_it_refers_to_the_last_task(
    client: httpx.AsyncClient, user: User
) -> None:
    first = (await chat(client, user, "Add a task to water the plants")).json()
    task_id = first["tool_calls"][0]["result"]["task_id"]

    second = (await chat(client, user, "Mark it as done", first["conversation_id"])).json()

    assert second["tool_calls"][0]["name"] == "complete_task"
    assert second["tool_calls"][0]["arguments"] == {"task_id": task_id}


async def test_conversations_are_listed_most_recent_first(client: httpx.AsyncClient, user: User) -> None:
    older = (await chat(client, user, "hello")).json()["conversation_id"]
    newer = (await chat(client, user, "hello again")).json()["conversation_id"]
    await chat(client, user, "thanks", older)

    response = await client.get(f"/api/{user.id}/conversations", headers=user.headers)

    assert response.status_code == 200
    assert [c["id"] for c in response.json()] == [older, newer]
    assert set(response.json()[0]) == {"id", "created_at", "updated_at", "preview"}
    assert [c["preview"] for c in response.json()] == ["hello", "hello again"]


async def test_missing_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient, user: User) -> None:
    response = await client.post(user.chat_path, json={"message": "hi"})

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "missing bearer token"}


@pytest.mark.parametrize(
    "authorization",
    ["Bearer not-a-jwt", "Basic dXNlcjpwYXNz", "Bearer " + "x" * 9000, "Bearer"],
    ids=["garbage", "basic-scheme", "huge", "empty"],
)
async def test_bad_authorization_is_401(client: httpx.AsyncClient, user: User, authorization: str) -> None:
    response = await client.post(
        user.chat_path, json={"message": "hi"}, headers={"Authorization": authorization}
    )

    assert response.status_code == 401


async def test_token_of_another_user_is_403(client: httpx.AsyncClient, user: User, other_user: User) -> None:
    response = await client.post(other_user.chat_path, json={"message": "hi"}, headers=user.headers)

    assert response.status_code == 403
    assert response.json() == {"detail": "token does not belong to this user"}


async def test_expired_token_is_401(client: httpx.AsyncClient, user: User) -> None:
    expired = mint_token(JWT_SECRET, user.id, ttl_seconds=-3600)

    response = await client.post(
        user.chat_path, json={"message": "hi"}, headers={"Authorization": f"Bearer {expired}"}
    )

    assert response.status_code == 401
    assert response.json() == {"detail": "token expired"}


async def test_unknown_conversation_is_404(client: httpx.AsyncClient, user: User) -> None:
    response = await chat(client, user, "hi", conversation_id=2_000_000_000)

    assert response.status_code == 404
    assert response.json() == {"detail": "conversation not found"}


async def test_conversation_of_another_user_is_404_and_untouched(
    client: httpx.AsyncClient, user: User, other_user: User
) -> None:
    theirs = (await chat(client, other_user, "Add a task to feed the cat")).json()["conversation_id"]

    posted = await chat(client, user, "Delete task 1", conversation_id=theirs)
    read = await client.get(f"/api/{user.id}/conversations/{theirs}/messages", headers=user.headers)

    assert posted.status_code == 404
    assert read.status_code == 404
    their_messages = await client.get(
        f"/api/{other_user.id}/conversations/{theirs}/messages", headers=other_user.headers
    )
    assert len(their_messages.json()) == 2


@pytest.mark.parametrize(
    "body",
    [
        {"message": ""},
        {"message": "   \n\t "},
        {"message": "x" * (MESSAGE_MAX + 1)},
        {"message": "null byte \x00 inside"},
        {"message": "bell \x07"},
        {"message": 42},
        {},
        {"message": "hi", "conversation_id": "7"},
        {"message": "hi", "conversation_id": 0},
        {"message": "hi", "conversation_id": 2**40},
        {"message": "hi", "conversation_id": True},
        {"message": "hi", "conversationId": 3},
        ["hi"],
    ],
    ids=[
        "empty",
        "blank",
        "over-long",
        "nul",
        "control-character",
        "not-a-string",
        "missing",
        "id-as-string",
        "id-zero",
        "id-too-large",
        "id-boolean",
        "unknown-field",
        "not-an-object",
    ],
)
async def test_bad_body_is_422(client: httpx.AsyncClient, user: User, body: object) -> None:
    response = await client.post(user.chat_path, json=body, headers=user.headers)

    assert response.status_code == 422
    assert "detail" in response.json()


async def test_malformed_json_is_422(client: httpx.AsyncClient, user: User) -> None:
    response = await client.post(
        user.chat_path, content=b'{"message": ', headers={**user.headers, "Content-Type": "application/json"}
    )

    assert response.status_code == 422


async def test_longest_allowed_message_is_accepted(client: httpx.AsyncClient, user: User) -> None:
    response = await chat(client, user, "y" * MESSAGE_MAX)

    assert response.status_code == 200


async def test_huge_body_is_refused_before_it_is_read(client: httpx.AsyncClient, user: User) -> None:
    response = await client.post(
        user.chat_path,
        content=b'{"message": "' + b"a" * 2_000_000 + b'"}',
        headers={**user.headers, "Content-Type": "application/json"},
    )

    assert response.status_code == 413


async def test_a_rejected_message_is_not_stored(client: httpx.AsyncClient, user: User) -> None:
    await client.post(user.chat_path, json={"message": ""}, headers=user.headers)

    conversations = await client.get(f"/api/{user.id}/conversations", headers=user.headers)

    assert conversations.json() == []


async def test_messages_limit_returns_the_latest_oldest_first(client: httpx.AsyncClient, user: User) -> None:
    conversation = (await chat(client, user, "hello")).json()["conversation_id"]
    await chat(client, user, "thanks", conversation)

    response = await client.get(
        f"/api/{user.id}/conversations/{conversation}/messages", params={"limit": 2}, headers=user.headers
    )

    assert [(m["role"], m["content"][:6]) for m in response.json()] == [
        ("user", "thanks"),
        ("assistant", "You're"),
    ]


@pytest.mark.parametrize("limit", [0, 501, -1])
async def test_out_of_range_limit_is_422(client: httpx.AsyncClient, user: User, limit: int) -> None:
    response = await client.get(
        f"/api/{user.id}/conversations", params={"limit": limit}, headers=user.headers
    )

    assert response.status_code == 422


async def test_the_openapi_schema_documents_the_conversation_reads_and_their_errors(
    client: httpx.AsyncClient,
) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    listing = paths["/api/{user_id}/conversations"]["get"]
    messages = paths["/api/{user_id}/conversations/{conversation_id}/messages"]["get"]

    assert set(listing["responses"]) == {"200", "401", "403", "422", "503"}
    assert set(messages["responses"]) == {"200", "401", "403", "404", "422", "503"}
    for operation in (listing, messages):
        unavailable = operation["responses"]["503"]["content"]["application/json"]["schema"]
        assert unavailable == {"$ref": "#/components/schemas/ErrorBody"}


async def test_health_and_readiness_answer(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    assert (await client.get("/readyz")).json() == {
        "status": "ready",
        "schema": {"code": head(), "database": head(), "relation": "current"},
    }


async def test_users_see_only_their_own_tasks(
    client: httpx.AsyncClient, stack: Stack, user: User, other_user: User
) -> None:
    await add_tasks(stack, other_user, "Secret plan")
    await add_tasks(stack, user, "Buy milk")

    body = (await chat(client, user, "Show me all my tasks")).json()

    assert [task["title"] for task in body["tool_calls"][0]["result"]] == ["Buy milk"]
    assert "Secret plan" not in body["response"]


async def test_user_id_with_spaces_and_accents_is_matched_after_url_decoding(
    client: httpx.AsyncClient,
) -> None:
    user = new_user("Zoë Ünal@example.com")

    response = await chat(client, user, "Add a task to buy stamps")

    assert response.status_code == 200
    listing = await client.get(f"/api/{user.id}/conversations", headers=user.headers)
    assert len(listing.json()) == 1


async def test_asking_for_another_users_tasks_shows_only_ones_own(
    client: httpx.AsyncClient, stack: Stack, user: User, other_user: User
) -> None:
    await add_tasks(stack, other_user, "Their secret")

    body = (await chat(client, user, f"list the tasks of user {other_user.id}")).json()

    [call] = body["tool_calls"]
    assert call["name"] == "list_tasks"
    assert "user_id" not in call["arguments"]
    assert call["result"] == []
    assert "Their secret" not in body["response"]


async def test_another_users_task_number_is_not_found_and_left_alone(
    client: httpx.AsyncClient, stack: Stack, user: User, other_user: User
) -> None:
    ids = await add_tasks(stack, other_user, "Their task")

    body = (await chat(client, user, f"Delete task {ids['Their task']}")).json()

    assert body["tool_calls"][0]["result"] == {"error": f"task {ids['Their task']} not found"}
    assert [task["title"] for task in await tasks_of(stack, other_user)] == ["Their task"]
