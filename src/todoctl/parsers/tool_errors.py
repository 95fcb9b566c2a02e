"""What a failed helm, kubectl, minikube, kind or k3d command means, and the way out.

The patterns are the tools' real messages (see the fixtures under tests/todoctl and their sources):
Helm 3 and 4 word several of them differently, and minikube prints with or without emoji.
"""

import re
from collections.abc import Sequence
from pathlib import PurePath

from todoctl.errors import (
    AnotherOperationInProgress,
    ClusterNotRunning,
    ClusterUnreachable,
    CommandFailed,
    ImageLoadFailed,
    ReleaseNotFound,
    RolloutTimedOut,
)

INSTALL_HINTS = {
    "helm": "install Helm 3 or 4: https://helm.sh/docs/intro/install/",
    "kubectl": "install kubectl: https://kubernetes.io/docs/tasks/tools/",
    "minikube": "install minikube: https://minikube.sigs.k8s.io/docs/start/",
    "kind": "install kind: https://kind.sigs.k8s.io/docs/user/quick-start/#installation",
    "k3d": "install k3d: https://k3d.io/#installation",
}

# the one place the advised minikube size is written (kube, diagnose and providers hint with it)
MINIKUBE_START = "minikube start --memory 4096 --cpus 2"

_HELM_ERROR_LINE = re.compile(r"^Error: (.*)$", re.MULTILINE)
_MINIKUBE_PROFILE = re.compile(r'Profile "([^"]+)" not found')
_KUBECTL_REFUSED = re.compile(
    r"^.*(the connection to the server .* was refused|unable to connect to the server).*$",
    re.IGNORECASE | re.MULTILINE,
)
_RESTORED = re.compile(r"has been rolled back|has been uninstalled due to", re.IGNORECASE)
_COLOURS = re.compile(r"\x1b\[[0-9;]*m")
_WAIT_GAVE_UP = re.compile(r"timed out waiting for the condition|context deadline exceeded", re.IGNORECASE)


def strip_colours(text: str) -> str:
    """k3d forces colours on its log lines (`\\x1b[31mERRO\\x1b[0m[0000] …`), even into a pipe."""
    return _COLOURS.sub("", text)


def install_hint(program: str) -> str:
    return INSTALL_HINTS.get(PurePath(program).name, f"install {program} and make sure it is on PATH")


def classify(
    argv: Sequence[str], returncode: int, stdout: str, stderr: str, *, tool: str | None = None
) -> CommandFailed:
    """`tool` names the program when its file is named otherwise (helm4, /opt/helm-v3/helm3)."""
    tool = tool or (PurePath(argv[0]).name if argv else "?")
    text = f"{stdout}\n{stderr}"
    found = {
        "helm": _helm,
        "kubectl": _kubectl,
        "minikube": _minikube,
        "kind": _kind,
        "k3d": _k3d,
    }.get(tool, _unknown)(argv, text)
    error_class, message, hint = found if found is not None else _generic(tool, text, returncode)
    error = error_class(message, hint, argv=argv, returncode=returncode, stdout=stdout, stderr=stderr)
    if isinstance(error, RolloutTimedOut):
        error.rolled_back = bool(_RESTORED.search(text))
    return error


Found = tuple[type[CommandFailed], str, str | None] | None


def _flag_value(argv: Sequence[str], *flags: str) -> str | None:
    for index, part in enumerate(argv):
        for flag in flags:
            if part == flag and index + 1 < len(argv):
                return argv[index + 1]
            if part.startswith(f"{flag}="):
                return part.split("=", 1)[1]
    return None


def _last_error_line(text: str) -> str | None:
    lines = _HELM_ERROR_LINE.findall(text)
    return lines[-1].strip() if lines else None


def _helm(argv: Sequence[str], text: str) -> Found:  # noqa: PLR0911 - one return per known failure
    lowered = text.lower()
    error = _last_error_line(text) or _first_line(text)
    release = argv[2] if len(argv) > 2 and argv[1] in {"upgrade", "rollback", "status", "history"} else None
    if "kubernetes cluster unreachable" in lowered:
        return ClusterUnreachable, f"Helm cannot reach the cluster: {error}", _UNREACHABLE_HINT
    if "another operation (install/upgrade/rollback) is in progress" in lowered:
        return (
            AnotherOperationInProgress,
            "Helm says another operation (install/upgrade/rollback) is in progress on this release",
            "if no other deploy is running, an earlier one was interrupted: `todoctl status` shows the "
            "pending revision; `todoctl rollback` clears a pending upgrade, `todoctl down` a pending install",
        )
    if "release: not found" in lowered:
        return (
            ReleaseNotFound,
            "the release is not installed in this namespace",
            ("deploy it with `todoctl deploy`, or pass the right --namespace/--release"),
        )
    if "has no deployed releases" in lowered:
        return (
            CommandFailed,
            f"release {release or ''} has no successful revision to upgrade from".replace("  ", " "),
            "remove the failed release with `todoctl down`, then deploy again",
        )
    if _WAIT_GAVE_UP.search(text):
        rolled_back = _RESTORED.search(text) is not None
        failed_rollback = "an error occurred while rolling back" in lowered
        message = "the release did not become ready before Helm's timeout"
        if rolled_back:
            message += "; Helm restored the previous state"
        elif failed_rollback:
            message += ", and rolling it back failed too"
        return RolloutTimedOut, message, "see why with `todoctl status` and `todoctl logs`"
    if "cannot re-use a name" in lowered or "cannot reuse a name" in lowered:
        return (
            CommandFailed,
            "the release name is taken by another release",
            ("choose another name with --release, or remove the old one with `helm uninstall`"),
        )
    if "unknown flag" in lowered or "unknown shorthand flag" in lowered:
        return (
            CommandFailed,
            f"this helm does not understand a flag todoctl passed: {error}",
            ("todoctl supports Helm 3 and Helm 4; check `helm version`"),
        )
    return None


