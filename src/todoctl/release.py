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
from todoctl.session import Session
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
    session: Session,
    values: Values,
    images: dict[str, str],
    *,
    wait: bool = True,
    on_progress: Callable[[str], None] | None = None,
) -> Deployed:
    started = time.monotonic()
    applied = apply(session, values)
    if wait:
        await_ready(session, applied, on_progress=on_progress)
    return Deployed(
        release=session.settings.release,
        namespace=session.settings.namespace,
        revision=applied.revision,
        status=applied.status,
        seconds=time.monotonic() - started,
        images=dict(images),
        secrets=values.secret_names,
        notes=values.notes,
    )


def apply(session: Session, values: Values) -> Applied:
    """`helm upgrade --install` without waiting; a failed apply is restored at once."""
    release = session.settings.release
    previous = last_revision(session, release)
    try:
        document = session.helm.upgrade_install(release, chart_dir(), values.values)
    except AnotherOperationInProgress as error:
        error.hint = _way_out_of_pending(session, release) or error.hint
        raise
    except ClusterUnreachable:
        raise
    except CommandFailed as error:
        error.message += " " + restore(session, release, previous)
        raise
    return Applied(
        revision=int(document.get("version", 0)),
        status=str((document.get("info") or {}).get("status", "unknown")),
        previous=previous,
    )


def await_ready(
    session: Session, applied: Applied, *, on_progress: Callable[[str], None] | None = None
) -> None:
    """Until every pod of the release is ready; else the diagnosis, the restore, and RolloutFailed."""
    release = session.settings.release
    outcome = watch_rollout(
        session.kube,
        release,
        timeout=session.settings.timeout,
        image_hint=image_hint(session),
        on_progress=on_progress,
        clock=session.kube.clock,
        sleep=session.kube.sleep,
    )
    if outcome.ready:
        return
    restored = restore(session, release, applied.previous)
    raise RolloutFailed(
        f"release {release} revision {applied.revision} failed: {outcome.reason}. {restored}",
        hint=outcome.diagnosis.hint or "see `todoctl status` and `todoctl logs`",
        details=outcome.diagnosis.details,
    )


def last_revision(session: Session, release: str) -> int | None:
    """The revision a failed deploy returns to: the newest one Helm has, whatever its status."""
    try:
        history = session.helm.history(release)
    except ReleaseNotFound:
        return None
    revisions = [int(entry["revision"]) for entry in history if "revision" in entry]
    return max(revisions) if revisions else None


def restore(session: Session, release: str, previous: int | None) -> str:
    """Puts the release back as it was before the deploy; returns the sentence that says so."""
    try:
        if previous is None:
            session.helm.uninstall(release)
            return "It was a first install, so it was removed again."
        session.helm.rollback(release, previous)
    except ReleaseNotFound:
        return "Helm had not created it, so there was nothing to undo."
    except TodoctlError as error:
        return f"Restoring it failed too: {error.message} (see `todoctl status`)."
    return f"It was rolled back to revision {previous}."


def image_hint(session: Session) -> str:
    """What to do when a node cannot pull an image, given how todoctl delivered the images."""
    registry = session.registry
    if registry is not None:
        return (
            f"the nodes cannot pull from {registry}: check that the tag was pushed (`todoctl load`) and "
            f"that the container runtime trusts the registry (`todoctl doctor --registry {registry}`)"
        )
    if session.provider.kind == "generic":
        return (
            f"context {session.context!r} is not a minikube, kind or k3d cluster, so todoctl loaded no "
            "images into it: pass --registry HOST:PORT (a registry the cluster pulls from), or "
            "--provider minikube|kind|k3d if it is one of those"
        )
    return LOADED_IMAGE_HINT


def _way_out_of_pending(session: Session, release: str) -> str | None:
    try:
        history = session.helm.history(release)
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


def rollback(session: Session, revision: int | None) -> dict[str, Any]:
    release = session.settings.release
    if revision is not None and revision < 1:
        raise TodoctlError(f"revision {revision} does not exist", hint="`todoctl status` lists the revisions")
    session.helm.rollback(release, revision)
    return session.helm.status(release)


@dataclass
class Removed:
    release: str
    namespace: str
    was_installed: bool
    leftovers: list[str]

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def down(session: Session) -> Removed:
    """Uninstalls the release and waits for its pods to be gone (Helm waits only for the objects it
    made, and their pods are collected after them); reports anything still carrying its labels."""
    release = session.settings.release
    selector = release_selector(release)
    try:
        session.helm.uninstall(release)
        was_installed = True
    except ReleaseNotFound:
        was_installed = False
    gone = session.kube.wait_pods(selector, lambda pods: not pods, session.settings.timeout)
    leftovers = session.kube.leftovers(selector)
    if gone is None:
        leftovers += [
            f"pod/{pod.metadata.name} (still terminating)"
            for pod in session.kube.pods(selector)
            if pod.metadata.deletion_timestamp is not None
        ]
    return Removed(release, session.settings.namespace, was_installed, leftovers)
