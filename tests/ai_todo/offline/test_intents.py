"""Reading requests from messages: the phrase table, its variants, several requests in one message,
and what is not a request."""

import pytest

from ai_todo.offline.intent_types import (
    MAX_TITLES,
    AddTasks,
    CompleteTasks,
    DeleteTasks,
    ListTasks,
    SmallTalk,
    Unclear,
    UpdateTask,
)
from ai_todo.offline.intents import parse_message
from ai_todo.offline.references import Group, TaskRef
from todo_core.models import MESSAGE_MAX, TITLE_MAX

CASES = {
    # DESIGN.md's phrase table
    "Add a task to buy groceries": AddTasks(("Buy groceries",)),
    "Show me all my tasks": ListTasks("all"),
    "What's pending?": ListTasks("pending"),
    "Mark task 3 as complete": CompleteTasks(TaskRef(ids=(3,))),
    "Delete the meeting task": DeleteTasks(TaskRef(words="meeting")),
    "Change task 1 to 'Call mom tonight'": UpdateTask(TaskRef(ids=(1,)), title="Call mom tonight"),
    "I need to remember to pay bills": AddTasks(("Pay bills",)),
    "What have I completed?": ListTasks("completed"),
    # adding, said otherwise
    "add buy milk": AddTasks(("Buy milk",)),
    "Please create a new task called \u201cReview Q3 notes\u201d": AddTasks(("Review Q3 notes",)),
    "Remind me to call the dentist tomorrow, please!": AddTasks(("Call the dentist tomorrow",)),
    "don't let me forget to water the plants": AddTasks(("Water the plants",)),
    "put oat milk on my shopping list": AddTasks(("Oat milk",)),
    "todo: renew passport": AddTasks(("Renew passport",)),
    "I have to call mom": AddTasks(("Call mom",)),
    "I need to finish the report": AddTasks(("Finish the report",)),
    "Add a task to buy milk with description: two litres": AddTasks(("Buy milk",), description="two litres"),
    # several tasks in one message, where that is what was meant
    "Add tasks: buy milk, call mom and pay bills": AddTasks(("Buy milk", "Call mom", "Pay bills")),
    'Add "Buy milk" and "Call mom"': AddTasks(("Buy milk", "Call mom")),
    "add buy milk; call mom": AddTasks(("Buy milk", "Call mom")),
    "Add these tasks:\n- milk\n- eggs\n* bread": AddTasks(("Milk", "Eggs", "Bread")),
    # ...and one task where the commas belong to the title
    "Add a task to buy milk, eggs and bread": AddTasks(("Buy milk, eggs and bread",)),
    "Add a task to buy bread and show it to mom": AddTasks(("Buy bread and show it to mom",)),
    # listing
    "can you list everything?": ListTasks("all"),
    "my tasks": ListTasks("all"),
    "show my todo list": ListTasks("all"),
    "what do I still have to do": ListTasks("pending"),
    "what's left?": ListTasks("pending"),
    "which tasks are not done yet": ListTasks("pending"),
    "show finished tasks": ListTasks("completed"),
    # completing
    "mark task #4 done": CompleteTasks(TaskRef(ids=(4,))),
    "complete tasks 3 and 5": CompleteTasks(TaskRef(ids=(3, 5))),
    "task number 7 is finished": CompleteTasks(TaskRef(ids=(7,))),
    "Mark the milk one as done": CompleteTasks(TaskRef(words="milk")),
    "cross milk off my list": CompleteTasks(TaskRef(words="milk")),
    "I'm done with task 7": CompleteTasks(TaskRef(ids=(7,))),
    "I finished the report": CompleteTasks(TaskRef(words="report")),
    "change task 2 to done": CompleteTasks(TaskRef(ids=(2,))),
    "mark everything as done": CompleteTasks(Group.ALL),
    # deleting
    "remove 'Buy milk' from my list": DeleteTasks(TaskRef(words="Buy milk", exact=True)),
    "get rid of task 2 and task 4": DeleteTasks(TaskRef(ids=(2, 4))),
    "clear completed tasks": DeleteTasks(Group.COMPLETED),
    "I want to delete task 3": DeleteTasks(TaskRef(ids=(3,))),
    # updating
    "rename the milk task to buy oat milk": UpdateTask(TaskRef(words="milk"), title="Buy oat milk"),
    "add a note to task 3: bring the receipts": UpdateTask(
        TaskRef(ids=(3,)), description="bring the receipts"
    ),
    "clear the description of task 3": UpdateTask(TaskRef(ids=(3,)), description=""),
    # not requests about tasks
    "hi": SmallTalk("greeting"),
    "what can you do?": SmallTalk("help"),
    "thanks!": SmallTalk("thanks"),
}


@pytest.mark.parametrize(("message", "expected"), CASES.items(), ids=list(CASES))
def test_message_is_read_as(message: str, expected: object) -> None:
    assert parse_message(message) == [expected]


def test_several_requests_in_one_message_keep_their_order() -> None:
    assert parse_message("Add milk and then show my tasks. Also delete task 4") == [
        AddTasks(("Milk",)),
        ListTasks("all"),
        DeleteTasks(TaskRef(ids=(4,))),
    ]


def test_thanks_beside_a_request_is_dropped() -> None:
    assert parse_message("thanks! now add a task to feed the cat") == [AddTasks(("Feed the cat",))]


def test_it_means_the_task_of_the_previous_reply() -> None:
    assert parse_message("delete it", last_task_id=12) == [DeleteTasks(TaskRef(ids=(12,)))]


def test_it_without_a_previous_task_asks_which_one() -> None:
    assert parse_message("mark it as done") == [Unclear("which_task", "it")]


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("Add a task", "no_title"),
        (f"add {'x' * (TITLE_MAX + 1)}", "title_too_long"),
        ("add tasks: " + ", ".join(f"t{n}" for n in range(MAX_TITLES + 1)), "too_many"),
        ("delete all my tasks", "delete_all"),
        ("rename tasks 1 and 2 to x", "one_at_a_time"),
        ("what is the weather", "unknown"),
        ("make dinner reservations", "unknown"),
    ],
)
def test_unclear_requests_say_why(message: str, reason: str) -> None:
    [intent] = parse_message(message)

    assert isinstance(intent, Unclear)
    assert intent.reason == reason


@pytest.mark.parametrize(
    "message",
    [
        "mark " * (MESSAGE_MAX // 5),
        "a" * MESSAGE_MAX,
        "change " + "to " * 1300,
        "add tasks: " + "and " * 990,
        "'" * MESSAGE_MAX,
    ],
    ids=["repeated-verb", "one-long-word", "repeated-to", "repeated-and", "quotes"],
)
def test_hostile_long_messages_are_read_without_blowing_up(message: str) -> None:
    intents = parse_message(message)

    assert 1 <= len(intents) <= 10
    assert all(not isinstance(intent, AddTasks) or len(intent.titles) <= MAX_TITLES for intent in intents)
