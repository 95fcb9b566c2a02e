"""Text helpers: normalising, courtesy, titles, stems."""

import pytest

from ai_todo.offline.text import as_title, normalize, stem, strip_courtesy, unquote


def test_normalize_straightens_quotes_and_spaces_but_keeps_lines() -> None:
    assert normalize("  \u201cBuy\u201d   \u2018milk\u2019 \n\n  eggs\t ") == "\"Buy\" 'milk'\neggs"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Could you please add milk?", "add milk"),
        ("ok, so show my tasks, thanks!", "show my tasks"),
        ("hello", "hello"),
        ("Call mom now", "Call mom now"),
    ],
)
def test_strip_courtesy(text: str, expected: str) -> None:
    assert strip_courtesy(text) == expected


def test_title_is_capitalised_unless_quoted() -> None:
    assert as_title("buy milk.") == "Buy milk"
    assert as_title("'iPhone repair'") == "iPhone repair"


def test_unquote_leaves_apostrophes_alone() -> None:
    assert unquote("mom's birthday") == ("mom's birthday", False)
    assert unquote('"Buy milk"') == ("Buy milk", True)


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("meetings", "meeting"),
        ("groceries", "grocery"),
        ("boxes", "box"),
        ("painted", "paint"),
        ("Mom's", "mom"),
    ],
)
def test_word_forms_share_a_stem(one: str, other: str) -> None:
    assert stem(one) == stem(other)


@pytest.mark.parametrize("word", ["bus", "glass", "red", "sing"])
def test_short_words_keep_their_ending(word: str) -> None:
    assert stem(word) == word
