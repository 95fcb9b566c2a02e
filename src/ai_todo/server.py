"""One ai-todo server process: its configuration read and checked, the app on its database, served
until SIGTERM. `python -m ai_todo` runs one; with WEB_CONCURRENCY above 1 each worker is one."""

import logging
import socket
import sys

from ai_todo.app import create_app
from ai_todo.settings import AiTodoSettings
from todo_core.logs import configure_logging
from todo_core.revisions import SchemaRefused
from todo_core.serve import serve
from todo_core.settings import load_settings


def serve_process(sock: socket.socket | None = None) -> None:
    """Serves on HOST and PORT, or on `sock` when a supervisor bound it for several workers."""
    settings = load_settings(AiTodoSettings, "ai-todo")
    configure_service_logging(settings)
    app = create_app(settings)
    readiness = app.state.readiness
    try:
        readiness.prepare()
    except SchemaRefused as error:
        sys.exit(f"ai-todo: {error}")
    serve(app, settings, readiness, sock)


def configure_service_logging(settings: AiTodoSettings) -> None:
    configure_logging(settings.log_level)
    # One line per request to mcp-server or the model would drown the service's own events.
    for noisy in ("httpx", "httpx2", "openai.agents", "mcp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
