"""What "task 3", "#3 and #5", "the milk one", "'Buy milk'", "it" and "everything" point at."""

import pytest

from ai_todo.offline.references import MAX_IDS, Group, TaskRef, UnclearRef, parse_reference


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("task 3", TaskRef(ids=(3,))),
        ("#3", TaskRef(ids=(3,))),
        ("task number 3", TaskRef(ids=(3,))),
        ("tasks 3, 4 and #5", TaskRef(ids=(3, 4, 5))),
        ("3 & 3", TaskRef(ids=(3,))),
        ("the milk one", TaskRef(words="milk")),
        ("the meeting task", TaskRef(words="meeting")),
        ("the task about the dentist", TaskRef(words="dentist")),
        ("the task called Call Mom", TaskRef(words="Call Mom")),
        ("'Buy milk'", TaskRef(words="Buy milk", exact=True)),
        ("everything", Group.ALL),
        ("all my tasks", Group.ALL),
        ("all completed tasks", Group.COMPLETED),
        ("the done ones", Group.COMPLETED),
    ],
)
def test_reference(text: str, expected: object) -> None:
    assert parse_reference(text, last_task_id=None) == expected


@pytest.mark.parametrize("text", ["it", "that one", "the last task", "this"])
def test_it_is_the_previous_task(text: str) -> None:
    assert parse_reference(text, last_task_id=8) == TaskRef(ids=(8,))


def test_it_without_a_previous_task_is_unclear() -> None:
    assert parse_reference("it", last_task_id=None) == UnclearRef("it")


def test_too_many_ids_is_unclear() -> None:
    text = "tasks " + ", ".join(str(n) for n in range(1, MAX_IDS + 2))

    assert isinstance(parse_reference(text, last_task_id=None), UnclearRef)


def test_only_filler_is_unclear() -> None:
    assert parse_reference("the", last_task_id=None) == UnclearRef("the")
