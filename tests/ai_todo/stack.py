"""The pieces ai-todo tests are built from: settings pointing at the shared stack, the app served
in-process, users with tokens, and direct access to their tasks through mcp-server."""

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from anyio import to_thread

from ai_todo.app import create_app
from ai_todo.settings import AiTodoSettings
from tests.mcp_server.http_client import mcp_over_http
from tests.support.processes import ServiceProcess
from todo_core.tokens import mint_token

JWT_SECRET = "ai-todo-tests-" + "s" * 32
INTERNAL_TOKEN = "internal-token-for-tests"


@dataclass(frozen=True)
class Stack:
    database_url: str
    mcp: ServiceProcess

    @property
    def mcp_url(self) -> str:
        return f"{self.mcp.base_url}/mcp"


@dataclass(frozen=True)
class User:
    id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def chat_path(self) -> str:
        return f"/api/{self.id}/chat"


def new_user(prefix: str = "user") -> User:
    user_id = f"{prefix}-{uuid.uuid4().hex[:12]}"
    return User(id=user_id, token=mint_token(JWT_SECRET, user_id))


def make_settings(stack: Stack, **overrides: Any) -> AiTodoSettings:
    values: dict[str, Any] = {
        "database_url": stack.database_url,
        "mcp_server_url": stack.mcp_url,
        "mcp_auth_token": INTERNAL_TOKEN,
        "auth_jwt_secret": JWT_SECRET,
    }
    values.update(overrides)
    return AiTodoSettings(**values)


def process_env(stack: Stack, **overrides: str) -> dict[str, str]:
    """The environment of an `ai_todo` process on the shared stack."""
    return {
        "DATABASE_URL": stack.database_url,
        "MCP_SERVER_URL": stack.mcp_url,
        "MCP_AUTH_TOKEN": INTERNAL_TOKEN,
        "AUTH_JWT_SECRET": JWT_SECRET,
        **overrides,
    }


@asynccontextmanager
async def serving(settings: AiTodoSettings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan running, reached through httpx without a socket."""
    app = create_app(settings)
    await to_thread.run_sync(app.state.readiness.prepare)
    try:
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://ai-todo") as client,
        ):
            yield client
    finally:
        app.state.readiness.engine.dispose()


async def chat(
    client: httpx.AsyncClient, user: User, message: str, conversation_id: int | None = None
) -> httpx.Response:
    return await client.post(
        user.chat_path, json={"message": message, "conversation_id": conversation_id}, headers=user.headers
    )


async def add_tasks(
    stack: Stack, user: User, *titles: str, completed: tuple[str, ...] = ()
) -> dict[str, int]:
    """Creates tasks straight through mcp-server; returns their ids by title."""
    ids: dict[str, int] = {}
    async with mcp_over_http(stack.mcp.base_url, INTERNAL_TOKEN) as tasks:
        for title in (*titles, *completed):
            result = await tasks.call_tool("add_task", {"user_id": user.id, "title": title})
            ids[title] = result.structured_content["task_id"]
        for title in completed:
            await tasks.call_tool("complete_task", {"user_id": user.id, "task_id": ids[title]})
    return ids


async def tasks_of(stack: Stack, user: User) -> list[dict[str, Any]]:
    async with mcp_over_http(stack.mcp.base_url, INTERNAL_TOKEN) as tasks:
        result = await tasks.call_tool("list_tasks", {"user_id": user.id})
    return result.structured_content["result"]


def logged(caplog: pytest.LogCaptureFixture, event: str) -> list[str]:
    """The captured log lines of one event ("mcp_connected tool=…"), as an operator would grep them."""
    return [record.getMessage() for record in caplog.records if record.getMessage().split(" ")[0] == event]
