"""What the chat API accepts and answers."""

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from todo_core.models import ID_MAX, MESSAGE_MAX
from todo_core.text import multi_line

MessageText = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=MESSAGE_MAX),
    AfterValidator(multi_line),
]
# Long enough to recognise a conversation by, short enough for a list of them.
PREVIEW_MAX = 80
ConversationId = Annotated[int, Field(strict=True, ge=1, le=ID_MAX)]


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    message: MessageText = Field(description=f"What the user says, 1 to {MESSAGE_MAX} characters.")
    conversation_id: ConversationId | None = Field(
        default=None, description="Continue this conversation; leave out to start a new one."
    )


class ToolCallPublic(BaseModel):
    name: str
    arguments: dict[str, Any]
    result: Any


class ChatResponse(BaseModel):
    conversation_id: int
    response: str
    tool_calls: list[ToolCallPublic]


class ConversationPublic(BaseModel):
    id: int
    created_at: datetime
    updated_at: datetime
    preview: str = Field(
        description=f"The start of its first message (up to {PREVIEW_MAX} characters), to tell it apart."
    )


class MessagePublic(BaseModel):
    id: int
    role: Literal["user", "assistant"]
    content: str
    failed: bool = Field(
        default=False, description="an assistant reply standing for a turn that failed (its error, in words)"
    )
    created_at: datetime


class ErrorBody(BaseModel):
    detail: str
