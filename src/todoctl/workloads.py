"""Waiting for the release's deployments, scaling them through Helm, and restarting them."""

from collections.abc import Callable

from kubernetes import client

from todoctl.adapters.helm import Helm
from todoctl.adapters.kube import Kube
from todoctl.components import IMAGES, component_selector, release_selector
from todoctl.diagnose import diagnose
from todoctl.errors import ConfigError, RolloutFailed, TodoctlError
from todoctl.parsers.pods import deployment_progress
from todoctl.resources import chart_dir
from todoctl.values import merge

MAX_REPLICAS = 50


def wait_ready(
    kube: Kube,
    selector: str,
    *,
    release: str,
    timeout: float,
    on_progress: Callable[[str], None] | None = None,
) -> list[client.V1Deployment]:
    """Until every deployment matching `selector` has rolled out; a failure explains itself."""
    failed: list[str] = []

    def done(deployments: list[client.V1Deployment]) -> bool:
        if not deployments:
            return False
        progress = [deployment_progress(item) for item in deployments]
        failed[:] = [item.message for item in progress if item.failed]
        if on_progress is not None:
            on_progress("; ".join(item.message for item in progress))
        return all(item.done for item in progress) or bool(failed)

    ready = kube.wait_deployments(selector, done, timeout)
    if ready is None or failed:
        diagnosis = diagnose(kube, release)
        reason = failed[0] if failed else f"not ready after {timeout:g}s"
        raise RolloutFailed(
            f"release {release}: {reason}",
            hint=diagnosis.hint or "see `todoctl status` and `todoctl logs`",
            details=diagnosis.details,
        )
    return ready


def check_replicas(replicas: int) -> None:
    """Before anything reaches the cluster: a wrong count fails the same with or without one."""
    if not 0 <= replicas <= MAX_REPLICAS:
        raise ConfigError(f"{replicas} replicas is out of range", hint=f"use 0 to {MAX_REPLICAS}")


def scale(
    helm: Helm,
    kube: Kube,
    component: str,
    replicas: int,
    *,
    release: str,
    timeout: float,
    on_progress: Callable[[str], None] | None = None,
) -> int:
    """Sets the replica count in the release's values (Helm stays the source of truth) and waits
    until that many pods are ready; returns the release's new revision."""
    check_replicas(replicas)
    values = merge(helm.user_values(release), {IMAGES[component].values_key: {"replicaCount": replicas}})
    upgraded = helm.upgrade_install(release, chart_dir(), values)
    selector = component_selector(release, component)

    def scaled(deployments: list[client.V1Deployment]) -> bool:
        return bool(deployments) and all(item.spec.replicas == replicas for item in deployments)

    if kube.wait_deployments(selector, scaled, timeout=30) is None:
        raise TodoctlError(
            f"the {component} deployment did not take the new replica count", hint="see `todoctl status`"
        )
    wait_ready(kube, selector, release=release, timeout=timeout, on_progress=on_progress)
    return int(upgraded.get("version", 0))


def restart(
    kube: Kube,
    components: list[str],
    *,
    release: str,
    namespace: str,
    timeout: float,
    on_progress: Callable[[str], None] | None = None,
) -> list[str]:
    """A rollout restart of each component's deployment; returns the deployments restarted."""
    restarted = []
    for name in components:
        deployments = kube.deployments(component_selector(release, name))
        if not deployments:
            raise TodoctlError(
                f"release {release} has no {name} deployment in namespace {namespace}",
                hint="deploy it with `todoctl deploy`, or pass the right --namespace/--release",
            )
        for deployment in deployments:
            kube.restart_deployment(deployment.metadata.name)
            restarted.append(deployment.metadata.name)
    wait_ready(kube, release_selector(release), release=release, timeout=timeout, on_progress=on_progress)
    return restarted
