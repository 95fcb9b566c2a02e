"""Two ai-todo processes serving the same conversation at the same time, as two replicas behind one
Service do when a user has the chat open in two tabs.

The order of a conversation is the order its messages are listed in. It is consistent when:
- both processes list the same messages in the same order (no process has a view of its own);
- every turn answered 200 has its message and its reply stored once, the reply after the message;
- each sender's messages stand in the order it sent them;
- it agrees with real time: a turn answered before another was sent comes, message and reply,
  before that other turn's message."""

import asyncio
from collections import defaultdict

import httpx

from tests.ai_todo.stack import User, new_user
from tests.support.processes import ServiceProcess, running_service
from tests.system.services import ai_todo_env, mcp_server_env
from tests.system.stored import StoredMessage, assert_nothing_acknowledged_lost, stored_conversations
from tests.system.traffic import Exchange, converse, send_turn

SENDERS_PER_PROCESS = 2
TURNS_PER_SENDER = 12


async def _listed(service: ServiceProcess, user: User, conversation_id: int) -> list[tuple[str, str]]:
    async with httpx.AsyncClient(base_url=service.base_url, timeout=10) as client:
        response = await client.get(
            f"/api/{user.id}/conversations/{conversation_id}/messages",
            params={"limit": 500},
            headers=user.headers,
        )
    response.raise_for_status()
    return [(message["role"], message["content"]) for message in response.json()]


async def test_two_processes_keep_one_conversation_in_a_consistent_order(postgres_url: str) -> None:
    user = new_user("two-replicas")
    exchanges: list[Exchange] = []
    # One user sending 50 messages in seconds is a load, not a person: the rate limit is tested apart
    # (tests/security/test_limits.py), and here it would turn the race into 429s.
    unlimited = {"CHAT_RATE_LIMIT": "0"}
    with (
        running_service("mcp_server", mcp_server_env(postgres_url)) as mcp,
        running_service("ai_todo", ai_todo_env(postgres_url, mcp.base_url, **unlimited)) as first,
        running_service("ai_todo", ai_todo_env(postgres_url, mcp.base_url, **unlimited)) as second,
    ):
        # one turn through each process first, so both have loaded their assistant when the race starts
        async with httpx.AsyncClient(base_url=first.base_url) as client:
            opened = await send_turn(client, user, "Add a task to open the conversation", None)
        async with httpx.AsyncClient(base_url=second.base_url) as client:
            joined = await send_turn(client, user, "Add a task to join it", opened.conversation_id)
        exchanges += [opened, joined]
        senders = [
            converse(
                service.base_url,
                user,
                label=f"{name}{n}",
                stop=asyncio.Event(),
                exchanges=exchanges,
                conversation_id=opened.conversation_id,
                turns=TURNS_PER_SENDER,
            )
            for name, service in (("a", first), ("b", second))
            for n in range(SENDERS_PER_PROCESS)
        ]
        await asyncio.gather(*senders)
        through_first = await _listed(first, user, opened.conversation_id)
        through_second = await _listed(second, user, opened.conversation_id)
    conversations = stored_conversations(postgres_url, [user])

    assert all(exchange.acknowledged for exchange in exchanges), [e.body for e in exchanges]
    [messages] = conversations.values()
    stored = [(message.role, message.content) for message in messages]
    assert through_first == through_second == stored
    assert_nothing_acknowledged_lost(conversations, exchanges)
    assert len(messages) == 2 * len(exchanges), "one reply per message, none extra"
    _assert_each_sender_in_sending_order(messages, exchanges)
    _assert_real_time_order(messages, exchanges)


def _assert_each_sender_in_sending_order(messages: list[StoredMessage], exchanges: list[Exchange]) -> None:
    position = {message.content: index for index, message in enumerate(messages)}
    by_sender: dict[str, list[str]] = defaultdict(list)
    for exchange in sorted(exchanges, key=lambda e: e.started):
        # "Add a task to buy item a1-7": sender a1, its 8th message
        by_sender[exchange.message.rsplit("-", 1)[0]].append(exchange.message)
    for sender, sent in by_sender.items():
        assert sorted(sent, key=position.__getitem__) == sent, f"{sender!r} out of order"


def _assert_real_time_order(messages: list[StoredMessage], exchanges: list[Exchange]) -> None:
    position = {message.content: index for index, message in enumerate(messages)}
    for earlier in exchanges:
        for later in exchanges:
            if earlier.finished < later.started:
                assert position[earlier.message] < position[later.message]
                assert position[earlier.body["response"]] < position[later.message], (
                    f"the reply to {earlier.message!r} was sent before {later.message!r} yet stored after it"
                )
