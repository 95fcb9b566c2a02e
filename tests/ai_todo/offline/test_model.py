"""The offline model end to end: the phrase table of DESIGN.md and natural variants of it, sent
through the chat API, the Agents SDK's Runner, the MCP transport and the real mcp-server."""

from dataclasses import dataclass, field

import httpx
import pytest
from agents import Agent, RawResponsesStreamEvent, Runner
from openai.types.responses import ResponseCompletedEvent

from ai_todo.offline.model import OFFLINE_MODEL_NAME, OfflineModel
from tests.ai_todo.stack import Stack, User, add_tasks, chat, tasks_of

SEED = ("Buy groceries", "Team meeting at 3", "Pay rent")


@dataclass(frozen=True)
class Case:
    message: str  # may name seeded tasks' ids as {Buy groceries} etc.
    calls: list[tuple[str, dict[str, object]]]  # (tool, arguments), arguments may use {title} ids too
    titles_after: list[str] | None = None  # every task title afterwards, in id order
    completed_after: list[str] = field(default_factory=list)
    reply_has: str = ""


PHRASE_TABLE = {
    "add": Case(
        "Add a task to buy groceries",
        [("add_task", {"title": "Buy groceries"})],
        titles_after=[*SEED, "Buy groceries"],
        reply_has='"Buy groceries"',
    ),
    "list-all": Case(
        "Show me all my tasks", [("list_tasks", {"status": "all"})], reply_has="Team meeting at 3"
    ),
    "list-pending": Case("What's pending?", [("list_tasks", {"status": "pending"})], reply_has="pending"),
    "complete-by-id": Case(
        "Mark task {Pay rent} as complete",
        [("complete_task", {"task_id": "{Pay rent}"})],
        completed_after=["Pay rent"],
        reply_has="Pay rent",
    ),
    "delete-by-name": Case(
        "Delete the meeting task",
        [("list_tasks", {"status": "all"}), ("delete_task", {"task_id": "{Team meeting at 3}"})],
        titles_after=["Buy groceries", "Pay rent"],
        reply_has="deleted",
    ),
    "rename": Case(
        "Change task {Buy groceries} to 'Call mom tonight'",
        [("update_task", {"task_id": "{Buy groceries}", "title": "Call mom tonight"})],
        titles_after=["Call mom tonight", "Team meeting at 3", "Pay rent"],
        reply_has="Call mom tonight",
    ),
    "add-by-remembering": Case(
        "I need to remember to pay bills",
        [("add_task", {"title": "Pay bills"})],
        titles_after=[*SEED, "Pay bills"],
    ),
    "list-completed": Case("What have I completed?", [("list_tasks", {"status": "completed"})]),
}

VARIANTS = {
    "add-with-other-verb": Case(
        "please create a new todo called 'Book flights'", [("add_task", {"title": "Book flights"})]
    ),
    "add-remind-me": Case("Remind me to call the dentist!", [("add_task", {"title": "Call the dentist"})]),
    "add-several": Case(
        "Add tasks: water plants, walk the dog and fix the bike",
        [
            ("add_task", {"title": "Water plants"}),
            ("add_task", {"title": "Walk the dog"}),
            ("add_task", {"title": "Fix the bike"}),
        ],
        reply_has="3 tasks",
    ),
    "add-with-description": Case(
        "Add a task to buy milk with description: two litres, skimmed",
        [("add_task", {"title": "Buy milk", "description": "two litres, skimmed"})],
    ),
    "complete-hash-number": Case(
        "task #{Pay rent} is done",
        [("complete_task", {"task_id": "{Pay rent}"})],
        completed_after=["Pay rent"],
    ),
    "complete-by-name": Case(
        "Mark the groceries one as done",
        [("list_tasks", {"status": "all"}), ("complete_task", {"task_id": "{Buy groceries}"})],
        completed_after=["Buy groceries"],
    ),
    "complete-several": Case(
        "complete tasks {Buy groceries} and {Pay rent}",
        [("complete_task", {"task_id": "{Buy groceries}"}), ("complete_task", {"task_id": "{Pay rent}"})],
        completed_after=["Buy groceries", "Pay rent"],
        reply_has="2 tasks",
    ),
    "delete-with-other-verb": Case(
        "get rid of the rent task",
        [("list_tasks", {"status": "all"}), ("delete_task", {"task_id": "{Pay rent}"})],
        titles_after=["Buy groceries", "Team meeting at 3"],
    ),
    "rename-by-name": Case(
        "rename the groceries task to buy fruit",
        [
            ("list_tasks", {"status": "all"}),
            ("update_task", {"task_id": "{Buy groceries}", "title": "Buy fruit"}),
        ],
    ),
    "pending-other-words": Case("what do I still have to do?", [("list_tasks", {"status": "pending"})]),
    "two-requests": Case(
        "Mark task {Pay rent} as complete and show me my tasks",
        [("complete_task", {"task_id": "{Pay rent}"}), ("list_tasks", {"status": "all"})],
        completed_after=["Pay rent"],
        reply_has="- [x]",
    ),
}


