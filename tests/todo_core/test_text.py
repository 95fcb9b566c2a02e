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


@pytest.mark.parametrize("text", ["c1\x80", "nel\x85", "csi\x9b[31m", "apc\x9f"])
def test_c1_control_characters_are_refused_everywhere(text: str) -> None:
    for check in (single_line, multi_line):
        with pytest.raises(ValueError, match="control characters"):
            check(text)


@pytest.mark.parametrize("code", [*range(0x202A, 0x202F), *range(0x2066, 0x206A)])
def test_bidi_overrides_and_isolates_are_refused_everywhere(code: int) -> None:
    for check in (single_line, multi_line):
        with pytest.raises(ValueError, match="bidirectional"):
            check(f"{chr(code)}gnp.exe")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_line_and_paragraph_separators_pass_only_where_several_lines_belong(separator: str) -> None:
    assert multi_line(f"one{separator}two") == f"one{separator}two"
    with pytest.raises(ValueError, match="separators"):
        single_line(f"one{separator}two")


@pytest.mark.parametrize("text", ["\ud800", "high \udbff only", "low \udc00 only"])
def test_lone_surrogates_are_refused_everywhere(text: str) -> None:
    for check in (single_line, multi_line):
        with pytest.raises(ValueError, match="surrogate"):
            check(text)


@pytest.mark.parametrize("text", ["\u200fמימין לשמאל", "emoji 👩‍💻 joiner", "a\u00a0b", "soft\u00adhyphen"])
def test_marks_joiners_and_other_format_characters_people_type_pass(text: str) -> None:
    assert single_line(text) == text
