"""From a chat message to what the user wants done: the phrase table of DESIGN.md and the natural
ways people say the same things.

A message may hold several requests ("Add milk and show my tasks"); it is cut before each command
verb that starts a request of its own, and a piece that turns out not to be one is glued back, so
"buy bread and show it to mom" stays one title."""

import re

from ai_todo.offline.intent_types import (
    MAX_TITLES,
    AddTasks,
    CompleteTasks,
    DeleteTasks,
    Intent,
    ListTasks,
    SmallTalk,
    Status,
    Unclear,
    UpdateTask,
)
from ai_todo.offline.references import Group, TaskRef, UnclearRef, parse_reference
from ai_todo.offline.text import QUOTED, as_title, normalize, strip_courtesy
from todo_core.models import DESCRIPTION_MAX, TITLE_MAX

MAX_REQUESTS = 10
# "I need to want to ..." deeper than this is no request a person makes.
MAX_WISHES = 4


def parse_message(message: str, *, last_task_id: int | None = None) -> list[Intent]:
    text = normalize(message)
    bulleted = _bulleted_add(text)
    if bulleted is not None:
        return [bulleted]
    intents = [_parse_request(piece, last_task_id) for piece in _split_requests(text)]
    if len(intents) > 1:
        intents = [intent for intent in intents if intent != SmallTalk("thanks")] or intents
    # text that normalizes to nothing (only spaces and separators) still deserves an answer
    return intents[:MAX_REQUESTS] or [Unclear("unknown")]


# --- splitting ----------------------------------------------------------------------------------

_COMMAND_VERB = (
    r"(?:add|create|show|list|mark|complete|finish|delete|remove|change|rename|update|edit|"
    r"what(?:'s)?|remind|cross|check|tick|clear|set)\b"
)
_SEPARATOR = re.compile(
    r"((?:[.!?]+\s+|\s*\n\s*|\s*;\s*|,?\s+and\s+then\s+|,?\s+then\s+|,?\s+and\s+also\s+|,\s*and\s+|"
    r"\s+and\s+|,\s+|\s+also\s+))(?=(?:(?:please|now|also|then|can you|could you)\s+)*" + _COMMAND_VERB + ")",
    re.IGNORECASE,
)


def _split_requests(text: str) -> list[str]:
    parts = _SEPARATOR.split(text)
    pieces, separators = parts[0::2], parts[1::2]
    merged = [pieces[0]]
    for separator, piece in zip(separators, pieces[1:], strict=True):
        if _parse_request(piece, None) == Unclear("unknown", strip_courtesy(piece)):
            merged[-1] += separator + piece
        else:
            merged.append(piece)
    return [piece for piece in merged if piece.strip()]


# --- one request ---------------------------------------------------------------------------------


def _parse_request(text: str, last_task_id: int | None) -> Intent:
    """One request. "I need to X" wraps another request X, which may be a wish again; the wishes are
    peeled in a loop, at most MAX_WISHES deep, so no message can exhaust the stack or the CPU."""
    wishes: list[str] = []  # what follows each "I need to", outermost first
    request = strip_courtesy(text)
    while (intent := _direct_request(request, last_task_id)) is None:
        match = _WISH.match(request)
        if match is None or len(wishes) == MAX_WISHES:
            intent = Unclear("unknown", request)
            break
        wishes.append(match["rest"])
        request = strip_courtesy(match["rest"])
    for rest in reversed(wishes):
        intent = _wished(intent, rest)
    return intent


def _direct_request(request: str, last_task_id: int | None) -> Intent | None:
    lowered = request.lower()
    for parser in (_small_talk, _update, _complete, _delete, _list, _add):
        intent = parser(request, lowered, last_task_id)
        if intent is not None:
            return intent
    return None


