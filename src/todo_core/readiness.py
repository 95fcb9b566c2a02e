"""Readiness shared by both services: the process is not draining, its own database answers, and the
schema is one this code serves.

The schema is migrated at start-up (`prepare`) and, failing that, on the first successful check, so a
pod that starts while the database is down does not crash-loop: it stays unready and becomes ready the
moment the database is back. After any failed check the schema is ensured again, so a database that
comes back empty gets its tables. A schema this code must not serve or change ends the process at
start-up and keeps a running one unready, with the reason in /readyz."""

import logging
import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from todo_core.revisions import SchemaRefused, SchemaState, SchemaTooNew
from todo_core.schema import check_schema, upgrade_schema

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Verdict:
    problem: str | None
    schema: SchemaState | None = None

    @property
    def status_code(self) -> int:
        return 200 if self.problem is None else 503

    def body(self) -> dict[str, Any]:
        """What /readyz answers: `schema` (this code's revision, the database's, and which is newer) is
        what `todoctl status` and `todoctl db` show."""
        found: dict[str, Any] = (
            {"status": "ready"} if self.problem is None else {"status": "unready", "reason": self.problem}
        )
        if self.schema is not None:
            found["schema"] = self.schema.as_dict()
        return found


class Readiness:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.draining = False
        self._schema_ready = False
        self._lock = threading.Lock()

    def verdict(self) -> Verdict:
        """Ready (no problem) or the reason not. Blocking: call from a worker thread."""
        if self.draining:
            return Verdict("shutting down")
        try:
            self._ensure_schema()
            state = check_schema(self.engine)
        except SchemaTooNew as error:
            self._schema_ready = False
            log.error("readiness schema_refused %s", error)
            return Verdict(str(error), error.state)
        except SchemaRefused as error:
            self._schema_ready = False
            log.error("readiness schema_refused %s", error)
            return Verdict(str(error))
        except SQLAlchemyError as error:
            self._schema_ready = False
            log.warning("readiness database_unavailable error=%s", type(error).__name__)
            return Verdict("database unavailable")
        if state.relation == "behind":
            # someone took the database back after this process migrated it: migrate again next time
            self._schema_ready = False
            return Verdict(f"database schema {state.database} is behind this code's {state.code}", state)
        return Verdict(None, state)

    def prepare(self) -> None:
        """At start-up, before the listener opens: migrate. A database that does not answer is waited for
        by `verdict`; a schema this code must not touch raises SchemaRefused, which should end the process."""
        try:
            self._ensure_schema()
        except SQLAlchemyError as error:
            log.warning("schema_deferred database_unavailable error=%s", type(error).__name__)

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._lock:
            if not self._schema_ready:
                upgrade_schema(self.engine)
                self._schema_ready = True
