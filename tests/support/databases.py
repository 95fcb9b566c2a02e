"""Throwaway databases on the machine's PostgreSQL (127.0.0.1:5432, trust auth) and on SQLite."""

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "postgresql://postgres@127.0.0.1:5432/postgres")


def postgres_available() -> str | None:
    """None when the server answers, else why not."""
    try:
        with psycopg.connect(PG_ADMIN_DSN, connect_timeout=3):
            return None
    except psycopg.OperationalError as error:
        return str(error).strip().splitlines()[0]


def require_postgres() -> None:
    problem = postgres_available()
    if problem is None:
        return
    # CI starts PostgreSQL itself, so there a missing server is a failure, not a reason to skip.
    if os.environ.get("CI"):
        pytest.fail(f"PostgreSQL is required in CI but does not answer: {problem}")
    pytest.skip(f"PostgreSQL on 127.0.0.1:5432 does not answer: {problem}")


@contextmanager
def fresh_postgres_database() -> Iterator[str]:
    """A new empty database; yields its SQLAlchemy URL and drops it afterwards."""
    require_postgres()
    name = f"todoctl_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
