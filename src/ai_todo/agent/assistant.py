"""The assistant of one ai-todo process: one model, one shared MCP connection, and one agent, made
again only when mcp-server's tool listing changes. Each turn runs it with the verified user as the
run context, which is what scopes every tool call."""

import asyncio
from dataclasses import dataclass
from typing import Any

from agents import Agent, RunConfig, Runner, set_tracing_disabled, set_tracing_export_api_key
from agents.run_config import ToolExecutionConfig
from mcp.types import Tool as MCPTool

from ai_todo.agent.connection import McpConnection
from ai_todo.agent.failures import classify
from ai_todo.agent.models import build_model
from ai_todo.agent.user_tools import USER_ID, ToolCallRecord, UserTurn, function_tools, public_result
from ai_todo.conversations import HistoryMessage
from ai_todo.errors import ToolsUnavailable, TurnTimedOut
from ai_todo.settings import AiTodoSettings

INSTRUCTIONS = """\
You are a friendly assistant that manages the user's todo list with the task tools.
- Add, list, complete, delete and update tasks only through the tools; never invent task ids or results.
- To act on a task the user names in words, call list_tasks first and use the id of the matching task;
  if several tasks match, ask which one is meant.
- After acting, confirm what you did in one short, friendly sentence that names the task and its id.
- If a tool reports an error, explain it simply and say what the user can do next.
- The tools already know who the user is: never ask for, mention or try to choose a user id.
"""
# Enough for "find the task, act on it, confirm" several times over; a model looping past this
# gets an error instead of burning the turn's time budget.
MAX_TURNS = 10
EMPTY_REPLY = "Done."


@dataclass(frozen=True)
class Reply:
    text: str
    tool_calls: list[ToolCallRecord]


class Assistant:
    def __init__(self, settings: AiTodoSettings) -> None:
        self.settings = settings
        self.connection = McpConnection(
            settings.mcp_server_url,
            token=settings.mcp_auth_token.get_secret_value() if settings.mcp_auth_token else None,
            timeout_seconds=settings.mcp_timeout_seconds,
        )
        self.model, self.model_name = build_model(settings)
        _configure_tracing(settings)
        # the agent and the listing its tools were made from
        self._agent: tuple[tuple[MCPTool, ...], Agent[UserTurn]] | None = None
        self.run_config = RunConfig(
            tracing_disabled=not settings.agent_tracing,
            trace_include_sensitive_data=False,
            workflow_name="ai-todo chat",
            # one after another, in the order the model asked: "delete task 3, then list my tasks"
            tool_execution=ToolExecutionConfig(max_function_tool_concurrency=1),
        )

    async def warm_up(self) -> None:
        """Opens the MCP session and makes the agent ahead of the first turn; a failure is logged
        and left to that turn."""
        try:
            await self.agent()
        except ToolsUnavailable:
            return

    async def reply(self, *, user_id: str, history: list[HistoryMessage], message: str) -> Reply:
        turn = UserTurn(user_id, max_calls=self.settings.chat_max_tool_calls)
        items = [{"role": past.role, "content": _as_model_sees(past)} for past in history]
        items.append({"role": "user", "content": message})
        deadline = asyncio.timeout(self.settings.chat_timeout_seconds)
        try:
            async with deadline:
                agent = await self.agent()
                result = await Runner.run(
                    agent,
                    items,  # type: ignore[arg-type]
                    context=turn,
                    max_turns=MAX_TURNS,
                    run_config=self.run_config,
                )
        except Exception as error:
            if deadline.expired():
                raise TurnTimedOut(f"after {self.settings.chat_timeout_seconds}s") from None
            failure = classify(error)
            if failure is None:
                raise
            raise failure from None
        text = str(result.final_output or "").strip() or EMPTY_REPLY
        return Reply(text=text, tool_calls=turn.calls)

    async def agent(self) -> Agent[UserTurn]:
        """The agent for mcp-server's current tool listing: made once per listing, as its tools are
        (the listing changes only when a new connection is opened)."""
        listing = await self.connection.tools()
        if self._agent is None or self._agent[0] is not listing:
            agent = Agent[UserTurn](
                name="todo-assistant",
                instructions=INSTRUCTIONS,
                model=self.model,
                tools=function_tools(self.connection, listing),  # type: ignore[arg-type]
            )
            self._agent = (listing, agent)
        return self._agent[1]

    async def list_tasks(self, *, user_id: str, arguments: dict[str, Any]) -> Any:
        """`list_tasks` for the page, over the connection chat turns use; the user id is the verified
        one, whatever `arguments` hold."""
        result = await self.connection.call("list_tasks", {**arguments, USER_ID: user_id})
        value = public_result(result)
        if result.is_error:
            # mcp-server answered but could not list (its storage is down): nothing the caller can fix
            raise ToolsUnavailable(f"list_tasks: {str(value.get('error', ''))[:200]}")
        return value

    async def close(self) -> None:
        await self.connection.close()
        await self.model.close()


# A failed turn's reply is the error the user saw; marked, so a model reading the history knows the
# request before it was not carried out as asked (and, after a timeout, may or may not have been).
FAILED_TURN_MARK = "[This turn failed; the user was told:] "


def _as_model_sees(message: HistoryMessage) -> str:
    return FAILED_TURN_MARK + message.content if message.failed else message.content


def _configure_tracing(settings: AiTodoSettings) -> None:
    # Off unless asked for: traces would carry conversations to OpenAI.
    if settings.agent_tracing and settings.openai_api_key is not None:
        set_tracing_export_api_key(settings.openai_api_key.get_secret_value())
        set_tracing_disabled(False)
    else:
        set_tracing_disabled(True)
