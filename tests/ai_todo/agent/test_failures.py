"""What an agent run raised, as the chat error its user sees."""

import httpx
import openai
import pytest
from agents.exceptions import AgentsException, MaxTurnsExceeded, ModelBehaviorError

from ai_todo.agent.failures import classify
from ai_todo.errors import AssistantFailed, ModelUnavailable, ToolsUnavailable


def _caused_by(cause: BaseException) -> AgentsException:
    try:
        raise AgentsException("Error invoking MCP tool add_task") from cause
    except AgentsException as error:
        return error


def test_a_tool_outage_deep_in_the_chain_is_found() -> None:
    outage = ToolsUnavailable("add_task: MCPError")

    assert classify(_caused_by(outage)) is outage
    assert classify(BaseExceptionGroup("many", [ValueError(), _caused_by(outage)])) is outage


def test_model_api_errors_mean_the_model_is_unavailable() -> None:
    request = httpx.Request("POST", "http://llm/v1/chat/completions")

    assert isinstance(classify(openai.APIConnectionError(request=request)), ModelUnavailable)
    assert isinstance(classify(_caused_by(openai.APITimeoutError(request=request))), ModelUnavailable)


@pytest.mark.parametrize("error", [MaxTurnsExceeded("10 turns"), ModelBehaviorError("bad JSON")])
def test_a_misbehaving_model_is_an_assistant_failure(error: Exception) -> None:
    assert isinstance(classify(error), AssistantFailed)


def test_anything_else_is_not_an_expected_failure() -> None:
    assert classify(KeyError("bug")) is None


def test_a_cycle_of_causes_ends() -> None:
    first, second = ValueError("a"), ValueError("b")
    first.__context__, second.__context__ = second, first

    assert classify(first) is None
