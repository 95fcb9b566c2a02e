"""Chat traffic for fault tests: conversations sending turn after turn while a test breaks something,
with a record of every exchange as the client saw it.

Every message is unique ("Add a task to buy item 2-17"), so each stored message, and each task the
offline model creates from it, can be traced back to the request that sent it and to what that
request's client was told."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from tests.ai_todo.stack import User

# "Does not hang": every request is answered, or fails, well inside this.
CLIENT_TIMEOUT_SECONDS = 30
# A bound on any traffic loop, whatever happens to the stop signal.
MAX_TURNS_PER_CONVERSATION = 400
# After a failed turn, so a worker facing an outage retries like a person, not in a tight loop.
PAUSE_AFTER_FAILURE_SECONDS = 0.05


@dataclass
class Exchange:
    user: User
    message: str
    started: float
    finished: float = 0.0
    conversation_id: int | None = None  # the one it continued, or the one it was given
    status: int | None = None  # None: the connection failed before any answer
    body: Any = None

    @property
    def acknowledged(self) -> bool:
        return self.status == 200

    @property
    def seconds(self) -> float:
        return self.finished - self.started

    def created_tasks(self) -> list[tuple[int, str]]:
        """(task id, title) of every task this turn's answer says it created."""
        if not self.acknowledged:
            return []
        return [
            (call["result"]["task_id"], call["result"]["title"])
            for call in self.body["tool_calls"]
            if call["name"] == "add_task" and isinstance(call["result"], dict) and "task_id" in call["result"]
        ]


def item_message(label: str, number: int) -> str:
    return f"Add a task to buy item {label}-{number}"


async def send_turn(
    client: httpx.AsyncClient, user: User, message: str, conversation_id: int | None
) -> Exchange:
    exchange = Exchange(user=user, message=message, started=time.monotonic(), conversation_id=conversation_id)
    try:
        response = await client.post(
            user.chat_path,
            json={"message": message, "conversation_id": conversation_id},
            headers=user.headers,
            timeout=CLIENT_TIMEOUT_SECONDS,
        )
    except httpx.TransportError:
        exchange.finished = time.monotonic()
        return exchange
    exchange.finished = time.monotonic()
    exchange.status = response.status_code
    exchange.body = response.json()
    if exchange.acknowledged:
        exchange.conversation_id = exchange.body["conversation_id"]
    return exchange


async def converse(
    base_url: str,
    user: User,
    *,
    label: str,
    stop: asyncio.Event,
    exchanges: list[Exchange],
    conversation_id: int | None = None,
    turns: int = MAX_TURNS_PER_CONVERSATION,
) -> None:
    """Sends turns into one conversation until `stop` is set or `turns` were sent; keeps going
    through failures, as a person retrying would. A turn that fails before a conversation exists
    starts a new one."""
    async with httpx.AsyncClient(base_url=base_url) as client:
        for number in range(turns):
            if stop.is_set():
                return
            exchange = await send_turn(client, user, item_message(label, number), conversation_id)
            exchanges.append(exchange)
            conversation_id = exchange.conversation_id
            if not exchange.acknowledged:
                await asyncio.sleep(PAUSE_AFTER_FAILURE_SECONDS)


def sent_after(exchanges: list[Exchange], moment: float) -> list[Exchange]:
    """Those sent after `moment` (an exchange is recorded once it has finished)."""
    return [exchange for exchange in exchanges if exchange.started > moment]


def in_flight_at(exchanges: list[Exchange], moment: float) -> list[Exchange]:
    return [exchange for exchange in exchanges if exchange.started < moment < exchange.finished]


async def wait_for(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise TimeoutError(f"not within {seconds}s: {what}")
        await asyncio.sleep(0.02)
