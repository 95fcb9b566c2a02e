"""`scale` and `restart`."""

from typing import Annotated

import typer

from todoctl.cli.common import ComponentArgument, JsonOption, begin
from todoctl.components import component, components
from todoctl.workloads import check_replicas
from todoctl.workloads import restart as restart_components
from todoctl.workloads import scale as scale_component


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
    check_replicas(replicas)
    with session.output.status(f"scaling {chosen} to {replicas}…") as update:
        revision = scale_component(
            session.helm,
            session.kube,
            chosen,
            replicas,
            release=session.settings.release,
            timeout=session.settings.timeout,
            on_progress=update,
        )
    session.output.result(
        {"component": chosen, "replicas": replicas, "revision": revision},
        lambda: session.output.ok(f"{chosen}: {replicas} replicas ready (release revision {revision})"),
    )


def restart(ctx: typer.Context, *, name: ComponentArgument = None, json: JsonOption = False) -> None:
    """Rollout restart of a component (both by default), waiting until it is ready again."""
    session = begin(ctx, json)
    with session.output.status("restarting…") as update:
        restarted = restart_components(
            session.kube,
            components(name),
            release=session.settings.release,
            namespace=session.settings.namespace,
            timeout=session.settings.timeout,
            on_progress=update,
        )
    session.output.result(
        {"restarted": restarted}, lambda: session.output.ok(f"restarted and ready: {', '.join(restarted)}")
    )
