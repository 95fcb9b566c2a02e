"""`db`."""

import typer
from rich.markup import escape
from rich.table import Table

from todoctl.cli.common import JsonOption, begin
from todoctl.db import schema_report
from todoctl.errors import ReportedFailure


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
