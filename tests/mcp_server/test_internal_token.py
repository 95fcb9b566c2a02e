"""mcp-server with an internal token configured, approached without it: by raw HTTP on every method
and every spelling of the path a router might map to /mcp, and by an ai-todo holding a wrong token.
Nothing reaches a tool and nothing is written. (test_http.py covers the Authorization values.)"""

import json
import socket
from collections.abc import Iterator

import httpx
import psycopg
import pytest

from ai_todo.errors import ToolsUnavailable
from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, running_service
from todo_core.tokens import mint_token

TOKEN = "internal-token-for-tests"
JWT_SECRET = "internal-token-tests-" + "j" * 32
ADD_TASK = json.dumps(
    {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "tools/call",
        "params": {"name": "add_task", "arguments": {"user_id": "alice", "title": "planted"}},
    }
).encode()
LIST_TOOLS = json.dumps({"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}).encode()


@pytest.fixture(scope="module")
def database() -> Iterator[str]:
    with fresh_postgres_database() as url:
        yield url


@pytest.fixture(scope="module")
def guarded(database: str) -> Iterator[ServiceProcess]:
    with running_service("mcp_server", {"DATABASE_URL": database, "MCP_AUTH_TOKEN": TOKEN}) as service:
        yield service


def raw_request(
    service: ServiceProcess, method: str, target: str, headers: str = "", body: bytes = ADD_TASK
) -> bytes:
    """The status line of a request sent byte for byte, so no client library tidies the path."""
    request = (
        f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1:{service.port}\r\n"
        "Accept: application/json, text/event-stream\r\nContent-Type: application/json\r\n"
        f"{headers}Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer.split(b"\r\n", 1)[0]


def planted_tasks(database_url: str) -> int:
    with psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://")) as connection:
        row = connection.execute("SELECT count(*) FROM task WHERE lower(title) = 'planted'").fetchone()
    return row[0] if row else 0


@pytest.mark.parametrize(
    ("method", "target"),
    [
        ("POST", "/mcp"),
        ("POST", "/mcp/"),
        ("POST", "/%6dcp"),
        ("POST", "/mcp%2F"),
        ("POST", "/mcp/../mcp"),
        ("POST", "/mcp?token=" + TOKEN),
        ("POST", "//mcp"),
        ("POST", "/./mcp"),
        ("POST", "/MCP"),
        ("GET", "/mcp"),
        ("DELETE", "/mcp"),
        ("PUT", "/mcp"),
    ],
)
def test_no_spelling_of_the_endpoint_reaches_a_tool_without_the_token(
    guarded: ServiceProcess, database: str, method: str, target: str
) -> None:
    status_line = raw_request(guarded, method, target)

    assert status_line.split()[1] in (b"401", b"404"), status_line
    assert planted_tasks(database) == 0


@pytest.mark.parametrize(
    "authorization",
    [
        f"Bearer  {TOKEN}",
        f"Bearer {TOKEN[:-1]}",
        f"Bearer {TOKEN}{TOKEN}",
        f"Bearer{TOKEN}",
        f"Token {TOKEN}",
    ],
    ids=["two-spaces", "prefix-of-the-token", "token-twice", "no-space", "other-scheme"],
)
def test_near_misses_of_the_token_are_refused(
    guarded: ServiceProcess, database: str, authorization: str
) -> None:
    status_line = raw_request(guarded, "POST", "/mcp", f"Authorization: {authorization}\r\n")

    assert status_line.split()[1] == b"401", status_line
    assert planted_tasks(database) == 0


@pytest.mark.parametrize("scheme", ["Bearer", "bearer", "BEARER"])
def test_the_real_token_is_let_through_so_the_refusals_above_are_the_tokens_doing(
    guarded: ServiceProcess, scheme: str
) -> None:
    # the scheme is case-insensitive (RFC 7235), the token is not
    status_line = raw_request(guarded, "POST", "/mcp", f"Authorization: {scheme} {TOKEN}\r\n", LIST_TOOLS)

    assert status_line.split()[1] == b"200", status_line


def test_an_ai_todo_with_a_wrong_token_answers_503_and_writes_nothing(
    guarded: ServiceProcess, database: str
) -> None:
    env = {
        "DATABASE_URL": database,
        "MCP_SERVER_URL": f"{guarded.base_url}/mcp",
        "MCP_AUTH_TOKEN": "not-the-internal-token",
        "AUTH_JWT_SECRET": JWT_SECRET,
    }
    with running_service("ai_todo", env) as ai_todo:
        response = httpx.post(
            f"{ai_todo.base_url}/api/alice/chat",
            json={"message": "Add a task to planted"},
            headers={"Authorization": f"Bearer {mint_token(JWT_SECRET, 'alice')}"},
            timeout=30,
        )

    assert response.status_code == 503
    assert response.json() == {"detail": ToolsUnavailable.public_message}
    assert planted_tasks(database) == 0