def _small_talk(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    if re.fullmatch(
        r"(?:hi|hello|hey|hiya|howdy|yo|good (?:morning|afternoon|evening)|greetings)(?: there)?", lowered
    ):
        return SmallTalk("greeting")
    if re.fullmatch(
        r"(?:help|\?|what can you do|what do you do|how does this work|how do i use this|commands|"
        r"what can i say|what can i ask|who are you)",
        lowered,
    ):
        return SmallTalk("help")
    if re.fullmatch(
        r"(?:thanks|thank you|thx|ty|cheers|great|awesome|perfect|cool|nice|ok|okay|got it|"
        r"thanks a lot|thank you very much|many thanks)(?: a lot| so much)?",
        lowered,
    ):
        return SmallTalk("thanks")
    return None


_DESCRIPTION_WORD = r"(?:description|details|notes?|note)"
_SET_DESCRIPTION = (
    re.compile(
        r"^(?:change|update|set|edit|replace)\s+(?:the\s+)?" + _DESCRIPTION_WORD + r"\s+(?:of|for|on)\s+"
        r"(?P<ref>.+?)(?:\s+to\s+|\s*:\s*|\s+as\s+)(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(
        r"^(?:add|put|attach|give|write)\s+(?:a\s+|the\s+|some\s+)?"
        + _DESCRIPTION_WORD
        + r"\s+(?:to|on|for)\s+"
        r"(?P<ref>.+?)(?:\s*:\s*|\s+saying\s+|\s+that says\s+|\s+-\s+)(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(
        r"^(?:set|change|update|edit)\s+(?P<ref>.+?)(?:'s)?\s+"
        + _DESCRIPTION_WORD
        + r"(?:\s+to\s+|\s*:\s*|\s+as\s+)"
        r"(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(r"^describe\s+(?P<ref>.+?)\s+as\s+(?P<value>.+)$", re.IGNORECASE | re.DOTALL),
)
_CLEAR_DESCRIPTION = re.compile(
    r"^(?:clear|remove|delete|erase|drop)\s+(?:the\s+)?"
    + _DESCRIPTION_WORD
    + r"\s+(?:of|from|on)\s+(?P<ref>.+)$",
    re.IGNORECASE,
)
_RENAME = (
    re.compile(
        r"^(?:change|rename|update|edit|modify|retitle|reword|correct|fix)\s+(?:the\s+(?:title|name|text)\s+of\s+)?"
        r"(?P<ref>.+?)(?:'s\s+(?:title|name))?(?:\s+to\s+(?:say\s+|read\s+|be\s+)?|\s+into\s+|\s+as\s+|\s*:\s*|"
        r"\s+->\s+|\s+=\s+)(?P<value>.+)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(r"^make\s+(?P<ref>.+?)\s+(?:say|read)\s+(?P<value>.+)$", re.IGNORECASE | re.DOTALL),
)
_DONE_WORDS = re.compile(r"(?:done|complete|completed|finished|closed)", re.IGNORECASE)


def _update(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    return _new_description(request, last_task_id) or _new_title(request, last_task_id)


def _new_description(request: str, last_task_id: int | None) -> Intent | None:
    match = _CLEAR_DESCRIPTION.match(request)
    if match:
        return _update_intent(match["ref"], last_task_id, description="")
    match = next((m for pattern in _SET_DESCRIPTION if (m := pattern.match(request))), None)
    if match is None:
        return None
    description = as_description(match["value"])
    if len(description) > DESCRIPTION_MAX:
        return Unclear("title_too_long", "description")
    return _update_intent(match["ref"], last_task_id, description=description)


def _new_title(request: str, last_task_id: int | None) -> Intent | None:
    match = next((m for pattern in _RENAME if (m := pattern.match(request))), None)
    if match is None:
        return None
    if _DONE_WORDS.fullmatch(match["value"].strip(" .!'\"")):
        # "change task 1 to done" is a completion, not a new title
        return _with_target(match["ref"], last_task_id, CompleteTasks)
    title = as_title(match["value"])
    if not title or len(title) > TITLE_MAX:
        return Unclear("title_too_long" if title else "no_title")
    return _update_intent(match["ref"], last_task_id, title=title)


def _update_intent(ref_text: str, last_task_id: int | None, **changes: str) -> Intent:
    reference = parse_reference(ref_text, last_task_id=last_task_id)
    if isinstance(reference, UnclearRef):
        return Unclear("which_task", reference.text)
    if isinstance(reference, Group) or len(reference.ids) > 1:
        return Unclear("one_at_a_time", ref_text)
    return UpdateTask(target=reference, **changes)


_DONE = r"(?:complete|completed|done|finished|closed|resolved|checked off|ticked off)"
_COMPLETE = (
    re.compile(r"^(?:mark|set|flag|tick|check)\s+(?P<ref>.+?)\s+(?:as\s+)?" + _DONE + r"$", re.IGNORECASE),
    re.compile(r"^(?:check|tick|cross)\s+(?P<ref>.+?)\s+off(?:\s+(?:my|the)\s+list)?$", re.IGNORECASE),
    re.compile(
        r"^(?:complete|finish|close|resolve|check off|tick off|cross off)\s+(?P<ref>.+)$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:(?:i|i've|i have)\s+(?:just\s+|already\s+)?(?:finished|completed|accomplished|did|done)|"
        r"(?:just\s+)?(?:finished|completed|done with))\s+(?P<ref>.+)$",
        re.IGNORECASE,
    ),
    re.compile(r"^i(?:'m| am) (?:done|finished) with\s+(?P<ref>.+)$", re.IGNORECASE),
    re.compile(
        r"^(?!(?:what|whats|what's|which|how|is|are|anything|any|show|list|tell|display|give|do|did|have)\b)"
        r"(?P<ref>.+?)\s+(?:is|are|was|were|has been|have been)\s+(?:now\s+|already\s+|all\s+)?"
        + _DONE
        + r"$",
        re.IGNORECASE,
    ),
    re.compile(r"^done\s*(?::|with)?\s+(?P<ref>.+)$", re.IGNORECASE),
)


def _complete(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    for pattern in _COMPLETE:
        match = pattern.match(request)
        if match:
            return _with_target(match["ref"], last_task_id, CompleteTasks)
    return None


_DELETE = (
    re.compile(
        r"^(?:delete|remove|erase|drop|cancel|trash|discard|scrap|get rid of|forget about|clear|bin|ditch)\s+"
        r"(?P<ref>.+?)(?:\s+(?:from|off|out of)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+)?"
        r"(?:list|tasks))?$",
        re.IGNORECASE,
    ),
    re.compile(r"^take\s+(?P<ref>.+?)\s+off(?:\s+(?:my|the)\s+(?:todo\s+|to-do\s+)?list)?$", re.IGNORECASE),
)


def _delete(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    for pattern in _DELETE:
        match = pattern.match(request)
        if match:
            return _with_target(match["ref"], last_task_id, DeleteTasks)
    return None


def _with_target(
    ref_text: str, last_task_id: int | None, kind: type[CompleteTasks] | type[DeleteTasks]
) -> Intent:
    reference = parse_reference(ref_text, last_task_id=last_task_id)
    if isinstance(reference, UnclearRef):
        return Unclear("which_task", reference.text)
    if kind is CompleteTasks:
        if reference is Group.COMPLETED:
            return Unclear("which_task", ref_text)
        return CompleteTasks(target=reference)
    if reference is Group.ALL:
        # Emptying a whole list on one sentence is too easy to say by mistake.
        return Unclear("delete_all")
    return DeleteTasks(target=reference)


_LIST_NOUN = r"(?:tasks?|todos?|to-dos?|list|items?|reminders?|everything|plate|agenda)"
_STATUS_WORD = (
    r"(?:pending|open|remaining|left|outstanding|incomplete|unfinished|undone|completed|complete|done|finished|"
    r"accomplished|due|active)"
)
_LIST_PATTERNS = (
    re.compile(
        r"^(?:show|list|display|view|see|give|tell|read|print|get|check|pull up|bring up|let me see|"
        r"can i see)\b.*\b(?:" + _LIST_NOUN + "|" + _STATUS_WORD + r"|all)\b.*$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:what|what's|whats|which|how many|do i have|have i|did i|is there|are there|anything|any)\b.*"
        r"\b(?:" + _LIST_NOUN + "|" + _STATUS_WORD + r"|to do|to-do|on my|still)\b.*$",
        re.IGNORECASE,
    ),
    re.compile(
        r"^(?:(?:all|my|the|your)\s+)*(?:"
        + _STATUS_WORD
        + r"\s+)?(?:tasks?|todos?|to-dos?|todo list|to-do list|"
        r"list|ones)$",
        re.IGNORECASE,
    ),
    re.compile(r"^(?:" + _STATUS_WORD + r")(?:\s+(?:ones|tasks|items))?$", re.IGNORECASE),
)
_PENDING_CUE = re.compile(
    r"\b(?:pending|open|remaining|left|outstanding|incomplete|unfinished|undone|"
    r"not (?:yet )?(?:done|completed|finished)|still|due|active|to[- ]?do(?!\s+list)|need to do|have to do)\b"
)
_COMPLETED_CUE = re.compile(
    r"\b(?:completed|complete|done|finished|accomplished|achieved|checked off|ticked off)\b"
)
_NEGATED_DONE = re.compile(
    r"\b(?:not (?:yet )?(?:done|completed|complete|finished)|undone|incomplete|unfinished)\b"
)


def _list(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    if not any(pattern.match(lowered) for pattern in _LIST_PATTERNS):
        return None
    return ListTasks(status=status_asked_for(lowered))


def status_asked_for(lowered: str) -> Status:
    pending = bool(_PENDING_CUE.search(lowered))
    completed = bool(_COMPLETED_CUE.search(_NEGATED_DONE.sub(" ", lowered)))
    if pending and not completed:
        return "pending"
    if completed and not pending:
        return "completed"
    return "all"


_TASK_NOUN = r"(?:tasks?|todos?|to-dos?|items?|reminders?|entries|entry|ones?)"
_QUANTITY = r"(?:\s+(?:a|an|another|one|two|three|four|five|some|these|the following|few|new|more|\d+))*"
_ADD = (
    re.compile(
        r"^(?:add|create|insert|save|put|jot down|write down)"
        + _QUANTITY
        + r"(?P<noun>\s+"
        + _TASK_NOUN
        + r")?\b"
        r"(?P<rest>.*)$",
        re.IGNORECASE | re.DOTALL,
    ),
    # Verbs that only mean "add" with a task noun: "make a task to ...", not "make dinner".
    re.compile(
        r"^(?:make|set up|schedule|log|record|track|note down)"
        + _QUANTITY
        + r"(?P<noun>\s+"
        + _TASK_NOUN
        + r")\b"
        r"(?P<rest>.*)$",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(r"^new\s+(?P<noun>" + _TASK_NOUN + r")\b(?P<rest>.*)$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^(?P<noun>task|todo|to-do|reminder)\s*:(?P<rest>.+)$", re.IGNORECASE | re.DOTALL),
    re.compile(
        r"^(?:please\s+)?(?:remind me|help me remember|don't let me forget|dont let me forget|don't forget|"
        r"dont forget|i (?:need|have|want|must|should|ought|got|gotta)(?: to)? remember|remember|"
        r"note to self)"
        r"(?P<noun>)(?P<rest>.*)$",
        re.IGNORECASE | re.DOTALL,
    ),
)
_TITLE_LEAD = re.compile(
    r"^\s*(?:[:\-\u2013]\s*|(?:to|for|called|named|titled|that says|saying|about|that|of|:)\s+)*"
    r"(?:(?:that\s+)?i\s+(?:need|have|must|should|want|ought|got)\s+to\s+)?(?:to\s+)?",
    re.IGNORECASE,
)
_DESTINATION = re.compile(
    r"\s+(?:to|on|onto|in|into)\s+(?:my|the)\s+(?:todo\s+|to-do\s+|task\s+|tasks\s+|shopping\s+)?"
    r"(?:list|tasks|todos|to-dos)\s*$",
    re.IGNORECASE,
)
_WITH_DESCRIPTION = re.compile(
    r"(?:\s*[,;]\s*|\s+)(?:with\s+(?:the\s+|a\s+)?"
    + _DESCRIPTION_WORD
    + r"\s*[:\-]?\s*|"
    + _DESCRIPTION_WORD
    + r"\s*:\s*)(?P<description>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def _add(request: str, lowered: str, last_task_id: int | None) -> Intent | None:
    for pattern in _ADD:
        match = pattern.match(request)
        if match:
            plural = bool(match["noun"]) and match["noun"].strip().lower().endswith(("s", "entries"))
            return titles_to_add(match["rest"], plural=plural)
    return None


_WISH = re.compile(
    r"^(?:i|we)\s+(?:really\s+)?(?:need|have|must|should|want|ought|got|gotta|would like|'d like)\s+"
    r"(?:to\s+)?"
    r"(?P<rest>.+)$",
    re.IGNORECASE | re.DOTALL,
)


def _wished(inner: Intent, rest: str) -> Intent:
    """ "I need to X": a request when X is one ("I want to delete task 3"), else a new task."""
    # "I need to finish the report" is something to do, not a report to tick off.
    named_completion = (
        isinstance(inner, CompleteTasks) and isinstance(inner.target, TaskRef) and not inner.target.ids
    )
    if isinstance(inner, Unclear | SmallTalk) or named_completion:
        return titles_to_add(rest, plural=False)
    return inner


def titles_to_add(rest: str, *, plural: bool) -> Intent:
    rest = _TITLE_LEAD.sub("", rest, count=1)
    description = None
    match = _WITH_DESCRIPTION.search(rest)
    if match:
        description = as_description(match["description"])
        rest = rest[: match.start()]
    rest = _DESTINATION.sub("", rest.strip(" .!?"))
    raw_titles = _separate_titles(rest, plural=plural)
    titles = tuple(title for title in (as_title(raw) for raw in raw_titles) if title)
    if not titles:
        return Unclear("no_title")
    if len(titles) > MAX_TITLES:
        return Unclear("too_many")
    if any(len(title) > TITLE_MAX for title in titles):
        return Unclear("title_too_long")
    if description is not None and len(description) > DESCRIPTION_MAX:
        return Unclear("title_too_long", "description")
    return AddTasks(titles=titles, description=description if len(titles) == 1 else None)


def _separate_titles(rest: str, *, plural: bool) -> list[str]:
    quoted = [first or second for first, second in QUOTED.findall(rest)]
    leftover = QUOTED.sub("", rest)
    if quoted and not re.sub(r"(?:,|;|\band\b|\bor\b|&|\s)+", "", leftover):
        return quoted
    if ";" in rest or "\n" in rest:
        return re.split(r"\s*[;\n]\s*", rest)
    if plural:
        return re.split(r"\s*(?:,\s*and\s+|,\s*|\s+and\s+|&)\s*", rest)
    return [rest]


def as_description(text: str) -> str:
    return text.strip().strip("\"'").strip()


_BULLET_HEADER = re.compile(
    r"^(?:please\s+)?(?:add|create|new)\b"
    r"(?:\s+(?:these|the following|some|a few|my|\d+|two|three|four|five))*"
    r"\s*(?:" + _TASK_NOUN + r")?\s*:?$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s*")


def _bulleted_add(text: str) -> AddTasks | Unclear | None:
    """ "Add these tasks:" followed by one item per line."""
    lines = text.split("\n")
    if len(lines) < 2 or not _BULLET_HEADER.match(lines[0]):
        return None
    intent = titles_to_add("\n".join(_BULLET.sub("", line) for line in lines[1:]), plural=True)
    return intent if isinstance(intent, AddTasks | Unclear) else None
