"""A user's conversations and their messages, for the chat page and for clients."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request

from ai_todo import conversations
from ai_todo.deps import CurrentUser
from ai_todo.schemas import PREVIEW_MAX, ConversationPublic, ErrorBody, MessagePublic
from todo_core.db import session_scope
from todo_core.models import ID_MAX

router = APIRouter(prefix="/api/{user_id}/conversations", tags=["conversations"])

Limit = Annotated[int, Query(ge=1, le=500, description="at most this many, the most recent")]
ConversationPath = Annotated[int, Path(ge=1, le=ID_MAX)]


@router.get("", responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}})  # type: ignore[arg-type]
def list_conversations(request: Request, user_id: CurrentUser, limit: Limit = 50) -> list[ConversationPublic]:
    """The user's conversations, most recently active first."""
    with session_scope(request.app.state.readiness.engine) as session:
        rows = conversations.list_conversations(session=session, user_id=user_id, limit=limit)
        previews = conversations.first_messages(
            session=session, user_id=user_id, conversation_ids=[row.id for row in rows], length=PREVIEW_MAX
        )
        return [
            ConversationPublic(
                id=row.id,
                created_at=row.created_at,
                updated_at=row.updated_at,
                preview=previews.get(row.id, ""),
            )
            for row in rows
        ]


@router.get(
    "/{conversation_id}/messages",
    responses={401: {"model": ErrorBody}, 403: {"model": ErrorBody}, 404: {"model": ErrorBody}},  # type: ignore[arg-type]
)
def list_messages(
    request: Request, user_id: CurrentUser, conversation_id: ConversationPath, limit: Limit = 100
) -> list[MessagePublic]:
    """The latest messages of one conversation, oldest first."""
    with session_scope(request.app.state.readiness.engine) as session:
        rows = conversations.list_messages(
            session=session, user_id=user_id, conversation_id=conversation_id, limit=limit
        )
        return [MessagePublic.model_validate(row, from_attributes=True) for row in rows]
