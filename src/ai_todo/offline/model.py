"""The offline model behind the Agents SDK's `Model` interface: it answers the agent loop exactly
like an LLM would, with tool calls or a final message, so `Runner`, the MCP tools and the database
all run for real."""

import json
import time
import uuid
from collections.abc import AsyncIterator
from typing import Any

from agents.items import ModelResponse, TResponseInputItem, TResponseOutputItem, TResponseStreamEvent
from agents.models.interface import Model, ModelTracing
from agents.tool import Tool
from agents.usage import Usage
from openai.types.responses import (
    Response,
    ResponseCompletedEvent,
    ResponseFunctionToolCall,
    ResponseOutputMessage,
    ResponseOutputText,
)
from typing_extensions import override

from ai_todo.offline.intents import parse_message
from ai_todo.offline.planner import CallTools, next_step
from ai_todo.offline.replies import compose
from ai_todo.offline.transcript import read_transcript

# What the service calls this model wherever a model name is shown: the `assistant_ready` log line
# and the Responses the SDK sees.
OFFLINE_MODEL_NAME = "offline"


class OfflineModel(Model):
    @override
    async def get_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: Any,
        tools: list[Tool],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: Any,
    ) -> ModelResponse:
        return ModelResponse(output=respond(input, tools), usage=Usage(requests=1), response_id=None)

    @override
    async def stream_response(
        self,
        system_instructions: str | None,
        input: str | list[TResponseInputItem],
        model_settings: Any,
        tools: list[Tool],
        output_schema: Any,
        handoffs: list[Any],
        tracing: ModelTracing,
        *,
        previous_response_id: str | None,
        conversation_id: str | None,
        prompt: Any,
    ) -> AsyncIterator[TResponseStreamEvent]:
        # The whole answer is known at once, so the stream is its single terminal event.
        response = Response(
            id=f"resp_{uuid.uuid4().hex}",
            created_at=time.time(),
            model=OFFLINE_MODEL_NAME,
            object="response",
            output=respond(input, tools),
            tool_choice="auto",
            tools=[],
            parallel_tool_calls=False,
            status="completed",
        )
        yield ResponseCompletedEvent(type="response.completed", response=response, sequence_number=0)


def list_page_size(tools: list[Tool]) -> int | None:
    """The number of tasks one list_tasks call returns unless told otherwise, from its schema."""
    tool = next((tool for tool in tools if tool.name == "list_tasks"), None)
    schema = getattr(tool, "params_json_schema", None) or {}
    default = schema.get("properties", {}).get("limit", {}).get("default")
    return default if isinstance(default, int) and default > 0 else None


def respond(model_input: str | list[TResponseInputItem], tools: list[Tool]) -> list[TResponseOutputItem]:
    transcript = read_transcript(model_input)
    intents = parse_message(transcript.message, last_task_id=transcript.last_task_id())
    step = next_step(
        intents, transcript.outcomes, tools={tool.name for tool in tools}, page_size=list_page_size(tools)
    )
    if isinstance(step, CallTools):
        return [
            ResponseFunctionToolCall(
                id=call.call_id,
                call_id=call.call_id,
                type="function_call",
                name=call.name,
                arguments=json.dumps(call.arguments, ensure_ascii=False),
            )
            for call in step.calls
        ]
    return [
        ResponseOutputMessage(
            id=f"msg_{uuid.uuid4().hex}",
            type="message",
            role="assistant",
            status="completed",
            content=[ResponseOutputText(type="output_text", text=compose(step), annotations=[])],
        )
    ]
