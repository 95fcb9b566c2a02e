"""Checks on text that people type, shared by the chat API, the token's user id and the task tools:
the one place that decides which characters a stored text may hold.

Control characters (C0, DEL and C1) only break logs, pages and terminals, and PostgreSQL cannot
store NUL in text at all. Bidirectional overrides and isolates make a text display in another order
than it is stored (U+202E then "gnp.exe" shows as "exe.png"). A lone surrogate is not a character at all:
no encoder can write it out. Newlines and tabs belong in a message or a description; they, and the
Unicode line and paragraph separators, never belong in a title or an id."""

_C0 = frozenset(chr(c) for c in range(0x20))
_C1 = frozenset(chr(c) for c in range(0x80, 0xA0))
_CONTROL = _C0 | _C1 | {"\x7f"}
_LINE_BREAKS = frozenset("\n\r\t")
# U+202A-U+202E: embeddings and overrides; U+2066-U+2069: isolates.
_BIDI_FORMATTING = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
_SEPARATORS = frozenset("\u2028\u2029")


def single_line(value: str) -> str:
    """A pydantic AfterValidator for titles and ids: no control character, no line break at all."""
    _check(value, line_breaks=False)
    return value


def multi_line(value: str) -> str:
    """A pydantic AfterValidator for messages and descriptions: newlines and tabs allowed."""
    _check(value, line_breaks=True)
    return value


def _check(value: str, *, line_breaks: bool) -> None:
    # One pass over the set of distinct characters: cheap even for the longest message.
    found = set(value)
    if any("\ud800" <= ch <= "\udfff" for ch in found):
        raise ValueError("must be valid Unicode: it holds a lone surrogate")
    control = found & _CONTROL
    if line_breaks:
        control -= _LINE_BREAKS
    if control:
        raise ValueError("must not contain control characters")
    if found & _BIDI_FORMATTING:
        raise ValueError("must not contain bidirectional override or isolate characters")
    if not line_breaks and found & _SEPARATORS:
        raise ValueError("must not contain line or paragraph separators")
