"""`todoctl logs`: the last lines of every pod of a component, or all of them followed live."""

import re
from dataclasses import dataclass

from todoctl.adapters.kube import Kube
from todoctl.components import component, component_selector, services_selector

MAX_FOLLOWED_PODS = 20
# `kubectl logs --prefix`: [pod/<pod>/<container>] <line>
_PREFIX = re.compile(r"^\[pod/(?P<pod>[^/\]]+)/[^\]]*\] ?(?P<line>.*)$")


@dataclass(frozen=True)
class PodLog:
    pod: str
    lines: list[str]


def selector(release: str, name: str | None) -> str:
    """The pods of one component, or of both services (not the development database)."""
    return component_selector(release, component(name)) if name is not None else services_selector(release)


def split_prefix(line: str) -> tuple[str | None, str]:
    """(pod, text) of a `kubectl logs --prefix` line; (None, line) when it carries no prefix."""
    found = _PREFIX.match(line)
    return (found.group("pod"), found.group("line")) if found else (None, line)


def recent(kube: Kube, selector: str, tail: int) -> list[PodLog]:
    return [
        PodLog(pod.metadata.name, kube.pod_log(pod.metadata.name, tail_lines=tail).splitlines())
        for pod in sorted(kube.pods(selector), key=lambda item: item.metadata.name)
    ]


def follow_argv(*, context: str, namespace: str, selector: str, tail: int) -> list[str]:
    """kubectl follows many pods at once, prefixes each line with its pod, and picks up the
    stream again after API hiccups; doing that over the client would mean a thread per pod."""
    return [
        "kubectl",
        "logs",
        "--follow",
        "--prefix",
        "--selector",
        selector,
        "--tail",
        str(tail),
        "--max-log-requests",
        str(MAX_FOLLOWED_PODS),
        "--namespace",
        namespace,
        "--context",
        context,
    ]
