import json

from tests.todoctl import factories, fixture_files, scripted
from tests.todoctl.fake_runner import Answer, FakeProcess


def test_status_shows_the_release_its_pods_and_its_services(invoke, runner, deployed):
    scripted.helm(runner)

    result = invoke("--json", "status")

    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert (document["revision"], document["status"]) == (2, "deployed")
    assert [pod["name"] for pod in document["pods"]][:1] == ["ai-todo-5b85bc8649-a1b2c"]
    assert {pod["ready"] for pod in document["pods"]} == {"1/1"}
    service = next(s for s in document["services"] if s["name"] == "ai-todo-service")
    assert (service["type"], service["ports"], service["ready_endpoints"]) == ("ClusterIP", "8000/TCP", 2)


def test_status_table_for_people(invoke, runner, deployed):
    scripted.helm(runner)
    deployed.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))

    result = invoke("status")

    assert "revision 2, deployed" in result.stdout
    assert "CrashLoopBackOff" in result.stdout
    assert "ai-todo-service" in result.stdout


def test_status_of_a_release_that_is_not_installed(invoke, runner):
    scripted.helm(runner)
    scripted.helm_fails(runner, "status", "helm/release-not-found.txt")

    result = invoke("status")

    assert result.exit_code == 0
    assert "release todo is not installed in namespace default" in result.stdout


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


def test_down_removes_the_release_and_reports_what_was_kept(invoke, runner, cluster):
    scripted.helm(runner)
    kept = factories.manifest("Secret")
    kept["metadata"]["annotations"] = {"helm.sh/resource-policy": "keep"}
    cluster.add("secrets", kept)

    result = invoke("down")

    assert result.exit_code == 0, result
    assert runner.argvs("helm", "uninstall")[0][:3] == ("helm", "uninstall", "todo")
    assert "left behind: secret/todo-secret" in result.stdout


def test_down_waits_until_the_release_pods_are_gone(invoke, runner, deployed):
    scripted.helm(runner)

    def uninstall(argv: tuple[str, ...]) -> Answer:
        # Helm deletes what it made; the garbage collector then stops their pods, which terminate,
        # and a watch sees them go a little later
        for kind in ("deployments", "services", "configmaps", "secrets", "endpointslices"):
            deployed.objects[kind] = []
        for pod in deployed.objects["pods"]:
            pod["metadata"]["deletionTimestamp"] = "2026-11-30T12:00:00Z"
        deployed.watches["pods"].append([("DELETED", pod) for pod in list(deployed.objects["pods"])])
        return Answer(stdout='release "todo" uninstalled\n')

    runner.on_call("helm", "uninstall", answer=uninstall)

    result = invoke("--json", "down")

    assert result.exit_code == 0, result
    assert json.loads(result.stdout)["leftovers"] == []
    assert deployed.objects["pods"] == []


def test_down_names_pods_that_never_finish_terminating(invoke, runner, deployed):
    scripted.helm(runner)
    for pod in deployed.objects["pods"]:
        pod["metadata"]["deletionTimestamp"] = "2026-11-30T12:00:00Z"

    result = invoke("--json", "--timeout", "20", "down")

    assert result.exit_code == 0, result
    leftovers = json.loads(result.stdout)["leftovers"]
    assert "pod/ai-todo-5b85bc8649-a1b2c (still terminating)" in leftovers


def test_down_of_a_release_that_is_not_there_is_not_an_error(invoke, runner, cluster):
    scripted.helm(runner)
    runner.on(
        "helm", "uninstall", stderr=fixture_files.text("helm/uninstall-release-not-found.txt"), returncode=1
    )

    result = invoke("down")

    assert result.exit_code == 0
    assert "release todo was not installed" in result.stdout


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
