"""The services a chat benchmark runs: mcp-server and ai-todo as real processes on a database of their
own, from a given checkout, with the offline model."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from tests.support.databases import fresh_postgres_database
from tests.support.processes import ServiceProcess, running_service

from bench.checkouts import Checkout

SECRET = "bench-secret-" + "b" * 32
MCP_TOKEN = "bench-mcp-token-" + "m" * 32


@dataclass(frozen=True)
class ChatStack:
    label: str
    mcp: ServiceProcess
    ai_todo: ServiceProcess

    @property
    def pids(self) -> dict[str, int]:
        return {"ai-todo": self.ai_todo.process.pid, "mcp-server": self.mcp.process.pid}


def mcp_env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": MCP_TOKEN}


def ai_todo_env(database_url: str, mcp_base_url: str, workers: int = 1) -> dict[str, str]:
    env = {
        "DATABASE_URL": database_url,
        "MCP_SERVER_URL": f"{mcp_base_url}/mcp",
        "MCP_AUTH_TOKEN": MCP_TOKEN,
        "AUTH_JWT_SECRET": SECRET,
    }
    if workers != 1:
        env["WEB_CONCURRENCY"] = str(workers)
    return env


@contextmanager
def chat_stack(checkout: Checkout, workers: int = 1) -> Iterator[ChatStack]:
    label = checkout.label if workers == 1 else f"{checkout.label}, {workers} workers"
    with (
        fresh_postgres_database() as database_url,
        running_service("mcp_server", {**mcp_env(database_url), **checkout.env}) as mcp,
        running_service(
            "ai_todo", {**ai_todo_env(database_url, mcp.base_url, workers), **checkout.env}
        ) as ai_todo,
    ):
        yield ChatStack(label=label, mcp=mcp, ai_todo=ai_todo)
