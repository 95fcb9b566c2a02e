"""The tools' answers for common situations, each from a real output in fixtures/."""

from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_helm import FakeHelmCli
from tests.todoctl.fake_runner import FakeRunner
from todoctl.versions import helm_version

KUBECTL_VERSION = ("kubectl", "version", "--client", "-o", "json")


def helm(runner: FakeRunner, major: int = 3, version: str | None = None) -> None:
    """A working helm of that major version (or exact `version`, e.g. "v3.6.3"), as strict about
    its flags as the real one; installs and upgrades succeed."""
    golden = "helm/v3-version-template.txt" if major == 3 else "helm/v4-version-template.txt"
    # `--template '{{ .Version }}'` prints just the version, without a newline (the golden's note)
    printed = version or fixture_files.text(golden).removeprefix("Version: ")
    runner.checks["helm"] = FakeHelmCli(helm_version(printed)).check
    runner.on("helm", "version", stdout=printed)
    runner.on("helm", "upgrade", stdout=factories.helm_release_json(revision=2))
    runner.on("helm", "status", stdout=factories.helm_release_json(revision=2))
    runner.on("helm", "history", stdout=fixture_files.text("helm/history.json"))
    runner.on("helm", "get", "values", stdout="{}")
    runner.on("helm", "rollback", stdout=fixture_files.text("helm/v4-rollback-success.txt"))
    runner.on("helm", "uninstall", stdout='release "todo" uninstalled\n')
    runner.on("helm", "lint", stdout=fixture_files.text("helm/v4-lint-ok-info.txt"))


def helm_fails(runner: FakeRunner, command: str, fixture: str) -> None:
    """`helm <command>` exits 1 with the fixture's text (its `Error:` lines are stderr)."""
    text = fixture_files.text(fixture)
    stderr = "".join(line for line in text.splitlines(keepends=True) if line.startswith(("Error:", "level=")))
    stdout = "".join(
        line for line in text.splitlines(keepends=True) if not line.startswith(("Error:", "level="))
    )
    runner.on("helm", command, stdout=stdout, stderr=stderr, returncode=1)


def kubectl(runner: FakeRunner) -> None:
    runner.on(*KUBECTL_VERSION, stdout=fixture_files.text("kubectl/version-client-only-refused.stdout.json"))


def minikube_running(runner: FakeRunner) -> None:
    runner.on("minikube", "version", stdout=fixture_files.text("minikube/version.json"))
    runner.on("minikube", "status", stdout=fixture_files.text("minikube/status-running.txt"))
    runner.on("minikube", "profile", "list", stdout=fixture_files.text("minikube/profile-list-trimmed.json"))


def minikube_stopped(runner: FakeRunner) -> None:
    minikube_running(runner)
    # minikube status exits 7 when the cluster is down (its status_test.go)
    runner.on("minikube", "status", stdout=fixture_files.text("minikube/status-stopped.txt"), returncode=7)
