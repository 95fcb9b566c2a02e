from sqlmodel import SQLModel

from tests.support.processes import free_port
from todo_core.db import make_engine
from todo_core.readiness import Readiness


def test_ready_when_the_database_answers_and_schema_is_created(database_url: str) -> None:
    readiness = Readiness(make_engine(database_url))
    assert readiness.check() is None
    assert readiness.check() is None


def test_unready_with_the_reason_when_the_database_is_down() -> None:
    readiness = Readiness(make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere"))
    assert readiness.check() == "database unavailable"


def test_unready_while_draining_even_with_a_healthy_database(sqlite_url: str) -> None:
    readiness = Readiness(make_engine(sqlite_url))
    readiness.draining = True
    assert readiness.check() == "shutting down"


def test_a_database_that_lost_its_tables_is_unready_once_then_gets_them_back(database_url: str) -> None:
    engine = make_engine(database_url)
    readiness = Readiness(engine)
    assert readiness.check() is None
    SQLModel.metadata.drop_all(engine)  # what a restarted development database with no volume looks like

    assert readiness.check() == "database unavailable"
    assert readiness.check() is None
