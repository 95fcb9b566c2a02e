"""Every real failure message in the fixtures maps to the right error, with the way out."""

import pytest

from tests.todoctl import fixture_files
from todoctl.errors import (
    AnotherOperationInProgress,
    ClusterNotRunning,
    ClusterUnreachable,
    CommandFailed,
    ImageLoadFailed,
    ReleaseNotFound,
    RolloutTimedOut,
)
from todoctl.parsers.tool_errors import classify

HELM_UPGRADE = ("helm", "upgrade", "todo", "charts/todo", "--install")


@pytest.mark.parametrize(
    ("fixture", "error", "words"),
    [
        ("helm/upgrade-another-operation-in-progress.txt", AnotherOperationInProgress, "another operation"),
        ("helm/release-not-found.txt", ReleaseNotFound, "not installed"),
        ("helm/uninstall-release-not-found.txt", ReleaseNotFound, "not installed"),
        ("helm/v3-cluster-unreachable.txt", ClusterUnreachable, "dial tcp 127.0.0.1:8080"),
        ("helm/v4-cluster-unreachable.txt", ClusterUnreachable, "cluster reachability check failed"),
        ("helm/v3-upgrade-timed-out.txt", RolloutTimedOut, "did not become ready"),
        ("helm/v3-upgrade-context-deadline.txt", RolloutTimedOut, "did not become ready"),
        ("helm/upgrade-no-deployed-releases.txt", CommandFailed, "no successful revision"),
        ("helm/v3-install-name-in-use.txt", CommandFailed, "name is taken"),
        ("helm/v4-install-name-in-use.txt", CommandFailed, "name is taken"),
        ("helm/v4-list-all-flag-removed.txt", CommandFailed, "does not understand a flag"),
    ],
)
def test_helm_failures(fixture, error, words):
    found = classify(HELM_UPGRADE, 1, "", fixture_files.text(fixture))

    assert type(found) is error
    assert words in found.message
    assert found.hint


@pytest.mark.parametrize("program", ["helm4", "/var/cache/todoctl-cluster/v1.34.4/bin/helm3"])
def test_a_helm_binary_of_another_name_is_read_as_helm_when_the_caller_says_so(program):
    argv = (program, *HELM_UPGRADE[1:])
    text = fixture_files.text("helm/release-not-found.txt")

    assert type(classify(argv, 1, "", text)) is CommandFailed
    assert type(classify(argv, 1, "", text, tool="helm")) is ReleaseNotFound


@pytest.mark.parametrize(
    ("fixture", "restored"),
    [
        ("helm/v3-atomic-upgrade-rolled-back.txt", True),
        ("helm/v3-atomic-install-uninstalled.txt", True),
        ("helm/v4-rollback-on-failure-upgrade.txt", True),
        ("helm/v3-atomic-rollback-also-failed.txt", False),
        ("helm/v3-upgrade-timed-out.txt", False),
    ],
)
def test_helm_timeouts_say_whether_the_release_was_restored(fixture, restored):
    found = classify(HELM_UPGRADE, 1, "", fixture_files.text(fixture))

    assert isinstance(found, RolloutTimedOut)
    assert found.rolled_back is restored


def test_a_failed_rollback_after_a_timeout_says_so():
    found = classify(HELM_UPGRADE, 1, "", fixture_files.text("helm/v3-atomic-rollback-also-failed.txt"))

    assert "rolling it back failed too" in found.message


@pytest.mark.parametrize(
    ("argv", "fixture", "error", "words"),
    [
        (
            ("kubectl", "version"),
            "kubectl/version-client-only-refused.stderr.txt",
            ClusterUnreachable,
            "was refused",
        ),
        (
            ("kubectl", "version"),
            "kubectl/version-legacy-text-refused.txt",
            ClusterUnreachable,
            "was refused",
        ),
        (
            ("kubectl", "config", "current-context"),
            "kubectl/config-current-context-not-set.stderr.txt",
            ClusterUnreachable,
            "no current context",
        ),
        (
            ("kubectl", "rollout", "status"),
            "kubectl/rollout-status-timeout.txt",
            RolloutTimedOut,
            "did not finish",
        ),
        (
            ("kubectl", "rollout", "status"),
            "kubectl/rollout-status-progress-deadline.txt",
            RolloutTimedOut,
            "did not finish",
        ),
        (
            ("minikube", "status", "-p", "dev"),
            "minikube/status-stopped.txt",
            ClusterNotRunning,
            "'dev' is not running",
        ),
        (("minikube", "status"), "minikube/status-apiserver-stopped.txt", ClusterNotRunning, "not running"),
        (
            ("minikube", "status"),
            "minikube/profile-not-found-emoji.txt",
            ClusterNotRunning,
            "no cluster named 'minikube'",
        ),
        (
            ("minikube", "status"),
            "minikube/profile-not-found-plain.txt",
            ClusterNotRunning,
            "no cluster named 'minikube'",
        ),
        (
            ("minikube", "image", "load", "x"),
            "minikube/image-load-error-emoji.txt",
            ImageLoadFailed,
            "could not load the image",
        ),
        (
            ("minikube", "image", "load", "x"),
            "minikube/image-load-error-manifest.txt",
            ImageLoadFailed,
            "unable to calculate manifest",
        ),
        (
            ("kind", "load", "docker-image", "x"),
            "kind/load-docker-image-error.txt",
            ImageLoadFailed,
            "kind could not load",
        ),
        (
            ("k3d", "image", "import", "x", "-c", "cluster0"),
            "k3d/image-import-cluster-not-found.txt",
            ClusterNotRunning,
            "'cluster0'",
        ),
    ],
)
def test_cluster_tool_failures(argv, fixture, error, words):
    found = classify(argv, 1, "", fixture_files.text(fixture))

    assert type(found) is error
    assert words in found.message


def test_the_minikube_start_hint_names_the_profile():
    found = classify(
        ("minikube", "status", "-p", "dev"), 7, fixture_files.text("minikube/status-stopped.txt"), ""
    )

    assert found.hint == "start it with: minikube start --memory 4096 --cpus 2 -p dev"


def test_an_unrecognised_failure_keeps_the_tools_own_words():
    found = classify(
        ("helm", "repo", "add"), 1, "", 'Error: looks like "https://x" is not a valid chart repository\n'
    )

    assert type(found) is CommandFailed
    assert found.message == 'helm failed: looks like "https://x" is not a valid chart repository'
