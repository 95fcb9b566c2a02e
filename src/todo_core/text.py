"""Checks on text that people type, shared by the chat API and the task tools.

Control characters only break logs, pages and terminals, and PostgreSQL cannot store NUL in text at
all; newlines and tabs belong in a message or a description, never in a title or an id."""

_CONTROL = frozenset(chr(c) for c in range(32)) | {"\x7f"}
_CONTROL_BUT_LINE_BREAKS = _CONTROL - {"\n", "\r", "\t"}


def single_line(value: str) -> str:
    """A pydantic AfterValidator: no control characters at all."""
    if any(ch in _CONTROL for ch in value):
        raise ValueError("must not contain control characters")
    return value


def multi_line(value: str) -> str:
    """A pydantic AfterValidator: line breaks and tabs allowed, other control characters not."""
    if any(ch in _CONTROL_BUT_LINE_BREAKS for ch in value):
        raise ValueError("must not contain control characters")
    return value
