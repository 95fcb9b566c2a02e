import json

from tests.todoctl import fixture_files
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
    runner.on("helm", "lint", stdout=fixture_files.text("helm/v4-lint-ok-info.txt"))

    result = invoke("lint")

    assert result.exit_code == 0, result
    assert runner.argvs("helm") == [("helm", "lint", "--strict", str(chart_dir()), "--namespace", "default")]
    assert "Helm's engine and helm lint --strict pass" in result.stdout


def test_lint_fails_on_a_helm_warning_in_strict_mode(invoke, runner):
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
