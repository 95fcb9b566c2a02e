"""GET /api/{user_id}/tasks: the user's tasks, for the page's task panel and for clients.

Read through mcp-server's `list_tasks` on the same user-scoped tool path as a chat turn, so
mcp-server stays the only place tasks are read and written. Bounded like the tool: one answer holds
at most mcp-server's LIST_TASKS_MAX tasks (200 by default); a full answer may have more after it,
which `after_id` = its last id returns."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ai_todo.deps import ChatDep, CurrentUser
from ai_todo.schemas import ErrorBody
from todo_core.models import ID_MAX, TaskPublic

router = APIRouter(prefix="/api/{user_id}", tags=["tasks"])

StatusQuery = Annotated[
    Literal["all", "pending", "completed"],
    Query(description="Which tasks: all of them, only pending ones, or only completed ones."),
]

AfterIdQuery = Annotated[
    int, Query(ge=0, le=ID_MAX, description="Only tasks with a larger id: the last id of the previous page.")
]

_ERRORS = {
    401: {"model": ErrorBody, "description": "no token, or a bad one"},
    403: {"model": ErrorBody, "description": "the token belongs to another user"},
    503: {"model": ErrorBody, "description": "the task server did not answer in time"},
}


@router.get("/tasks", responses=_ERRORS)  # type: ignore[arg-type]
async def list_tasks(
    user_id: CurrentUser, service: ChatDep, status: StatusQuery = "all", after_id: AfterIdQuery = 0
) -> list[TaskPublic]:
    """The user's tasks, oldest first, a page at a time, as mcp-server's `list_tasks` gives them."""
    return await service.list_tasks(user_id=user_id, status=status, after_id=after_id)
