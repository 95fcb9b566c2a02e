import pytest
from sqlalchemy import MetaData

from tests.support.processes import free_port
from tests.todo_core.schemas import migrate, revision_of, set_revision
from todo_core.db import make_engine
from todo_core.readiness import Readiness
from todo_core.revisions import BASELINE, SchemaRefused, SchemaTooNew, head

FUTURE = "0099_future_change"


def test_ready_when_the_database_answers_and_schema_is_created(database_url: str) -> None:
    readiness = Readiness(make_engine(database_url))
    assert readiness.verdict().problem is None
    assert readiness.verdict().problem is None


def test_the_ready_answer_carries_both_schema_revisions(database_url: str) -> None:
    verdict = Readiness(make_engine(database_url)).verdict()

    assert verdict.status_code == 200
    assert verdict.body() == {
        "status": "ready",
        "schema": {"code": head(), "database": head(), "relation": "current"},
    }


def test_unready_with_the_reason_when_the_database_is_down() -> None:
    readiness = Readiness(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"))
    assert readiness.verdict().problem == "database unavailable"
    assert readiness.verdict().body() == {"status": "unready", "reason": "database unavailable"}


def test_preparing_against_a_database_that_is_down_leaves_it_to_the_checks() -> None:
    readiness = Readiness(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"))
    readiness.prepare()
    assert readiness.verdict().problem == "database unavailable"


def test_unready_while_draining_even_with_a_healthy_database(sqlite_url: str) -> None:
    readiness = Readiness(make_engine(sqlite_url))
    readiness.draining = True
    assert readiness.verdict().problem == "shutting down"


def test_a_database_that_lost_its_tables_is_unready_once_then_gets_them_back(database_url: str) -> None:
    engine = make_engine(database_url)
    readiness = Readiness(engine)
    assert readiness.verdict().problem is None
    # what a restarted development database with no volume looks like: nothing at all
    everything = MetaData()
    everything.reflect(engine)
    everything.drop_all(engine)

    assert readiness.verdict().problem == "database unavailable"
    assert readiness.verdict().problem is None
    assert revision_of(engine) == head()


def test_a_database_taken_back_to_an_older_revision_is_unready_once_then_migrated_again(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    readiness = Readiness(engine)
    assert readiness.verdict().problem is None
    migrate(engine, "downgrade", BASELINE)

    verdict = readiness.verdict()
    assert verdict.problem == f"database schema {BASELINE} is behind this code's {head()}"
    assert verdict.body()["schema"]["relation"] == "behind"
    assert readiness.verdict().problem is None
    assert revision_of(engine) == head()


def test_a_schema_this_code_cannot_serve_ends_the_start_and_keeps_a_running_process_unready(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    running = Readiness(engine)
    assert running.verdict().problem is None
    set_revision(engine, FUTURE, oldest_code="0098_contract_step")

    with pytest.raises(SchemaTooNew, match=f"revision {FUTURE}, newer than this code"):
        Readiness(engine).prepare()
    verdict = running.verdict()
    assert verdict.status_code == 503
    assert verdict.body()["reason"].startswith(f"the database schema is at revision {FUTURE}")
    assert verdict.body()["schema"] == {"code": head(), "database": FUTURE, "relation": "ahead"}


def test_a_schema_ahead_that_keeps_this_code_compatible_is_served(database_url: str) -> None:
    engine = make_engine(database_url)
    Readiness(engine).prepare()
    set_revision(engine, FUTURE, oldest_code=BASELINE)

    readiness = Readiness(engine)
    readiness.prepare()
    assert readiness.verdict().body() == {
        "status": "ready",
        "schema": {"code": head(), "database": FUTURE, "relation": "ahead"},
    }


def test_tables_of_unknown_origin_are_unready_with_the_reason_and_left_alone(database_url: str) -> None:
    engine = make_engine(database_url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE message (id INTEGER PRIMARY KEY)")

    with pytest.raises(SchemaRefused, match="has tables message but not conversation, task"):
        Readiness(engine).prepare()
    assert Readiness(engine).verdict().body() == {
        "status": "unready",
        "reason": "the database has tables message but not conversation, task, and no alembic_version: "
        f"it is not a schema of this application (expected revision {head()})",
    }
