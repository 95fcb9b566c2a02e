"""One engine per process, tuned so a database outage fails fast instead of hanging requests."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, create_engine

# Seconds. A request must learn that the database is gone well inside the chat's own time budget,
# and readiness probes in the chart time out after a few seconds.
CONNECT_TIMEOUT = 3
POOL_TIMEOUT = 5
STATEMENT_TIMEOUT_MS = 10_000


# Providers hand out plain postgresql:// (Neon) or postgres:// (Heroku-style) URLs; SQLAlchemy would read
# those as psycopg2, which is not installed. psycopg 3 is the one driver here.
POSTGRES_SCHEMES = frozenset({"postgres", "postgresql", "postgresql+psycopg"})
# what settings accept in DATABASE_URL: exactly what make_engine connects with
DATABASE_SCHEMES = POSTGRES_SCHEMES | {"sqlite"}


def make_engine(database_url: str) -> Engine:
    url = make_url(database_url)
    if url.drivername == "sqlite":
        return _sqlite_engine(database_url)
    if url.drivername not in POSTGRES_SCHEMES:
        raise ValueError(
            f"unsupported database URL scheme {url.drivername!r}: use postgresql:// (psycopg 3) or sqlite:///"
        )
    return create_engine(
        url.set(drivername="postgresql+psycopg"),
        # pre-ping replaces connections that died with a database restart instead of failing on them
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=POOL_TIMEOUT,
        pool_recycle=1800,
        connect_args={
            "connect_timeout": CONNECT_TIMEOUT,
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS}",
            # a dead server behind a live TCP path is noticed within seconds, not the kernel's hours
            "keepalives": 1,
            "keepalives_idle": 10,
            "keepalives_interval": 3,
            "keepalives_count": 3,
        },
    )


def _sqlite_engine(database_url: str) -> Engine:
    engine = create_engine(
        database_url,
        connect_args={"check_same_thread": False, "timeout": POOL_TIMEOUT},
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets two local processes (ai-todo and mcp-server under `todoctl dev`) read while one writes
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={POOL_TIMEOUT * 1000}")
        cursor.close()

    return engine


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


# The first half of two-part advisory lock keys, one per kind of per-user check; the schema lock
# (todo_core.schema) uses the one-part form, whose keys never collide with these.
USER_TASKS_LOCK = 1
USER_CHAT_LOCK = 2


_LOCK_USER = text("SELECT pg_advisory_xact_lock(:kind, hashtext(:user_id))")


def lock_user(transaction: Session | Connection, kind: int, user_id: str) -> None:
    """Serializes one user's transactions of one kind until the transaction ends, across every
    replica, so a count-then-insert limit holds exactly. PostgreSQL only: SQLite, on one machine,
    lets one writer in at a time anyway. Over an ORM session or a Core connection alike."""
    bind = transaction.get_bind() if isinstance(transaction, Session) else transaction
    if bind.dialect.name == "postgresql":
        transaction.execute(
            _LOCK_USER,
            {"kind": kind, "user_id": user_id},
        )


def ping(engine: Engine) -> None:
    """Raises when the database does not answer a trivial query."""
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
