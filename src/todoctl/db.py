"""Where the release's database schema stands against the code of its chat pods.

The database is out of todoctl's reach (inside the cluster, or behind a provider's network), but every
ai-todo pod reads it: its /readyz answer carries `schema` = {code, database, relation}, the revision
its code carries, the database's, and whether the database is behind, current or ahead. todoctl asks
each running pod through the API server's pod proxy; a pod that keeps crashing says why in its last
log line (a service refuses to start on a schema newer than its code, naming both revisions)."""

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

from kubernetes import client

from todoctl.adapters.kube import Kube
from todoctl.components import AI_TODO
from todoctl.errors import TodoctlError
from todoctl.parsers.pods import pod_status, problems

READY_PATH = "readyz"
RELATIONS = ("behind", "current", "ahead")
# A pod's answer is shown to people: revision ids are short, reasons a sentence.
TEXT_MAX = 300


@dataclass(frozen=True)
class PodSchema:
    pod: str
    code: str | None = None
    database: str | None = None
    relation: str | None = None  # the database against this pod's code; None: the pod did not say
    note: str = ""  # why it did not say, or why it is not serving


@dataclass
class SchemaReport:
    pods: list[PodSchema] = field(default_factory=list)

    @property
    def database(self) -> str | None:
        """The database's revision: the pods share one database, so any answer is it (the commonest one,
        should a migration land between two answers)."""
        found = Counter(pod.database for pod in self.pods if pod.database)
        return found.most_common(1)[0][0] if found else None

    @property
    def reporting(self) -> list[PodSchema]:
        return [pod for pod in self.pods if pod.relation is not None]

    def summary(self) -> str:
        """'0002_message_failed (current for the code of 2 of 2 ai-todo pods)'."""
        if not self.reporting:
            return f"unknown (none of {len(self.pods)} ai-todo pods reported it)"
        counts = Counter(pod.relation for pod in self.reporting)
        parts = [
            f"{relation} for the code of {counts[relation]}" for relation in RELATIONS if counts[relation]
        ]
        return f"{self.database} ({', '.join(parts)} of {len(self.pods)} ai-todo pods)"

    def as_dict(self) -> dict[str, Any]:
        return {"database": self.database, "pods": [asdict(pod) for pod in self.pods]}


def schema_report(kube: Kube, release: str) -> SchemaReport:
    pods = kube.pods(AI_TODO.selector(release))
    return SchemaReport([_ask(kube, pod) for pod in sorted(pods, key=lambda item: item.metadata.name)])


def _ask(kube: Kube, pod: client.V1Pod) -> PodSchema:
    name = pod.metadata.name
    running = (
        pod.metadata.deletion_timestamp is None and pod.status is not None and pod.status.phase == "Running"
    )
    if not running or any(problem.is_crash_loop for problem in problems(pod)):
        return PodSchema(name, note=_why_not_running(kube, pod))
    port = _http_port(pod)
    if port is None:
        return PodSchema(name, note="its container declares no http port")
    try:
        status, body = kube.pod_get(name, port, READY_PATH)
    except TodoctlError as error:
        return PodSchema(name, note=error.message)
    return read_answer(name, status, body)


def read_answer(pod: str, status: int, body: str) -> PodSchema:
    """What a pod's /readyz answer (or the API server's, when it could not reach the pod) says."""
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        return PodSchema(pod, note=f"answered {status} without a JSON document")
    if document.get("kind") == "Status":
        return PodSchema(pod, note=_text(document.get("message")) or f"the API server answered {status}")
    schema = document.get("schema")
    reason = _text(document.get("reason"))
    if not isinstance(schema, dict):
        if status == 200:
            return PodSchema(pod, note="its release predates schema revisions in /readyz")
        return PodSchema(pod, note=reason or f"answered {status}")
    relation = schema.get("relation")
    if relation not in RELATIONS:
        return PodSchema(pod, note="its answer names no known relation (behind, current, ahead)")
    return PodSchema(
        pod,
        code=_text(schema.get("code")) or None,
        database=_text(schema.get("database")) or None,
        relation=relation,
        note="" if status == 200 else reason or "not ready",
    )


def _http_port(pod: client.V1Pod) -> int | None:
    for container in pod.spec.containers if pod.spec else []:
        for port in container.ports or []:
            if port.name == "http":
                return port.container_port
    return None


def _why_not_running(kube: Kube, pod: client.V1Pod) -> str:
    status = pod_status(pod)
    for problem in problems(pod):
        if problem.is_crash_loop:
            try:
                log = kube.pod_log(
                    pod.metadata.name, container=problem.container, tail_lines=5, previous=True
                )
            except TodoctlError:
                break
            lines = [line for line in log.splitlines() if line.strip()]
            if lines:
                return f"{status}: {_text(lines[-1])}"
    return f"not running ({status})"


def _text(value: object) -> str:
    """A pod's words, fit to print: a string, printable characters only, and not too long."""
    if not isinstance(value, str):
        return ""
    printable = "".join(character for character in value if character.isprintable())
    return printable if len(printable) <= TEXT_MAX else printable[: TEXT_MAX - 1] + "…"
