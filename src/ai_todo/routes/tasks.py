"""GET /api/{user_id}/tasks: the user's tasks, for the page's task panel and for clients.

Read through mcp-server's `list_tasks` on the same user-scoped tool path as a chat turn, so
mcp-server stays the only place tasks are read and written."""

from typing import Annotated, Literal

from fastapi import APIRouter, Query

from ai_todo.deps import ChatDep, CurrentUser
from ai_todo.schemas import ErrorBody
from todo_core.models import TaskPublic

router = APIRouter(prefix="/api/{user_id}", tags=["tasks"])

StatusQuery = Annotated[
    Literal["all", "pending", "completed"],
    Query(description="Which tasks: all of them, only pending ones, or only completed ones."),
]

_ERRORS = {
    401: {"model": ErrorBody, "description": "no token, or a bad one"},
    403: {"model": ErrorBody, "description": "the token belongs to another user"},
    503: {"model": ErrorBody, "description": "the task server did not answer in time"},
}


@router.get("/tasks", responses=_ERRORS)  # type: ignore[arg-type]
async def list_tasks(user_id: CurrentUser, service: ChatDep, status: StatusQuery = "all") -> list[TaskPublic]:
    """The user's tasks, oldest first, as mcp-server's `list_tasks` gives them."""
    return await service.list_tasks(user_id=user_id, status=status)
