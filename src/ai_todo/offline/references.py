"""What a user means by "task 3", "#3 and #5", "the milk one", "'Buy milk'" or "it"."""

import re
from dataclasses import dataclass
from enum import Enum

from ai_todo.offline.text import FILLER_WORDS, unquote, words

MAX_IDS = 20


class Group(Enum):
    """References to a whole group of tasks rather than to named ones."""

    ALL = "all"
    COMPLETED = "completed"


@dataclass(frozen=True)
class TaskRef:
    ids: tuple[int, ...] = ()
    words: str | None = None  # a name to look up among the tasks
    exact: bool = False  # the name was quoted: prefer a task with exactly this title


@dataclass(frozen=True)
class UnclearRef:
    """The words point at a task, but not at one this model can tell."""

    text: str


Reference = TaskRef | Group | UnclearRef

_PREVIOUS = re.compile(
    r"(?:it|that|this|that one|this one|that task|this task|the task|the last one|the last task|"
    r"the one i just added|the one you just added|the same one|same one)"
)
_ALL = re.compile(
    r"(?:all|everything|every task|every single task|them all|all of them|all of it|"
    r"all (?:of )?(?:my |the )?(?:tasks|todos|to-dos|items))"
)
_COMPLETED = re.compile(
    r"(?:all\s+)?(?:(?:of\s+)?(?:my|the)\s+)?(?:completed|done|finished|checked off|checked)"
    r"(?:\s+(?:tasks|todos|to-dos|items|ones))?"
)
_IDS = re.compile(
    r"(?:(?:the|my)\s+)?(?:(?:tasks?|todos?|items?|ids?)\s*)?#?\s*\d+"
    r"(?:\s*(?:,|and|&|\+|,\s*and)\s*(?:(?:tasks?|todos?)\s*)?#?\s*\d+)*(?:\s+(?:tasks?|ones?))?"
)
_NUMBER_WORDS = re.compile(r"\b(?:number|num|no\.?)\s*(?=#?\d)")
_LEADING_FILLER = re.compile(r"^(?:the|my|a|an|that|this|our)\s+", re.IGNORECASE)
_NAMING = re.compile(
    r"^(?:(?:task|todo|to-do|item|reminder|one|entry)s?\s+)?"
    r"(?:called|named|titled|about|for|to|that says|saying|with|regarding|re)\s+",
    re.IGNORECASE,
)
_TRAILING_NOUN = re.compile(r"\s+(?:task|todo|to-do|item|reminder|one|entry|thing)s?$", re.IGNORECASE)


def parse_reference(text: str, *, last_task_id: int | None) -> Reference:
    inner, quoted = unquote(text.strip(" .!?,:;"))
    if quoted:
        return TaskRef(words=inner, exact=True)
    lowered = _NUMBER_WORDS.sub("", inner.lower())
    if _PREVIOUS.fullmatch(lowered):
        return TaskRef(ids=(last_task_id,)) if last_task_id is not None else UnclearRef(inner)
    group = (
        Group.ALL if _ALL.fullmatch(lowered) else Group.COMPLETED if _COMPLETED.fullmatch(lowered) else None
    )
    if group is not None:
        return group
    if _IDS.fullmatch(lowered):
        ids = tuple(dict.fromkeys(int(number) for number in re.findall(r"\d+", lowered)))
        return TaskRef(ids=ids) if len(ids) <= MAX_IDS else UnclearRef(inner)
    name = _name_in(inner)
    if not any(word not in FILLER_WORDS for word in words(name)):
        return UnclearRef(inner)
    return TaskRef(words=name)


def _name_in(text: str) -> str:
    """ "the milk one" -> "milk", "the task called Call mom" -> "Call mom"."""
    name = text
    for _ in range(2):  # "the task about the meeting": article, naming phrase, article again
        name = _NAMING.sub("", _LEADING_FILLER.sub("", name))
    name, _ = unquote(_TRAILING_NOUN.sub("", name))
    return name.strip(" .!?,:;'\"")
