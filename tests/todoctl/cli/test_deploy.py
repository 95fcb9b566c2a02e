import json

import pytest

from tests.todoctl import factories, fixture_files, scripted
from todoctl import state
from todoctl.images import BuiltImage


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


def test_deploy_with_helm_3_upgrades_atomically_with_the_built_images(invoke, runner, built):
    scripted.helm(runner, major=3)

    result = invoke("deploy")

    assert result.exit_code == 0, result
    call = upgrade_call(runner)
    assert call.argv[:4] == ("helm", "upgrade", "todo", str(factories.chart_dir()))
    assert {"--install", "--atomic", "--wait", "--create-namespace"} <= set(call.argv)
    assert "--rollback-on-failure" not in call.argv
    assert call.argv[call.argv.index("--namespace") + 1] == "default"
    assert call.argv[call.argv.index("--kube-context") + 1] == "minikube"
    assert call.argv[call.argv.index("--timeout") + 1] == "300s"
    values = json.loads(call.input)
    assert values["aiTodo"]["image"] == {"repository": "todoctl/ai-todo", "tag": "3f2a9c1b7d4e"}
    assert values["mcpServer"]["image"] == {"repository": "todoctl/mcp-server", "tag": "0a1b2c3d4e5f"}
    assert "revision 2 deployed" in result.stdout


def test_deploy_with_helm_4_rolls_back_on_failure(invoke, runner, built):
    scripted.helm(runner, major=4)

    result = invoke("deploy")

    assert result.exit_code == 0, result
    assert "--rollback-on-failure" in upgrade_call(runner).argv
    assert "--atomic" not in upgrade_call(runner).argv


def test_deploy_sends_secrets_on_stdin_and_never_prints_them(invoke, runner, built, monkeypatch):
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


def test_deploy_without_a_database_turns_on_the_development_postgresql(invoke, runner, built):
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


def test_deploy_applies_values_files_then_sets(invoke, runner, built):
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


def test_a_rollout_timeout_shows_the_crash_loop_and_its_last_log_lines(invoke, runner, deployed, built):
    scripted.helm(runner, major=4)
    scripted.helm_fails(runner, "upgrade", "helm/v4-rollback-on-failure-upgrade.txt")
    deployed.add("pods", factories.crash_looping_pod("ai-todo", "ai-todo-7c9d8e6f5-x2k4q"))
    deployed.logs[("ai-todo-7c9d8e6f5-x2k4q", True)] = (
        "INFO starting ai-todo\n"
        "pydantic_core._pydantic_core.ValidationError: 1 validation error for AiTodoSettings\n"
        "auth_jwt_secret\n  Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required\n"
    )

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "release todo was not ready within 300s. Helm rolled the release back." in result.stdout
    assert (
        "ai-todo-7c9d8e6f5-x2k4q: CrashLoopBackOff: back-off 5m0s restarting failed container"
        in result.stdout
    )
    assert "log |   Value error, AUTH_JWT_SECRET or AUTH_JWKS_URL is required" in result.stdout
    assert "Traceback" not in result.output


def test_a_rollout_timeout_with_a_missing_image_says_to_load_it(invoke, runner, deployed, built):
    scripted.helm(runner, major=3)
    scripted.helm_fails(runner, "upgrade", "helm/v3-atomic-upgrade-rolled-back.txt")
    deployed.add("pods", factories.image_missing_pod("mcp-server", "mcp-server-6f7a8b9c0-p9z8y"))

    result = invoke("deploy")

    assert result.exit_code == 1
    assert 'ErrImageNeverPull: Container image "giantswarm/leanix-sexporter" is not present' in result.stdout
    assert "todoctl load" in result.stdout


def test_a_rollout_timeout_of_an_unschedulable_pod_names_the_scheduler_event(invoke, runner, deployed, built):
    scripted.helm(runner, major=3)
    scripted.helm_fails(runner, "upgrade", "helm/v3-upgrade-timed-out.txt")
    deployed.add("pods", factories.unschedulable_pod("ai-todo", "ai-todo-7c9d8e6f5-q1w2e"))
    deployed.add(
        "events",
        factories.event(
            "ai-todo-7c9d8e6f5-q1w2e",
            "FailedScheduling",
            "0/1 nodes are available: 1 Insufficient memory.",
            count=3,
        ),
    )

    result = invoke("deploy")

    assert result.exit_code == 1
    assert "event FailedScheduling (x3): 0/1 nodes are available: 1 Insufficient memory." in result.stdout
    assert "minikube start --memory 4096 --cpus 2" in result.stdout


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
