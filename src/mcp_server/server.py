"""The MCP server: thin typed tool wrappers over `tasks`, registered on one MCPServer."""

import logging
import time
from collections.abc import Callable
from typing import Annotated, Any, TypeVar

from mcp.server.context import CallNext, ServerRequestContext
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp.types import ToolAnnotations
from pydantic import Field
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from mcp_server import tasks
from mcp_server.schemas import (
    Description,
    NewDescription,
    NewTitle,
    StatusFilter,
    TaskId,
    TaskResult,
    Title,
    UserId,
)
from todo_core.db import session_scope
from todo_core.models import ID_MAX, TaskPublic

log = logging.getLogger("mcp_server.tools")
T = TypeVar("T")

INSTRUCTIONS = (
    "Todo task tools. Every tool acts on the tasks of exactly one user, given as user_id. "
    "Task ids come from list_tasks; to act on a task named in words, list the tasks first and use the "
    "id of the matching one."
)
STORAGE_UNAVAILABLE = "the task storage is unavailable right now; try again in a moment"

# What each tool does to the tasks, as MCP's tool annotations tell any client: ai-todo decides from
# them which failed calls it may send again. None reaches beyond the user's task list.
CREATES = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=False
)
READS = ToolAnnotations(read_only_hint=True, open_world_hint=False)
# completing a completed task leaves it completed and answers the same
MARKS = ToolAnnotations(
    read_only_hint=False, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
# a second identical call changes nothing more, but what the first replaced or removed is gone
OVERWRITES = ToolAnnotations(
    read_only_hint=False, destructive_hint=True, idempotent_hint=True, open_world_hint=False
)


async def log_tool_calls(ctx: ServerRequestContext[Any, Any], call_next: CallNext) -> Any:
    """One log line per tool call with its outcome and duration; arguments are user data, not logged."""
    if ctx.method != "tools/call":
        return await call_next(ctx)
    name = (ctx.params or {}).get("name", "?")
    started = time.perf_counter()
    outcome = "error"
    try:
        result = await call_next(ctx)
        # the handler answers with a model in-process and a plain dict once serialized by an inner layer
        is_error = result.get("isError") if isinstance(result, dict) else getattr(result, "is_error", False)
        outcome = "tool_error" if is_error else "ok"
        return result
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        log.info("tool_call tool=%s outcome=%s duration_ms=%.1f", name, outcome, elapsed_ms)


def build_server(
    engine: Engine, *, max_tasks: int = tasks.MAX_TASKS_PER_USER, list_max: int = tasks.LIST_TASKS_MAX
) -> MCPServer:
    mcp = MCPServer("todo-tasks", instructions=INSTRUCTIONS, middleware=[log_tool_calls])
    # The page size is configured, so its bound is part of the schema a model reads.
    Limit = Annotated[
        int,
        Field(strict=True, ge=1, le=list_max, description=f"At most this many tasks, 1 to {list_max}."),
    ]
    AfterId = Annotated[
        int,
        Field(
            strict=True,
            ge=0,
            le=ID_MAX,
            description="Only tasks with a larger id: the last id of the previous call, to get the rest.",
        ),
    ]

    def run(operation: Callable[[Session], T]) -> T:
        try:
            with session_scope(engine) as session:
                return operation(session)
        except tasks.TaskError as error:
            raise ToolError(str(error)) from error
        except DBAPIError as error:
            log.warning("database error: %s", type(error.orig).__name__ if error.orig else error)
            raise ToolError(STORAGE_UNAVAILABLE) from error

    @mcp.tool(annotations=CREATES)
    def add_task(user_id: UserId, title: Title, description: Description = None) -> TaskResult:
        """Create a new task for the user. Returns the new task's id and title."""
        return run(
            lambda s: tasks.add_task(
                session=s, user_id=user_id, title=title, description=description, max_tasks=max_tasks
            )
        )

    @mcp.tool(
        annotations=READS,
        description=(
            "List the user's tasks, oldest first, with id, title, description, completion and timestamps. "
            f"One call returns at most `limit` tasks (at most and by default {list_max}). When exactly "
            "`limit` came back there may be more: call again with `after_id` set to the last id returned."
        ),
    )
    def list_tasks(
        user_id: UserId, status: StatusFilter = "all", limit: Limit = list_max, after_id: AfterId = 0
    ) -> list[TaskPublic]:
        return run(
            lambda s: tasks.list_tasks(
                session=s, user_id=user_id, status=status, limit=limit, after_id=after_id
            )
        )

    @mcp.tool(annotations=MARKS)
    def complete_task(user_id: UserId, task_id: TaskId) -> TaskResult:
        """Mark one of the user's tasks as completed. Completing a completed task is harmless."""
        return run(lambda s: tasks.complete_task(session=s, user_id=user_id, task_id=task_id))

    @mcp.tool(annotations=OVERWRITES)
    def delete_task(user_id: UserId, task_id: TaskId) -> TaskResult:
        """Delete one of the user's tasks for good."""
        return run(lambda s: tasks.delete_task(session=s, user_id=user_id, task_id=task_id))

    @mcp.tool(annotations=OVERWRITES)
    def update_task(
        user_id: UserId, task_id: TaskId, title: NewTitle = None, description: NewDescription = None
    ) -> TaskResult:
        """Change the title and/or the description of one of the user's tasks. An empty description
        clears it."""
        return run(
            lambda s: tasks.update_task(
                session=s, user_id=user_id, task_id=task_id, title=title, description=description
            )
        )

    return mcp
