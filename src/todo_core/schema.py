"""Schema migrations that any number of replicas may run at the same moment.

PostgreSQL: every starter takes the same transaction-scoped advisory lock, so one runs the Alembic
upgrade while the others wait and then find the database at their revision. SQLite (one machine,
local runs): BEGIN IMMEDIATE takes the database's write lock for the same effect. The upgrade runs
inside that one transaction (PostgreSQL and SQLite both have transactional DDL): it all lands, or none.

A database created before migrations existed (the three tables, no alembic_version) is stamped with the
baseline revision, not created again. A database ahead of this code is served when its recorded oldest
compatible revision is one this code knows, and refused otherwise (`revisions.SchemaTooNew`).
"""

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Column,
    Connection,
    MetaData,
    String,
    Table,
    delete,
    insert,
    inspect,
    literal,
    select,
    text,
)
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

from todo_core import models  # noqa: F401 - importing registers the tables on SQLModel.metadata
from todo_core.revisions import (
    BASELINE,
    BASELINE_TABLES,
    MIGRATIONS_DIR,
    SchemaRefused,
    SchemaState,
    head,
    oldest_code_revision,
    refusal,
    state_of,
)

log = logging.getLogger(__name__)

# An arbitrary constant shared by every process of this application: "todo" in ASCII.
SCHEMA_LOCK_KEY = 0x746F646F
# An ALTER waiting for a table lock behind a long transaction would queue every later query on that
# table behind itself, stalling the pods still serving; it gives up after this instead, and the next
# readiness check tries again.
MIGRATION_LOCK_TIMEOUT_MS = 3000

COMPATIBILITY_TABLE = "schema_compatibility"
COMPATIBILITY = Table(
    COMPATIBILITY_TABLE,
    MetaData(),
    Column("oldest_code_revision", String(64), primary_key=True),
)


def alembic_include_name(name: str | None, type_: str, parent_names: object) -> bool:
    """What Alembic compares with the models: not the table kept beside alembic_version."""
    return not (type_ == "table" and name == COMPATIBILITY_TABLE)


class SchemaNotRecognised(SchemaRefused):
    """Some of this application's tables exist, others do not, and nothing says which revision it is."""


@dataclass(frozen=True)
class Upgrade:
    before: str | None  # the revision found; None: an empty database
    after: str
    stamped: bool  # a database from before migrations, recognised as the baseline

    @property
    def migrated(self) -> bool:
        return self.before != self.after


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


def upgrade_schema(engine: Engine) -> Upgrade:
    """Brings the database to this code's newest revision, under the schema lock."""
    with locked_schema_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text(f"SET LOCAL lock_timeout = {MIGRATION_LOCK_TIMEOUT_MS}"))
        config = alembic_config(connection)
        found = _revision(connection)
        stamped = found is None and _predates_migrations(connection)
        if stamped:
            command.stamp(config, BASELINE)
            found = BASELINE
        state = state_of(found)
        if state.relation == "ahead":
            problem = refusal(state, _oldest_code(connection))
            if problem is not None:
                raise problem
            log.info("schema_ahead database=%s code=%s serving=true", found, state.code)
            return Upgrade(before=found, after=found, stamped=False)
        if state.relation == "behind":
            command.upgrade(config, "head")
        _record_oldest_code(connection, oldest_code_revision(state.code))
        upgrade = Upgrade(before=found, after=state.code, stamped=stamped)
    if upgrade.migrated or stamped:
        log.info("schema_upgraded from=%s to=%s stamped=%s", upgrade.before, upgrade.after, stamped)
    return upgrade


def check_schema(engine: Engine) -> SchemaState:
    """Raises unless the database answers and every table exists (a development database that lost its
    data, a restarted pod with an emptyDir, is noticed, not only one that is down), or when its schema
    is ahead of this code in a way this code cannot serve. Returns where the schema stands."""
    with engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            connection.execute(select(literal(1)).select_from(table).limit(0))
        state = state_of(_revision(connection))
        problem = refusal(state, _oldest_code(connection)) if state.relation == "ahead" else None
    if problem is not None:
        raise problem
    return state


def alembic_config(connection: Connection) -> Config:
    """Alembic's commands, run on `connection` (and inside its transaction) by migrations/env.py."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


def _revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _predates_migrations(connection: Connection) -> bool:
    present = set(inspect(connection).get_table_names())
    ours = present & set(BASELINE_TABLES)
    if ours and ours != set(BASELINE_TABLES):
        missing = ", ".join(sorted(set(BASELINE_TABLES) - ours))
        raise SchemaNotRecognised(
            f"the database has tables {', '.join(sorted(ours))} but not {missing}, and no "
            f"alembic_version: it is not a schema of this application (expected revision {head()})"
        )
    return bool(ours)


def _oldest_code(connection: Connection) -> str | None:
    if not inspect(connection).has_table(COMPATIBILITY_TABLE):
        return None
    return connection.execute(select(COMPATIBILITY.c.oldest_code_revision)).scalar()


def _record_oldest_code(connection: Connection, revision: str) -> None:
    COMPATIBILITY.create(connection, checkfirst=True)
    if connection.execute(select(COMPATIBILITY.c.oldest_code_revision)).scalar() != revision:
        connection.execute(delete(COMPATIBILITY))
        connection.execute(insert(COMPATIBILITY).values(oldest_code_revision=revision))
