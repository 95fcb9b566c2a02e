"""mcp-server's task tools as the agent sees them: Agents SDK function tools, made once per tool
listing and scoped to one user by the run's context.

The model never chooses whose tasks it touches: `user_id` is not in any schema it is shown, and
every call carries the id of the verified user the turn runs for (the run context), whatever
arguments the model produced. Each call that really ran is recorded in that context, so the chat
response reports what happened rather than what was planned.

One turn makes at most `max_calls` calls (CHAT_MAX_TOOL_CALLS): a message once made 200 add_task
calls. Calls past the cap are not sent; the model gets an error result saying why, so it can tell
the user what was left undone instead of the whole turn failing after real changes."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

from agents import FunctionTool, ModelBehaviorError
from agents.tool_context import ToolContext
from mcp.types import CallToolResult, TextContent
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


@dataclass
class UserTurn:
    """The run context of one turn: whose tasks the tools act on, how many calls it may make, and
    what they did."""

    user_id: str
    max_calls: int
    calls: list[ToolCallRecord] = field(default_factory=list)


def function_tools(connection: McpConnection, listing: tuple[MCPTool, ...]) -> list[FunctionTool]:
    """The listed tools as the model sees them; they call mcp-server through `connection`."""
    return [_function_tool(connection, tool) for tool in listing]


def _function_tool(connection: McpConnection, tool: MCPTool) -> FunctionTool:
    required = [name for name in tool.input_schema.get("required", []) if name != USER_ID]

    async def invoke(context: ToolContext[Any], input_json: str) -> str:
        turn = context.context
        if not isinstance(turn, UserTurn):
            # no user, no call: a run without one is a bug, never a call on someone's tasks
            raise TypeError(f"{tool.name} runs only within a user's turn")
        if len(turn.calls) >= turn.max_calls:
            return (
                f"not done: this message already made {turn.max_calls} tool calls, the most one message "
                "may; tell the user what was done and ask them to send the rest in another message"
            )
        arguments = _model_arguments(tool.name, input_json)
        missing = [name for name in required if name not in arguments]
        if missing:
            # A model's slip, for the model to fix: the MCP client would otherwise raise as if the
            # connection had failed.
            result = _error_result(f"missing required arguments: {', '.join(missing)}")
        else:
            result = await connection.call(tool.name, {**arguments, USER_ID: turn.user_id})
        turn.calls.append(ToolCallRecord(tool.name, arguments, public_result(result)))
        return model_output(result)

    return FunctionTool(
        name=tool.name,
        description=tool.description or tool.title or "",
        params_json_schema=without_user_id(tool.input_schema),
        on_invoke_tool=invoke,
        # mcp-server's schemas have optional parameters, which strict mode cannot express
        strict_json_schema=False,
    )


def _model_arguments(tool_name: str, input_json: str) -> dict[str, Any]:
    try:
        arguments = json.loads(input_json) if input_json else {}
    except ValueError:
        raise ModelBehaviorError(f"invalid JSON arguments for tool {tool_name}") from None
    if not isinstance(arguments, dict):
        raise ModelBehaviorError(f"the arguments for tool {tool_name} are not a JSON object")
    arguments.pop(USER_ID, None)
    return arguments


def _error_result(text: str) -> CallToolResult:
    return CallToolResult(content=[TextContent(type="text", text=text)], is_error=True)


def without_user_id(schema: dict[str, Any]) -> dict[str, Any]:
    """A copy of a tool's input schema without `user_id`; the listing's schema is left untouched."""
    stripped = dict(schema)
    stripped["properties"] = {
        name: value for name, value in schema.get("properties", {}).items() if name != USER_ID
    }
    if "required" in schema:
        stripped["required"] = [name for name in schema["required"] if name != USER_ID]
    return stripped


def model_output(result: CallToolResult) -> str:
    """A tool's result as the model reads it, as the SDK's own MCP tools give it: the structured
    value as JSON, or the text (an error's text, for the model to explain)."""
    if result.structured_content and not result.is_error:
        return json.dumps(result.structured_content)
    return "\n".join(part.text for part in result.content if part.type == "text")


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
