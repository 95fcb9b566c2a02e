import time
from datetime import UTC, datetime

import psycopg
import pytest
from sqlalchemy.exc import OperationalError
from sqlmodel import select

from tests.support.databases import PG_ADMIN_DSN
from tests.support.processes import free_port
from todo_core.db import CONNECT_TIMEOUT, make_engine, ping, session_scope
from todo_core.models import Task
from todo_core.schema import upgrade_schema


@pytest.mark.parametrize("url", ["mysql://root@127.0.0.1/test", "postgresql+psycopg2://u@h/db", "oracle://x"])
def test_unsupported_database_is_refused_with_the_reason(url: str) -> None:
    with pytest.raises(ValueError, match="unsupported database URL scheme"):
        make_engine(url)


@pytest.mark.parametrize("scheme", ["postgresql", "postgres", "postgresql+psycopg"])
def test_every_usual_postgres_url_form_uses_psycopg_3(postgres_url: str, scheme: str) -> None:
    engine = make_engine(postgres_url.replace("postgresql+psycopg", scheme, 1))
    assert engine.dialect.driver == "psycopg"
    ping(engine)


def test_timestamps_come_back_timezone_aware_in_utc(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    with session_scope(engine) as session:
        task = Task(user_id="alice", title="Buy milk")
        session.add(task)
    with session_scope(engine) as session:
        stored = session.get(Task, task.id)
        assert stored is not None
        assert stored.created_at.tzinfo is not None
        assert stored.created_at.utcoffset().total_seconds() == 0
        assert abs((datetime.now(UTC) - stored.created_at).total_seconds()) < 60


def test_naive_timestamps_are_refused(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    upgrade_schema(engine)
    with pytest.raises(Exception, match="naive datetime"), session_scope(engine) as session:
        session.add(Task(user_id="alice", title="x", created_at=datetime(2026, 1, 1)))


def test_session_scope_rolls_back_on_error(database_url: str) -> None:
    engine = make_engine(database_url)
    upgrade_schema(engine)

    def failing_unit_of_work() -> None:
        with session_scope(engine) as session:
            session.add(Task(user_id="alice", title="never stored"))
            session.flush()
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        failing_unit_of_work()
    with session_scope(engine) as session:
        assert session.exec(select(Task)).all() == []


def test_pool_survives_the_server_dropping_every_connection(postgres_url: str) -> None:
    engine = make_engine(postgres_url)
    upgrade_schema(engine)
    ping(engine)  # a pooled connection now exists
    database = postgres_url.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        killed = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = %s", (database,)
        ).fetchone()
    assert killed is not None
    assert killed[0] >= 1
    ping(engine)  # pre-ping notices the dead connection and opens a new one


def test_unreachable_database_fails_fast_instead_of_hanging() -> None:
    engine = make_engine(f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/nowhere")
    started = time.monotonic()
    with pytest.raises(OperationalError):
        ping(engine)
    assert time.monotonic() - started < CONNECT_TIMEOUT + 2
