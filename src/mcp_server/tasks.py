"""The task operations, as plain functions over a session. Every query is scoped to its user:
another user's task is indistinguishable from a missing one. Changes are single statements, so two
replicas acting on the same task at once cannot lose each other's update."""

from sqlalchemy import delete, func, update
from sqlmodel import Session, col, select

from mcp_server.schemas import TaskResult
from todo_core.db import USER_TASKS_LOCK, lock_user
from todo_core.models import Task, TaskPublic
from todo_core.timestamps import utcnow

# Defaults of MAX_TASKS_PER_USER and LIST_TASKS_MAX. A thousand tasks is years of a busy person's
# list, completed ones included; each is at most 2.2 thousand characters, so one user's tasks stay
# under a few megabytes. Two hundred per list call is a screenful for a page and a model's context,
# and five calls read the largest list.
MAX_TASKS_PER_USER = 1000
LIST_TASKS_MAX = 200


class TaskError(Exception):
    """An expected failure the caller can act on; its message is shown to the model and the user."""


class TaskNotFoundError(TaskError):
    def __init__(self, task_id: int) -> None:
        super().__init__(f"task {task_id} not found")


class TooManyTasksError(TaskError):
    def __init__(self, limit: int) -> None:
        super().__init__(
            f"task limit reached: a user can keep at most {limit} tasks; "
            "delete some (completed ones, for instance) to add more"
        )


def add_task(
    *,
    session: Session,
    user_id: str,
    title: str,
    description: str | None = None,
    max_tasks: int = MAX_TASKS_PER_USER,
) -> TaskResult:
    # counted under the user's lock, so adds racing on two replicas cannot pass the limit together
    lock_user(session, USER_TASKS_LOCK, user_id)
    count = session.exec(select(func.count()).select_from(Task).where(Task.user_id == user_id)).one()
    if count >= max_tasks:
        raise TooManyTasksError(max_tasks)
    task = Task(user_id=user_id, title=title, description=description or None)
    session.add(task)
    session.flush()
    assert task.id is not None
    return TaskResult(task_id=task.id, status="created", title=task.title)


def list_tasks(
    *, session: Session, user_id: str, status: str = "all", limit: int = LIST_TASKS_MAX, after_id: int = 0
) -> list[TaskPublic]:
    """At most `limit` of the user's tasks with an id above `after_id`, in id order: a full page may
    have more after it, which the next call with `after_id` = its last id returns."""
    query = select(Task).where(Task.user_id == user_id, col(Task.id) > after_id)
    if status == "pending":
        query = query.where(col(Task.completed).is_(False))
    elif status == "completed":
        query = query.where(col(Task.completed).is_(True))
    rows = session.exec(query.order_by(col(Task.id)).limit(limit)).all()
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
