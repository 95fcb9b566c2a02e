"""`logs`."""

import json
import sys
from typing import Annotated

import typer
from rich.markup import escape

from todoctl import logs as pod_logs
from todoctl.cli.common import ComponentArgument, JsonOption, begin
from todoctl.session import Session


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
