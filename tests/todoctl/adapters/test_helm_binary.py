"""`helm lint --strict` by the real Helm 3 and Helm 4 binaries that the CI cluster builds, on the
user's values. In CI (env CI set) a missing binary is a failure; elsewhere these tests skip."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.todoctl.fake_helm import FakeHelmCli
from todoctl.adapters.helm import Helm
from todoctl.adapters.runner import Runner
from todoctl.parsers.versions import helm_version
from todoctl.resources import chart_dir

# flags cobra leaves out of --help besides the deprecated ones: Helm 3's `version --client`
HIDDEN = {"client"}
_HELP_FLAG = re.compile(r"^\s+(?:-(\w), )?--([a-z0-9-]+)(?: (\S+))?", re.MULTILINE)

CACHE = Path(os.environ.get("TODOCTL_CLUSTER_CACHE", "/var/cache/todoctl-cluster"))


@pytest.fixture(params=["helm3", "helm4"])
def helm_binary(request) -> str:
    found = sorted(CACHE.glob(f"*/bin/{request.param}"))
    if not found:
        reason = f"no {request.param} built under {CACHE}/*/bin (the CI cluster builds it)"
        if os.environ.get("CI"):
            pytest.fail(f"the real helm binaries are required in CI: {reason}")
        pytest.skip(reason)
    return str(found[-1])


def test_the_real_helm_lints_the_chart_with_the_values_it_is_given(helm_binary):
    helm = Helm(Runner(), namespace="default", executable=helm_binary)

    good = helm.lint(chart_dir(), {"aiTodo": {"replicaCount": 3}, "devPostgres": {"enabled": True}})
    bad = helm.lint(chart_dir(), {"aiTodo": {"replicaCount": "many"}})

    assert good.passed, good.findings
    assert not bad.passed
    assert any("replicaCount" in finding.message for finding in bad.findings), bad.findings


def test_todoctl_lint_runs_the_helm_it_is_pointed_at_on_the_users_values(helm_binary, tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "todoctl", "--json", "lint", "--set", "aiTodo.replicaCount=many"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=tmp_path,
        env={**os.environ, "TODOCTL_HELM": helm_binary},
    )

    document = json.loads(result.stdout)
    assert result.returncode == 1
    assert document["helm_binary"] is True
    # the embedded engine and the binary each report it: the binary saw the user's value
    assert sum("replicaCount" in finding["message"] for finding in document["findings"]) >= 2


def test_the_fake_helm_knows_the_flags_of_the_real_one(helm_binary):
    version = helm_version(
        subprocess.run(
            [helm_binary, "version", "--template", "{{ .Version }}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    fake = FakeHelmCli(version)

    for command, flags in fake.commands.items():
        known = {**fake.global_flags, **flags}
        shown = subprocess.run(
            [helm_binary, *command.split(), "--help"], capture_output=True, text=True, check=True
        ).stdout
        real = {name: (short or None, bool(value)) for short, name, value in _HELP_FLAG.findall(shown)}
        deprecated = {name for deprecated_in, name in fake.deprecated if deprecated_in == command}
        assert set(real) == set(known) - deprecated - HIDDEN, command
        assert {
            name: (flag.short, flag.value != "none") for name, flag in known.items() if name in real
        } == real


@pytest.mark.parametrize(
    "args",
    [
        "upgrade todo /charts/todo --rollback-on-failure",
        "upgrade todo /charts/todo --atomic",
        "list -a",
        "uninstall todo --wait=soon",
        "uninstall todo --timeout",
        "status todo --output",
        "history todo --max=1 --debug=maybe",
        "destroy todo",
    ],
)
def test_the_fake_helm_refuses_and_warns_in_the_real_ones_words(helm_binary, args):
    real = subprocess.run(
        [helm_binary, *args.split()],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        env={**os.environ, "KUBECONFIG": "/nonexistent"},  # nothing to reach: flags are read first
    )
    version = subprocess.run(
        [helm_binary, "version", "--template", "{{ .Version }}"], capture_output=True, text=True, check=True
    ).stdout
    fake = FakeHelmCli(helm_version(version)).check(("helm", *args.split()))

    if fake.returncode:
        assert (real.returncode, real.stderr) == (fake.returncode, fake.stderr)
    else:
        # accepted: the real one goes on and fails later, for want of a chart or a cluster
        assert real.stderr.startswith(fake.stderr)
