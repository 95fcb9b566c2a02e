"""The ASGI application: the chat API, the conversations, the tasks, the page, health and readiness."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ai_todo.auth import TokenVerifier
from ai_todo.chat import ChatService
from ai_todo.errors import ChatError, StorageUnavailable
from ai_todo.routes import chat, conversations, health, page, tasks
from ai_todo.settings import AiTodoSettings
from todo_core.db import make_engine
from todo_core.readiness import Readiness

log = logging.getLogger(__name__)

# A chat message is at most 4000 characters (16 KB of UTF-8) plus a little JSON.
MAX_BODY_BYTES = 64 * 1024
# What a client should wait before retrying a 503.
RETRY_AFTER_SECONDS = "5"


def create_app(settings: AiTodoSettings, engine: Engine | None = None) -> FastAPI:
    readiness = Readiness(engine or make_engine(settings.database_url))
    verifier = TokenVerifier.from_settings(settings)
    service = ChatService(settings, readiness.engine)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await service.start()
        yield
        await service.close()
        await verifier.aclose()

    app = FastAPI(
        title="ai-todo",
        summary="Manage todos by chatting with an AI assistant.",
        lifespan=lifespan,
        max_body_size=MAX_BODY_BYTES,
    )
    app.state.settings = settings
    app.state.readiness = readiness
    app.state.verifier = verifier
    app.state.chat = service
    for module in (health, page, chat, conversations, tasks):
        app.include_router(module.router)
    _add_error_handlers(app)
    return app


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ChatError)
    async def chat_error(_: Request, error: ChatError) -> JSONResponse:
        headers = {"Retry-After": RETRY_AFTER_SECONDS} if error.status_code == 503 else None
        return JSONResponse({"detail": error.public_message}, status_code=error.status_code, headers=headers)

    @app.exception_handler(DBAPIError)
    @app.exception_handler(PoolTimeout)
    async def storage_error(request: Request, error: Exception) -> JSONResponse:
        log.warning("storage_error path=%s error=%s", request.url.path, type(error).__name__)
        return await chat_error(request, StorageUnavailable())

    @app.exception_handler(Exception)
    async def unexpected_error(request: Request, error: Exception) -> JSONResponse:
        # one line here; the server logs the traceback itself, never the response
        log.error("unexpected_error path=%s error=%s", request.url.path, type(error).__name__)
        return JSONResponse(
            {"detail": "Something went wrong on our side. Please try again."}, status_code=500
        )