_UNREACHABLE_HINT = (
    "is the cluster running? `minikube status` (or `kind get clusters`, `k3d cluster list`); "
    "check the context with `kubectl config current-context` or pass --context"
)


def _kubectl(argv: Sequence[str], text: str) -> Found:
    lowered = text.lower()
    if "current-context is not set" in lowered:
        return (
            ClusterUnreachable,
            "kubectl has no current context",
            f"start a cluster ({MINIKUBE_START}) or pass --context",
        )
    refused = _KUBECTL_REFUSED.search(text)
    if refused:
        return (
            ClusterUnreachable,
            f"kubectl cannot reach the cluster: {refused.group(0).strip()}",
            _UNREACHABLE_HINT,
        )
    if "exceeded its progress deadline" in lowered or "timed out waiting for the condition" in lowered:
        return (
            RolloutTimedOut,
            "the rollout did not finish in time",
            "see why with `todoctl status` and `todoctl logs`",
        )
    return None


def _minikube(argv: Sequence[str], text: str) -> Found:
    profile_missing = _MINIKUBE_PROFILE.search(text)
    profile = _flag_value(argv, "-p", "--profile") or "minikube"
    start = MINIKUBE_START if profile == "minikube" else f"{MINIKUBE_START} -p {profile}"
    if profile_missing:
        return (
            ClusterNotRunning,
            f"minikube has no cluster named {profile_missing.group(1)!r}",
            f"start one with: {start}",
        )
    if "GUEST_IMAGE_LOAD" in text:
        return (
            ImageLoadFailed,
            "minikube could not load the image: " + _after(text, "Failed to load image:"),
            (
                "minikube could not export the image from Docker; `docker save <image> -o image.tar` and "
                "`minikube image load image.tar` works around it"
            ),
        )
    if re.search(r"^(host|apiserver|kubelet): (Stopped|Paused)", text, re.MULTILINE):
        return ClusterNotRunning, f"minikube cluster {profile!r} is not running", f"start it with: {start}"
    return None


def _kind(argv: Sequence[str], text: str) -> Found:
    if "ERROR: failed to load image" in text:
        return (
            ImageLoadFailed,
            "kind could not load the image: " + _after(text, "ERROR: failed to load image:"),
            (
                "rebuild with `todoctl build`; if it persists, recreate the cluster "
                "(`kind delete cluster`, then `kind create cluster`)"
            ),
        )
    if re.search(r"no nodes found for cluster", text, re.IGNORECASE):
        cluster = _flag_value(argv, "--name", "-n") or "kind"
        return (
            ClusterNotRunning,
            f"kind has no cluster named {cluster!r}",
            f"create it with: kind create cluster --name {cluster}",
        )
    return None


def _k3d(argv: Sequence[str], text: str) -> Found:
    text = strip_colours(text)
    if "Failed to find the specified cluster" in text or "No nodes found for given cluster" in text:
        cluster = _flag_value(argv, "-c", "--cluster") or "k3s-default"
        return (
            ClusterNotRunning,
            f"k3d has no running cluster named {cluster!r}",
            (f"create it with: k3d cluster create {cluster}"),
        )
    if "ERRO[" in text:
        return (
            ImageLoadFailed,
            "k3d could not import the image: " + _first_matching(text, "ERRO["),
            "see `docker logs` of the cluster's server node; recreating the cluster "
            "(`k3d cluster delete`, then `k3d cluster create`) clears a broken image store",
        )
    return None


def _unknown(argv: Sequence[str], text: str) -> Found:
    return None


def _generic(tool: str, text: str, returncode: int) -> tuple[type[CommandFailed], str, str | None]:
    detail = _last_error_line(text) or _first_line(text) or f"exit code {returncode}"
    return CommandFailed, f"{tool} failed: {detail}", None


def _first_line(text: str) -> str:
    for line in text.splitlines():
        if line.strip():
            return line.strip()
    return ""


def _first_matching(text: str, marker: str) -> str:
    for line in text.splitlines():
        if marker in line:
            return line.split("]", 1)[-1].strip()
    return _first_line(text)


def _after(text: str, marker: str) -> str:
    for line in text.splitlines():
        if marker in line:
            return line.split(marker, 1)[1].strip()
    return _first_line(text)
