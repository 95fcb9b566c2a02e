import multiprocessing

from sqlalchemy import inspect

from todo_core.db import make_engine
from todo_core.schema import create_schema


def _create(url: str) -> None:
    create_schema(make_engine(url))


def test_create_schema_makes_the_three_tables_with_user_id_indexes(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine)

    inspector = inspect(engine)
    assert {"task", "conversation", "message"} <= set(inspector.get_table_names())
    for table in ("task", "conversation", "message"):
        indexed = [index["column_names"][0] for index in inspector.get_indexes(table)]
        assert "user_id" in indexed, f"{table} has no index led by user_id"


def test_create_schema_twice_is_harmless(database_url: str) -> None:
    engine = make_engine(database_url)
    create_schema(engine)
    create_schema(engine)
    assert "task" in inspect(engine).get_table_names()


def test_replicas_starting_at_the_same_moment_all_succeed(database_url: str) -> None:
    # separate processes, as replicas are: threads would share one engine and hide the race
    context = multiprocessing.get_context("spawn")
    starters = [context.Process(target=_create, args=(database_url,)) for _ in range(6)]
    for process in starters:
        process.start()
    for process in starters:
        process.join(60)
    assert [process.exitcode for process in starters] == [0] * 6
    assert {"task", "conversation", "message"} <= set(inspect(make_engine(database_url)).get_table_names())
