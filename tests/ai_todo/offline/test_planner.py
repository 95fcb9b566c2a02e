"""Planning tool calls step by step: look up tasks named in words, act, then answer; never ask for a
call twice."""

from ai_todo.offline.intent_types import AddTasks, CompleteTasks, DeleteTasks, ListTasks, UpdateTask
from ai_todo.offline.matching import TaskView
from ai_todo.offline.planner import (
    LOOKUP_CALL_ID,
    AlreadyDone,
    Ambiguous,
    Answer,
    Call,
    CallTools,
    NoMatch,
    NothingToDo,
    Outcome,
    UnknownId,
    next_step,
)
from ai_todo.offline.references import Group, TaskRef

TOOLS = {"add_task", "list_tasks", "complete_task", "delete_task", "update_task"}
LISTING = [
    {"id": 4, "title": "Team meeting", "completed": False},
    {"id": 5, "title": "Buy milk", "completed": True},
    {"id": 6, "title": "Buy bread", "completed": False},
]


def looked_up(listing: list[dict] = LISTING) -> dict[str, Outcome]:
    return {LOOKUP_CALL_ID: Outcome(ok=True, value=listing)}


def test_tasks_named_in_words_are_looked_up_first() -> None:
    step = next_step([DeleteTasks(TaskRef(words="meeting"))], {}, tools=TOOLS)

    assert step == CallTools([Call(LOOKUP_CALL_ID, "list_tasks", {"status": "all"})])


def test_after_the_lookup_the_matching_task_is_acted_on() -> None:
    step = next_step([DeleteTasks(TaskRef(words="meeting"))], looked_up(), tools=TOOLS)

    assert step == CallTools([Call("call_0_0", "delete_task", {"task_id": 4})])


def test_once_every_call_has_its_result_the_step_is_the_answer() -> None:
    outcomes = {**looked_up(), "call_0_0": Outcome(ok=True, value={"task_id": 4, "title": "Team meeting"})}

    step = next_step([DeleteTasks(TaskRef(words="meeting"))], outcomes, tools=TOOLS)

    assert isinstance(step, Answer)
    assert step.plans[0].calls == [Call("call_0_0", "delete_task", {"task_id": 4})]


def test_calls_already_made_are_not_asked_for_again() -> None:
    intents = [AddTasks(("A", "B")), ListTasks("all")]
    outcomes = {"call_0_0": Outcome(ok=True, value={"task_id": 1, "title": "A"})}

    step = next_step(intents, outcomes, tools=TOOLS)

    assert step == CallTools(
        [Call("call_0_1", "add_task", {"title": "B"}), Call("call_1", "list_tasks", {"status": "all"})]
    )


def test_requests_with_ids_need_no_lookup() -> None:
    step = next_step([CompleteTasks(TaskRef(ids=(7, 8)))], {}, tools=TOOLS)

    assert step == CallTools(
        [Call("call_0_0", "complete_task", {"task_id": 7}), Call("call_0_1", "complete_task", {"task_id": 8})]
    )


def test_completing_by_name_prefers_a_pending_match() -> None:
    step = next_step([CompleteTasks(TaskRef(words="buy"))], looked_up(), tools=TOOLS)

    assert step == CallTools([Call("call_0_0", "complete_task", {"task_id": 6})])


def test_completing_a_task_already_done_says_so_without_a_call() -> None:
    step = next_step([CompleteTasks(TaskRef(words="milk"))], looked_up(), tools=TOOLS)

    assert isinstance(step, Answer)
    assert step.plans[0].notes == [AlreadyDone(TaskView(5, "Buy milk", completed=True))]


def test_an_ambiguous_name_becomes_a_question() -> None:
    step = next_step([DeleteTasks(TaskRef(words="buy"))], looked_up(), tools=TOOLS)

    assert isinstance(step, Answer)
    assert isinstance(step.plans[0].notes[0], Ambiguous)
    assert [task.id for task in step.plans[0].notes[0].matches] == [5, 6]


def test_a_name_matching_nothing_is_noted() -> None:
    step = next_step([UpdateTask(TaskRef(words="dentist"), title="x")], looked_up(), tools=TOOLS)

    assert isinstance(step, Answer)
    assert isinstance(step.plans[0].notes[0], NoMatch)


def test_group_requests_act_on_every_task_of_the_group() -> None:
    complete_all = next_step([CompleteTasks(Group.ALL)], looked_up(), tools=TOOLS)
    delete_done = next_step([DeleteTasks(Group.COMPLETED)], looked_up(), tools=TOOLS)

    assert [call.arguments["task_id"] for call in complete_all.calls] == [4, 6]  # type: ignore[union-attr]
    assert [call.arguments["task_id"] for call in delete_done.calls] == [5]  # type: ignore[union-attr]


def test_an_empty_group_is_noted() -> None:
    step = next_step([DeleteTasks(Group.COMPLETED)], looked_up(LISTING[:1]), tools=TOOLS)

    assert isinstance(step, Answer)
    assert step.plans[0].notes == [NothingToDo("delete_completed")]


def test_ids_no_task_can_have_are_answered_without_a_call() -> None:
    step = next_step([DeleteTasks(TaskRef(ids=(0, 2**40)))], {}, tools=TOOLS)

    assert isinstance(step, Answer)
    assert step.plans[0].notes == [UnknownId(0), UnknownId(2**40)]


def test_a_failed_lookup_ends_the_turn() -> None:
    failure = Outcome(ok=False, value="the task storage is unavailable right now")

    step = next_step([DeleteTasks(TaskRef(words="x"))], {LOOKUP_CALL_ID: failure}, tools=TOOLS)

    assert step == Answer(plans=[], outcomes={LOOKUP_CALL_ID: failure}, lookup_failure=failure)


def test_a_missing_tool_is_reported_instead_of_called() -> None:
    step = next_step([AddTasks(("A",))], {}, tools=TOOLS - {"add_task"})

    assert isinstance(step, Answer)
    assert step.missing_tool == "add_task"
