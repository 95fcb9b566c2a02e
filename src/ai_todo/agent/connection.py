"""The one MCP session to mcp-server that every request of this process shares.

Opening a session costs a handshake and a tool listing (tens of milliseconds); a call over an open
one costs a couple. So the session is opened once and kept, and thrown away on the first failure:
the next call opens a fresh one, which is how a restarted mcp-server, or a replica that went away
behind its Service, is picked up without anyone noticing. Calls from concurrent turns go out at
together over the shared session (the official MCP client matches answers to requests), so a slow
call holds up only its own turn; at most MAX_CONCURRENT_CALLS at a time, so a burst of turns queues
here instead of flooding mcp-server. A call that times out fails alone: the session stays, as
mcp-server keeps nothing per session and the other calls on it are fine. Any other failure replaces
the session for the calls that follow, and the old one closes once the calls still on it are done.

mcp-server is stateless, so a new session may land on any replica. A call that failed on a session
is repeated once on a fresh one only when the tool's own annotations in the listing say repeating it
cannot change the outcome (`may_repeat`): creating or deleting a task might already have happened,
and those are never sent twice."""

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator
from typing import Any

import httpx2
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp.types import Tool as MCPTool

from ai_todo.errors import ToolsUnavailable

log = logging.getLogger(__name__)

# JSON-RPC "request timed out", as the MCP client reports a read timeout.
_MCP_REQUEST_TIMEOUT = -32001
# Calls in flight at once from this process; mcp-server's database pool serves about as many.
MAX_CONCURRENT_CALLS = 10
# A listing longer than this many pages is a server bug, not a tool catalogue.
_MAX_LISTING_PAGES = 20
# The HTTP client waits this many times a call's own timeout. A POST whose HTTP read times out takes
# the client's whole transport down with it, so the call's timeout must always fire first: then the
# call fails alone and its POST, left to finish, ends when the server answers.
_HTTP_TIMEOUT_FACTOR = 2


class _Session:
    """One MCP session, opened and closed by a task of its own: the transport's task group must be
    left by the task that entered it, and the request that opened the session is long gone by the
    time the session is closed."""

    def __init__(self, url: str, headers: dict[str, str], timeout_seconds: float) -> None:
        self.client: Client | None = None
        self.tools: tuple[MCPTool, ...] = ()
        # the names of the listed tools a failed call of which may be sent again
        self.repeatable: frozenset[str] = frozenset()
        self.calls_in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()
        self._opened: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._close = asyncio.Event()
        self._task = asyncio.create_task(self._run(url, headers, timeout_seconds), name="mcp-session")

    async def opened(self) -> None:
        """Returns once the session is open with its tools listed; raises why it could not open."""
        await asyncio.shield(self._opened)

    @contextlib.asynccontextmanager
    async def calling(self) -> AsyncIterator[Client]:
        assert self.client is not None
        self.calls_in_flight += 1
        self._idle.clear()
        try:
            yield self.client
        finally:
            self.calls_in_flight -= 1
            if self.calls_in_flight == 0:
                self._idle.set()

    async def idle(self) -> None:
        """Returns once no call is in flight on this session."""
        await self._idle.wait()

    async def close(self) -> None:
        self._close.set()
        if not self._opened.done():
            self._task.cancel()
        await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self, url: str, headers: dict[str, str], timeout_seconds: float) -> None:
        try:
            async with (
                httpx2.AsyncClient(headers=headers, timeout=timeout_seconds * _HTTP_TIMEOUT_FACTOR) as http,
                Client(
                    streamable_http_client(url, http_client=http),
                    read_timeout_seconds=timeout_seconds,
                    cache=None,
                ) as client,
            ):
                self.tools = await _listing(client)
                self.repeatable = frozenset(tool.name for tool in self.tools if may_repeat(tool))
                self.client = client
                self._opened.set_result(None)
                await self._close.wait()
        except asyncio.CancelledError:
            self._opened.cancel()
            raise
        except Exception as error:
            if not self._opened.done():
                self._opened.set_exception(error)
            else:
                log.debug("mcp_session_closed_with error=%s", type(error).__name__)


