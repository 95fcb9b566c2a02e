"""The real-LLM path: with OPENAI_API_KEY the agent talks Chat Completions to the configured
endpoint (here a local stub), through the same tools, and a failing model is a 503."""

import asyncio
import json
from typing import Any

import httpx

from ai_todo.errors import AssistantFailed, ModelUnavailable, TurnTimedOut
from tests.ai_todo.chat_completions_stub import (
    act_then_report,
    serving_chat_completions,
    tool_call,
    tool_content,
)
from tests.ai_todo.stack import (
    Stack,
    add_tasks,
    chat,
    make_settings,
    new_user,
    process_env,
    serving,
    tasks_of,
)
from tests.support.processes import free_port, running_service


def test_a_real_model_is_used_when_a_key_is_configured(stack: Stack) -> None:
    user, bob = new_user(), new_user("bob")
    # The model tries to pick another user's id: the call must still act for the token's user.
    script = act_then_report("add_task", {"title": "Buy milk", "user_id": bob.id})
    with serving_chat_completions(script) as llm:
        env = process_env(
            stack, OPENAI_API_KEY="sk-test", OPENAI_BASE_URL=llm.base_url, OPENAI_MODEL="stub-1"
        )
        with running_service("ai_todo", env) as service:
            response = httpx.post(
                f"{service.base_url}{user.chat_path}",
                json={"message": "Add a task to buy milk"},
                headers=user.headers,
                timeout=30,
            )

    assert response.status_code == 200, response.text
    body = response.json()
    [call] = body["tool_calls"]
    assert call["name"] == "add_task"
    assert call["arguments"] == {"title": "Buy milk"}
    assert body["response"].startswith("Done: ")
    assert "Buy milk" in body["response"]

    first, second = llm.requests
    assert first["model"] == "stub-1"
    assert llm.headers[0]["authorization"] == "Bearer sk-test"
    assert first["messages"][-1] == {"role": "user", "content": "Add a task to buy milk"}
    assert {tool["function"]["name"] for tool in first["tools"]} == {
        "add_task",
        "list_tasks",
        "complete_task",
        "delete_task",
        "update_task",
    }
    assert "user_id" not in json.dumps(first["tools"])
    assert second["messages"][-1]["role"] == "tool"

    assert [task["title"] for task in asyncio.run(tasks_of(stack, user))] == ["Buy milk"]
    assert asyncio.run(tasks_of(stack, bob)) == []


async def test_tool_results_and_errors_reach_the_model(stack: Stack) -> None:
    user = new_user()
    await add_tasks(stack, user, "Water plants", "Walk the dog")

    def script(request: dict[str, Any]) -> dict[str, Any]:
        messages = request["messages"]
        tool_messages = [m for m in messages if m["role"] == "tool"]
        if not tool_messages:
            return tool_call("list_tasks", {"status": "all"}, "call_list")
        if len(tool_messages) == 1:
            return tool_call("complete_task", {"task_id": 2_000_000_000}, "call_complete")
        return {"role": "assistant", "content": " | ".join(tool_content(m) for m in tool_messages)}

    with serving_chat_completions(script) as llm:
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            response = await chat(client, user, "What's up?")

    assert response.status_code == 200
    listing, failure = response.json()["response"].split(" | ")
    assert [task["title"] for task in json.loads(listing)["result"]] == ["Water plants", "Walk the dog"]
    assert "task 2000000000 not found" in failure
    assert response.json()["tool_calls"][1]["result"] == {"error": "task 2000000000 not found"}


async def test_a_failing_model_is_a_503(stack: Stack) -> None:
    with serving_chat_completions(act_then_report("list_tasks", {})) as llm:
        llm.status = 500
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            response = await chat(client, new_user(), "hello")

    assert response.status_code == 503
    assert response.json() == {"detail": ModelUnavailable.public_message}


async def test_an_unreachable_model_is_a_503(stack: Stack) -> None:
    settings = make_settings(
        stack, openai_api_key="sk-test", openai_base_url=f"http://127.0.0.1:{free_port()}/v1"
    )
    async with serving(settings) as client:
        response = await chat(client, new_user(), "hello")

    assert response.status_code == 503
    assert response.json() == {"detail": ModelUnavailable.public_message}


async def test_a_slow_model_is_cut_off_at_the_turn_budget_and_the_message_kept(stack: Stack) -> None:
    user = new_user()
    with serving_chat_completions(act_then_report("list_tasks", {})) as llm:
        llm.delay_seconds = 3
        settings = make_settings(
            stack, openai_api_key="sk-test", openai_base_url=llm.base_url, chat_timeout_seconds=0.5
        )
        async with serving(settings) as client:
            response = await chat(client, user, "hello there")
            [conversation] = (await client.get(f"/api/{user.id}/conversations", headers=user.headers)).json()
            messages = await client.get(
                f"/api/{user.id}/conversations/{conversation['id']}/messages", headers=user.headers
            )

    assert response.status_code == 503
    assert response.json() == {"detail": TurnTimedOut.public_message}
    assert [(m["content"], m["failed"]) for m in messages.json()] == [
        ("hello there", False),
        (TurnTimedOut.public_message, True),
    ]


async def test_a_model_that_never_stops_calling_tools_is_a_503(stack: Stack) -> None:
    with serving_chat_completions(lambda _: tool_call("list_tasks", {"status": "all"})) as llm:
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            response = await chat(client, new_user(), "list forever")

    assert response.status_code == 503
    assert response.json() == {"detail": AssistantFailed.public_message}


async def test_malformed_tool_arguments_from_the_model_are_a_503_not_a_500(stack: Stack) -> None:
    def script(request: dict[str, Any]) -> dict[str, Any]:
        message = tool_call("add_task", {})
        message["tool_calls"][0]["function"]["arguments"] = "{not json"
        return message

    with serving_chat_completions(script) as llm:
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            response = await chat(client, new_user(), "add something")

    assert response.status_code == 503
    assert "detail" in response.json()


async def test_a_tool_call_missing_an_argument_goes_back_to_the_model_as_an_error(stack: Stack) -> None:
    def script(request: dict[str, Any]) -> dict[str, Any]:
        last = request["messages"][-1]
        if last["role"] == "tool":
            return {"role": "assistant", "content": f"Sorry: {tool_content(last)}"}
        return tool_call("add_task", {"description": "no title given"})

    with serving_chat_completions(script) as llm:
        settings = make_settings(stack, openai_api_key="sk-test", openai_base_url=llm.base_url)
        async with serving(settings) as client:
            response = await chat(client, new_user(), "add something")

    assert response.status_code == 200
    assert response.json()["response"] == "Sorry: missing required arguments: title"
    assert response.json()["tool_calls"][0]["result"] == {"error": "missing required arguments: title"}
