"""One line per event on stdout, key=value fields, so `kubectl logs` and grep both read it."""

import logging
import sys


def configure_logging(level: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s", datefmt="%Y-%m-%dT%H:%M:%S%z")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Alembic narrates its set-up at INFO on every start; todo_core.schema logs the one line that matters
    # (schema_upgraded from=... to=...), and Alembic's warnings and errors still come through.
    logging.getLogger("alembic").setLevel(max(logging.WARNING, root.level))
