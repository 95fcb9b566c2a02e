"""The Helm release: deploy (upgrade --install, then todoctl's own wait, and a restore on failure),
roll back, remove.

Helm installs without `--wait` and without its automatic rollback: todoctl waits itself (see
rollout.py), so a failure is explained from the failing pods before they are gone, and then puts the
release back as the user had it: the previous revision, or nothing for a first install.
"""

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from todoctl.adapters.helm import Helm
from todoctl.adapters.kube import Kube
from todoctl.adapters.providers import Provider
from todoctl.adapters.registry import Registry
from todoctl.components import release_selector
from todoctl.diagnose import LOADED_IMAGE_HINT
from todoctl.errors import (
    AnotherOperationInProgress,
    ClusterUnreachable,
    CommandFailed,
    ReleaseNotFound,
    RolloutFailed,
    TodoctlError,
)
from todoctl.resources import chart_dir
from todoctl.rollout import watch_rollout
from todoctl.values import Values


@dataclass
class Deployed:
    release: str
    namespace: str
    revision: int
    status: str
    seconds: float
    images: dict[str, str] = field(default_factory=dict)
    secrets: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Applied:
    """A new revision Helm has applied, and what to return to if it never becomes ready."""

    revision: int
    status: str
    previous: int | None


def deploy(
    helm: Helm,
    kube: Kube,
    values: Values,
    images: dict[str, str],
    *,
    release: str,
    namespace: str,
    timeout: float,
    image_hint: Callable[[], str],
    wait: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> Deployed:
    """`image_hint` is asked only when waiting: telling the cluster's provider may run minikube."""
    started = time.monotonic()
    applied = apply(helm, values, release=release)
    if wait:
        await_ready(
            helm,
            kube,
            applied,
            release=release,
            timeout=timeout,
            image_hint=image_hint(),
            on_progress=on_progress,
        )
    return Deployed(
        release=release,
        namespace=namespace,
        revision=applied.revision,
        status=applied.status,
        seconds=time.monotonic() - started,
        images=dict(images),
        secrets=values.secret_names,
        notes=values.notes,
    )


def apply(helm: Helm, values: Values, *, release: str) -> Applied:
    """`helm upgrade --install` without waiting; a failed apply is restored at once."""
    previous = last_revision(helm, release)
    try:
        document = helm.upgrade_install(release, chart_dir(), values.values)
    except AnotherOperationInProgress as error:
        error.hint = _way_out_of_pending(helm, release) or error.hint
        raise
    except ClusterUnreachable:
        raise
    except CommandFailed as error:
        error.message += " " + restore(helm, release, previous)
        raise
    return Applied(
        revision=int(document.get("version", 0)),
        status=str((document.get("info") or {}).get("status", "unknown")),
        previous=previous,
    )


def await_ready(
    helm: Helm,
    kube: Kube,
    applied: Applied,
    *,
    release: str,
    timeout: float,
    image_hint: str,
    on_progress: Callable[[str], None] | None = None,
) -> None:
    """Until every pod of the release is ready; else the diagnosis, the restore, and RolloutFailed."""
    outcome = watch_rollout(
        kube,
        release,
        timeout=timeout,
        image_hint=image_hint,
        on_progress=on_progress,
        clock=kube.clock,
        sleep=kube.sleep,
    )
    if outcome.ready:
        return
    restored = restore(helm, release, applied.previous)
    raise RolloutFailed(
        f"release {release} revision {applied.revision} failed: {outcome.reason}. {restored}",
        hint=outcome.diagnosis.hint or "see `todoctl status` and `todoctl logs`",
        details=outcome.diagnosis.details,
    )


def last_revision(helm: Helm, release: str) -> int | None:
    """The revision a failed deploy returns to: the newest one Helm has, whatever its status."""
    try:
        history = helm.history(release)
    except ReleaseNotFound:
        return None
    revisions = [int(entry["revision"]) for entry in history if "revision" in entry]
    return max(revisions) if revisions else None


def restore(helm: Helm, release: str, previous: int | None) -> str:
    """Puts the release back as it was before the deploy; returns the sentence that says so."""
    try:
        if previous is None:
            helm.uninstall(release)
            return "It was a first install, so it was removed again."
        helm.rollback(release, previous)
    except ReleaseNotFound:
        return "Helm had not created it, so there was nothing to undo."
    except TodoctlError as error:
        return f"Restoring it failed too: {error.message} (see `todoctl status`)."
    return f"It was rolled back to revision {previous}."


def image_hint(registry: Registry | None, provider: Provider) -> str:
    """What to do when a node cannot pull an image, given how todoctl delivered the images."""
    if registry is not None:
        return (
            f"the nodes cannot pull from {registry}: check that the tag was pushed (`todoctl load`) and "
            f"that the container runtime trusts the registry (`todoctl doctor --registry {registry}`)"
        )
    if provider.kind == "generic":
        # a generic provider's cluster is the kube context's name
        return (
            f"context {provider.cluster!r} is not a minikube, kind or k3d cluster, so todoctl loaded no "
            "images into it: pass --registry HOST:PORT (a registry the cluster pulls from), or "
            "--provider minikube|kind|k3d if it is one of those"
        )
    return LOADED_IMAGE_HINT


def _way_out_of_pending(helm: Helm, release: str) -> str | None:
    try:
        history = helm.history(release)
    except TodoctlError:
        return None
    if not history:
        return None
    latest = history[-1]
    status, revision = latest.get("status"), latest.get("revision")
    if status == "pending-install":
        return (
            f"revision {revision} is stuck in pending-install; if no deploy is running, remove it with "
            "`todoctl down` and deploy again"
        )
    if status in {"pending-upgrade", "pending-rollback"}:
        return (
            f"revision {revision} is stuck in {status}; if no deploy is running, `todoctl rollback` returns "
            "to the last good revision, then deploy again"
        )
    return None


def check_revision(revision: int | None) -> None:
    """Before anything reaches the cluster: a wrong revision fails the same with or without one."""
    if revision is not None and revision < 1:
        raise TodoctlError(f"revision {revision} does not exist", hint="`todoctl status` lists the revisions")


def rollback(helm: Helm, release: str, revision: int | None) -> dict[str, Any]:
    check_revision(revision)
    helm.rollback(release, revision)
    return helm.status(release)


@dataclass
class Removed:
    release: str
    namespace: str
    was_installed: bool
    leftovers: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def down(helm: Helm, kube: Kube, *, release: str, namespace: str, timeout: float) -> Removed:
    """Uninstalls the release and waits for its pods to be gone (Helm waits only for the objects it
    made, and their pods are collected after them); reports anything still carrying its labels."""
    selector = release_selector(release)
    try:
        helm.uninstall(release)
        was_installed = True
    except ReleaseNotFound:
        was_installed = False
    gone = kube.wait_pods(selector, lambda pods: not pods, timeout)
    leftovers = kube.leftovers(selector)
    if gone is None:
        leftovers += [
            f"pod/{pod.metadata.name} (still terminating)"
            for pod in kube.pods(selector)
            if pod.metadata.deletion_timestamp is not None
        ]
    return Removed(release, namespace, was_installed, leftovers)
