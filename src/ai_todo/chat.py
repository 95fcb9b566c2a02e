"""One chat turn: store the user's message, let the assistant act, store its reply.

The user's message is committed before the assistant runs, so it survives any failure after it;
the reply is stored only once the assistant has finished, so a turn is never half-written. A turn
that fails still gets a reply, marked failed, so the history never holds an unanswered request.

The assistant (openai-agents, the MCP client) is most of what the service loads; it is loaded with
the app and connected before the app serves anything, so a pod that answers is a pod that can
chat (readiness means what it says)."""

import logging
import time

from ai_todo import conversations
from ai_todo.agent.assistant import Assistant
from ai_todo.errors import ChatError, RateLimited, StorageUnavailable
from ai_todo.schemas import ChatResponse, ToolCallPublic
from ai_todo.settings import AiTodoSettings
from ai_todo.storage import Storage
from todo_core.models import TaskPublic

log = logging.getLogger(__name__)

CUT_MARK = " [… reply cut: too long]"


class ChatService:
    def __init__(self, settings: AiTodoSettings, storage: Storage) -> None:
        self.settings = settings
        self.storage = storage
        self.assistant = Assistant(settings)
        self.rate_limit = conversations.RateLimit(
            messages=settings.chat_rate_limit, window_seconds=settings.chat_rate_window_seconds
        )

    async def start(self) -> None:
        """Opens the assistant's MCP session ahead of the first turn (a failure is left to it)."""
        started = time.perf_counter()
        await self.assistant.warm_up()
        log.info("assistant_ready model=%s duration_ms=%.0f", self.assistant.model_name, _ms(started))

    async def close(self) -> None:
        await self.assistant.close()

    async def turn(self, *, user_id: str, message: str, conversation_id: int | None) -> ChatResponse:
        started = time.perf_counter()
        try:
            start = await self.storage.write(
                lambda connection: conversations.start_turn(
                    connection=connection,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    message=message,
                    history_limit=self.settings.chat_history_messages,
                    rate_limit=self.rate_limit,
                )
            )
        except RateLimited as limited:
            log.info("chat_rate_limited retry_after_seconds=%d", limited.retry_after_seconds)
            raise
        try:
            reply = await self.assistant.reply(user_id=user_id, history=start.history, message=message)
        except ChatError as error:
            _log_turn(start.conversation_id, started, error.outcome, detail=str(error))
            await self._store_failure(user_id, start.conversation_id, error.public_message)
            raise
        except Exception:
            # a bug: the caller gets a 500 (error_handlers), the history still gets its answer
            await self._store_failure(user_id, start.conversation_id, ChatError.public_message)
            raise
        text = capped(reply.text, self.settings.chat_reply_max_chars)
        await self.storage.write(
            lambda connection: conversations.add_message(
                connection=connection,
                user_id=user_id,
                conversation_id=start.conversation_id,
                role="assistant",
                content=text,
            )
        )
        _log_turn(start.conversation_id, started, "ok", tools=len(reply.tool_calls))
        return ChatResponse(
            conversation_id=start.conversation_id,
            response=text,
            tool_calls=[
                ToolCallPublic(name=call.name, arguments=call.arguments, result=call.result)
                for call in reply.tool_calls
            ],
        )

    async def list_tasks(self, *, user_id: str, status: str, after_id: int = 0) -> list[TaskPublic]:
        """A page of the user's tasks as mcp-server's `list_tasks` gives them, for the task panel."""
        started = time.perf_counter()
        arguments: dict[str, object] = {"status": status, **({"after_id": after_id} if after_id else {})}
        try:
            listed = await self.assistant.list_tasks(user_id=user_id, arguments=arguments)
        except ChatError as error:
            log.info(
                "task_list outcome=%s duration_ms=%.1f detail=%r", error.outcome, _ms(started), str(error)
            )
            raise
        tasks = [TaskPublic.model_validate(task) for task in listed]
        log.info("task_list outcome=ok tasks=%d duration_ms=%.1f", len(tasks), _ms(started))
        return tasks

    async def _store_failure(self, user_id: str, conversation_id: int, text: str) -> None:
        """Answers the stored user message with the failure, marked as such, so the history never
        holds a request without a reply that a model reading it later might carry out again."""
        try:
            await self.storage.write(
                lambda connection: conversations.add_message(
                    connection=connection,
                    user_id=user_id,
                    conversation_id=conversation_id,
                    role="assistant",
                    content=text,
                    failed=True,
                )
            )
        except StorageUnavailable:
            log.warning("chat_failure_not_stored conversation=%d", conversation_id)


def capped(text: str, limit: int) -> str:
    """The reply cut to CHAT_REPLY_MAX_CHARS, saying so, like a user's message is capped: a model
    that rambles (or is made to) cannot fill the history, the page and the next turn's context."""
    if len(text) <= limit:
        return text
    return text[: limit - len(CUT_MARK)].rstrip() + CUT_MARK


def _ms(started: float) -> float:
    return (time.perf_counter() - started) * 1000


def _log_turn(
    conversation_id: int, started: float, outcome: str, *, tools: int = 0, detail: str = ""
) -> None:
    suffix = f" detail={detail!r}" if detail else ""
    log.info(
        "chat_turn conversation=%d outcome=%s tool_calls=%d duration_ms=%.1f%s",
        conversation_id,
        outcome,
        tools,
        _ms(started),
        suffix,
    )
