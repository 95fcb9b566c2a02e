"""`todoctl status`: the release, its pods, its services and who is behind each service."""

from dataclasses import asdict, dataclass, field
from typing import Any

from todoctl.adapters.helm import Helm
from todoctl.adapters.kube import Kube
from todoctl.components import release_selector
from todoctl.db import SchemaReport, schema_report
from todoctl.errors import ReleaseNotFound
from todoctl.parsers.pods import PodSummary, summarize


@dataclass(frozen=True)
class ServiceSummary:
    name: str
    type: str
    cluster_ip: str
    ports: str
    ready_endpoints: int
    not_ready_endpoints: int


@dataclass
class ReleaseStatus:
    release: str
    namespace: str
    installed: bool
    revision: int | None = None
    status: str | None = None
    updated: str | None = None
    pods: list[PodSummary] = field(default_factory=list)
    services: list[ServiceSummary] = field(default_factory=list)
    schema: SchemaReport | None = None

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "schema": self.schema.as_dict() if self.schema else None}


def release_status(helm: Helm, kube: Kube, *, release: str, namespace: str) -> ReleaseStatus:
    result = ReleaseStatus(release=release, namespace=namespace, installed=True)
    try:
        document = helm.status(release)
    except ReleaseNotFound:
        result.installed = False
        return result
    info = document.get("info") or {}
    result.revision = document.get("version")
    result.status = info.get("status")
    result.updated = info.get("last_deployed")
    selector = release_selector(release)
    result.schema = schema_report(kube, release)
    result.pods = sorted((summarize(pod) for pod in kube.pods(selector)), key=lambda p: (p.component, p.name))
    for service in kube.services(selector):
        ready, not_ready = _endpoint_counts(kube, service.metadata.name)
        ports = ", ".join(
            f"{port.port}/{port.protocol}" + (f"→{port.node_port}" if port.node_port else "")
            for port in service.spec.ports or []
        )
        result.services.append(
            ServiceSummary(
                service.metadata.name,
                service.spec.type,
                service.spec.cluster_ip or "",
                ports,
                ready,
                not_ready,
            )
        )
    return result


def _endpoint_counts(kube: Kube, service: str) -> tuple[int, int]:
    ready = not_ready = 0
    for endpoint_slice in kube.endpoint_slices(service):
        for endpoint in endpoint_slice.endpoints or []:
            if endpoint.conditions is None or endpoint.conditions.ready is not False:
                ready += 1
            else:
                not_ready += 1
    return ready, not_ready
