"""`logs`."""

import json

from tests.todoctl.fake_runner import FakeProcess


def test_logs_prints_the_last_lines_of_each_pod_of_a_component(invoke, deployed):
    deployed.logs[("mcp-server-5b85bc8649-a1b2c", False)] = "started\nlist_tasks user=alice\n"

    result = invoke("logs", "mcp", "--tail", "1")

    assert result.exit_code == 0, result
    assert "mcp-server-5b85bc8649-a1b2c list_tasks user=alice" in result.stdout
    assert "started" not in result.stdout
    assert "ai-todo" not in result.stdout


def test_logs_follow_streams_through_kubectl(invoke, runner, deployed):
    runner.processes.append(
        FakeProcess(["[pod/ai-todo-5b85bc8649-a1b2c/ai-todo] chat_turn outcome=ok"], exit_code=0)
    )

    result = invoke("--context", "kind-dev", "-n", "todo", "logs", "-f")

    assert result.exit_code == 0, result
    assert "chat_turn outcome=ok" in result.stdout
    assert runner.spawned == [
        (
            "kubectl",
            "logs",
            "--follow",
            "--prefix",
            "--selector",
            "app.kubernetes.io/name=todo,app.kubernetes.io/instance=todo,"
            "app.kubernetes.io/component in (ai-todo,mcp-server)",
            "--tail",
            "50",
            "--max-log-requests",
            "20",
            "--namespace",
            "todo",
            "--context",
            "kind-dev",
        )
    ]


def test_logs_follow_in_json_mode_is_json_lines(invoke, runner, deployed):
    runner.processes.append(
        FakeProcess(
            ["[pod/ai-todo-5b85bc8649-a1b2c/ai-todo] chat_turn outcome=ok", "plain line"], exit_code=0
        )
    )

    result = invoke("--json", "logs", "-f")

    assert [json.loads(line) for line in result.stdout.splitlines()] == [
        {"pod": "ai-todo-5b85bc8649-a1b2c", "line": "chat_turn outcome=ok"},
        {"pod": None, "line": "plain line"},
    ]


def test_log_lines_are_shown_as_written_even_with_brackets(invoke, deployed):
    deployed.logs[("ai-todo-5b85bc8649-a1b2c", False)] = "[bold]not markup[/bold] ok\n"

    result = invoke("logs", "ai-todo")

    assert "[bold]not markup[/bold] ok" in result.stdout