def may_repeat(tool: MCPTool) -> bool:
    """Whether a second identical call leaves the same state and gives the same answer, as the tool's
    annotations declare: a read-only tool, or an idempotent one that destroys nothing (a second
    delete would say "not found" of the task the first one deleted). A hint left out means what the
    MCP specification says it defaults to: not read-only, not idempotent, destructive."""
    hints = tool.annotations
    if hints is None:
        return False
    return bool(hints.read_only_hint) or (bool(hints.idempotent_hint) and hints.destructive_hint is False)


async def _listing(client: Client) -> tuple[MCPTool, ...]:
    tools: list[MCPTool] = []
    cursor: str | None = None
    for _ in range(_MAX_LISTING_PAGES):
        page = await client.list_tools(cursor=cursor)
        tools.extend(page.tools)
        cursor = page.next_cursor
        if cursor is None:
            break
    return tuple(tools)


class McpConnection:
    def __init__(self, url: str, *, token: str | None, timeout_seconds: float) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._session: _Session | None = None
        self._lock = asyncio.Lock()
        self._slots = asyncio.Semaphore(MAX_CONCURRENT_CALLS)
        self._closing: set[asyncio.Task[None]] = set()

    async def tools(self) -> tuple[MCPTool, ...]:
        """mcp-server's tools, as listed when the current session was opened. The tuple is replaced
        only when a session is opened: callers may keep it and compare it by identity."""
        return (await self._connected()).tools

    async def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        async with self._slots:
            session = await self._connected()
            try:
                return await self._call_on(session, name, arguments)
            except ToolsUnavailable as error:
                if name not in session.repeatable or error.timed_out:
                    raise
            log.info("mcp_call_repeated tool=%s", name)
            return await self._call_on(await self._connected(), name, arguments)

    async def close(self) -> None:
        if self._session is not None:
            self._discard(self._session)
        if self._closing:
            await asyncio.wait(self._closing, timeout=self.timeout_seconds)

    async def _call_on(self, session: _Session, name: str, arguments: dict[str, Any]) -> CallToolResult:
        try:
            async with session.calling() as client, asyncio.timeout(self.timeout_seconds):
                return await client.call_tool(name, arguments)
        except Exception as error:
            raise self._failed(session, name, error) from error

    def _failed(self, session: _Session, name: str, error: Exception) -> ToolsUnavailable:
        timed_out = isinstance(error, TimeoutError) or (
            isinstance(error, MCPError) and error.code == _MCP_REQUEST_TIMEOUT
        )
        log.warning("mcp_call_failed tool=%s error=%s timed_out=%s", name, type(error).__name__, timed_out)
        if not timed_out:
            self._discard(session)
        return ToolsUnavailable(f"{name}: {type(error).__name__}", timed_out=timed_out)

    async def _connected(self) -> _Session:
        session = self._session
        if session is not None:
            return session
        async with self._lock:
            if self._session is None:
                self._session = await self._connect()
            return self._session

    async def _connect(self) -> _Session:
        started = time.perf_counter()
        session = _Session(self.url, self._headers, self.timeout_seconds)
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await session.opened()
        except Exception as error:
            log.warning("mcp_connect_failed url=%s error=%s", self.url, type(error).__name__)
            self._discard(session)
            raise ToolsUnavailable(
                f"connect: {type(error).__name__}", timed_out=isinstance(error, TimeoutError)
            ) from error
        log.info(
            "mcp_connected url=%s tools=%d duration_ms=%.1f",
            self.url,
            len(session.tools),
            (time.perf_counter() - started) * 1000,
        )
        return session

    def _discard(self, session: _Session) -> None:
        """Forgets a failed session at once and closes it in the background, so no request waits
        on the teardown of a session that is already broken."""
        if self._session is session:
            self._session = None
        task = asyncio.create_task(self._close_quietly(session))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close_quietly(self, session: _Session) -> None:
        # the calls still on it end by themselves, each within its own timeout
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout_seconds):
                await session.idle()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await session.close()
        except Exception as error:
            log.debug("mcp_cleanup_failed error=%s", type(error).__name__)
