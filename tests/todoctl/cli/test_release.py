import json

import pytest

from tests.todoctl import factories, fixture_files, scripted
from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import Answer
from todoctl import state
from todoctl.adapters.docker import BuiltImage


def upgrade_call(runner):
    [call] = [call for call in runner.calls if call.argv[:2] == ("helm", "upgrade")]
    return call


@pytest.fixture
def built() -> None:
    state.record_built(
        [
            BuiltImage("ai-todo", "todoctl/ai-todo:3f2a9c1b7d4e", "sha256:6e38f40d628db", 150_000_000, 1),
            BuiltImage(
                "mcp-server", "todoctl/mcp-server:0a1b2c3d4e5f", "sha256:bf7671f98757c", 120_000_000, 1
            ),
        ]
    )


@pytest.mark.parametrize("major", [3, 4])
def test_deploy_upgrades_with_the_built_images_and_waits_itself(invoke, runner, deployed, built, major):
    scripted.helm(runner, major=major)

    result = invoke("deploy")

    assert result.exit_code == 0, result
    call = upgrade_call(runner)
    assert call.argv[:4] == ("helm", "upgrade", "todo", str(factories.chart_dir()))
    assert {"--install", "--create-namespace"} <= set(call.argv)
    # Helm neither waits nor rolls back by itself: todoctl does both, so it sees a failure first
    assert not {"--wait", "--atomic", "--rollback-on-failure"} & set(call.argv)
    assert call.argv[call.argv.index("--namespace") + 1] == "default"
    assert call.argv[call.argv.index("--kube-context") + 1] == "minikube"
    values = json.loads(call.input)
    assert values["aiTodo"]["image"] == {"repository": "todoctl/ai-todo", "tag": "3f2a9c1b7d4e"}
    assert values["mcpServer"]["image"] == {"repository": "todoctl/mcp-server", "tag": "0a1b2c3d4e5f"}
    assert "revision 2 deployed" in result.stdout


def test_deploy_sends_secrets_on_stdin_and_never_prints_them(invoke, runner, deployed, built, monkeypatch):
    scripted.helm(runner)
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-do-not-print")
    (factories_env := __import__("pathlib").Path(".env")).write_text(
        "DATABASE_URL=postgresql+psycopg://todo:pw@neon.example/todo\nUNRELATED=1\n"
    )

    result = invoke("--json", "deploy")

    assert result.exit_code == 0, result
    call = upgrade_call(runner)
    values = json.loads(call.input)
    assert values["secrets"] == {
        "openaiApiKey": "sk-test-do-not-print",
        "databaseUrl": "postgresql+psycopg://todo:pw@neon.example/todo",
    }
    assert "devPostgres" not in values
    assert not any("sk-test" in part or "neon.example" in part for part in call.argv)
    assert "sk-test" not in result.output
    assert "neon.example" not in result.output
    assert json.loads(result.stdout)["secrets"] == ["DATABASE_URL", "OPENAI_API_KEY"]
    assert factories_env.is_file()


def test_deploy_without_a_database_turns_on_the_development_postgresql(invoke, runner, deployed, built):
    scripted.helm(runner)

    result = invoke("deploy")

    assert json.loads(upgrade_call(runner).input)["devPostgres"] == {"enabled": True}
    assert "no DATABASE_URL given" in result.stdout


def test_deploy_refuses_a_sqlite_database_url(invoke, runner, built, monkeypatch):
    scripted.helm(runner)
    monkeypatch.setenv("DATABASE_URL", "sqlite:///./todo.db")

    result = invoke("deploy")

    assert result.exit_code == 2
    assert "DATABASE_URL is a SQLite file, which pods cannot share" in result.stdout
    assert runner.argvs("helm", "upgrade") == []


def test_deploy_applies_values_files_then_sets(invoke, runner, deployed, built):
    scripted.helm(runner)
    with open("prod.yaml", "w") as handle:
        handle.write("aiTodo:\n  replicaCount: 3\nconfig:\n  logLevel: DEBUG\n")

    result = invoke("deploy", "-f", "prod.yaml", "--set", "aiTodo.replicaCount=4,config.openaiModel=gpt-4.1")

    assert result.exit_code == 0, result
    values = json.loads(upgrade_call(runner).input)
    assert values["aiTodo"]["replicaCount"] == 4
    assert values["config"] == {"logLevel": "DEBUG", "openaiModel": "gpt-4.1"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "missing.yaml"], "cannot read values file missing.yaml"),
        (["--set", "aiTodo.replicaCount"], "bad --set 'aiTodo.replicaCount'"),
    ],
)
def test_deploy_rejects_bad_values_before_calling_helm(invoke, runner, built, args, message):
    scripted.helm(runner)

    result = invoke("deploy", *args)

    assert result.exit_code == 2
    assert message in result.stdout
    assert runner.argvs("helm", "upgrade") == []


