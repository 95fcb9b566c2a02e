"""The migrations on real databases: from what the previous release left, through every revision, and
back. Each test runs on PostgreSQL (what clusters use) and SQLite (`todoctl dev`, batch mode)."""

import multiprocessing
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlmodel import SQLModel

from tests.support.databases import fresh_postgres_database
from tests.support.previous_release import populate_with_previous_release, run_previous_release
from tests.todo_core.schemas import migrate, revision_of, rows_of, schema_of
from todo_core.db import make_engine, session_scope
from todo_core.models import Message
from todo_core.revisions import BASELINE, head
from todo_core.schema import Upgrade, alembic_include_name, upgrade_schema

PREVIOUS_COLUMNS = {
    "task": ["id", "user_id", "title", "description", "completed", "created_at", "updated_at"],
    "conversation": ["id", "user_id", "created_at", "updated_at"],
    "message": ["id", "conversation_id", "user_id", "role", "content", "created_at"],
}
STARTERS = 6


def test_the_baseline_is_the_schema_the_previous_release_creates(database_url: str, tmp_path: Path) -> None:
    previous = make_engine(database_url)
    run_previous_release(
        "import sys; from todo_core.db import make_engine; from todo_core.schema import create_schema; "
        "create_schema(make_engine(sys.argv[1]))",
        database_url,
    )
    with _another_database(database_url, tmp_path) as other_url:
        baseline = make_engine(other_url)
        migrate(baseline, "upgrade", BASELINE)

        assert schema_of(baseline) == schema_of(previous)
        baseline.dispose()


def test_a_database_of_the_previous_release_is_stamped_and_upgraded_with_nothing_lost(
    database_url: str,
) -> None:
    populate_with_previous_release(database_url)
    engine = make_engine(database_url)
    before = rows_of(engine, PREVIOUS_COLUMNS)

    upgrade = upgrade_schema(engine)

    assert upgrade == Upgrade(before=BASELINE, after=head(), stamped=True)
    assert rows_of(engine, PREVIOUS_COLUMNS) == before
    assert rows_of(engine, {"message": ["failed"]})["message"] == [(False,), (False,)]
    assert revision_of(engine) == head()


def test_an_empty_database_gets_every_revision_in_turn(database_url: str) -> None:
    engine = make_engine(database_url)

    assert upgrade_schema(engine) == Upgrade(before=None, after=head(), stamped=False)
    assert upgrade_schema(engine) == Upgrade(before=head(), after=head(), stamped=False)


def test_the_migrated_schema_is_exactly_the_models(database_url: str) -> None:
    """A model changed without a migration (or the reverse) fails here, before any pod meets it."""
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": alembic_include_name}
        )
        differences = compare_metadata(context, SQLModel.metadata)

    assert differences == []


def test_the_failed_column_defaults_to_false_for_writers_that_do_not_name_it(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO conversation (user_id, created_at, updated_at) "
                "VALUES ('alice', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO message (conversation_id, user_id, role, content, created_at) "
                "SELECT id, 'alice', 'user', 'hi', CURRENT_TIMESTAMP FROM conversation"
            )
        )
    with session_scope(engine) as session:
        session.add(Message(conversation_id=1, user_id="alice", role="assistant", content="x", failed=True))

    assert rows_of(engine, {"message": ["content", "failed"]})["message"] == [("hi", False), ("x", True)]


def test_every_revision_downgrades_and_upgrades_again_keeping_the_rows(database_url: str) -> None:
    populate_with_previous_release(database_url)
    engine = make_engine(database_url)
    before = rows_of(engine, PREVIOUS_COLUMNS)
    upgrade_schema(engine)

    migrate(engine, "downgrade", BASELINE)
    assert revision_of(engine) == BASELINE
    assert "failed" not in schema_of(engine)["message"]["columns"]
    assert rows_of(engine, PREVIOUS_COLUMNS) == before

    assert upgrade_schema(engine).before == BASELINE
    assert rows_of(engine, PREVIOUS_COLUMNS) == before


def test_a_migration_failing_half_way_leaves_the_database_as_it_was(database_url: str) -> None:
    engine = make_engine(database_url)
    # an index of that name elsewhere: the baseline creates its three tables, then fails on the index
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE other (user_id INTEGER)"))
        connection.execute(text("CREATE INDEX ix_message_user_id ON other (user_id)"))
    before = schema_of(engine)

    with pytest.raises(DBAPIError, match="ix_message_user_id"):
        upgrade_schema(engine)

    assert schema_of(engine) == before
    assert revision_of(engine) is None


def test_a_migration_gives_up_instead_of_queueing_behind_a_long_transaction(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    migrate(engine, "upgrade", BASELINE)
    dsn = postgres_url.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(dsn) as reader:
        reader.execute("SELECT count(*) FROM message")  # an open transaction holding a lock on message
        # the lock timeout, not the 10 s statement timeout every query has, ends the wait
        with pytest.raises(OperationalError, match="canceling statement due to lock timeout"):
            upgrade_schema(engine)
    assert revision_of(engine) == BASELINE

    assert upgrade_schema(engine).after == head()


def _start_together(url: str, barrier: Any, results: Any) -> None:
    engine = make_engine(url)
    barrier.wait(60)
    results.put(upgrade_schema(engine))


def test_six_processes_starting_together_on_an_old_database_one_migrates_none_fails(
    database_url: str,
) -> None:
    populate_with_previous_release(database_url)
    before = rows_of(make_engine(database_url), PREVIOUS_COLUMNS)
    # separate processes, as replicas are (threads would share one engine and hide the race), released
    # at one moment once each has imported everything
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(STARTERS)
    results = context.Queue()
    starters = [
        context.Process(target=_start_together, args=(database_url, barrier, results))
        for _ in range(STARTERS)
    ]
    for process in starters:
        process.start()
    for process in starters:
        process.join(120)

    assert [process.exitcode for process in starters] == [0] * STARTERS
    upgrades = [results.get(timeout=5) for _ in range(STARTERS)]
    assert [u for u in upgrades if u.migrated] == [Upgrade(before=BASELINE, after=head(), stamped=True)]
    assert [u for u in upgrades if not u.migrated] == [Upgrade(head(), head(), False)] * (STARTERS - 1)
    engine = make_engine(database_url)
    assert revision_of(engine) == head()
    assert rows_of(engine, PREVIOUS_COLUMNS) == before


@contextmanager
def _another_database(database_url: str, tmp_path: Path) -> Iterator[str]:
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'other.db'}"
        return
    with fresh_postgres_database() as url:
        yield url
