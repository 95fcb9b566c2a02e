"""Small text helpers shared by the parsers."""

import re

_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'", "`": "'"})
_SPACES = re.compile(r"[ \t\u00a0]+")
# Courtesy around a request, which changes nothing about it.
_POLITE_PREFIX = re.compile(
    r"^(?:(?:ok(?:ay)?|so|hey|hi|hello|please|pls|plz|kindly|now|also|and|then|just|alright|right|"
    r"could you|can you|would you|will you|could u|can u|would you mind|let's|lets|"
    r"i'd like you to|i want you to|i would like you to|i need you to|go ahead and)[,!]?\s+)+",
    re.IGNORECASE,
)
_POLITE_SUFFIX = re.compile(r"(?:[,\s]+(?:please|pls|plz|thanks|thank you|for me))+\s*[.!?]*$", re.IGNORECASE)
_TRAILING_PUNCTUATION = re.compile(r"[\s.!?,;:]+$")
_QUOTED_WHOLE = re.compile(r"""^\s*(?:"([^"]+)"|'([^']+)')\s*$""")
# A quoted passage, without mistaking the apostrophe of "mom's" for a quote.
QUOTED = re.compile(r""""([^"]+)"|(?<![A-Za-z0-9])'([^']+)'(?![A-Za-z0-9])""")


def normalize(text: str) -> str:
    """Straight quotes, single spaces, trimmed lines; newlines are kept (they separate list items)."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.translate(_QUOTES).splitlines())
    return "\n".join(line for line in lines if line)


def strip_courtesy(text: str) -> str:
    text = _POLITE_PREFIX.sub("", text.strip())
    text = _POLITE_SUFFIX.sub("", text)
    return _TRAILING_PUNCTUATION.sub("", text).strip()


def unquote(text: str) -> tuple[str, bool]:
    """The text without surrounding quotes, and whether it was quoted."""
    match = _QUOTED_WHOLE.match(text)
    if match:
        return (match.group(1) or match.group(2)).strip(), True
    return text.strip(), False


def as_title(text: str) -> str:
    """A task title from free text: trimmed, trailing punctuation gone, first letter capitalised
    (quoted text is kept exactly as the user wrote it)."""
    text, quoted = unquote(text)
    if quoted:
        return text
    text = _TRAILING_PUNCTUATION.sub("", text).strip().strip("\"'").strip()
    return text[:1].upper() + text[1:]


_PLURALS = (("ies", "y"), ("sses", "ss"), ("shes", "sh"), ("ches", "ch"), ("xes", "x"))
# Words that say nothing about which task is meant.
FILLER_WORDS = frozenset(
    {"the", "a", "an", "my", "to", "for", "of", "on", "in", "at", "with", "and", "task", "tasks", "todo"}
    | {"one", "item", "about", "that", "this", "it", "thing", "called", "named"}
)


def stem(word: str) -> str:
    """A crude stem, applied alike to what the user says and to titles: "meetings" ~ "meeting"."""
    word = word.lower().removesuffix("'s")
    plural = next((p for p in _PLURALS if word.endswith(p[0]) and len(word) > len(p[0]) + 1), None)
    if plural is not None:
        word = word[: -len(plural[0])] + plural[1]
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text.lower())
