import json


def test_chat_sends_one_message_through_a_forward(invoke, runner, stack):
    result = invoke("--json", "chat", "Add a task to buy groceries", "--user", "alice")

    assert result.exit_code == 0, result
    reply = json.loads(result.stdout)
    assert reply["tool_calls"][0]["name"] == "add_task"
    assert reply["tool_calls"][0]["result"]["title"] == "Buy groceries"
    assert runner.spawned[0][:3] == ("kubectl", "port-forward", "pod/ai-todo-5b85bc8649-d3e4f")


def test_chat_interactively_continues_one_conversation(invoke, stack):
    result = invoke("chat", "--user", "bob", input="Add a task to pay bills\nWhat's pending?\n\n")

    assert result.exit_code == 0, result
    assert "bot› Got it!" in result.stdout
    assert "Pay bills" in result.stdout.split("bot›")[-1]


def test_chat_in_json_mode_needs_a_message(invoke, deployed):
    result = invoke("--json", "chat")

    assert result.exit_code == 2
    assert "--json needs a message" in result.stdout
