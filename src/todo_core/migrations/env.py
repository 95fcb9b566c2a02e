"""Alembic's entry point for this schema.

The services reach it through `todo_core.schema.upgrade_schema`, which hands over the connection that
holds the schema lock and an open transaction: the whole upgrade commits or rolls back as one. The
`alembic` command line (alembic.ini at the repository's root; used to write a new revision) connects
to DATABASE_URL itself."""

from alembic import context
from sqlalchemy import Connection
from sqlmodel import SQLModel

from todo_core import models  # noqa: F401 - importing registers the tables on SQLModel.metadata
from todo_core.db import make_engine
from todo_core.schema import alembic_include_name
from todo_core.settings import ServiceSettings


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=SQLModel.metadata,
        include_name=alembic_include_name,
        # SQLite alters little in place: batch operations copy the table where they must
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline (--sql) migrations are not supported: run them against a database")
shared = context.config.attributes.get("connection")
if shared is not None:
    run(shared)
else:
    engine = make_engine(ServiceSettings().database_url)
    with engine.connect() as own:
        run(own)
    engine.dispose()
