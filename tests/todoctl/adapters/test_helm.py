"""pyhelm3 builds the helm argv and parses its JSON; todoctl's runner runs it."""

import json
from pathlib import Path

import pytest

from tests.todoctl import factories, fixture_files, scripted
from tests.todoctl.fake_runner import FakeRunner
from todoctl.adapters.helm import Helm, parse_lint_output
from todoctl.errors import ReleaseNotFound, TodoctlError


@pytest.fixture
def helm(runner: FakeRunner) -> Helm:
    return Helm(runner, namespace="todo", context="minikube", timeout_seconds=120)


@pytest.mark.parametrize("major", [3, 4])
def test_upgrade_install_neither_waits_nor_rolls_back_by_itself(helm, runner, major):
    scripted.helm(runner, major=major)

    release = helm.upgrade_install("todo", Path("/charts/todo"), {"aiTodo": {"replicaCount": 3}})

    [call] = [c for c in runner.calls if c.argv[1] == "upgrade"]
    assert call.argv == (
        "helm",
        "upgrade",
        "todo",
        "/charts/todo",
        "--history-max",
        "10",
        "--install",
        "--output",
        "json",
        "--timeout",
        "120s",
        "--values",
        "-",
        "--create-namespace",
        "--namespace",
        "todo",
        "--kube-context",
        "minikube",
    )
    assert json.loads(call.input) == {"aiTodo": {"replicaCount": 3}}
    assert release["version"] == 2
    assert call.timeout == 120 + 60


def test_the_version_is_asked_once(helm, runner):
    scripted.helm(runner, major=4)

    assert helm.version.major == 4
    assert helm.version.major == 4
    assert runner.argvs("helm", "version") == [
        ("helm", "version", "--template", "{{ .Version }}", "--kube-context", "minikube")
    ]


def test_client_version_goes_through_the_runner_too(helm, runner):
    runner.on("helm", "version", stdout="v3.19.2")

    assert str(helm.command.client_version()) == "3.19.2"
    assert runner.argvs("helm", "version")


def test_status_of_a_missing_release_is_release_not_found(helm, runner):
    scripted.helm(runner)
    scripted.helm_fails(runner, "status", "helm/release-not-found.txt")

    with pytest.raises(ReleaseNotFound):
        helm.status("todo")


def test_history_and_values_parse_helms_json(helm, runner):
    scripted.helm(runner)
    runner.on("helm", "get", "values", stdout=json.dumps({"mcpServer": {"replicaCount": 3}}))

    assert [entry["revision"] for entry in helm.history("todo")] == [3, 4]
    assert helm.user_values("todo") == {"mcpServer": {"replicaCount": 3}}


def test_uninstall_and_rollback_wait(helm, runner):
    scripted.helm(runner)

    helm.rollback("todo", 3)
    helm.uninstall("todo")

    rollback, uninstall = runner.argvs("helm", "rollback")[0], runner.argvs("helm", "uninstall")[0]
    assert rollback[:4] == ("helm", "rollback", "todo", "3")
    assert "--wait" in rollback
    assert uninstall[:3] == ("helm", "uninstall", "todo")
    assert "--wait" in uninstall


def test_lint_output_with_continuation_lines():
    findings = parse_lint_output(fixture_files.text("helm/v3-lint-error-bad-subchart.txt"))

    assert [(f.severity, f.path) for f in findings] == [
        ("INFO", "Chart.yaml"),
        ("ERROR", "templates/"),
        ("ERROR", ""),
    ]
    assert findings[2].message == (
        "unable to load chart: error unpacking subchart bad-subchart in chart-with-bad-subcharts: "
        "validation: chart.metadata.name is required"
    )


def test_lint_reports_the_exit_code_as_pass_or_fail(helm, runner):
    scripted.helm(runner)
    runner.on(
        "helm", "lint", stdout=fixture_files.text("helm/v4-lint-template-parse-error.txt"), returncode=1
    )

    report = helm.lint(Path("/charts/todo"))

    assert report.passed is False
    assert report.findings[0].message.startswith("parse error at (webserver/templates/deployment.yaml:1)")


def test_the_release_document_shape_matches_helms(helm, runner):
    scripted.helm(runner)
    runner.on("helm", "status", stdout=factories.helm_release_json(revision=7, status="pending-upgrade"))

    document = helm.status("todo")

    assert (document["version"], document["info"]["status"]) == (7, "pending-upgrade")


@pytest.mark.parametrize("method", ["status", "history", "user_values", "uninstall"])
def test_a_helm_older_than_3_7_is_refused_before_any_other_call(runner, method):
    scripted.helm(runner, version="v3.6.3")
    helm = Helm(runner, namespace="todo")

    with pytest.raises(TodoctlError) as raised:
        getattr(helm, method)("todo")

    assert raised.value.message == "helm is Helm v3.6.3; todoctl needs Helm v3.7.0 or newer"
    assert "helm uninstall --wait" in raised.value.hint
    assert [call.argv[1] for call in runner.calls] == ["version"]


def test_lint_and_deploy_are_refused_with_an_old_helm_too(runner):
    scripted.helm(runner, version="v3.6.3")
    helm = Helm(runner, namespace="todo")

    for attempt in (
        lambda: helm.lint(Path("/charts/todo")),
        lambda: helm.upgrade_install("todo", Path("/c"), {}),
    ):
        with pytest.raises(TodoctlError, match=r"needs Helm v3\.7\.0 or newer"):
            attempt()
    assert [call.argv[1] for call in runner.calls] == ["version"]


def test_a_helm_5_is_not_supported(runner):
    scripted.helm(runner, version="v5.0.0")

    with pytest.raises(TodoctlError, match=r"helm is Helm v5\.0\.0, which todoctl does not support"):
        Helm(runner, namespace="todo").status("todo")


def test_lint_gives_helm_the_values_on_stdin(helm, runner):
    scripted.helm(runner, major=4)

    helm.lint(Path("/charts/todo"), {"aiTodo": {"replicaCount": 3}})

    [call] = [c for c in runner.calls if c.argv[1] == "lint"]
    assert call.argv[-4:] == ("--values", "-", "--kube-context", "minikube")
    assert json.loads(call.input) == {"aiTodo": {"replicaCount": 3}}
