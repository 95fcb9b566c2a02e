"""`python -m ai_todo` and the `ai-todo` console script: one server process, or with
WEB_CONCURRENCY above 1 a supervisor of that many worker processes sharing the port."""

from ai_todo.settings import AiTodoSettings
from todo_core.logs import configure_logging
from todo_core.settings import load_settings
from todo_core.workers import Supervisor, listening_socket

# What each worker runs, imported by name in the worker: the supervisor itself loads none of the app.
WORKER = "ai_todo.server:serve_process"


def main() -> None:
    settings = load_settings(AiTodoSettings, "ai-todo")
    if settings.web_concurrency == 1:
        from ai_todo.server import serve_process  # noqa: PLC0415 - see WORKER

        serve_process()
        return
    configure_logging(settings.log_level)
    sock = listening_socket(settings.host, settings.port)
    Supervisor(WORKER, sock, settings.web_concurrency).run()


if __name__ == "__main__":
    main()