def test_deploy_rejects_a_values_file_that_is_not_a_mapping(invoke, runner, built):
    scripted.helm(runner)
    with open("list.yaml", "w") as handle:
        handle.write("- one\n- two\n")

    result = invoke("deploy", "-f", "list.yaml")

    assert result.exit_code == 2
    assert "must hold a mapping, not a list" in result.stdout


def failing_rollout(cluster: FakeCluster) -> None:
    """ai-todo's new pods crash-loop, printing why; the ready old ones stay."""
    cluster.replace("deployments", factories.deployment("ai-todo", replicas=2, ready=1))
    cluster.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))
    cluster.logs[("ai-todo-7c9d8e6f5-x2k4q", True)] = (
        "INFO starting ai-todo\n"
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for AiTodoSettings\n"
        "auth_jwt_secret\n  Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required\n"
    )


def test_a_crash_loop_is_explained_from_the_pods_before_the_rollback_deletes_them(
    invoke, runner, deployed, built
):
    scripted.helm(runner, major=4)
    failing_rollout(deployed)
    scripted.helm_restore_deletes_pods(runner, deployed)

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "release todo revision 2 failed: ai-todo-7c9d8e6f5-x2k4q: CrashLoopBackOff." in result.stdout
    assert "It was rolled back to revision 4." in result.stdout
    assert (
        "ai-todo-7c9d8e6f5-x2k4q: CrashLoopBackOff: back-off 5m0s restarting failed container"
        in result.stdout
    )
    assert "log |   Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required" in result.stdout
    [rollback] = runner.argvs("helm", "rollback")
    assert rollback[:4] == ("helm", "rollback", "todo", "4")
    assert "--wait" in rollback
    assert deployed.objects["pods"] == []
    assert "Traceback" not in result.output


def test_a_failed_first_install_is_removed_again(invoke, runner, cluster, built):
    scripted.helm(runner, major=3)
    scripted.helm_fails(runner, "history", "helm/release-not-found.txt")
    factories.deployed_release(cluster)
    failing_rollout(cluster)
    scripted.helm_restore_deletes_pods(runner, cluster)

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "It was a first install, so it was removed again." in result.stdout
    assert "CrashLoopBackOff" in result.stdout
    assert runner.argvs("helm", "uninstall")
    assert runner.argvs("helm", "rollback") == []


def test_a_failed_restore_is_reported_beside_the_failure(invoke, runner, deployed, built):
    scripted.helm(runner)
    failing_rollout(deployed)
    scripted.helm_fails(runner, "rollback", "helm/v3-upgrade-timed-out.txt")

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "CrashLoopBackOff" in result.stdout
    assert "Restoring it failed too:" in result.stdout


def test_an_image_the_nodes_cannot_pull_in_a_generic_cluster_asks_for_a_registry(
    invoke, runner, deployed, built, monkeypatch
):
    scripted.helm(runner)
    deployed.replace("deployments", factories.deployment("mcp-server", replicas=2, ready=1))
    deployed.add("pods", factories.image_missing_pod("mcp-server", "mcp-server-6f7a8b9c0-p9z8y"))

    result = invoke("--provider", "generic", "deploy")

    assert result.exit_code == 1
    assert "ErrImageNeverPull" in result.stdout
    assert "pass --registry HOST:PORT" in result.stdout
    assert "--provider minikube|kind|k3d" in result.stdout


def test_another_operation_in_progress_names_the_stuck_revision_and_the_way_out(invoke, runner, built):
    scripted.helm(runner)
    scripted.helm_fails(runner, "upgrade", "helm/upgrade-another-operation-in-progress.txt")
    history = fixture_files.document("helm/history.json")
    history[-1]["status"] = "pending-upgrade"
    runner.on("helm", "history", stdout=json.dumps(history))

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "another operation (install/upgrade/rollback) is in progress" in result.stdout
    assert "revision 4 is stuck in pending-upgrade" in result.stdout
    assert "todoctl rollback" in result.stdout


def test_a_stuck_first_install_is_removed_with_down(invoke, runner, built):
    scripted.helm(runner)
    scripted.helm_fails(runner, "upgrade", "helm/upgrade-another-operation-in-progress.txt")
    runner.on(
        "helm",
        "history",
        stdout=json.dumps(
            [{**fixture_files.document("helm/history.json")[0], "revision": 1, "status": "pending-install"}]
        ),
    )

    result = invoke("deploy")

    assert "revision 1 is stuck in pending-install" in result.stdout
    assert "todoctl down" in result.stdout


@pytest.mark.parametrize("fixture", ["helm/v3-cluster-unreachable.txt", "helm/v4-cluster-unreachable.txt"])
def test_deploy_to_an_unreachable_cluster_says_so(invoke, runner, built, fixture):
    scripted.helm(runner)
    scripted.helm_fails(runner, "upgrade", fixture)

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "Helm cannot reach the cluster" in result.stdout
    assert "minikube status" in result.stdout


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
