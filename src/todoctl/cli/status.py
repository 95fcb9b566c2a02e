"""`status`."""

import typer
from rich.table import Table

from todoctl.cli.common import JsonOption, begin
from todoctl.status import release_status


def status(ctx: typer.Context, *, json: JsonOption = False) -> None:
    """Release, revision, pods (readiness, restarts, age, image), services and their endpoints."""
    session = begin(ctx, json)
    found = release_status(
        session.helm, session.kube, release=session.settings.release, namespace=session.settings.namespace
    )
    output = session.output

    def render() -> None:
        if not found.installed:
            output.info(
                f"release {found.release} is not installed in namespace {found.namespace}; "
                "deploy it with `todoctl up`"
            )
            return
        output.info(
            f"release {found.release} (namespace {found.namespace}): revision {found.revision}, "
            f"{found.status}, deployed {found.updated}"
        )
        if found.schema is not None:
            output.info(f"database schema: {found.schema.summary()}")
        pods = Table("pod", "component", "ready", "status", "restarts", "age", "image")
        for pod in found.pods:
            pods.add_row(
                pod.name, pod.component, pod.ready, pod.status, str(pod.restarts), pod.age, pod.image
            )
        output.console.print(pods)
        services = Table("service", "type", "cluster ip", "ports", "endpoints ready", "not ready")
        for service in found.services:
            services.add_row(
                service.name,
                service.type,
                service.cluster_ip,
                service.ports,
                str(service.ready_endpoints),
                str(service.not_ready_endpoints),
            )
        output.console.print(services)

    output.result(found.as_dict(), render)
