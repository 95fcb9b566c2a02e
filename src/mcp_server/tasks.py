"""The task operations, as plain functions over a session. Every query is scoped to its user:
another user's task is indistinguishable from a missing one. Changes are single statements, so two
replicas acting on the same task at once cannot lose each other's update."""

from sqlalchemy import delete, update
from sqlmodel import Session, col, select

from mcp_server.schemas import TaskResult
from todo_core.models import Task, TaskPublic
from todo_core.timestamps import utcnow


class TaskError(Exception):
    """An expected failure the caller can act on; its message is shown to the model and the user."""


class TaskNotFoundError(TaskError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"task {task_id} not found")


def add_task(*, session: Session, user_id: str, title: str, description: str | None = None) -> TaskResult:
    task = Task(user_id=user_id, title=title, description=description or None)
    session.add(task)
    session.flush()
    assert task.id is not None
    return TaskResult(task_id=task.id, status="created", title=task.title)


def list_tasks(*, session: Session, user_id: str, status: str = "all") -> list[TaskPublic]:
    query = select(Task).where(Task.user_id == user_id)
    if status == "pending":
        query = query.where(col(Task.completed).is_(False))
    elif status == "completed":
        query = query.where(col(Task.completed).is_(True))
    rows = session.exec(query.order_by(col(Task.id))).all()
    return [TaskPublic.model_validate(row, from_attributes=True) for row in rows]


def complete_task(*, session: Session, user_id: str, task_id: int) -> TaskResult:
    statement = (
        update(Task)
        .where(col(Task.id) == task_id, col(Task.user_id) == user_id)
        .values(completed=True, updated_at=utcnow())
        .returning(col(Task.title))
    )
    title = session.execute(statement).scalar_one_or_none()
    if title is None:
        raise TaskNotFoundError(task_id)
    return TaskResult(task_id=task_id, status="completed", title=title)


def delete_task(*, session: Session, user_id: str, task_id: int) -> TaskResult:
    statement = (
        delete(Task).where(col(Task.id) == task_id, col(Task.user_id) == user_id).returning(col(Task.title))
    )
    title = session.execute(statement).scalar_one_or_none()
    if title is None:
        raise TaskNotFoundError(task_id)
    return TaskResult(task_id=task_id, status="deleted", title=title)


def update_task(
    *,
    session: Session,
    user_id: str,
    task_id: int,
    title: str | None = None,
    description: str | None = None,
) -> TaskResult:
    changes: dict[str, object] = {}
    if title is not None:
        changes["title"] = title
    if description is not None:
        # an empty description clears it
        changes["description"] = description or None
    if not changes:
        raise TaskError("nothing to update: give a new title or a new description")
    statement = (
        update(Task)
        .where(col(Task.id) == task_id, col(Task.user_id) == user_id)
        .values(**changes, updated_at=utcnow())
        .returning(col(Task.title))
    )
    new_title = session.execute(statement).scalar_one_or_none()
    if new_title is None:
        raise TaskNotFoundError(task_id)
    return TaskResult(task_id=task_id, status="updated", title=new_title)
