"""ai-todo's one way to its database: a read or a write of plain functions over a connection
(`ai_todo.conversations`), run off the event loop, with the same answer to a database that does not.

Each call is one worker-thread hop and one connection from the pool; a write is one transaction,
committed when the function returns and rolled back when it raises. A database that fails or a pool
that has no connection to give within its timeout becomes `StorageUnavailable` (a 503 whose words say
to try again), whichever route asked; every other exception passes through unchanged."""

import logging
from collections.abc import Callable
from typing import TypeVar

from anyio import to_thread
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from ai_todo.errors import StorageUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")


class Storage:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def read(self, operation: Callable[[Connection], T]) -> T:
        """`operation`'s result; whatever it changed is rolled back."""

        def run() -> T:
            with self.engine.connect() as connection:
                return operation(connection)

        return await self._off_the_loop(run)

    async def write(self, operation: Callable[[Connection], T]) -> T:
        """`operation`'s result, once its transaction is committed."""

        def run() -> T:
            with self.engine.begin() as connection:
                return operation(connection)

        return await self._off_the_loop(run)

    async def _off_the_loop(self, run: Callable[[], T]) -> T:
        try:
            return await to_thread.run_sync(run)
        except (DBAPIError, PoolTimeout) as error:
            log.warning("storage_error error=%s", type(error).__name__)
            raise StorageUnavailable(type(error).__name__) from None
