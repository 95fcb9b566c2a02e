"""The offline model's answers say what was done, and help when nothing could be."""

from ai_todo.offline.intent_types import (
    AddTasks,
    CompleteTasks,
    DeleteTasks,
    ListTasks,
    SmallTalk,
    Unclear,
    UpdateTask,
)
from ai_todo.offline.matching import TaskView
from ai_todo.offline.planner import (
    Ambiguous,
    Answer,
    Call,
    NoMatch,
    Outcome,
    RequestPlan,
)
from ai_todo.offline.references import TaskRef
from ai_todo.offline.replies import MAX_LISTED, compose


def answer(intent: object, results: list[tuple[str, dict, Outcome]], notes: list | None = None) -> str:
    calls = [Call(f"c{index}", name, arguments) for index, (name, arguments, _) in enumerate(results)]
    outcomes = {call.call_id: outcome for call, (_, _, outcome) in zip(calls, results, strict=True)}
    plan = RequestPlan(intent, calls, notes or [])  # type: ignore[arg-type]
    return compose(Answer(plans=[plan], outcomes=outcomes))


def created(task_id: int, title: str) -> Outcome:
    return Outcome(ok=True, value={"task_id": task_id, "status": "created", "title": title})


def test_one_added_task_is_confirmed_with_its_id() -> None:
    text = answer(AddTasks(("Buy milk",)), [("add_task", {"title": "Buy milk"}, created(3, "Buy milk"))])

    assert text == 'Got it! I added "Buy milk" (task 3) to your list.'


def test_several_added_tasks_are_counted_and_named() -> None:
    text = answer(
        AddTasks(("A", "B")),
        [("add_task", {"title": "A"}, created(1, "A")), ("add_task", {"title": "B"}, created(2, "B"))],
    )

    assert text == 'Got it! I added 2 tasks: "A" (task 1) and "B" (task 2) to your list.'


def test_completing_and_deleting_name_the_task() -> None:
    done = Outcome(ok=True, value={"task_id": 3, "status": "completed", "title": "Pay rent"})
    gone = Outcome(ok=True, value={"task_id": 4, "status": "deleted", "title": "Meeting"})

    assert 'marked "Pay rent" (task 3) as complete' in answer(
        CompleteTasks(TaskRef(ids=(3,))), [("complete_task", {}, done)]
    )
    assert 'deleted "Meeting" (task 4)' in answer(DeleteTasks(TaskRef(ids=(4,))), [("delete_task", {}, gone)])


def test_renaming_and_clearing_descriptions_read_differently() -> None:
    updated = Outcome(ok=True, value={"task_id": 1, "status": "updated", "title": "Call mom tonight"})

    renamed = answer(UpdateTask(TaskRef(ids=(1,)), title="Call mom tonight"), [("update_task", {}, updated)])
    cleared = answer(UpdateTask(TaskRef(ids=(1,)), description=""), [("update_task", {}, updated)])

    assert renamed == 'Updated task 1: it now reads "Call mom tonight".'
    assert cleared == 'Cleared the description of "Call mom tonight" (task 1).'


def test_not_found_points_to_the_list() -> None:
    text = answer(
        CompleteTasks(TaskRef(ids=(9,))), [("complete_task", {}, Outcome(ok=False, value="task 9 not found"))]
    )

    assert text == 'I couldn\'t find task 9. Say "show my tasks" to see your tasks and their numbers.'


def test_other_tool_errors_are_passed_on_briefly() -> None:
    text = answer(AddTasks(("x",)), [("add_task", {}, Outcome(ok=False, value="storage unavailable " * 50))])

    assert text.startswith("I couldn't do that: storage unavailable")
    assert len(text) < 250


def test_all_tasks_are_listed_with_their_state() -> None:
    listing = [{"id": 1, "title": "A", "completed": False}, {"id": 2, "title": "B", "completed": True}]

    text = answer(ListTasks("all"), [("list_tasks", {}, Outcome(ok=True, value=listing))])

    assert text == "You have 2 tasks:\n- [ ] #1 A\n- [x] #2 B"


def test_empty_lists_get_their_own_sentence() -> None:
    assert "all caught up" in answer(ListTasks("pending"), [("list_tasks", {}, Outcome(ok=True, value=[]))])
    assert "Your list is empty" in answer(ListTasks("all"), [("list_tasks", {}, Outcome(ok=True, value=[]))])


def test_long_lists_are_cut_with_a_count_of_the_rest() -> None:
    listing = [{"id": n, "title": f"T{n}", "completed": False} for n in range(1, MAX_LISTED + 8)]

    text = answer(ListTasks("pending"), [("list_tasks", {}, Outcome(ok=True, value=listing))])

    assert text.endswith("...and 7 more.")


def test_notes_explain_what_could_not_be_resolved() -> None:
    tasks = (TaskView(1, "Write report", completed=False), TaskView(2, "Send report", completed=False))

    ambiguous = answer(DeleteTasks(TaskRef(words="report")), [], [Ambiguous("report", tasks)])
    missing = answer(DeleteTasks(TaskRef(words="dentist")), [], [NoMatch("dentist", tasks)])

    assert "#1 Write report, #2 Send report" in ambiguous
    assert "Which one do you mean?" in ambiguous
    assert (
        missing
        == 'I couldn\'t find a task matching "dentist". Your tasks are: #1 Write report, #2 Send report.'
    )


def test_small_talk_and_unclear_requests_get_helpful_answers() -> None:
    assert "todo assistant" in answer(SmallTalk("greeting"), [])
    assert "Add a task to buy groceries" in answer(Unclear("unknown", "weather?"), [])
    assert "What should the task say?" in answer(Unclear("no_title"), [])
