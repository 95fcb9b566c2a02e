"""mcp-server's task tools as one user's agent sees them.

The model never chooses whose tasks it touches: `user_id` is not in any schema it is shown, and
every call carries the verified user's id, whatever arguments the model produced. Each call that
really ran is recorded, so the chat response reports what happened rather than what was planned.

One turn makes at most `max_calls` calls (CHAT_MAX_TOOL_CALLS): a message once made 200 add_task
calls. Calls past the cap are not sent; the model gets an error result saying why, so it can tell
the user what was left undone instead of the whole turn failing after real changes."""

import copy
import json
import re
from dataclasses import dataclass
from typing import Any

from agents.mcp import MCPServer
from mcp.types import CallToolResult, GetPromptResult, ListPromptsResult, TextContent
from mcp.types import Tool as MCPTool

from ai_todo.agent.connection import McpConnection

USER_ID = "user_id"
# How mcp-server prefixes an expected failure ("Error executing tool complete_task: task 7 not found").
_ERROR_PREFIX = re.compile(r"^Error executing tool \w+:\s*")


@dataclass(frozen=True)
class ToolCallRecord:
    name: str
    arguments: dict[str, Any]
    result: Any


class UserTools(MCPServer):
    def __init__(self, connection: McpConnection, user_id: str, *, max_calls: int) -> None:
        # Structured results are one JSON text (a task list, not one text part per task).
        super().__init__(use_structured_content=True)
        self.connection = connection
        self.user_id = user_id
        self.max_calls = max_calls
        self.calls: list[ToolCallRecord] = []

    @property
    def name(self) -> str:
        return "todo-tasks"

    async def connect(self) -> None:
        """Nothing to do: the shared connection outlives every request."""

    async def cleanup(self) -> None:
        """Nothing to do: the shared connection outlives every request."""

    async def list_tools(self, run_context: Any = None, agent: Any = None) -> list[MCPTool]:
        return _model_view(await self.connection.tools())

    async def call_tool(
        self, tool_name: str, arguments: dict[str, Any] | None, meta: dict[str, Any] | None = None
    ) -> CallToolResult:
        if len(self.calls) >= self.max_calls:
            return _error_result(
                f"not done: this message already made {self.max_calls} tool calls, the most one message "
                "may; tell the user what was done and ask them to send the rest in another message"
            )
        model_arguments = {key: value for key, value in (arguments or {}).items() if key != USER_ID}
        missing = await self._missing_arguments(tool_name, model_arguments)
        if missing:
            # A model's slip, for the model to fix: the MCP client would otherwise raise as if the
            # connection had failed.
            result = _error_result(f"missing required arguments: {', '.join(missing)}")
        else:
            result = await self.connection.call(tool_name, {**model_arguments, USER_ID: self.user_id})
        self.calls.append(ToolCallRecord(tool_name, model_arguments, public_result(result)))
        return result

    async def _missing_arguments(self, tool_name: str, arguments: dict[str, Any]) -> list[str]:
        tool = next((tool for tool in await self.connection.tools() if tool.name == tool_name), None)
        required = tool.input_schema.get("required", []) if tool is not None else []
        return [name for name in required if name != USER_ID and name not in arguments]

    async def list_prompts(self) -> ListPromptsResult:
        return ListPromptsResult(prompts=[])

    async def get_prompt(self, name: str, arguments: dict[str, Any] | None = None) -> GetPromptResult:
        raise LookupError(f"mcp-server offers no prompts, so none is called {name!r}")


# Stripping copies every schema, and the SDK lists the tools on every turn; the listing changes only
# when a connection is opened, so the stripped copy is made once per listing (held with the listing
# it came from, so an identity check cannot be fooled by a reused id).
_last_view: tuple[tuple[MCPTool, ...], list[MCPTool]] = ((), [])


def _model_view(listing: tuple[MCPTool, ...]) -> list[MCPTool]:
    global _last_view  # noqa: PLW0603 - one memo for the process, as there is one shared connection
    source, view = _last_view
    if source is not listing:
        view = [without_user_id(tool) for tool in listing]
        _last_view = (listing, view)
    return list(view)


def _error_result(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def without_user_id(tool: MCPTool) -> MCPTool:
    schema = copy.deepcopy(tool.input_schema)
    schema.get("properties", {}).pop(USER_ID, None)
    if USER_ID in schema.get("required", []):
        schema["required"] = [name for name in schema["required"] if name != USER_ID]
    return tool.model_copy(update={"input_schema": schema})


def public_result(result: CallToolResult) -> Any:
    """A tool's result as the chat response shows it: the structured value, or the error text."""
    text = "\n".join(part.text for part in result.content if part.type == "text")
    if result.is_error:
        return {"error": _ERROR_PREFIX.sub("", text)}
    structured = result.structured_content
    if structured is not None:
        # mcp-server wraps a list result as {"result": [...]}; the contract's result is the list.
        return structured["result"] if set(structured) == {"result"} else structured
    try:
        return json.loads(text)
    except ValueError:
        return text
