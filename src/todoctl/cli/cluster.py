"""`doctor`, `status`, `db`, `logs`, `scale` and `restart`."""

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from todoctl import doctor as checks
from todoctl import logs as pod_logs
from todoctl.cli.common import JsonOption, RegistryOption, begin
from todoctl.components import component, components
from todoctl.errors import ReportedFailure
from todoctl.schema import schema_report
from todoctl.session import Session
from todoctl.status import release_status
from todoctl.workloads import restart as restart_components
from todoctl.workloads import scale as scale_component

ComponentArgument = Annotated[str | None, typer.Argument(help="ai-todo or mcp (default: both)")]


def doctor(ctx: typer.Context, *, registry: RegistryOption = None, json: JsonOption = False) -> None:
    """Check docker, kubectl, helm, the cluster and its resources, and the registry if one is set;
    each failure with its fix."""
    session = begin(ctx, json, registry=registry)
    with session.output.status("checking…"):
        found = checks.diagnose_environment(session)
    failed = checks.failures(found)

    def render() -> None:
        for check in found:
            if check.ok:
                session.output.ok(f"{check.name}: {check.detail}")
            elif check.required:
                session.output.fail(f"{check.name}: {check.detail}")
            else:
                session.output.warn(f"{check.name}: {check.detail}")
            if not check.ok and check.hint:
                session.output.info(f"    fix: {check.hint}")

    session.output.result({"ok": not failed, "checks": [c.as_dict() for c in found]}, render)
    if failed:
        raise ReportedFailure(f"{len(failed)} check(s) failed: {', '.join(c.name for c in failed)}")


def status(ctx: typer.Context, *, json: JsonOption = False) -> None:
    """Release, revision, pods (readiness, restarts, age, image), services and their endpoints."""
    session = begin(ctx, json)
    found = release_status(session)
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


def db(ctx: typer.Context, *, json: JsonOption = False) -> None:
    """The database's schema revision against the code of each chat pod: behind, current or ahead."""
    session = begin(ctx, json)
    with session.output.status("asking the chat pods…"):
        found = schema_report(session.kube, session.settings.release)
    output = session.output

    def render() -> None:
        output.info(f"database schema: {found.summary()}")
        table = Table("pod", "code revision", "database revision", "database is", "note")
        for pod in found.pods:
            table.add_row(
                *(escape(text or "-") for text in (pod.pod, pod.code, pod.database, pod.relation, pod.note))
            )
        output.console.print(table)

    output.result(found.as_dict(), render)
    if not found.reporting:
        raise ReportedFailure(
            f"no ai-todo pod of release {session.settings.release} reported the schema",
            hint="check the release with `todoctl status`, and its pods with `todoctl logs ai-todo`",
        )


def logs(
    ctx: typer.Context,
    *,
    name: ComponentArgument = None,
    follow: Annotated[bool, typer.Option("--follow", "-f", help="keep streaming until Ctrl-C")] = False,
    tail: Annotated[int, typer.Option(min=1, max=10000, help="lines per pod")] = 50,
    json: JsonOption = False,
) -> None:
    """Logs of the ai-todo or mcp pods (both by default)."""
    session = begin(ctx, json)
    release = session.settings.release
    selector = pod_logs.selector(release, name)
    if follow:
        _follow(session, selector, tail)
        return
    found = pod_logs.recent(session.kube, selector, tail)

    def render() -> None:
        if not found:
            session.output.info(f"no pods of release {release} match")
        for entry in found:
            for line in entry.lines:
                session.output.console.print(f"[dim]{entry.pod}[/dim] {escape(line)}", highlight=False)

    session.output.result({"pods": [{"pod": e.pod, "lines": e.lines} for e in found]}, render)


def _follow(session: Session, selector: str, tail: int) -> None:
    """Streams until Ctrl-C; with --json, one JSON object per line (JSON Lines)."""
    argv = pod_logs.follow_argv(
        context=session.context, namespace=session.settings.namespace, selector=selector, tail=tail
    )
    process = session.runner.spawn(argv)
    try:
        for line in process.lines():
            if session.output.json_mode:
                pod, text = pod_logs.split_prefix(line)
                sys.stdout.write(json.dumps({"pod": pod, "line": text}) + "\n")
            else:
                session.output.console.print(line, markup=False, highlight=False)
    finally:
        process.stop()


def scale(
    ctx: typer.Context,
    *,
    name: Annotated[str, typer.Argument(help="ai-todo or mcp")],
    replicas: Annotated[int, typer.Argument(help="how many pods")],
    json: JsonOption = False,
) -> None:
    """Set a component's replicas through helm upgrade (Helm stays the source of truth) and wait."""
    session = begin(ctx, json)
    chosen = component(name)
    with session.output.status(f"scaling {chosen} to {replicas}…") as update:
        revision = scale_component(session, chosen, replicas, on_progress=update)
    session.output.result(
        {"component": chosen, "replicas": replicas, "revision": revision},
        lambda: session.output.ok(f"{chosen}: {replicas} replicas ready (release revision {revision})"),
    )


def restart(ctx: typer.Context, *, name: ComponentArgument = None, json: JsonOption = False) -> None:
    """Rollout restart of a component (both by default), waiting until it is ready again."""
    session = begin(ctx, json)
    with session.output.status("restarting…") as update:
        restarted = restart_components(session, components(name), on_progress=update)
    session.output.result(
        {"restarted": restarted}, lambda: session.output.ok(f"restarted and ready: {', '.join(restarted)}")
    )


def register(app: typer.Typer) -> None:
    app.command()(doctor)
    app.command()(status)
    app.command()(db)
    app.command()(logs)
    app.command()(scale)
    app.command()(restart)
