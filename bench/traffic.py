"""What the benchmarks send: conversations of a person managing a short todo list, and a record of
how each turn went as the client saw it."""

import time
from dataclasses import dataclass, field

import httpx

from bench.services import SECRET
from todo_core.tokens import mint_token

# Each cycle adds a task, lists, completes it and deletes it: one tool call per turn, and a task
# list that stays small however long the run.
CYCLE = ("Add a task to buy milk number {n}", "What's pending?", "Mark it as done", "Delete it")
# A person sends a few dozen messages, not hundreds: after this many (whole cycles, and fewer than
# the default CHAT_RATE_LIMIT of 30 a minute) the conversation passes to a new person, so a closed
# loop measures turns, not the rate limit's 429s, while every turn still pays for the rate check.
MESSAGES_PER_PERSON = 6 * len(CYCLE)
CLIENT_TIMEOUT_SECONDS = 60


@dataclass
class Record:
    latencies: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def turns(self) -> int:
        return len(self.latencies)

    def error_summary(self) -> str:
        if not self.errors:
            return "0"
        return f"{len(self.errors)} ({', '.join(sorted(set(self.errors)))})"


class Conversation:
    """One person's conversation: the next message of the cycle, continuing where the last left off."""

    def __init__(self, client: httpx.AsyncClient, name: str) -> None:
        self.client = client
        self.name = name
        self.sent = 0
        self._new_person()

    def _new_person(self) -> None:
        self.user = f"{self.name}-{time.monotonic_ns()}"
        self.headers = {"Authorization": f"Bearer {mint_token(SECRET, self.user)}"}
        self.conversation_id: int | None = None
        self.last_reply = ""

    def next_message(self) -> str:
        message = CYCLE[self.sent % len(CYCLE)].format(n=self.sent)
        if message == "Mark it as done" and "(task" not in self.last_reply:
            return "What's pending?"  # the add before failed; "it" would mean nothing
        return message

    async def send(self, record: Record, since: float | None = None) -> None:
        """Sends the next message; its latency counts from `since` (when it was meant to be sent)
        when given, else from now."""
        if self.sent and self.sent % MESSAGES_PER_PERSON == 0:
            self._new_person()
        message = self.next_message()
        self.sent += 1
        started = time.perf_counter() if since is None else since
        try:
            response = await self.client.post(
                f"/api/{self.user}/chat",
                json={"message": message, "conversation_id": self.conversation_id},
                headers=self.headers,
            )
        except httpx.HTTPError as error:
            record.errors.append(type(error).__name__)
            return
        record.latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            record.errors.append(f"HTTP {response.status_code}")
            return
        body = response.json()
        self.conversation_id = body["conversation_id"]
        self.last_reply = body["response"]


def client(base_url: str, connections: int) -> httpx.AsyncClient:
    limits = httpx.Limits(max_connections=connections, max_keepalive_connections=connections)
    return httpx.AsyncClient(base_url=base_url, timeout=CLIENT_TIMEOUT_SECONDS, limits=limits)
