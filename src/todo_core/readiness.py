"""Readiness shared by both services: the process is not draining and its own database answers.

The schema is created on the first successful check, so a pod that starts while the database is down
does not crash-loop: it stays unready and becomes ready the moment the database is back. After any
failed check the schema is ensured again, so a database that comes back empty gets its tables."""

import logging
import threading

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from todo_core.schema import check_schema, create_schema

log = logging.getLogger(__name__)


class Readiness:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.draining = False
        self._schema_ready = False
        self._lock = threading.Lock()

    def check(self) -> str | None:
        """None when ready, else the reason. Blocking: call from a worker thread."""
        if self.draining:
            return "shutting down"
        try:
            self._ensure_schema()
            check_schema(self.engine)
        except SQLAlchemyError as error:
            self._schema_ready = False
            log.warning("readiness database_unavailable error=%s", type(error).__name__)
            return "database unavailable"
        return None

    def prepare(self) -> None:
        """Best effort at start-up so the first request finds the tables; failures wait for `check`."""
        self.check()

    def _ensure_schema(self) -> None:
        if self._schema_ready:
            return
        with self._lock:
            if not self._schema_ready:
                create_schema(self.engine)
                self._schema_ready = True
