"""GET /api/{user_id}/tasks: the task panel's data, read through the real mcp-server, with the same
auth and isolation as the chat, and tried with wrong, missing, huge and hostile input."""

from collections.abc import Callable

import httpx
import psycopg
import pytest

from ai_todo.errors import ToolsUnavailable
from tests.ai_todo.forged_tokens import alg_none_token, tampered_token
from tests.ai_todo.stack import (
    INTERNAL_TOKEN,
    JWT_SECRET,
    Stack,
    User,
    add_tasks,
    chat,
    make_settings,
    new_user,
    serving,
)
from tests.support.databases import PG_ADMIN_DSN, fresh_postgres_database
from tests.support.processes import free_port, running_service
from todo_core.models import TITLE_MAX, USER_ID_MAX
from todo_core.tokens import mint_token

TASK_FIELDS = {"id", "title", "description", "completed", "created_at", "updated_at"}


def tasks_path(user: User) -> str:
    return f"/api/{user.id}/tasks"


async def titles(client: httpx.AsyncClient, user: User, **params: str) -> list[str]:
    response = await client.get(tasks_path(user), params=params, headers=user.headers)
    assert response.status_code == 200, response.text
    return [task["title"] for task in response.json()]


async def test_lists_the_users_tasks_oldest_first_in_the_tool_contracts_shape(
    client: httpx.AsyncClient, stack: Stack, user: User
) -> None:
    ids = await add_tasks(stack, user, "Buy milk", "Call mom", completed=("Pay bills",))

    response = await client.get(tasks_path(user), headers=user.headers)

    assert response.status_code == 200
    body = response.json()
    assert [(task["id"], task["title"], task["completed"]) for task in body] == [
        (ids["Buy milk"], "Buy milk", False),
        (ids["Call mom"], "Call mom", False),
        (ids["Pay bills"], "Pay bills", True),
    ]
    assert all(set(task) == TASK_FIELDS for task in body)


async def test_status_filters_pending_and_completed(
    client: httpx.AsyncClient, stack: Stack, user: User
) -> None:
    await add_tasks(stack, user, "Buy milk", completed=("Pay bills",))

    assert await titles(client, user, status="pending") == ["Buy milk"]
    assert await titles(client, user, status="completed") == ["Pay bills"]
    assert await titles(client, user, status="all") == ["Buy milk", "Pay bills"]


async def test_a_new_user_has_an_empty_list(client: httpx.AsyncClient, user: User) -> None:
    assert await titles(client, user) == []


async def test_changes_made_in_the_chat_show_at_once(client: httpx.AsyncClient, user: User) -> None:
    added = (await chat(client, user, "Add a task to water the plants")).json()
    task_id = added["tool_calls"][0]["result"]["task_id"]
    conversation = added["conversation_id"]
    assert await titles(client, user, status="pending") == ["Water the plants"]

    await chat(client, user, f"Mark task {task_id} as complete", conversation)
    assert await titles(client, user, status="completed") == ["Water the plants"]

    await chat(client, user, f"Delete task {task_id}", conversation)
    assert await titles(client, user) == []


async def test_tasks_are_read_from_mcp_server_not_from_ai_todos_own_database(
    stack: Stack, user: User
) -> None:
    await add_tasks(stack, user, "Only mcp-server knows")
    with fresh_postgres_database() as own_database:
        async with serving(make_settings(stack, database_url=own_database)) as client:
            assert await titles(client, user) == ["Only mcp-server knows"]


async def test_hostile_titles_come_back_exactly_as_stored(
    client: httpx.AsyncClient, stack: Stack, user: User
) -> None:
    hostile = ["<img src=x onerror=alert(1)>", "'); DROP TABLE task; --", "x" * TITLE_MAX, "Zoë ☕ 東京"]
    await add_tasks(stack, user, *hostile)

    assert await titles(client, user) == hostile


async def test_user_id_with_spaces_and_accents_is_matched_after_url_decoding(
    client: httpx.AsyncClient, stack: Stack
) -> None:
    user = new_user("Zoë Ünal@example.com")
    await add_tasks(stack, user, "Buy stamps")

    assert await titles(client, user) == ["Buy stamps"]


async def test_another_users_tasks_never_show(
    client: httpx.AsyncClient, stack: Stack, user: User, other_user: User
) -> None:
    await add_tasks(stack, other_user, "Their secret")

    assert await titles(client, user) == []


async def test_token_of_another_user_is_403_and_shows_nothing(
    client: httpx.AsyncClient, stack: Stack, user: User, other_user: User
) -> None:
    await add_tasks(stack, other_user, "Their secret")

    response = await client.get(tasks_path(other_user), headers=user.headers)

    assert response.status_code == 403
    assert response.json() == {"detail": "token does not belong to this user"}


