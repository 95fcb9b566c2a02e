"""Finding the task a user names in words ("the meeting task", "milk") among their tasks."""

from dataclasses import dataclass
from typing import Any

from ai_todo.offline.text import FILLER_WORDS, stem, words


@dataclass(frozen=True)
class TaskView:
    id: int
    title: str
    completed: bool


def task_views(listing: Any) -> list[TaskView]:
    """The tasks of a list_tasks result; anything malformed in it is skipped."""
    if not isinstance(listing, list):
        return []
    return [
        TaskView(id=item["id"], title=item["title"], completed=bool(item.get("completed")))
        for item in listing
        if isinstance(item, dict) and isinstance(item.get("id"), int) and isinstance(item.get("title"), str)
    ]


def find_matches(name: str, tasks: list[TaskView]) -> list[TaskView]:
    """The tasks that best fit `name`: an exact title beats everything, then tasks whose title holds
    every meaningful word of the name, then (failing those) tasks holding most of them."""
    wanted = name.strip().lower()
    exact = [task for task in tasks if task.title.strip().lower() == wanted]
    if exact:
        return exact
    keywords = {stem(word) for word in words(name) if word not in FILLER_WORDS}
    if not keywords:
        return []
    scored = [(_score(keywords, task.title), task) for task in tasks]
    best = max((score for score, _ in scored), default=0.0)
    if best < 0.5:
        return []
    return [task for score, task in scored if score == best]


def _score(keywords: set[str], title: str) -> float:
    title_stems = {stem(word) for word in words(title)}
    found = sum(1 for keyword in keywords if any(_same_word(keyword, candidate) for candidate in title_stems))
    return found / len(keywords)


def _same_word(keyword: str, candidate: str) -> bool:
    if keyword == candidate:
        return True
    # "groc" finds "groceries", "meet" finds "meeting"; too short a stem would match everything.
    return len(keyword) >= 4 and candidate.startswith(keyword)
