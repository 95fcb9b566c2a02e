"""The one MCP connection to mcp-server that every request of this process shares.

Connecting costs a handshake and a tool listing (tens of milliseconds); a call over an open
connection costs a couple. So the connection is opened once and kept, and thrown away on the first
failure: the next call opens a fresh one, which is how a restarted mcp-server, or a replica that
went away behind its Service, is picked up without anyone noticing.

mcp-server is stateless, so a new connection may land on any replica. A call that failed on a
connection is repeated once on a fresh one only when repeating it cannot change the outcome:
creating or deleting a task might already have happened, and those are never sent twice."""

import asyncio
import logging
import time
from typing import Any

from agents.mcp import MCPServerStreamableHttp
from mcp.shared.exceptions import MCPError
from mcp.types import CallToolResult
from mcp.types import Tool as MCPTool

from ai_todo.errors import ToolsUnavailable

log = logging.getLogger(__name__)

# Tools for which a second identical call leaves the same state and gives the same answer.
SAFE_TO_REPEAT = frozenset({"list_tasks", "complete_task", "update_task"})
# JSON-RPC "request timed out", as the MCP client reports a read timeout.
_MCP_REQUEST_TIMEOUT = -32001


class McpConnection:
    def __init__(self, url: str, *, token: str | None, timeout_seconds: float) -> None:
        self.url = url
        self.timeout_seconds = timeout_seconds
        self._headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._server: MCPServerStreamableHttp | None = None
        # a tuple, replaced only when a connection is opened: callers may keep and compare it
        self._tools: tuple[MCPTool, ...] = ()
        self._lock = asyncio.Lock()
        self._closing: set[asyncio.Task[None]] = set()
        self.connect_count = 0

    async def tools(self) -> tuple[MCPTool, ...]:
        """mcp-server's tools, as listed when the current connection was opened."""
        await self._connected()
        return self._tools

    async def call(self, name: str, arguments: dict[str, Any]) -> CallToolResult:
        server = await self._connected()
        try:
            return await self._call_on(server, name, arguments)
        except ToolsUnavailable as error:
            if name not in SAFE_TO_REPEAT or error.timed_out:
                raise
        log.info("mcp_call_repeated tool=%s", name)
        return await self._call_on(await self._connected(), name, arguments)

    async def close(self) -> None:
        if self._server is not None:
            self._discard(self._server)
        if self._closing:
            await asyncio.wait(self._closing, timeout=self.timeout_seconds)

    async def _call_on(
        self, server: MCPServerStreamableHttp, name: str, arguments: dict[str, Any]
    ) -> CallToolResult:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                return await server.call_tool(name, arguments)
        except Exception as error:
            timed_out = isinstance(error, TimeoutError) or (
                isinstance(error, MCPError) and error.code == _MCP_REQUEST_TIMEOUT
            )
            log.warning(
                "mcp_call_failed tool=%s error=%s timed_out=%s", name, type(error).__name__, timed_out
            )
            self._discard(server)
            raise ToolsUnavailable(f"{name}: {type(error).__name__}", timed_out=timed_out) from error

    async def _connected(self) -> MCPServerStreamableHttp:
        server = self._server
        if server is not None:
            return server
        async with self._lock:
            if self._server is None:
                self._server = await self._connect()
            return self._server

    async def _connect(self) -> MCPServerStreamableHttp:
        started = time.perf_counter()
        server = MCPServerStreamableHttp(
            params={
                "url": self.url,
                "headers": self._headers,
                "timeout": self.timeout_seconds,
                "sse_read_timeout": self.timeout_seconds,
            },
            name="mcp-server",
            cache_tools_list=True,
            client_session_timeout_seconds=self.timeout_seconds,
        )
        self.connect_count += 1
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await server.connect()
                self._tools = tuple(await server.list_tools())
        except Exception as error:
            log.warning("mcp_connect_failed url=%s error=%s", self.url, type(error).__name__)
            self._discard(server)
            raise ToolsUnavailable(
                f"connect: {type(error).__name__}", timed_out=isinstance(error, TimeoutError)
            ) from error
        log.info(
            "mcp_connected url=%s tools=%d duration_ms=%.1f",
            self.url,
            len(self._tools),
            (time.perf_counter() - started) * 1000,
        )
        return server

    def _discard(self, server: MCPServerStreamableHttp) -> None:
        """Forgets a failed connection at once and closes it in the background, so no request waits
        on the teardown of a connection that is already broken."""
        if self._server is server:
            self._server = None
        task = asyncio.create_task(self._close_quietly(server))
        self._closing.add(task)
        task.add_done_callback(self._closing.discard)

    async def _close_quietly(self, server: MCPServerStreamableHttp) -> None:
        try:
            async with asyncio.timeout(self.timeout_seconds):
                await server.cleanup()
        except Exception as error:
            log.debug("mcp_cleanup_failed error=%s", type(error).__name__)
