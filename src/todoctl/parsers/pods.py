"""What a pod or a deployment is doing, in words: pure functions over the client's models."""

from dataclasses import dataclass
from datetime import UTC, datetime

from kubernetes import client

# Waiting reasons that never fix themselves; seeing one, there is no point in waiting longer.
IMAGE_REASONS = {"ErrImagePull", "ImagePullBackOff", "ErrImageNeverPull", "InvalidImageName"}
STUCK_REASONS = IMAGE_REASONS | {
    "CrashLoopBackOff",
    "CreateContainerConfigError",
    "CreateContainerError",
    "RunContainerError",
}


@dataclass(frozen=True)
class PodSummary:
    name: str
    component: str
    ready: str  # "1/1"
    status: str
    restarts: int
    age: str
    image: str


@dataclass(frozen=True)
class Problem:
    pod: str
    container: str
    reason: str
    message: str

    @property
    def is_image_problem(self) -> bool:
        return self.reason in IMAGE_REASONS

    @property
    def is_crash_loop(self) -> bool:
        return self.reason == "CrashLoopBackOff"


@dataclass(frozen=True)
class Progress:
    done: bool
    failed: bool
    message: str


def summarize(pod: client.V1Pod, now: datetime | None = None) -> PodSummary:
    statuses = (pod.status.container_statuses or []) if pod.status else []
    labels = pod.metadata.labels or {}
    containers = len(pod.spec.containers) if pod.spec else len(statuses)
    return PodSummary(
        name=pod.metadata.name,
        component=labels.get("app.kubernetes.io/component", "?"),
        ready=f"{sum(1 for s in statuses if s.ready)}/{containers}",
        status=pod_status(pod),
        restarts=sum(s.restart_count or 0 for s in statuses),
        age=age(pod.metadata.creation_timestamp, now),
        image=", ".join(c.image for c in pod.spec.containers) if pod.spec else "",
    )


def pod_status(pod: client.V1Pod) -> str:
    """The word `kubectl get pods` shows in its STATUS column."""
    if pod.metadata.deletion_timestamp is not None:
        return "Terminating"
    for status in (pod.status.container_statuses or []) if pod.status else []:
        if status.state and status.state.waiting and status.state.waiting.reason:
            return status.state.waiting.reason
        if status.state and status.state.terminated and status.state.terminated.reason:
            return status.state.terminated.reason
    return (pod.status.phase if pod.status else None) or "Unknown"


def is_ready(pod: client.V1Pod) -> bool:
    if pod.metadata.deletion_timestamp is not None or pod.status is None:
        return False
    return any(c.type == "Ready" and c.status == "True" for c in pod.status.conditions or [])


def problems(pod: client.V1Pod) -> list[Problem]:
    found = []
    for status in (pod.status.container_statuses or []) if pod.status else []:
        waiting = status.state.waiting if status.state else None
        if waiting is not None and waiting.reason in STUCK_REASONS:
            found.append(Problem(pod.metadata.name, status.name, waiting.reason, waiting.message or ""))
        terminated = status.last_state.terminated if status.last_state else None
        if terminated is not None and terminated.reason == "OOMKilled" and not found:
            found.append(
                Problem(pod.metadata.name, status.name, "OOMKilled", "the container ran out of memory")
            )
    if not found and pod.status is not None and pod.status.phase == "Pending":
        for condition in pod.status.conditions or []:
            if condition.type == "PodScheduled" and condition.status == "False":
                found.append(
                    Problem(
                        pod.metadata.name, "", condition.reason or "Unschedulable", condition.message or ""
                    )
                )
    return found


def restart_count(pod: client.V1Pod, container: str) -> int:
    for status in (pod.status.container_statuses or []) if pod.status else []:
        if status.name == container:
            return status.restart_count or 0
    return 0


def deployment_progress(deployment: client.V1Deployment) -> Progress:
    """The rules `kubectl rollout status` applies."""
    name = deployment.metadata.name
    spec_replicas = deployment.spec.replicas if deployment.spec.replicas is not None else 1
    status = deployment.status or client.V1DeploymentStatus()
    if (deployment.metadata.generation or 0) > (status.observed_generation or 0):
        return Progress(False, False, f"{name}: waiting for the controller to see the new spec")
    for condition in status.conditions or []:
        if condition.type == "Progressing" and condition.reason == "ProgressDeadlineExceeded":
            return Progress(False, True, f"{name}: exceeded its progress deadline")
    updated = status.updated_replicas or 0
    available = status.available_replicas or 0
    if updated < spec_replicas:
        return Progress(False, False, f"{name}: {updated} of {spec_replicas} new replicas updated")
    if (status.replicas or 0) > updated:
        return Progress(False, False, f"{name}: {status.replicas - updated} old replicas pending termination")
    if available < updated:
        return Progress(False, False, f"{name}: {available} of {updated} updated replicas available")
    return Progress(True, False, f"{name}: {available}/{spec_replicas} ready")


def age(created: datetime | None, now: datetime | None = None) -> str:
    """`kubectl`'s short ages: 45s, 12m, 5h, 3d."""
    if created is None:
        return "?"
    seconds = max(0, int(((now or datetime.now(UTC)) - created).total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"
