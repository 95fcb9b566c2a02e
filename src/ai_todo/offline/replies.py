"""The offline model's answers: a friendly sentence for what was done, and a helpful one for what
could not be done."""

import re
from typing import Any

from ai_todo.offline.intent_types import (
    MAX_TITLES,
    AddTasks,
    CompleteTasks,
    DeleteTasks,
    ListTasks,
    SmallTalk,
    Status,
    Unclear,
    UpdateTask,
)
from ai_todo.offline.matching import TaskView, task_views
from ai_todo.offline.planner import (
    AlreadyDone,
    Ambiguous,
    Answer,
    NoMatch,
    Note,
    NothingToDo,
    Outcome,
    RequestPlan,
)
from todo_core.models import DESCRIPTION_MAX, TITLE_MAX

MAX_LISTED = 50
EXAMPLES = (
    '"Add a task to buy groceries", "What\'s pending?", "Mark task 3 as complete", '
    '"Delete the meeting task" or "Change task 1 to \'Call mom tonight\'"'
)
HELP = f"I can add, list, complete, rename and delete your tasks. Try: {EXAMPLES}."
SEE_TASKS = 'Say "show my tasks" to see your tasks and their numbers.'
_NOT_FOUND = re.compile(r"task (\d+) not found")


def compose(answer: Answer) -> str:
    if answer.missing_tool is not None:
        return f"I can't manage your tasks right now: the {answer.missing_tool} tool is not available."
    if answer.lookup_failure is not None:
        return _tool_error(answer.lookup_failure.value)
    return "\n\n".join(part for plan in answer.plans if (part := _reply(plan, answer.outcomes)))


def _reply(plan: RequestPlan, outcomes: dict[str, Outcome]) -> str:
    intent = plan.intent
    if isinstance(intent, SmallTalk):
        return _SMALL_TALK[intent.kind]
    if isinstance(intent, Unclear):
        return _unclear(intent)
    results = [(call.arguments, outcomes[call.call_id]) for call in plan.calls]
    done = [outcome.value for _, outcome in results if outcome.ok]
    sentences: list[str] = []
    if isinstance(intent, ListTasks):
        return "\n".join(_listing(task_views(value), intent.status) for value in done) or _errors(results)
    if isinstance(intent, AddTasks) and done:
        sentences.append(f"Got it! I added {_task_list(done)} to your list.")
    elif isinstance(intent, CompleteTasks) and done:
        sentences.append(f"Nice work! I marked {_task_list(done)} as complete.")
    elif isinstance(intent, DeleteTasks) and done:
        sentences.append(f"Done. I deleted {_task_list(done)}.")
    elif isinstance(intent, UpdateTask) and done:
        sentences.append(_updated(intent, done[0]))
    sentences.extend(_note(note) for note in plan.notes)
    if errors := _errors(results):
        sentences.append(errors)
    return " ".join(sentences)


def _task_list(results: list[Any]) -> str:
    named = [f'"{result["title"]}" (task {result["task_id"]})' for result in results]
    if len(named) == 1:
        return named[0]
    return f"{len(named)} tasks: {', '.join(named[:-1])} and {named[-1]}"


def _updated(intent: UpdateTask, result: dict[str, Any]) -> str:
    task = f'"{result["title"]}" (task {result["task_id"]})'
    if intent.title is not None:
        extra = ", with a new description" if intent.description else ""
        return f'Updated task {result["task_id"]}: it now reads "{result["title"]}"{extra}.'
    if intent.description == "":
        return f"Cleared the description of {task}."
    return f"Updated the description of {task}."


def _listing(tasks: list[TaskView], status: Status) -> str:
    if not tasks:
        return {
            "all": 'Your list is empty. Try: "Add a task to buy groceries".',
            "pending": "Nothing pending: you're all caught up!",
            "completed": "You haven't completed any tasks yet.",
        }[status]
    plural = "s" if len(tasks) != 1 else ""
    header = {
        "all": f"You have {len(tasks)} task{plural}:",
        "pending": f"You have {len(tasks)} pending task{plural}:",
        "completed": f"You've completed {len(tasks)} task{plural}:",
    }[status]
    if status == "all":
        lines = [
            f"- [{'x' if task.completed else ' '}] #{task.id} {task.title}" for task in tasks[:MAX_LISTED]
        ]
    else:
        lines = [f"- #{task.id} {task.title}" for task in tasks[:MAX_LISTED]]
    if len(tasks) > MAX_LISTED:
        lines.append(f"...and {len(tasks) - MAX_LISTED} more.")
    return "\n".join([header, *lines])


def _note(note: Note) -> str:
    if isinstance(note, NoMatch):
        return f'I couldn\'t find a task matching "{note.name}". {_some_tasks(note.tasks)}'
    if isinstance(note, Ambiguous):
        options = ", ".join(f"#{task.id} {task.title}" for task in note.matches[:10])
        return (
            f'More than one task matches "{note.name}": {options}. Which one do you mean? '
            f'You can use its number, like "task {note.matches[0].id}".'
        )
    if isinstance(note, AlreadyDone):
        return f'"{note.task.title}" (task {note.task.id}) is already complete.'
    if isinstance(note, NothingToDo):
        if note.kind == "complete":
            return "You have no pending tasks to complete: you're all caught up!"
        return "You have no completed tasks to delete."
    return f"I couldn't find task {note.task_id}. {SEE_TASKS}"


def _some_tasks(tasks: tuple[TaskView, ...]) -> str:
    if not tasks:
        return "Your list is empty."
    shown = ", ".join(f"#{task.id} {task.title}" for task in tasks[:5])
    more = f" and {len(tasks) - 5} more" if len(tasks) > 5 else ""
    return f"Your tasks are: {shown}{more}."


def _errors(results: list[tuple[dict[str, Any], Outcome]]) -> str:
    # one sentence per kind of failure: 175 calls refused by the turn's cap are one sentence, not 175
    sentences = dict.fromkeys(_tool_error(outcome.value) for _, outcome in results if not outcome.ok)
    return " ".join(sentences)


def _tool_error(text: Any) -> str:
    message = str(text)
    not_found = _NOT_FOUND.search(message)
    if not_found:
        return f"I couldn't find task {not_found.group(1)}. {SEE_TASKS}"
    return f"I couldn't do that: {message[:200]}"


def _unclear(intent: Unclear) -> str:
    if intent.reason == "title_too_long" and intent.text == "description":
        return f"That description is too long: please keep it under {DESCRIPTION_MAX} characters."
    return _UNCLEAR.get(intent.reason, f"Sorry, I'm not sure what you'd like me to do. {HELP}")


_UNCLEAR = {
    "no_title": 'What should the task say? For example: "Add a task to buy groceries".',
    "title_too_long": f"That's too long for a task title: please keep it under {TITLE_MAX} characters.",
    "too_many": f"That's a lot at once! Please add up to {MAX_TITLES} tasks per message.",
    "which_task": f"Which task do you mean? Tell me its number or part of its title. {SEE_TASKS}",
    "delete_all": (
        "To keep your list safe I won't delete everything at once. You can delete tasks by number "
        '("delete task 3") or clear the finished ones ("delete completed tasks").'
    ),
    "one_at_a_time": "I can change one task at a time: which one do you mean?",
}
_SMALL_TALK = {
    "greeting": "Hi! I'm your todo assistant. Tell me what to add, or ask what's on your list.",
    "help": HELP,
    "thanks": "You're welcome! Anything else for your list?",
}
