"""The offline model reads whatever a user types: any text up to the message limit must give a plan
and a reply, never an exception. One message of nested wishes ("i need i need ... milk") once
recursed a thousand frames deep and answered 500."""

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ai_todo.offline.intent_types import Intent
from ai_todo.offline.intents import MAX_REQUESTS, parse_message
from ai_todo.offline.planner import Answer, CallTools, Outcome, next_step
from ai_todo.offline.replies import compose
from todo_core.models import MESSAGE_MAX

TOOLS = {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
# The words the parser keys on, so generated text reaches its deep paths and not only "unknown".
FRAGMENTS = [
    "i need ",
    "i want to ",
    "to ",
    "remember ",
    "add ",
    "a task ",
    "tasks ",
    "and ",
    "then ",
    "also ",
    ", ",
    "; ",
    "\n",
    "- ",
    "1. ",
    "show ",
    "my ",
    "list ",
    "what's ",
    "pending",
    "completed ",
    "done ",
    "mark ",
    "task ",
    "3 ",
    "#7 ",
    "as ",
    "complete ",
    "delete ",
    "remove ",
    "the ",
    "meeting ",
    "all ",
    "change ",
    "rename ",
    "into ",
    "description ",
    "of ",
    "with notes: ",
    "'",
    '"',
    "please ",
    "thanks ",
    "it ",
    "that one ",
    "finish ",
    "is done",
    "called ",
    "milk ",
    "\u00a0",
    "   ",
    ". ",
    "? ",
    "!",
]
keyword_text = st.lists(st.sampled_from(FRAGMENTS), max_size=400).map(
    lambda parts: "".join(parts)[:MESSAGE_MAX]
)
repeated_text = st.tuples(st.sampled_from(FRAGMENTS), st.integers(1, MESSAGE_MAX)).map(
    lambda pair: (pair[0] * pair[1])[:MESSAGE_MAX]
)
any_text = st.text(max_size=MESSAGE_MAX)
messages = st.one_of(any_text, keyword_text, repeated_text)
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def reply_to(intents: list[Intent], tasks: list[dict[str, Any]]) -> str:
    """The whole offline turn on a list of tasks: every tool call succeeds with a plausible result."""
    outcomes: dict[str, Outcome] = {}
    for _ in range(5):
        step = next_step(intents, outcomes, tools=TOOLS)
        if isinstance(step, Answer):
            return compose(step)
        assert isinstance(step, CallTools)
        for call in step.calls:
            value: Any = tasks if call.name == "list_tasks" else {"task_id": 1, "title": "Milk"}
            outcomes[call.call_id] = Outcome(ok=True, value=value)
    raise AssertionError("the plan never settled into an answer")


@FUZZ
@given(message=messages, last_task_id=st.one_of(st.none(), st.integers(1, 2**31 - 1)))
def test_any_message_parses_into_a_bounded_list_of_requests(message: str, last_task_id: int | None) -> None:
    intents = parse_message(message, last_task_id=last_task_id)

    assert 1 <= len(intents) <= MAX_REQUESTS


@FUZZ
@given(message=messages)
def test_any_message_gets_a_reply(message: str) -> None:
    tasks = [
        {"id": 1, "title": "Milk", "completed": False},
        {"id": 3, "title": "Team meeting", "completed": True},
    ]

    reply = reply_to(parse_message(message), tasks)

    assert reply.strip()


def test_the_message_that_crashed_it_becomes_a_helpful_answer() -> None:
    message = ("i need " * 570)[:3990] + "milk"

    reply = reply_to(parse_message(message), [])

    assert "too long" in reply
