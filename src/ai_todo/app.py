"""The ASGI application: the chat API, the conversations, the tasks, the page, health and readiness."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.engine import Engine

from ai_todo.auth import TokenVerifier
from ai_todo.chat import ChatService
from ai_todo.error_handlers import add_error_handlers
from ai_todo.routes import chat, conversations, health, page, tasks
from ai_todo.routes.docs import add_docs
from ai_todo.settings import AiTodoSettings
from ai_todo.storage import Storage
from todo_core.concurrency import ConcurrencyLimit
from todo_core.db import make_engine
from todo_core.readiness import Readiness

# A chat message is at most 4000 characters (16 KB of UTF-8) plus a little JSON.
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: AiTodoSettings, engine: Engine | None = None) -> FastAPI:
    engine = engine or make_engine(settings.database_url)
    readiness = Readiness(engine)
    storage = Storage(engine)
    verifier = TokenVerifier.from_settings(settings)
    service = ChatService(settings, storage)

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
        # the interactive docs are opt-in and self-hosted (routes/docs.py); the schema is always served
        docs_url=None,
        redoc_url=None,
    )
    app.state.readiness = readiness
    app.state.storage = storage
    app.state.verifier = verifier
    app.state.chat = service
    for module in (health, page, chat, conversations, tasks):
        app.include_router(module.router)
    if settings.api_docs:
        add_docs(app)
    add_error_handlers(app)
    # outermost, so a flood of any kind of request is capped before it costs anything
    app.add_middleware(ConcurrencyLimit, limit=settings.max_concurrent_requests)
    return app
