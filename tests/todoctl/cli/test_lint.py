import json
from pathlib import Path

from tests.todoctl import fixture_files, scripted
from todoctl.resources import chart_dir


def test_lint_passes_the_real_chart_with_no_helm_binary(invoke, runner):
    runner.installed.discard("helm")

    result = invoke("--json", "lint")

    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert document["passed"] is True
    assert document["helm_binary"] is False
    assert document["manifests"] >= 6
    assert runner.calls == []


def test_lint_also_runs_helm_lint_strict_when_helm_is_installed(invoke, runner):
    scripted.helm(runner, major=4)
    runner.on("helm", "lint", stdout=fixture_files.text("helm/v4-lint-ok-info.txt"))

    result = invoke("lint")

    assert result.exit_code == 0, result
    assert runner.argvs("helm", "lint") == [
        ("helm", "lint", "--strict", str(chart_dir()), "--namespace", "default", "--values", "-")
    ]
    assert "Helm's engine and helm lint --strict pass" in result.stdout


def test_helm_lint_sees_the_users_values_too(invoke, runner):
    scripted.helm(runner, major=3)
    runner.on("helm", "lint", stdout=fixture_files.text("helm/v4-lint-ok-info.txt"))
    values = Path("mine.yaml")
    values.write_text("mcpServer:\n  replicaCount: 3\n")

    result = invoke("lint", "-f", str(values), "--set", "aiTodo.replicaCount=4")

    assert result.exit_code == 0, result
    [call] = [c for c in runner.calls if c.argv[1] == "lint"]
    assert json.loads(call.input) == {"mcpServer": {"replicaCount": 3}, "aiTodo": {"replicaCount": 4}}


def test_lint_uses_the_helm_it_is_given(invoke, runner):
    helm = "/opt/helm-v3.22.0/helm"
    runner.installed.add(helm)
    runner.on(helm, "version", stdout="v3.22.0")
    runner.on(helm, "lint", stdout=fixture_files.text("helm/v4-lint-ok-info.txt"))

    result = invoke("--helm", helm, "lint")

    assert result.exit_code == 0, result
    assert [call.argv[:2] for call in runner.calls] == [(helm, "version"), (helm, "lint")]


def test_lint_refuses_a_helm_too_old_for_todoctl(invoke, runner):
    scripted.helm(runner, version="v3.6.3")

    result = invoke("lint")

    assert result.exit_code == 1
    assert "helm is Helm v3.6.3; todoctl needs Helm v3.7.0 or newer" in result.stdout
    assert runner.argvs("helm", "lint") == []


def test_lint_fails_on_a_helm_warning_in_strict_mode(invoke, runner):
    scripted.helm(runner, major=4)
    runner.on("helm", "lint", stdout=fixture_files.text("helm/v4-lint-quiet-with-warning.txt"), returncode=1)

    result = invoke("lint")

    assert result.exit_code == 1
    assert "[WARNING] templates/: directory does not exist" in result.stdout


def test_lint_checks_the_given_values_against_the_chart_schema(invoke, runner):
    runner.installed.discard("helm")

    result = invoke("lint", "--set", "aiTodo.replicaCount=many")

    assert result.exit_code == 1
    assert "replicaCount" in result.stdout
    assert "does not pass lint" in result.stdout


def test_lint_against_an_unknown_kubernetes_version_says_which_are_known(invoke, runner):
    runner.installed.discard("helm")

    result = invoke("lint", "--kube-version", "1.99.0")

    assert result.exit_code == 1
    assert "no Kubernetes schemas for version 1.99.0" in result.stdout


def test_a_failed_lint_in_json_mode_is_one_document_and_a_failing_exit(invoke, runner):
    runner.installed.discard("helm")

    result = invoke("--json", "lint", "--set", "aiTodo.replicaCount=many")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["passed"] is False
    assert any("replicaCount" in finding["message"] for finding in document["findings"])
