"""What the database holds after a fault, read straight from its tables, and compared with what the
clients were told.

The promises checked (DESIGN.md, "kill any pod at any time and nothing is lost"):
- nothing acknowledged is lost: a turn answered 200 has its user message and exactly the reply the
  client got, in the conversation it was told, and every task its answer reported as created;
- no turn is half-written: a user message without its reply belongs to a request whose client saw
  the failure (an error status or a broken connection); a reply never stands without its question;
- nothing is done twice: a task is created at most once for each message that asked for it."""

from collections import Counter, defaultdict
from dataclasses import dataclass

import psycopg

from tests.ai_todo.stack import User
from tests.system.traffic import Exchange


@dataclass(frozen=True)
class StoredMessage:
    id: int
    conversation_id: int
    role: str
    content: str


def _connect(database_url: str) -> psycopg.Connection:
    return psycopg.connect(database_url.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=5)


def stored_conversations(database_url: str, users: list[User]) -> dict[int, list[StoredMessage]]:
    """Every conversation of these users, each with its messages in the order the API lists them."""
    with _connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, conversation_id, role, content FROM message WHERE user_id = ANY(%s) ORDER BY id",
            ([user.id for user in users],),
        ).fetchall()
    conversations: dict[int, list[StoredMessage]] = defaultdict(list)
    for row in rows:
        conversations[row[1]].append(StoredMessage(*row))
    return dict(conversations)


def stored_task_titles(database_url: str, users: list[User]) -> dict[int, str]:
    with _connect(database_url) as connection:
        rows = connection.execute(
            "SELECT id, title FROM task WHERE user_id = ANY(%s)", ([user.id for user in users],)
        ).fetchall()
    return dict(rows)


def assert_nothing_acknowledged_lost(
    conversations: dict[int, list[StoredMessage]], exchanges: list[Exchange]
) -> None:
    """Also for conversations with several writers: the reply may come after other messages."""
    questions = Counter(
        m.content for messages in conversations.values() for m in messages if m.role == "user"
    )
    assert not [text for text, count in questions.items() if count > 1], "a user message was stored twice"
    located = {
        message.content: (messages, position)
        for messages in conversations.values()
        for position, message in enumerate(messages)
        if message.role == "user"
    }
    for exchange in exchanges:
        if not exchange.acknowledged:
            continue
        assert exchange.message in located, f"acknowledged message lost: {exchange.message!r}"
        messages, position = located[exchange.message]
        assert messages[position].conversation_id == exchange.conversation_id, exchange.message
        later_replies = [m.content for m in messages[position + 1 :] if m.role == "assistant"]
        assert exchange.body["response"] in later_replies, f"acknowledged reply lost: {exchange.message!r}"


def assert_no_half_written_turn(
    conversations: dict[int, list[StoredMessage]], exchanges: list[Exchange]
) -> None:
    """For conversations with one writer at a time: each user message is followed by its reply,
    unless its request visibly failed; every reply follows a user message."""
    sent = {exchange.message: exchange for exchange in exchanges}
    for conversation_id, messages in conversations.items():
        for position, message in enumerate(messages):
            if message.role == "assistant":
                question = messages[position - 1] if position else None
                assert question is not None, f"conversation {conversation_id} starts with a reply"
                assert question.role == "user", (
                    f"conversation {conversation_id}: reply {message.id} answers no question"
                )
                continue
            replied = position + 1 < len(messages) and messages[position + 1].role == "assistant"
            assert replied or not sent[message.content].acknowledged, (
                f"conversation {conversation_id}: {message.content!r} lacks its reply, yet its client "
                "was told the turn succeeded"
            )


def assert_tasks_created_once_and_kept(task_titles: dict[int, str], exchanges: list[Exchange]) -> None:
    for exchange in exchanges:
        for task_id, title in exchange.created_tasks():
            assert task_titles.get(task_id) == title, f"acknowledged task {task_id} {title!r} lost"
    duplicated = [title for title, count in Counter(task_titles.values()).items() if count > 1]
    assert not duplicated, f"tasks created twice: {duplicated}"


def assert_turns_intact(database_url: str, users: list[User], exchanges: list[Exchange]) -> None:
    conversations = stored_conversations(database_url, users)
    assert_nothing_acknowledged_lost(conversations, exchanges)
    assert_no_half_written_turn(conversations, exchanges)
    assert_tasks_created_once_and_kept(stored_task_titles(database_url, users), exchanges)
