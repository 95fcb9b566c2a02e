"""Can the cluster's nodes pull from the registry? A throwaway pod of an image todoctl pushed there
answers it the only way that counts: by being pulled and run by a node."""

import time
import uuid
from collections.abc import Callable
from typing import Any

from todoctl.adapters.kube import Kube
from todoctl.parsers.pods import IMAGE_REASONS

PULL_TIMEOUT_SECONDS = 120.0


def pull_check_pod(name: str, image: str) -> dict[str, Any]:
    """Runs `true` from the image and ends; as locked down as the chart's own pods."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "todoctl"}},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "activeDeadlineSeconds": int(PULL_TIMEOUT_SECONDS),
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 65534,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "pull",
                    "image": image,
                    "imagePullPolicy": "Always",
                    "command": ["true"],
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                }
            ],
        },
    }


def check_pull(
    kube: Kube,
    image: str,
    *,
    timeout: float = PULL_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> str | None:
    """None when a node pulled and ran `image`, else what the kubelet said."""
    name = f"todoctl-pull-check-{uuid.uuid4().hex[:8]}"
    kube.create_pod(pull_check_pod(name, image))
    deadline = clock() + timeout
    try:
        while clock() < deadline:
            pods = kube.pods("app.kubernetes.io/managed-by=todoctl")
            pod = next((item for item in pods if item.metadata.name == name), None)
            if pod is not None and pod.status is not None:
                if pod.status.phase == "Succeeded":
                    return None
                for status in pod.status.container_statuses or []:
                    waiting = status.state.waiting if status.state else None
                    if waiting is not None and waiting.reason in IMAGE_REASONS:
                        return f"{waiting.reason}: {waiting.message or 'no message'}"
                if pod.status.phase == "Failed":
                    return f"the pod failed: {pod.status.reason or pod.status.message or 'no reason given'}"
            sleep(1)
        return f"no node had pulled and run it after {timeout:g}s"
    finally:
        kube.delete_pods([name])
