"""The migration scripts this code carries, and where a database's schema revision stands against them.

Revisions form one line (a test keeps it so). Each script names `oldest_code_revision`: the oldest code
that still works on the schema it leaves. The database keeps that value beside its revision, so code
meeting a newer schema than its own can tell whether it may serve it (expand steps: yes) or must refuse
(a contract step removed something it uses)."""

from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from alembic.script import ScriptDirectory

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# What the releases before migrations created; their databases are stamped with it.
BASELINE = "0001_baseline"
BASELINE_TABLES = ("conversation", "task", "message")

Relation = Literal["behind", "current", "ahead"]


@cache
def scripts() -> ScriptDirectory:
    return ScriptDirectory(MIGRATIONS_DIR)


def head() -> str:
    found = scripts().get_current_head()
    if found is None:
        raise LookupError(f"no migration scripts in {MIGRATIONS_DIR}")
    return found


@cache
def _known() -> frozenset[str]:
    return frozenset(script.revision for script in scripts().walk_revisions())


def is_known(revision: str) -> bool:
    """Exactly one of this code's revisions; not Alembic's symbols ("head") or prefixes ("0001")."""
    return revision in _known()


def oldest_code_revision(revision: str) -> str:
    return scripts().get_revision(revision).module.oldest_code_revision


@dataclass(frozen=True)
class SchemaState:
    """A database's revision against this code's newest one. `database` is None before any schema."""

    code: str
    database: str | None
    relation: Relation

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)


def state_of(database: str | None) -> SchemaState:
    code = head()
    if database == code:
        relation: Relation = "current"
    elif database is None or is_known(database):
        relation = "behind"
    else:
        relation = "ahead"
    return SchemaState(code=code, database=database, relation=relation)


class SchemaRefused(Exception):
    """A schema this code must neither serve nor change; the message names what was found."""


class SchemaTooNew(SchemaRefused):
    def __init__(self, state: SchemaState, oldest_code: str | None) -> None:
        self.state = state
        needs = (
            f"it needs code from revision {oldest_code} or later"
            if oldest_code
            else "it does not say which older code may use it"
        )
        super().__init__(
            f"the database schema is at revision {state.database}, newer than this code "
            f"(revision {state.code}), and {needs}: deploy a release that carries revision "
            f"{state.database}, or downgrade the database with that release's migrations"
        )


def refusal(state: SchemaState, oldest_code: str | None) -> SchemaTooNew | None:
    """Why this code must not serve a database that is ahead of it, or None when it may."""
    if state.relation != "ahead" or (oldest_code is not None and is_known(oldest_code)):
        return None
    return SchemaTooNew(state, oldest_code)
