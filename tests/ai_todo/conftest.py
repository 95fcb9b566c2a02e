"""Fixtures for ai-todo: one real PostgreSQL database and one real mcp-server process shared by the
session (tests keep apart by using users of their own), the app served in-process over httpx, and
users with real HS256 tokens."""

import os
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from sqlalchemy.engine import Engine

from ai_todo.settings import AiTodoSettings
from tests.ai_todo.stack import INTERNAL_TOKEN, Stack, User, make_settings, new_user, serving
from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, running_service
from todo_core.db import make_engine
from todo_core.schema import upgrade_schema


@pytest.fixture(autouse=True)
def _clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings come from the environment only: a developer's own keys must not leak into tests."""
    for name in list(os.environ):
        if name.startswith(("OPENAI_", "AUTH_", "MCP_", "CHAT_", "AGENT_", "DATABASE_URL")):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    with (
        fresh_postgres_database() as database_url,
        running_service(
            "mcp_server", {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
        ) as mcp,
    ):
        yield Stack(database_url=database_url, mcp=mcp)


@pytest.fixture
def own_mcp_server(stack: Stack) -> Iterator[ServiceProcess]:
    """An mcp-server of this test's own, free to be stopped, frozen and restarted."""
    with running_service(
        "mcp_server", {"DATABASE_URL": stack.database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}
    ) as mcp:
        yield mcp


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    """An engine on a migrated database of each kind the service supports (SQLite, PostgreSQL)."""
    engine = make_engine(database_url)
    upgrade_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(stack: Stack) -> AiTodoSettings:
    return make_settings(stack)


@pytest.fixture
async def client(settings: AiTodoSettings) -> AsyncIterator[httpx.AsyncClient]:
    async with serving(settings) as client:
        yield client


@pytest.fixture
def user() -> User:
    return new_user()


@pytest.fixture
def other_user() -> User:
    return new_user()
