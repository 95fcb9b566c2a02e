"""`validate-stateless`."""

from typing import Annotated

import typer
from rich.table import Table

from todoctl.chat import ChatApi
from todoctl.cli.common import JsonOption, begin, chat_forward
from todoctl.errors import ReportedFailure, TodoctlError
from todoctl.forward import free_port
from todoctl.output import Output
from todoctl.stateless import StatelessReport, Validator
from todoctl.tokens import cluster_token


def validate_stateless(
    ctx: typer.Context,
    *,
    threshold: Annotated[float, typer.Option(min=0.1, help="longest acceptable recovery, in seconds")] = 10.0,
    concurrent: Annotated[
        int, typer.Option(min=0, max=50, help="conversations chatting during the disruptions")
    ] = 0,
    user: Annotated[
        str, typer.Option(help="the user the checked conversation belongs to")
    ] = "stateless-check",
    json: JsonOption = False,
) -> None:
    """Delete the ai-todo pods, the mcp-server pods, then all of them; prove nothing was lost."""
    session = begin(ctx, json)
    output = session.output
    release = session.settings.release
    kube = session.kube
    if cluster_token(kube, release, user) is None:
        raise TodoctlError(
            "the release checks tokens with a JWKS, so todoctl cannot mint tokens for the test users",
            hint="deploy with config.authJwksUrl empty (the chart then keeps an HS256 secret) to run it",
        )

    def api_for(user_id: str) -> ChatApi:
        # timeouts short enough that a request stuck on a dying pod is retried, not waited out
        return ChatApi(forward.url, token=cluster_token(kube, release, user_id), user_id=user_id, timeout=15)

    def on_event(kind: str, text: str) -> None:
        output.detail(f"port-forward {kind}: {text}")

    with (
        chat_forward(session, free_port(), on_event) as forward,
        output.status("validating…") as update,
    ):
        report = Validator(
            kube, api_for, release=release, user_id=user, threshold_seconds=threshold, on_progress=update
        ).run(concurrent)
    output.result(report.as_dict(), lambda: _render(output, report))
    if not report.passed:
        raise ReportedFailure("the deployment did not prove stateless: the problems are listed above")


def _render(output: Output, report: StatelessReport) -> None:
    table = Table(
        "disruption",
        "pods deleted",
        "ready",
        "first success",
        "history",
        "tasks",
        "same conversation",
        "result",
        title=f"validate-stateless ({report.tasks} tasks, threshold {report.threshold_seconds:g}s)",
    )
    for item in report.disruptions:
        table.add_row(
            item.name,
            str(len(item.deleted)),
            _seconds(item.ready_seconds),
            _seconds(item.first_success_seconds),
            _yes(item.history_intact),
            _yes(item.tasks_intact),
            _yes(item.conversation_continued),
            "[green]pass[/green]" if item.passed(report.threshold_seconds) else "[red]FAIL[/red]",
        )
    output.console.print(table)
    for item in report.disruptions:
        for problem in item.problems:
            output.warn(f"{item.name}: {problem}")
    if report.load is not None:
        load = report.load
        output.info(
            f"{load.conversations} concurrent conversations: {load.requests} requests, "
            f"{load.failed} failed, {load.rate_limited} held back by the per-user rate, "
            f"{load.lost_tasks} tasks lost"
        )
        for problem in load.problems:
            output.warn(problem)
    if report.passed:
        output.ok("stateless: every pod was replaceable and nothing was lost")


def _seconds(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}s"


def _yes(value: bool) -> str:
    return "yes" if value else "[red]no[/red]"
