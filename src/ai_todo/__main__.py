"""`python -m ai_todo` and the `ai-todo` console script."""

import logging
import sys

from ai_todo.app import create_app
from ai_todo.settings import AiTodoSettings
from todo_core.logs import configure_logging
from todo_core.revisions import SchemaRefused
from todo_core.serve import serve
from todo_core.settings import load_settings


def main() -> None:
    settings = load_settings(AiTodoSettings, "ai-todo")
    configure_logging(settings.log_level)
    # One line per request to mcp-server or the model would drown the service's own events.
    for noisy in ("httpx", "httpx2", "openai.agents", "mcp"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))
    app = create_app(settings)
    readiness = app.state.readiness
    try:
        readiness.prepare()
    except SchemaRefused as error:
        sys.exit(f"ai-todo: {error}")
    serve(app, settings, readiness)


if __name__ == "__main__":
    main()
