"""The environment of each service process, as the chart sets it: mcp-server guarded by the internal
token, ai-todo holding it, HS256 tokens for users."""

import asyncio

import httpx

from tests.ai_todo.stack import INTERNAL_TOKEN, JWT_SECRET


def mcp_server_env(database_url: str) -> dict[str, str]:
    return {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": INTERNAL_TOKEN}


def ai_todo_env(database_url: str, mcp_base_url: str, **extra: str) -> dict[str, str]:
    return {
        "DATABASE_URL": database_url,
        "MCP_SERVER_URL": f"{mcp_base_url}/mcp",
        "MCP_AUTH_TOKEN": INTERNAL_TOKEN,
        "AUTH_JWT_SECRET": JWT_SECRET,
        **extra,
    }


async def readiness(base_url: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=base_url, timeout=10) as client:
        return await client.get("/readyz")


async def wait_until_ready(base_url: str, seconds: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        try:
            if (await readiness(base_url)).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{base_url} not ready within {seconds}s")
        await asyncio.sleep(0.05)
