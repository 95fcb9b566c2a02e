"""The migration scripts as a whole: one line of revisions, each saying which code may serve it."""

import itertools

import pytest

from todo_core.revisions import (
    BASELINE,
    MIGRATIONS_DIR,
    SchemaState,
    SchemaTooNew,
    head,
    is_known,
    oldest_code_revision,
    refusal,
    scripts,
    state_of,
)


def _chain() -> list[str]:
    """Revisions from the baseline to the head."""
    return [script.revision for script in reversed(list(scripts().walk_revisions()))]


def test_the_revisions_form_one_line_from_the_baseline() -> None:
    assert scripts().get_heads() == [head()]
    chain = _chain()
    assert chain[0] == BASELINE
    for earlier, later in itertools.pairwise(chain):
        assert scripts().get_revision(later).down_revision == earlier


def test_each_file_is_named_for_its_revision_which_sorts_in_order() -> None:
    files = sorted(path.stem for path in (MIGRATIONS_DIR / "versions").glob("*.py"))
    assert files == _chain()


def test_each_revision_names_an_oldest_code_revision_at_or_before_itself_never_going_back() -> None:
    chain = _chain()
    floors = [chain.index(oldest_code_revision(revision)) for revision in chain]
    assert all(floor <= position for position, floor in enumerate(floors))
    assert floors == sorted(floors)


def test_the_first_schema_change_is_message_failed_and_keeps_the_previous_release_serving() -> None:
    assert _chain()[:2] == [BASELINE, "0002_message_failed"]
    assert oldest_code_revision("0002_message_failed") == BASELINE


def test_the_rate_window_index_follows_and_keeps_the_previous_release_serving() -> None:
    assert _chain()[2] == "0003_message_user_created_at"
    assert oldest_code_revision("0003_message_user_created_at") == BASELINE


@pytest.mark.parametrize(
    ("database", "relation"),
    [
        (None, "behind"),
        (BASELINE, "behind"),
        ("0002_message_failed", "behind"),
        ("0003_message_user_created_at", "current"),
        ("0099_later", "ahead"),
    ],
)
def test_where_a_database_stands(database: str | None, relation: str) -> None:
    assert head() == "0003_message_user_created_at"
    assert state_of(database) == SchemaState(code=head(), database=database, relation=relation)


def test_only_a_schema_ahead_with_an_unknown_oldest_code_is_refused() -> None:
    ahead = state_of("0099_later")
    assert refusal(state_of(head()), None) is None
    assert refusal(ahead, BASELINE) is None
    assert refusal(ahead, head()) is None
    assert isinstance(refusal(ahead, "0098_contract"), SchemaTooNew)
    assert isinstance(refusal(ahead, None), SchemaTooNew)


def test_hostile_revision_strings_are_simply_unknown() -> None:
    hostile = ("", "head", "heads", "base", "0001", "../../etc/passwd", "x" * 10_000, "0001_baseline;--")
    assert not any(is_known(revision) for revision in hostile)
    assert all(is_known(revision) for revision in _chain())
