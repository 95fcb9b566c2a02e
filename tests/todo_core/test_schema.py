"""What `upgrade_schema` and `check_schema` make of the databases they meet: empty, current, ahead of
this code (served or refused), or not this application's."""

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.exc import DBAPIError

from tests.todo_core.schemas import migrate, revision_of, set_revision
from todo_core.db import make_engine
from todo_core.revisions import BASELINE, SchemaState, SchemaTooNew, head
from todo_core.schema import SchemaNotRecognised, Upgrade, check_schema, upgrade_schema

FUTURE = "0099_future_change"


def test_upgrade_schema_makes_the_three_tables_with_user_id_indexes(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)

    inspector = inspect(engine)
    assert {"task", "conversation", "message"} <= set(inspector.get_table_names())
    for table in ("task", "conversation", "message"):
        indexed = [index["column_names"][0] for index in inspector.get_indexes(table)]
        assert "user_id" in indexed, f"{table} has no index led by user_id"


def test_check_schema_says_the_database_is_current(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)

    assert check_schema(engine) == SchemaState(code=head(), database=head(), relation="current")


def test_a_schema_ahead_whose_oldest_code_this_code_knows_is_served_untouched(database_url: str) -> None:
    """What an expand-only migration of the next release leaves: this release keeps serving it (a
    rollback, or an old pod restarting during the rolling upgrade)."""
    engine = make_engine(database_url)
    upgrade_schema(engine)
    set_revision(engine, FUTURE, oldest_code=head())

    assert upgrade_schema(engine) == Upgrade(before=FUTURE, after=FUTURE, stamped=False)
    assert check_schema(engine) == SchemaState(code=head(), database=FUTURE, relation="ahead")
    assert revision_of(engine) == FUTURE


@pytest.mark.parametrize("oldest_code", ["0098_contract_step", None])
def test_a_schema_ahead_that_needs_newer_code_is_refused_naming_both_revisions(
    database_url: str, oldest_code: str | None
) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    set_revision(engine, FUTURE, oldest_code=oldest_code)

    for attempt in (upgrade_schema, check_schema):
        with pytest.raises(SchemaTooNew) as refused:
            attempt(engine)
        message = str(refused.value)
        assert f"at revision {FUTURE}, newer than this code (revision {head()})" in message
        assert (oldest_code or "does not say which older code may use it") in message
    assert revision_of(engine) == FUTURE


def test_part_of_the_tables_without_a_revision_is_refused_not_guessed(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE task (id INTEGER PRIMARY KEY)"))

    with pytest.raises(SchemaNotRecognised, match="has tables task but not conversation, message"):
        upgrade_schema(engine)
    assert set(inspect(engine).get_table_names()) == {"task"}


def test_check_schema_raises_for_a_missing_table(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE message"))

    with pytest.raises(DBAPIError, match="message"):
        check_schema(engine)


def test_a_database_behind_is_reported_behind(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    migrate(engine, "downgrade", BASELINE)

    assert check_schema(engine) == SchemaState(code=head(), database=BASELINE, relation="behind")
    assert upgrade_schema(engine).before == BASELINE
