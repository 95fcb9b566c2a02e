"""The rule of docs/architecture.md, "Schema changes": this release's migrations only expand what the
previous release uses, so its pods keep working while the rolling upgrade runs beside them. Dropping,
renaming or tightening waits for a later release (contract), once no running code uses the old shape.

tests/system/test_rolling_upgrade.py runs the previous release's services on the migrated database;
this test names the offending column or index directly, on both databases."""

from tests.support.previous_release import populate_with_previous_release
from tests.todo_core.schemas import schema_of
from todo_core.db import make_engine
from todo_core.schema import upgrade_schema


def test_migrations_only_expand_the_schema_the_previous_release_uses(database_url: str) -> None:
    populate_with_previous_release(database_url)
    engine = make_engine(database_url)
    before = schema_of(engine)
    upgrade_schema(engine)
    after = schema_of(engine)

    problems = []
    for table, old in before.items():
        if table not in after:
            problems.append(f"table {table} dropped or renamed")
            continue
        new = after[table]
        for column, (kind, nullable, _) in old["columns"].items():
            if column not in new["columns"]:
                problems.append(f"{table}.{column} dropped or renamed")
                continue
            new_kind, new_nullable, _ = new["columns"][column]
            # even a widening is reported: the previous release's limits are in its code, not only here
            if new_kind != kind:
                problems.append(f"{table}.{column} changed type from {kind} to {new_kind}")
            if nullable and not new_nullable:
                problems.append(f"{table}.{column} became NOT NULL")
        for column in new["columns"].keys() - old["columns"].keys():
            _, nullable, server_default = new["columns"][column]
            if not nullable and server_default is None:
                problems.append(f"{table}.{column} is new, NOT NULL and has no server default")
        old_indexes = {name: (columns, unique) for name, columns, unique in old["indexes"]}
        for name, columns, unique in new["indexes"]:
            if unique and old_indexes.get(name) != (columns, unique):
                problems.append(f"unique index {name} on {table} is new: the previous release may break it")
        if set(new["foreign_keys"]) - set(old["foreign_keys"]):
            problems.append(f"{table} has a new foreign key: the previous release may break it")
        if new["primary_key"] != old["primary_key"]:
            problems.append(f"{table} changed its primary key")

    assert problems == [], "contract steps belong in a later release (docs/architecture.md)"
