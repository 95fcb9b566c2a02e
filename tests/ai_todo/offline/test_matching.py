"""Finding the task a user names in words."""

from ai_todo.offline.matching import TaskView, find_matches, task_views

TASKS = [
    TaskView(1, "Buy groceries", completed=False),
    TaskView(2, "Team meeting at 3", completed=False),
    TaskView(3, "Write report", completed=True),
    TaskView(4, "Send report", completed=False),
    TaskView(5, "Call mom", completed=False),
]


def test_exact_title_wins_over_partial_matches() -> None:
    tasks = [*TASKS, TaskView(6, "Call mom tonight", completed=False)]

    assert find_matches("call MOM", tasks) == [TASKS[4]]


def test_one_word_finds_the_task_holding_it() -> None:
    assert find_matches("meeting", TASKS) == [TASKS[1]]


def test_word_forms_and_prefixes_match() -> None:
    assert find_matches("meetings", TASKS) == [TASKS[1]]
    assert find_matches("grocer", TASKS) == [TASKS[0]]


def test_every_equally_good_match_is_returned() -> None:
    assert find_matches("report", TASKS) == [TASKS[2], TASKS[3]]


def test_noise_words_alone_match_nothing() -> None:
    assert find_matches("the task", TASKS) == []


def test_a_name_mostly_absent_matches_nothing() -> None:
    assert find_matches("dentist appointment tomorrow", TASKS) == []


def test_short_fragments_do_not_match_longer_words() -> None:
    assert find_matches("at", [TaskView(1, "Attend class", completed=False)]) == []


def test_malformed_listing_entries_are_skipped() -> None:
    listing = [
        {"id": 1, "title": "Ok", "completed": True},
        {"id": "2", "title": "Bad"},
        "junk",
        {"title": "x"},
    ]

    assert task_views(listing) == [TaskView(1, "Ok", completed=True)]
    assert task_views({"not": "a list"}) == []
