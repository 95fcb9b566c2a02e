"""`scale` and `restart`."""

from tests.todoctl import factories


def test_scale_rejects_a_negative_count_and_an_unknown_component(invoke, runner):
    assert "out of range" in invoke("scale", "mcp", "--", "-1").stdout
    result = invoke("scale", "frontend", "2")
    assert result.exit_code == 2
    assert "unknown component 'frontend'" in result.stdout


def test_restart_patches_the_template_and_waits_for_the_rollout(invoke, deployed):
    deployed.watches["deployments"] = [[("MODIFIED", factories.deployment("ai-todo", generation=2))]]

    result = invoke("restart", "ai-todo")

    assert result.exit_code == 0, result
    [(name, body)] = deployed.patched
    assert name == "ai-todo"
    assert "kubectl.kubernetes.io/restartedAt" in body["spec"]["template"]["metadata"]["annotations"]
    assert "restarted and ready: ai-todo" in result.stdout


def test_restart_that_never_finishes_explains_why(invoke, deployed):
    deployed.watches["deployments"] = [
        [("MODIFIED", factories.deployment("ai-todo", generation=2, deadline_exceeded=True))]
    ]
    deployed.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))

    result = invoke("restart", "ai-todo")

    assert result.exit_code == 1
    assert "ai-todo: exceeded its progress deadline" in result.stdout
    assert "CrashLoopBackOff" in result.stdout
