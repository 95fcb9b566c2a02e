"""POST /api/{user_id}/chat: one turn of the conversation."""

from fastapi import APIRouter

from ai_todo.deps import ChatDep, CurrentUser
from ai_todo.schemas import ChatRequest, ChatResponse, ErrorBody

router = APIRouter(prefix="/api/{user_id}", tags=["chat"])

_ERRORS = {
    400: {"model": ErrorBody, "description": "the body is not text (not UTF-8)"},
    401: {"model": ErrorBody, "description": "no token, or a bad one"},
    403: {"model": ErrorBody, "description": "the token belongs to another user"},
    404: {"model": ErrorBody, "description": "no such conversation for this user"},
    # answered before the app runs, as plain text
    413: {"description": "the body is larger than any message can be", "content": {"text/plain": {}}},
    429: {
        "model": ErrorBody,
        "description": "the user sent more messages than CHAT_RATE_LIMIT allows; see Retry-After",
    },
    503: {
        "model": ErrorBody,
        "description": "the tools, the model or the storage did not answer in time, or the service is busy",
    },
}


@router.post("/chat", responses=_ERRORS)  # type: ignore[arg-type]
async def chat(user_id: CurrentUser, body: ChatRequest, service: ChatDep) -> ChatResponse:
    """Send a message; the assistant acts on the user's tasks and answers. Without a
    `conversation_id` a new conversation starts."""
    return await service.turn(user_id=user_id, message=body.message, conversation_id=body.conversation_id)
