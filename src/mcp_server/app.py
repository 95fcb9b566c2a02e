"""The ASGI application: MCP at /mcp (stateless, JSON responses), health and readiness beside it."""

import anyio
from sqlalchemy.engine import Engine
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse

from mcp_server.auth import InternalTokenMiddleware
from mcp_server.server import build_server
from mcp_server.settings import McpServerSettings
from todo_core.concurrency import ConcurrencyLimit
from todo_core.db import make_engine
from todo_core.readiness import Readiness


def create_app(settings: McpServerSettings, engine: Engine | None = None) -> Starlette:
    readiness = Readiness(engine or make_engine(settings.database_url))
    mcp = build_server(
        readiness.engine, max_tasks=settings.max_tasks_per_user, list_max=settings.list_tasks_max
    )

    @mcp.custom_route("/healthz", methods=["GET"], include_in_schema=False)
    async def healthz(_: Request) -> JSONResponse:
        return JSONResponse({"status": "ok"})

    @mcp.custom_route("/readyz", methods=["GET"], include_in_schema=False)
    async def readyz(_: Request) -> JSONResponse:
        verdict = await anyio.to_thread.run_sync(readiness.verdict)
        return JSONResponse(verdict.body(), status_code=verdict.status_code)

    # Stateless: no session lives in a replica, so any replica answers any call and a restart
    # loses nothing. JSON responses: one request, one answer, no stream to keep open.
    app = mcp.streamable_http_app(json_response=True, stateless_http=True, host=settings.host)
    # No token only with the explicit local opt-out, which the settings allow on loopback alone.
    if settings.mcp_auth_token is not None:
        app.add_middleware(InternalTokenMiddleware, token=settings.mcp_auth_token.get_secret_value())
    # outermost: a flood is capped before the token is even compared
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_requests)
    app.state.readiness = readiness
    return app
