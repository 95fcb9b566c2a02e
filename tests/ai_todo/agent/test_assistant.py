"""The assistant of a process: tracing stays off unless configured, so nothing leaves the machine;
one agent serves every user's turns, each scoped to its user."""

from agents import set_tracing_disabled
from agents.tracing import get_trace_provider
from agents.tracing.traces import NoOpTrace

from ai_todo.agent.assistant import Assistant
from ai_todo.offline.model import OFFLINE_MODEL_NAME, OfflineModel
from tests.ai_todo.stack import Stack, add_tasks, make_settings, new_user, tasks_of


async def test_without_configuration_the_offline_model_answers_and_tracing_is_off(stack: Stack) -> None:
    assistant = Assistant(make_settings(stack))
    try:
        assert isinstance(assistant.model, OfflineModel)
        assert assistant.model_name == OFFLINE_MODEL_NAME == "offline"
        assert assistant.run_config.tracing_disabled
        assert isinstance(get_trace_provider().create_trace("probe"), NoOpTrace)
    finally:
        await assistant.close()


async def test_tracing_is_on_only_when_asked_for_with_a_key(stack: Stack) -> None:
    assistant = Assistant(make_settings(stack, openai_api_key="sk-test", agent_tracing=True))
    try:
        assert not assistant.run_config.tracing_disabled
        assert not isinstance(get_trace_provider().create_trace("probe"), NoOpTrace)
    finally:
        await assistant.close()
        set_tracing_disabled(True)


async def test_a_key_alone_does_not_turn_tracing_on(stack: Stack) -> None:
    assistant = Assistant(make_settings(stack, openai_api_key="sk-test"))
    try:
        assert assistant.model_name == "gpt-4o-mini"
        assert assistant.run_config.tracing_disabled
        assert isinstance(get_trace_provider().create_trace("probe"), NoOpTrace)
    finally:
        await assistant.close()


async def test_one_agent_serves_every_users_turns_until_the_tool_listing_changes(stack: Stack) -> None:
    assistant = Assistant(make_settings(stack))
    alice, bob = new_user("alice"), new_user("bob")
    try:
        agent = await assistant.agent()
        added = await assistant.reply(user_id=alice.id, history=[], message="Add a task to buy milk")
        listed = await assistant.reply(user_id=bob.id, history=[], message="Show me all my tasks")
        same = await assistant.agent()
        await assistant.connection.close()  # the next use opens a new connection, with a new listing
        after_reconnect = await assistant.agent()
        again = await assistant.reply(user_id=alice.id, history=[], message="Show me all my tasks")
    finally:
        await assistant.close()

    assert same is agent
    assert after_reconnect is not agent
    assert [call.name for call in added.tool_calls] == ["add_task"]
    assert listed.tool_calls[0].result == [], "bob does not see alice's task"
    assert [task["title"] for task in again.tool_calls[0].result] == ["Buy milk"]
    assert [task["title"] for task in await tasks_of(stack, alice)] == ["Buy milk"]


async def test_the_task_read_is_the_verified_users_whatever_the_arguments_say(stack: Stack) -> None:
    owner, other = new_user(), new_user()
    await add_tasks(stack, owner, "Mine", completed=("Mine, done",))
    await add_tasks(stack, other, "Theirs")
    assistant = Assistant(make_settings(stack))
    try:
        listed = await assistant.list_tasks(
            user_id=owner.id, arguments={"user_id": other.id, "status": "all"}
        )
        pending = await assistant.list_tasks(user_id=owner.id, arguments={"status": "pending"})
    finally:
        await assistant.close()

    assert [(task["title"], task["completed"]) for task in listed] == [("Mine", False), ("Mine, done", True)]
    assert [task["title"] for task in pending] == ["Mine"]
