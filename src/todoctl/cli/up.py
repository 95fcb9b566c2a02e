"""`up`."""

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from todoctl.cli.common import (
    DevPostgresOption,
    EnvFileOption,
    JsonOption,
    RegistryOption,
    SetOption,
    ValuesOption,
    begin,
    environment,
    secrets,
)
from todoctl.up import Up, UpOptions


def up(
    ctx: typer.Context,
    *,
    base_image: Annotated[str | None, typer.Option(help="the BASE_IMAGE build argument")] = None,
    ca_cert: Annotated[
        Path | None, typer.Option(help="a PEM CA trusted by pip in the build stage only")
    ] = None,
    values: ValuesOption = None,
    set_: SetOption = None,
    env_file: EnvFileOption = None,
    dev_postgres: DevPostgresOption = None,
    registry: RegistryOption = None,
    json: JsonOption = False,
) -> None:
    """values → doctor → build → load (or push) → lint → deploy → ready → smoke chat, each phase timed."""
    session = begin(ctx, json, registry=registry)
    options = UpOptions(
        base_image=base_image,
        ca_cert=ca_cert,
        values_files=values or [],
        sets=set_ or [],
        secrets=secrets(env_file),
        dev_postgres=dev_postgres,
    )
    output = session.output
    with output.status("starting…") as update:
        report = Up(
            environment(session),
            options,
            update,
            release=session.settings.release,
            timeout=session.settings.timeout,
        ).run()

    def render() -> None:
        table = Table("phase", "time", "result", title=f"todoctl up: {report.total_seconds:.0f}s")
        for phase in report.phases:
            table.add_row(phase.name, f"{phase.seconds:.1f}s", phase.detail)
        output.console.print(table)
        for note in report.notes:
            output.warn(note)
        output.info("open the chat: todoctl forward")

    output.result(report.as_dict(), render)