async def test_missing_token_is_401_with_a_bearer_challenge(client: httpx.AsyncClient, user: User) -> None:
    response = await client.get(tasks_path(user))

    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {"detail": "missing bearer token"}


BAD_TOKENS: dict[str, Callable[[User], str]] = {
    "garbage": lambda user: "not-a-jwt",
    "huge": lambda user: "x" * 9000,
    "expired": lambda user: mint_token(JWT_SECRET, user.id, ttl_seconds=-3600),
    "wrong-secret": lambda user: mint_token("another-secret-" + "y" * 32, user.id),
    "unsigned": lambda user: alg_none_token(user.id),
    "tampered": lambda user: tampered_token(mint_token(JWT_SECRET, "someone-else"), sub=user.id),
}


@pytest.mark.parametrize("make_token", BAD_TOKENS.values(), ids=BAD_TOKENS.keys())
async def test_bad_token_is_401(
    client: httpx.AsyncClient, stack: Stack, user: User, make_token: Callable[[User], str]
) -> None:
    await add_tasks(stack, user, "Private")

    response = await client.get(tasks_path(user), headers={"Authorization": f"Bearer {make_token(user)}"})

    assert response.status_code == 401
    assert "Private" not in response.text


async def test_a_token_for_an_over_long_user_id_is_401(client: httpx.AsyncClient) -> None:
    user = User(id="u" * (USER_ID_MAX + 1), token=mint_token(JWT_SECRET, "u" * (USER_ID_MAX + 1)))

    response = await client.get(tasks_path(user), headers=user.headers)

    assert response.status_code == 401
    assert response.json() == {"detail": "token subject is not a valid user id"}


@pytest.mark.parametrize(
    "status",
    ["", "ALL", "done", "pending ", "all;completed", "pending\x00", "<script>", "p" * 60_000],
    ids=["empty", "upper-case", "unknown", "trailing-space", "injection", "nul", "markup", "huge"],
)
async def test_bad_status_is_422(client: httpx.AsyncClient, user: User, status: str) -> None:
    response = await client.get(tasks_path(user), params={"status": status}, headers=user.headers)

    assert response.status_code == 422
    [error] = response.json()["detail"]
    assert error["loc"] == ["query", "status"]


async def test_a_repeated_status_takes_the_last_and_unknown_parameters_are_ignored(
    client: httpx.AsyncClient, stack: Stack, user: User
) -> None:
    await add_tasks(stack, user, "Buy milk", completed=("Pay bills",))

    response = await client.get(
        f"{tasks_path(user)}?status=completed&status=pending&user_id=someone-else", headers=user.headers
    )

    assert [task["title"] for task in response.json()] == ["Buy milk"]


async def test_mcp_server_down_is_a_503_with_retry_after(stack: Stack, user: User) -> None:
    settings = make_settings(stack, mcp_server_url=f"http://127.0.0.1:{free_port()}/mcp")
    async with serving(settings) as client:
        response = await client.get(tasks_path(user), headers=user.headers)

    assert response.status_code == 503
    assert response.json() == {"detail": ToolsUnavailable.public_message}
    assert response.headers["retry-after"] == "5"


async def test_mcp_servers_storage_down_is_a_503_not_an_empty_list(stack: Stack, user: User) -> None:
    with fresh_postgres_database() as tasks_database:
        env = {"DATABASE_URL": tasks_database, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
        with running_service("mcp_server", env) as mcp:
            settings = make_settings(stack, mcp_server_url=f"{mcp.base_url}/mcp")
            async with serving(settings) as client:
                before = await client.get(tasks_path(user), headers=user.headers)
                name = tasks_database.rsplit("/", 1)[1]
                with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
                    admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
                during = await client.get(tasks_path(user), headers=user.headers)

    assert before.status_code == 200
    assert during.status_code == 503
    assert during.json() == {"detail": ToolsUnavailable.public_message}


async def test_the_openapi_schema_documents_the_read_and_its_errors(client: httpx.AsyncClient) -> None:
    operation = (await client.get("/openapi.json")).json()["paths"]["/api/{user_id}/tasks"]["get"]

    assert set(operation["responses"]) == {"200", "401", "403", "422", "503"}
    listed = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert listed["items"] == {"$ref": "#/components/schemas/TaskPublic"}
    [status] = [parameter for parameter in operation["parameters"] if parameter["name"] == "status"]
    assert status["schema"]["enum"] == ["all", "pending", "completed"]
    assert status["schema"]["default"] == "all"
    assert operation["security"] == [{"HTTPBearer": []}]
