"""Deciding the offline model's next step from the user's requests and the tool results so far.

The model is stateless: each time the agent loop asks it, it replans from scratch. Requests that
name tasks in words first need the task list (`list_tasks`, page after page while pages come back
full, at most MAX_LOOKUP_PAGES of them: the page size is the tool's default `limit`, as its schema
says); then every request becomes
its tool calls, each with a call id derived from its place in the plan, so a call that already ran
is recognised by its id and never asked for twice. When every call has its result, the answer is
the reply that reports them."""

from dataclasses import dataclass, field
from typing import Any, Literal

from ai_todo.offline.intent_types import (
    AddTasks,
    CompleteTasks,
    DeleteTasks,
    Intent,
    ListTasks,
    UpdateTask,
)
from ai_todo.offline.matching import TaskView, find_matches, task_views
from ai_todo.offline.references import Group, TaskRef
from todo_core.models import ID_MAX

LOOKUP_CALL_ID = "call_lookup"
# list_tasks returns a page (200 tasks by default); five cover a user's largest list by default and
# leave the agent loop's ten turns room to act and answer.
MAX_LOOKUP_PAGES = 5


@dataclass(frozen=True)
class Call:
    call_id: str
    name: str
    arguments: dict[str, Any]


@dataclass(frozen=True)
class Outcome:
    ok: bool
    value: Any  # the tool's result, or its error text


@dataclass(frozen=True)
class NoMatch:
    name: str
    tasks: tuple[TaskView, ...]


@dataclass(frozen=True)
class Ambiguous:
    name: str
    matches: tuple[TaskView, ...]


@dataclass(frozen=True)
class AlreadyDone:
    task: TaskView


@dataclass(frozen=True)
class NothingToDo:
    kind: Literal["complete", "delete_completed"]


@dataclass(frozen=True)
class UnknownId:
    task_id: int


Note = NoMatch | Ambiguous | AlreadyDone | NothingToDo | UnknownId


@dataclass
class RequestPlan:
    intent: Intent
    calls: list[Call] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


@dataclass(frozen=True)
class CallTools:
    calls: list[Call]


@dataclass(frozen=True)
class Answer:
    plans: list[RequestPlan]
    outcomes: dict[str, Outcome]
    lookup_failure: Outcome | None = None
    missing_tool: str | None = None


Step = CallTools | Answer


def next_step(
    intents: list[Intent], outcomes: dict[str, Outcome], *, tools: set[str], page_size: int | None = None
) -> Step:
    """`page_size`: how many tasks a list_tasks page holds; None when the tool does not page."""
    tasks: list[TaskView] = []
    if any(_needs_lookup(intent) for intent in intents):
        lookup = _lookup(outcomes, page_size)
        if isinstance(lookup, Call):
            return _checked([lookup], tools)
        if isinstance(lookup, Outcome):
            return Answer(plans=[], outcomes=outcomes, lookup_failure=lookup)
        tasks = lookup
    plans = [_plan(intent, f"call_{index}", tasks) for index, intent in enumerate(intents)]
    waiting = [call for plan in plans for call in plan.calls if call.call_id not in outcomes]
    if waiting:
        return _checked(waiting, tools)
    return Answer(plans=plans, outcomes=outcomes)


def _lookup(outcomes: dict[str, Outcome], page_size: int | None) -> list[TaskView] | Call | Outcome:
    """Every task (up to MAX_LOOKUP_PAGES pages), the next page's call, or the failed call's outcome."""
    tasks: list[TaskView] = []
    for page in range(MAX_LOOKUP_PAGES):
        call_id = LOOKUP_CALL_ID if page == 0 else f"{LOOKUP_CALL_ID}_{page}"
        outcome = outcomes.get(call_id)
        if outcome is None:
            after = {"after_id": tasks[-1].id} if tasks else {}
            return Call(call_id, "list_tasks", {"status": "all", **after})
        if not outcome.ok:
            return outcome
        listed = task_views(outcome.value)
        tasks.extend(listed)
        if page_size is None or len(listed) < page_size:
            break
    return tasks


def _checked(calls: list[Call], tools: set[str]) -> Step:
    missing = next((call.name for call in calls if call.name not in tools), None)
    if missing is not None:
        return Answer(plans=[], outcomes={}, missing_tool=missing)
    return CallTools(calls)


def _needs_lookup(intent: Intent) -> bool:
    if isinstance(intent, CompleteTasks | DeleteTasks | UpdateTask):
        target = intent.target
        return isinstance(target, Group) or target.words is not None
    return False


def _plan(intent: Intent, prefix: str, tasks: list[TaskView]) -> RequestPlan:
    plan = RequestPlan(intent)
    if isinstance(intent, AddTasks):
        for index, title in enumerate(intent.titles):
            arguments: dict[str, Any] = {"title": title}
            if intent.description:
                arguments["description"] = intent.description
            plan.calls.append(Call(f"{prefix}_{index}", "add_task", arguments))
    elif isinstance(intent, ListTasks):
        plan.calls.append(Call(prefix, "list_tasks", {"status": intent.status}))
    elif isinstance(intent, CompleteTasks):
        _plan_on_tasks(
            plan, prefix, "complete_task", _targets(plan, intent.target, tasks, prefer_pending=True)
        )
    elif isinstance(intent, DeleteTasks):
        _plan_on_tasks(
            plan, prefix, "delete_task", _targets(plan, intent.target, tasks, prefer_pending=False)
        )
    elif isinstance(intent, UpdateTask):
        targets = _targets(plan, intent.target, tasks, prefer_pending=False)
        changes = {
            key: value
            for key, value in (("title", intent.title), ("description", intent.description))
            if value is not None
        }
        _plan_on_tasks(plan, prefix, "update_task", targets, changes)
    return plan


def _plan_on_tasks(
    plan: RequestPlan, prefix: str, tool: str, task_ids: list[int], changes: dict[str, Any] | None = None
) -> None:
    for index, task_id in enumerate(task_ids):
        if not 1 <= task_id <= ID_MAX:
            plan.notes.append(UnknownId(task_id))
            continue
        plan.calls.append(Call(f"{prefix}_{index}", tool, {"task_id": task_id, **(changes or {})}))


def _targets(
    plan: RequestPlan, target: TaskRef | Group, tasks: list[TaskView], *, prefer_pending: bool
) -> list[int]:
    """The ids a request acts on; what cannot be resolved becomes a note for the reply."""
    if isinstance(target, Group):
        wanted_completed = target is Group.COMPLETED
        ids = [task.id for task in tasks if task.completed == wanted_completed]
        if not ids:
            plan.notes.append(NothingToDo("delete_completed" if wanted_completed else "complete"))
        return ids
    if target.words is None:
        return list(target.ids)
    matches = find_matches(target.words, tasks)
    if prefer_pending and any(not task.completed for task in matches):
        matches = [task for task in matches if not task.completed]
    if len(matches) == 1 and not (prefer_pending and matches[0].completed):
        return [matches[0].id]
    if not matches:
        plan.notes.append(NoMatch(target.words, tuple(tasks)))
    elif len(matches) > 1:
        plan.notes.append(Ambiguous(target.words, tuple(matches)))
    else:
        plan.notes.append(AlreadyDone(matches[0]))
    return []
