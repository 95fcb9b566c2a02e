"""What the offline model understood a user to want: one value per request of a message, which the
grammar (`intents.parse_message`) produces and the planner and the replies work from."""

from dataclasses import dataclass
from typing import Literal

from ai_todo.offline.references import Group, TaskRef

Status = Literal["all", "pending", "completed"]
# One message adds at most this many tasks; more is Unclear("too_many").
MAX_TITLES = 20


@dataclass(frozen=True)
class AddTasks:
    titles: tuple[str, ...]
    description: str | None = None


@dataclass(frozen=True)
class ListTasks:
    status: Status = "all"


@dataclass(frozen=True)
class CompleteTasks:
    target: TaskRef | Group  # Group.ALL: every pending task


@dataclass(frozen=True)
class DeleteTasks:
    target: TaskRef | Literal[Group.COMPLETED]


@dataclass(frozen=True)
class UpdateTask:
    target: TaskRef
    title: str | None = None
    description: str | None = None  # "" clears it


@dataclass(frozen=True)
class SmallTalk:
    kind: Literal["greeting", "help", "thanks"]


@dataclass(frozen=True)
class Unclear:
    reason: Literal[
        "unknown", "no_title", "title_too_long", "too_many", "which_task", "delete_all", "one_at_a_time"
    ]
    text: str = ""


Intent = AddTasks | ListTasks | CompleteTasks | DeleteTasks | UpdateTask | SmallTalk | Unclear
