"""A user's conversations and their messages, for the chat page and for clients."""

from typing import Annotated

from fastapi import APIRouter, Path, Query
from sqlalchemy.engine import Connection, Row

from ai_todo import conversations
from ai_todo.deps import CurrentUser, StorageDep
from ai_todo.schemas import PREVIEW_MAX, ConversationPublic, ErrorBody, MessagePublic
from todo_core.models import ID_MAX

router = APIRouter(prefix="/api/{user_id}/conversations", tags=["conversations"])

Limit = Annotated[int, Query(ge=1, le=500, description="at most this many, the most recent")]
ConversationPath = Annotated[int, Path(ge=1, le=ID_MAX)]

_ERRORS = {
    401: {"model": ErrorBody, "description": "no token, or a bad one"},
    403: {"model": ErrorBody, "description": "the token belongs to another user"},
    503: {"model": ErrorBody, "description": "the storage did not answer in time; see Retry-After"},
}
_CONVERSATION_ERRORS = {
    **_ERRORS,
    404: {"model": ErrorBody, "description": "no such conversation for this user"},
}


@router.get("", responses=_ERRORS)  # type: ignore[arg-type]
async def list_conversations(
    user_id: CurrentUser, storage: StorageDep, limit: Limit = 50
) -> list[ConversationPublic]:
    """The user's conversations, most recently active first."""

    def read(connection: Connection) -> tuple[list[Row], dict[int, str]]:
        rows = conversations.list_conversations(connection=connection, user_id=user_id, limit=limit)
        previews = conversations.first_messages(
            connection=connection,
            user_id=user_id,
            conversation_ids=[row.id for row in rows],
            length=PREVIEW_MAX,
        )
        return rows, previews

    rows, previews = await storage.read(read)
    return [
        ConversationPublic(
            id=row.id, created_at=row.created_at, updated_at=row.updated_at, preview=previews.get(row.id, "")
        )
        for row in rows
    ]


@router.get("/{conversation_id}/messages", responses=_CONVERSATION_ERRORS)  # type: ignore[arg-type]
async def list_messages(
    user_id: CurrentUser, storage: StorageDep, conversation_id: ConversationPath, limit: Limit = 100
) -> list[MessagePublic]:
    """The latest messages of one conversation, oldest first."""
    rows = await storage.read(
        lambda connection: conversations.list_messages(
            connection=connection, user_id=user_id, conversation_id=conversation_id, limit=limit
        )
    )
    return [MessagePublic.model_validate(row, from_attributes=True) for row in rows]
