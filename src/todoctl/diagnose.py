"""Why a release is not ready, pod by pod: waiting reasons, scheduling events, last log lines.

This is what turns Helm's "context deadline exceeded" into something a person can act on.
"""

from dataclasses import dataclass, field

from todoctl.adapters.kube import Kube
from todoctl.components import release_selector
from todoctl.parsers.pods import is_ready, problems
from todoctl.parsers.tool_errors import MINIKUBE_START

LOG_LINES = 10
# Where the images were expected to come from decides what to do when a node cannot pull one.
LOADED_IMAGE_HINT = (
    "the image is not in the cluster: build and load it with `todoctl build` and `todoctl load` "
    "(or run `todoctl up`)"
)


@dataclass
class Diagnosis:
    details: list[str] = field(default_factory=list)
    hint: str | None = None


def diagnose(kube: Kube, release: str, *, image_hint: str = LOADED_IMAGE_HINT) -> Diagnosis:
    diagnosis = Diagnosis()
    pods = kube.pods(release_selector(release))
    if not pods:
        diagnosis.details.append("no pods of the release exist")
        diagnosis.hint = "check the deployments' events with `kubectl describe deployment`"
        return diagnosis
    for pod in sorted(pods, key=lambda item: item.metadata.name):
        if is_ready(pod):
            continue
        found = problems(pod)
        if not found:
            diagnosis.details.append(
                f"{pod.metadata.name}: not ready yet ({pod.status.phase if pod.status else '?'})"
            )
            diagnosis.details += _warning_events(kube, pod.metadata.name)
            continue
        for problem in found:
            diagnosis.details.append(f"{problem.pod}: {problem.reason}: {problem.message}".rstrip(": "))
            if problem.is_crash_loop:
                diagnosis.details += _last_log_lines(kube, problem.pod, problem.container)
                diagnosis.hint = diagnosis.hint or "the container keeps exiting; its last log lines are above"
            elif problem.is_image_problem:
                diagnosis.hint = image_hint
            elif problem.reason == "Unschedulable":
                diagnosis.details += _warning_events(kube, problem.pod)
                diagnosis.hint = diagnosis.hint or (
                    f"the cluster lacks room for the pods: give minikube more ({MINIKUBE_START}) "
                    "or lower the resources in your values"
                )
            elif problem.reason == "OOMKilled":
                diagnosis.hint = (
                    diagnosis.hint or "raise the memory limit in your values (resources.limits.memory)"
                )
    return diagnosis


def _warning_events(kube: Kube, pod: str) -> list[str]:
    lines = []
    for event in kube.pod_events(pod):
        if event.type == "Warning":
            repeated = f" (x{event.count})" if event.count and event.count > 1 else ""
            lines.append(f"  event {event.reason}{repeated}: {event.message}")
    return lines[-3:]


def _last_log_lines(kube: Kube, pod: str, container: str) -> list[str]:
    # The crashed container's log is the previous one; the current one is usually empty.
    log = kube.pod_log(pod, container=container, tail_lines=LOG_LINES, previous=True)
    lines = [line for line in log.splitlines() if line.strip()][-LOG_LINES:]
    if not lines:
        return ["  (the crashed container wrote no log)"]
    return [f"  log | {line}" for line in lines]
