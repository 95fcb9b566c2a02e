"""Request dependencies: the verified user, the services kept on the app, the database."""

import logging
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ai_todo.auth import InvalidToken, TokenVerifier
from ai_todo.chat import ChatService
from ai_todo.storage import Storage

log = logging.getLogger(__name__)

_bearer = HTTPBearer(auto_error=False, description="A JWT whose `sub` is the user id in the path.")


def _unauthorized(reason: str) -> HTTPException:
    return HTTPException(
        status_code=status.HTTP_401_UNAUTHORIZED, detail=reason, headers={"WWW-Authenticate": "Bearer"}
    )


async def current_user(
    request: Request,
    user_id: str,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The path's user id, once the bearer token proves the caller is that user."""
    if credentials is None:
        raise _unauthorized("missing bearer token")
    verifier: TokenVerifier = request.app.state.verifier
    try:
        subject = await verifier.verify(credentials.credentials)
    except InvalidToken as error:
        log.info("auth_rejected reason=%s", error)
        raise _unauthorized(str(error)) from None
    if subject != user_id:
        raise HTTPException(
            status_code=status.HTTP_403_FORBIDDEN, detail="token does not belong to this user"
        )
    return subject


async def chat_service(request: Request) -> ChatService:
    # async: FastAPI would run a plain function in a worker thread, a thread hop per request
    return request.app.state.chat


async def storage(request: Request) -> Storage:
    # the one way the routes reach the database (ai_todo.storage); async like chat_service
    return request.app.state.storage


CurrentUser = Annotated[str, Depends(current_user)]
ChatDep = Annotated[ChatService, Depends(chat_service)]
StorageDep = Annotated[Storage, Depends(storage)]
