"""Schema creation that any number of replicas may run at the same moment.

PostgreSQL: every starter takes the same transaction-scoped advisory lock, so one creates the tables
while the others wait and then find them. SQLite (one machine, local runs): BEGIN IMMEDIATE takes the
database's write lock for the same effect. A later schema change runs under the same lock (an Alembic
upgrade inside `locked_schema_transaction`), which is why the lock is its own context manager.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import Connection, literal, select, text
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from todo_core import models  # noqa: F401 - importing registers the tables on SQLModel.metadata

# An arbitrary constant shared by every process of this application: "todo" in ASCII.
SCHEMA_LOCK_KEY = 0x746F646F


@contextmanager
def locked_schema_transaction(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            connection.begin()
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
        try:
            yield connection
        except BaseException:
            connection.rollback()
            raise
        connection.commit()


def create_schema(engine: Engine) -> None:
    with locked_schema_transaction(engine) as connection:
        SQLModel.metadata.create_all(connection)


def check_schema(engine: Engine) -> None:
    """Raises unless the database answers and every table exists: a development database that lost
    its data (a restarted pod with an emptyDir) is noticed, not only one that is down."""
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            connection.execute(select(literal(1)).select_from(table).limit(0))
