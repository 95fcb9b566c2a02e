"""The fake helm reads its command line as the real Helm 3 and Helm 4 do."""

from pathlib import Path

import pytest

from tests.todoctl import fixture_files, scripted
from todoctl.adapters.helm import Helm
from todoctl.errors import CommandFailed

CHART = Path("/charts/todo")


@pytest.fixture(params=[3, 4])
def major(request, runner) -> int:
    scripted.helm(runner, major=request.param)
    return request.param


def test_helm_3_has_no_rollback_on_failure(runner):
    scripted.helm(runner, major=3)

    with pytest.raises(CommandFailed, match="unknown flag: --rollback-on-failure") as raised:
        runner.run(["helm", "upgrade", "todo", str(CHART), "--install", "--rollback-on-failure"])
    assert raised.value.stderr == "Error: unknown flag: --rollback-on-failure\n"


@pytest.mark.parametrize(
    ("flag", "fixture"),
    [("-a", "helm/v4-list-all-flag-removed.txt"), ("--all", "helm/v4-list-all-flag-removed-long.txt")],
)
def test_helm_4_refuses_a_removed_flag_as_the_real_one_does(runner, flag, fixture):
    scripted.helm(runner, major=4)
    runner.on("helm", "list", stdout="[]")

    completed = runner.run(["helm", "list", "-n", "hw15", flag], check=False)

    assert (completed.returncode, completed.stderr) == (1, fixture_files.text(fixture))


def test_helm_4_warns_about_atomic_and_goes_on(runner):
    scripted.helm(runner, major=4)

    completed = runner.run(["helm", "upgrade", "todo", str(CHART), "--atomic", "--output", "json"])

    assert completed.stderr == fixture_files.text("helm/v4-atomic-deprecated-warning.txt")
    assert completed.stdout.startswith("{")


def test_a_flag_value_is_checked_where_helm_checks_it(runner):
    scripted.helm(runner, major=4)

    with pytest.raises(CommandFailed, match='invalid argument "soon" for "--wait" flag'):
        runner.run(["helm", "uninstall", "todo", "--wait=soon"])
    with pytest.raises(CommandFailed, match="flag needs an argument: --timeout"):
        runner.run(["helm", "uninstall", "todo", "--timeout"])
    with pytest.raises(CommandFailed, match='unknown command "destroy" for "helm"'):
        runner.run(["helm", "destroy", "todo"])


def test_uninstall_wait_came_in_helm_3_7(runner):
    scripted.helm(runner, version="v3.6.3")

    with pytest.raises(CommandFailed, match="unknown flag: --wait"):
        runner.run(["helm", "uninstall", "todo", "--wait"])


def test_every_helm_command_todoctl_runs_is_one_the_helm_knows(runner, major):
    helm = Helm(runner, namespace="todo", context="minikube", timeout_seconds=60)

    helm.upgrade_install("todo", CHART, {"aiTodo": {"replicaCount": 2}})
    helm.status("todo")
    helm.history("todo")
    helm.user_values("todo")
    helm.rollback("todo", 1)
    helm.uninstall("todo")
    report = helm.lint(CHART, {"aiTodo": {"replicaCount": 2}})

    assert report.passed
    assert len(runner.calls) == 8
