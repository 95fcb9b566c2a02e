"""Settings from flags, TODOCTL_* variables and todoctl.toml; the error edge; --json everywhere."""

import json
import os
from pathlib import Path

import pytest

from tests.todoctl import scripted


def upgrade_argv(runner):
    return runner.argvs("helm", "upgrade")[0]


def flag(argv, name):
    return argv[argv.index(name) + 1]


def test_flags_choose_context_namespace_and_release(invoke, runner):
    scripted.helm(runner)

    invoke("--context", "kind-dev", "-n", "todo", "--release", "demo", "deploy")

    argv = upgrade_argv(runner)
    assert argv[2] == "demo"
    assert (flag(argv, "--namespace"), flag(argv, "--kube-context")) == ("todo", "kind-dev")


def test_environment_variables_stand_in_for_flags(invoke, runner, monkeypatch):
    scripted.helm(runner)
    monkeypatch.setenv("TODOCTL_NAMESPACE", "staging")
    monkeypatch.setenv("TODOCTL_TIMEOUT", "120")

    invoke("deploy")

    argv = upgrade_argv(runner)
    assert (flag(argv, "--namespace"), flag(argv, "--timeout")) == ("staging", "120s")


def test_the_project_file_is_found_upwards_and_flags_win(invoke, runner):
    scripted.helm(runner)
    Path("../todoctl.toml").write_text('namespace = "team-a"\nrelease = "chat"\n')
    Path("sub").mkdir()
    os.chdir("sub")  # the per-test working directory is restored by monkeypatch.chdir
    invoke("--release", "override", "deploy")

    argv = upgrade_argv(runner)
    assert argv[2] == "override"
    assert flag(argv, "--namespace") == "team-a"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('namespace = "a"\ncolour = "blue"\n', "unknown setting(s) colour"),
        ("timeout = 'soon'\n", "timeout must be a whole number of seconds"),
        ("namespace = [\n", "is not valid TOML"),
    ],
)
def test_a_bad_project_file_is_a_clear_error(invoke, content, message):
    Path("todoctl.toml").write_text(content)

    result = invoke("status")

    assert result.exit_code == 2
    assert message in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--release", "Todo_App"], "'Todo_App' is not a valid release name"),
        (["--namespace", "x" * 70], "is not a valid namespace"),
        (["--provider", "docker-desktop"], "unknown provider 'docker-desktop'"),
        (["--timeout", "0"], "timeout 0s is out of range"),
    ],
)
def test_bad_global_options_are_refused(invoke, args, message):
    result = invoke(*args, "status")

    assert result.exit_code == 2
    assert message in result.stdout


def test_errors_in_json_mode_are_one_json_document(invoke, runner):
    runner.installed.discard("helm")

    result = invoke("--json", "status")

    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert document["error"] == "helm is not installed or not on PATH"
    assert document["hint"].startswith("install Helm 3 or 4")


def test_json_may_also_follow_the_command(invoke, runner, deployed):
    scripted.helm(runner)

    result = invoke("status", "--json")

    assert json.loads(result.stdout)["release"] == "todo"


def test_verbose_shows_the_traceback_of_an_expected_failure(invoke, runner):
    runner.installed.discard("helm")

    quiet = invoke("status")
    verbose = invoke("--verbose", "status")

    assert "Traceback" not in quiet.output
    assert "Traceback" in verbose.output
    assert "helm is not installed" in verbose.output


def test_without_any_kube_context_the_fix_is_to_start_a_cluster(invoke, boundary):
    boundary.kube_contexts = lambda: ([], None)

    result = invoke("status")

    assert result.exit_code == 1
    assert "there is no current kube context" in result.stdout
    assert "minikube start --memory 4096 --cpus 2" in result.stdout