def _fill(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    return value


async def _run(client: httpx.AsyncClient, stack: Stack, user: User, case: Case) -> dict:
    ids = await add_tasks(stack, user, *SEED)
    message = case.message
    for title, task_id in ids.items():
        message = message.replace("{" + title + "}", str(task_id))
    response = await chat(client, user, message)
    assert response.status_code == 200, response.text
    body = response.json()
    expected = [(name, {k: _fill(v, ids) for k, v in args.items()}) for name, args in case.calls]
    assert [(call["name"], call["arguments"]) for call in body["tool_calls"]] == expected
    tasks = await tasks_of(stack, user)
    if case.titles_after is not None:
        assert [task["title"] for task in tasks] == case.titles_after
    assert sorted(task["title"] for task in tasks if task["completed"]) == sorted(case.completed_after)
    assert case.reply_has in body["response"]
    return body


@pytest.mark.parametrize("case", PHRASE_TABLE.values(), ids=PHRASE_TABLE.keys())
async def test_phrase_table(client: httpx.AsyncClient, stack: Stack, user: User, case: Case) -> None:
    await _run(client, stack, user, case)


@pytest.mark.parametrize("case", VARIANTS.values(), ids=VARIANTS.keys())
async def test_natural_variants(client: httpx.AsyncClient, stack: Stack, user: User, case: Case) -> None:
    await _run(client, stack, user, case)


async def test_unknown_task_number_gets_a_helpful_answer(client: httpx.AsyncClient, user: User) -> None:
    body = (await chat(client, user, "Mark task 987654 as complete")).json()

    assert body["tool_calls"][0]["result"] == {"error": "task 987654 not found"}
    assert "couldn't find task 987654" in body["response"]
    assert "show my tasks" in body["response"]


async def test_name_matching_nothing_lists_what_there_is(
    client: httpx.AsyncClient, stack: Stack, user: User
) -> None:
    await add_tasks(stack, user, "Buy groceries")

    body = (await chat(client, user, "Delete the dentist task")).json()

    assert [call["name"] for call in body["tool_calls"]] == ["list_tasks"]
    assert 'couldn\'t find a task matching "dentist"' in body["response"]
    assert "Buy groceries" in body["response"]


async def test_ambiguous_name_asks_which_task(client: httpx.AsyncClient, stack: Stack, user: User) -> None:
    ids = await add_tasks(stack, user, "Write report", "Send report")

    body = (await chat(client, user, "delete the report task")).json()

    assert [call["name"] for call in body["tool_calls"]] == ["list_tasks"]
    assert "Which one do you mean?" in body["response"]
    assert f"#{ids['Write report']}" in body["response"]
    assert len(await tasks_of(stack, user)) == 2


async def test_unclear_request_is_answered_without_touching_tasks(
    client: httpx.AsyncClient, user: User
) -> None:
    body = (await chat(client, user, "what's the weather like in Lisbon?")).json()

    assert body["tool_calls"] == []
    assert "Add a task to buy groceries" in body["response"]


async def test_streamed_run_gives_the_same_answer_under_the_one_offline_name() -> None:
    agent = Agent(name="todo", instructions="", model=OfflineModel())

    streamed = Runner.run_streamed(agent, "hello")
    responses = [
        event.data.response
        async for event in streamed.stream_events()
        if isinstance(event, RawResponsesStreamEvent) and isinstance(event.data, ResponseCompletedEvent)
    ]
    plain = await Runner.run(agent, "hello")

    assert streamed.final_output == plain.final_output
    assert [response.model for response in responses] == [OFFLINE_MODEL_NAME]
    assert "todo assistant" in plain.final_output
