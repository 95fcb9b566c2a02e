"""The tools' input types and result shapes: what a model sees in the tool schemas."""

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from todo_core.models import DESCRIPTION_MAX, ID_MAX, TITLE_MAX, USER_ID_MAX
from todo_core.text import multi_line, single_line

UserId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=USER_ID_MAX),
    AfterValidator(single_line),
    Field(description="The id of the user whose tasks these are."),
]
TaskId = Annotated[
    int,
    Field(strict=True, ge=1, le=ID_MAX, description="The numeric id of the task, as list_tasks shows it."),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX),
    AfterValidator(single_line),
    Field(description=f"A short title for the task, 1 to {TITLE_MAX} characters."),
]
_DescriptionText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=DESCRIPTION_MAX),
    AfterValidator(multi_line),
]
# Optional parameters carry their description outside the `anyOf`, where a model reads it.
Description = Annotated[
    _DescriptionText | None,
    Field(description=f"Optional longer details, up to {DESCRIPTION_MAX} characters."),
]
NewTitle = Annotated[
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=TITLE_MAX)] | None,
    AfterValidator(lambda value: value if value is None else single_line(value)),
    Field(description=f"The new title, 1 to {TITLE_MAX} characters; leave out to keep the current one."),
]
NewDescription = Annotated[
    _DescriptionText | None,
    Field(description="The new description; an empty one clears it; leave out to keep the current one."),
]
StatusFilter = Annotated[
    Literal["all", "pending", "completed"],
    Field(description="Which tasks to list: all of them, only pending ones, or only completed ones."),
]


class TaskResult(BaseModel):
    task_id: int
    status: Literal["created", "completed", "deleted", "updated"]
    title: str
