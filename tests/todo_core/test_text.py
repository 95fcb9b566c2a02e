import pytest

from todo_core.text import multi_line, single_line


@pytest.mark.parametrize("text", ["Buy milk", "Café ☕ 東京", "50% off; DROP TABLE task;--", "  spaced  "])
def test_ordinary_text_passes_both(text: str) -> None:
    assert single_line(text) == text
    assert multi_line(text) == text


@pytest.mark.parametrize("text", ["line\nbreak", "tab\there", "cr\rlf"])
def test_line_breaks_pass_only_where_several_lines_belong(text: str) -> None:
    assert multi_line(text) == text
    with pytest.raises(ValueError, match="control characters"):
        single_line(text)


@pytest.mark.parametrize("text", ["nul\x00", "bell\x07", "escape\x1b[31m", "delete\x7f"])
def test_other_control_characters_are_refused_everywhere(text: str) -> None:
    for check in (single_line, multi_line):
        with pytest.raises(ValueError, match="control characters"):
            check(text)
