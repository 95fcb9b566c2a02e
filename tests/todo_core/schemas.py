"""Reading a database's schema and rows back, and moving it to a given revision, for the migration tests."""

from typing import Any

from alembic import command
from sqlalchemy import MetaData, delete, insert, inspect, select, text
from sqlalchemy.engine import Engine

from todo_core.schema import COMPATIBILITY, COMPATIBILITY_TABLE, alembic_config, locked_schema_transaction

BOOKKEEPING = {"alembic_version", COMPATIBILITY_TABLE}


def schema_of(engine: Engine) -> dict[str, Any]:
    """Tables, columns (type as the database spells it, nullability, server default), primary keys,
    foreign keys and indexes: everything a release's code can notice, order aside."""
    inspector = inspect(engine)
    found = {}
    for table in sorted(set(inspector.get_table_names()) - BOOKKEEPING):
        found[table] = {
            "columns": {
                column["name"]: (
                    column["type"].compile(dialect=engine.dialect),
                    column["nullable"],
                    column.get("default"),
                )
                for column in inspector.get_columns(table)
            },
            "primary_key": inspector.get_pk_constraint(table)["constrained_columns"],
            "foreign_keys": sorted(
                (
                    tuple(fk["constrained_columns"]),
                    fk["referred_table"],
                    fk.get("options", {}).get("ondelete"),
                )
                for fk in inspector.get_foreign_keys(table)
            ),
            "indexes": sorted(
                (index["name"], tuple(index["column_names"]), bool(index["unique"]))
                for index in inspector.get_indexes(table)
            ),
        }
    return found


def rows_of(engine: Engine, columns: dict[str, list[str]]) -> dict[str, list[tuple[Any, ...]]]:
    """The named columns of every row, by table, in id order."""
    metadata = MetaData()
    metadata.reflect(engine, only=list(columns))
    with engine.connect() as connection:
        return {
            name: [
                tuple(row)
                for row in connection.execute(
                    select(*(metadata.tables[name].c[column] for column in wanted)).order_by(
                        metadata.tables[name].c.id
                    )
                )
            ]
            for name, wanted in columns.items()
        }


def revision_of(engine: Engine) -> str | None:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return None
        return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def migrate(engine: Engine, direction: str, revision: str) -> None:
    """`alembic upgrade|downgrade REVISION` on the services' own path (the schema lock, one transaction)."""
    with locked_schema_transaction(engine) as connection:
        getattr(command, direction)(alembic_config(connection), revision)


def set_revision(engine: Engine, revision: str, oldest_code: str | None) -> None:
    """What a later release's migration leaves behind, written by hand: its revision and the oldest
    code it says may still serve the schema."""
    with engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :r"), {"r": revision})
        connection.execute(delete(COMPATIBILITY))
        if oldest_code is not None:
            connection.execute(insert(COMPATIBILITY).values(oldest_code_revision=oldest_code))
