"""The Helm release: deploy (upgrade --install, wait, rollback on failure), roll back, remove."""

import time
from dataclasses import asdict, dataclass, field
from typing import Any

from todoctl.components import release_selector
from todoctl.diagnose import diagnose
from todoctl.errors import (
    AnotherOperationInProgress,
    ReleaseNotFound,
    RolloutFailed,
    RolloutTimedOut,
    TodoctlError,
)
from todoctl.resources import chart_dir
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


def deploy(session: Session, values: Values, images: dict[str, str], *, wait: bool = True) -> Deployed:
    release = session.settings.release
    started = time.monotonic()
    try:
        document = session.helm.upgrade_install(release, chart_dir(), values.values, wait=wait)
    except AnotherOperationInProgress as error:
        error.hint = _way_out_of_pending(session, release) or error.hint
        raise
    except RolloutTimedOut as error:
        diagnosis = diagnose(session.kube, release)
        restored = " Helm rolled the release back." if error.rolled_back else ""
        raise RolloutFailed(
            f"release {release} was not ready within {session.settings.timeout}s.{restored}",
            hint=diagnosis.hint or "see `todoctl status` and `todoctl logs`",
            details=diagnosis.details,
        ) from None
    return Deployed(
        release=release,
        namespace=session.settings.namespace,
        revision=int(document.get("version", 0)),
        status=str((document.get("info") or {}).get("status", "unknown")),
        seconds=time.monotonic() - started,
        images=dict(images),
        secrets=values.secret_names,
        notes=values.notes,
    )


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
    """Uninstalls the release; reports anything still carrying its labels (e.g. kept resources)."""
    release = session.settings.release
    try:
        session.helm.uninstall(release)
        was_installed = True
    except ReleaseNotFound:
        was_installed = False
    leftovers = session.kube.leftovers(release_selector(release))
    return Removed(release, session.settings.namespace, was_installed, leftovers)
