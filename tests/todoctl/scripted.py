"""The tools' answers for common situations, each from a real output in fixtures/."""

import json
from collections.abc import Mapping

from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_helm import FakeHelmCli
from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import Answer, FakeRunner
from todoctl.parsers.versions import helm_version

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


def helm_restore_deletes_pods(runner: FakeRunner, cluster: FakeCluster) -> None:
    """As the real Helm does: its rollback replaces the release's failing pods, and its uninstall
    removes them, so after either there is nothing left to diagnose."""

    def restore(argv: tuple[str, ...]) -> Answer:
        cluster.objects["pods"] = []
        if argv[1] == "rollback":
            return Answer(stdout=fixture_files.text("helm/v4-rollback-success.txt"))
        return Answer(stdout=f'release "{argv[2]}" uninstalled\n')

    runner.on_call("helm", "rollback", answer=restore)
    runner.on_call("helm", "uninstall", answer=restore)


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


MINIKUBE_IMAGE_LISTS = {
    "docker": "minikube/image-ls-json-docker.json",
    "containerd": "minikube/image-ls-json-containerd.json",
    "crio": "minikube/image-ls-json-crio.json",
}


def minikube_image_list(runtime: str, images: Mapping[str, str]) -> str:
    """`minikube image ls --format json` of a minikube on that container runtime: the fixture's
    entries plus one per image (repository:tag -> config digest), its id written as that runtime
    writes ids (the Docker runtime without `sha256:`, crictl with it for containerd, bare for CRI-O)."""
    entries = json.loads(fixture_files.text(MINIKUBE_IMAGE_LISTS[runtime]))
    template = entries[0]
    prefix = "sha256:" if template["id"].startswith("sha256:") else ""
    for image, config_digest in images.items():
        entries.append(
            {
                **template,
                "id": prefix + config_digest.removeprefix("sha256:"),
                "repoDigests": [],
                "repoTags": [f"docker.io/{image}"],
            }
        )
    return json.dumps(entries, separators=(",", ":")) + "\n"
