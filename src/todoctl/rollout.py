"""Watching a release roll out until it is ready, hopeless or out of time, and explaining a failure
with evidence gathered while the failing pods still exist.

Helm's own rollback (`--atomic`, `--rollback-on-failure`) deletes the failed pods before anyone can
look at them, and it waits out the whole timeout even for an image that can never be pulled. So
todoctl waits itself: a crash loop or an unpullable image ends the wait within seconds, the diagnosis
is taken at that moment, and only then is the release restored.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from todoctl.adapters.kube import Kube
from todoctl.components import release_selector
from todoctl.diagnose import LOADED_IMAGE_HINT, Diagnosis, diagnose
from todoctl.parsers.pods import Problem, deployment_progress, problems, restart_count

# A stuck waiting reason (an image that cannot be pulled, a missing Secret key) that lasts this long
# will not fix itself: the kubelet has retried at least once by then.
STUCK_SECONDS = 20.0
# Scheduling can wait for old pods to make room during a rolling update; a minute cannot.
UNSCHEDULABLE_SECONDS = 60.0
# The services never exit because a dependency is down (they turn unready instead), so a container
# that has crashed twice will crash again.
CRASH_RESTARTS = 2
POLL_SECONDS = 1.0


@dataclass
class Outcome:
    ready: bool
    reason: str = ""
    diagnosis: Diagnosis = field(default_factory=Diagnosis)


def hopeless(problem: Problem, restarts: int, lasted: float) -> bool:
    if problem.is_crash_loop or problem.reason == "OOMKilled":
        return restarts >= CRASH_RESTARTS
    if problem.reason == "Unschedulable":
        return lasted >= UNSCHEDULABLE_SECONDS
    return lasted >= STUCK_SECONDS


def watch_rollout(
    kube: Kube,
    release: str,
    *,
    timeout: float,
    image_hint: str = LOADED_IMAGE_HINT,
    on_progress: Callable[[str], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> Outcome:
    selector = release_selector(release)
    deadline = clock() + timeout
    first_seen: dict[tuple[str, str, str], float] = {}

    def failure(reason: str) -> Outcome:
        return Outcome(False, reason, diagnose(kube, release, image_hint=image_hint))

    while True:
        deployments = kube.deployments(selector)
        progress = [deployment_progress(item) for item in deployments]
        if deployments and all(item.done for item in progress):
            return Outcome(ready=True)
        failed = [item.message for item in progress if item.failed]
        if failed:
            return failure(failed[0])
        now = clock()
        for pod in kube.pods(selector):
            for problem in problems(pod):
                since = first_seen.setdefault((problem.pod, problem.container, problem.reason), now)
                if hopeless(problem, restart_count(pod, problem.container), now - since):
                    return Outcome(
                        False,
                        f"{problem.pod}: {problem.reason}",
                        diagnose(kube, release, image_hint=image_hint),
                    )
        if now >= deadline:
            return Outcome(
                False, f"not ready after {timeout:g}s", diagnose(kube, release, image_hint=image_hint)
            )
        if on_progress is not None and progress:
            on_progress("; ".join(item.message for item in progress))
        sleep(POLL_SECONDS)
