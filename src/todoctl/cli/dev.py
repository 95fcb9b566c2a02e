"""`dev`."""

import signal
from pathlib import Path
from typing import Annotated

import typer

from todoctl import dev as local
from todoctl.cli.common import (
    DEFAULT_TOKEN_MINUTES,
    JsonOption,
    TokenMinutesOption,
    UserOption,
    begin,
    stop_signals,
    wait_until_stopped,
)
from todoctl.output import Output
from todoctl.state import state_dir


def dev(
    ctx: typer.Context,
    *,
    port: Annotated[int, typer.Option(min=1, max=65535, help="the chat service's port")] = 8000,
    mcp_port: Annotated[int, typer.Option(min=1, max=65535, help="the tool server's port")] = 8001,
    data_dir: Annotated[
        Path | None, typer.Option(help="where the SQLite file, secrets and logs live")
    ] = None,
    user: UserOption = "dev",
    token_minutes: TokenMinutesOption = DEFAULT_TOKEN_MINUTES,
    json: JsonOption = False,
) -> None:
    """Run both services on this machine: SQLite, the offline model, no cluster, no keys.

    Ctrl-C, SIGTERM and closing the terminal (SIGHUP) all stop both."""
    session = begin(ctx, json)
    output = session.output
    directory = data_dir or state_dir() / "dev"
    # a signal while the services start stops the ones started (local.start), and no later signal
    # cuts their stop short; the kernel stops any that todoctl itself could not (runner)
    with stop_signals():
        with output.status("starting…") as update:
            run = local.start(
                session.runner,
                state_dir=directory,
                port=port,
                mcp_port=mcp_port,
                user_id=user,
                token_ttl_seconds=token_minutes * 60,
                on_status=update,
                owned=data_dir is None,
            )
        try:
            output.result(
                {"url": run.url, "user": user, "token": run.token, "data_dir": str(directory)},
                lambda: _announce(output, run, directory, token_minutes),
            )
            died = wait_until_stopped(lambda: _exited(run))
        finally:
            codes = run.stop()
    if died:
        output.warn(died)
        raise typer.Exit(1)
    output.info("stopped: " + ", ".join(f"{module} ({_ending(code)})" for module, code in codes.items()))


def _ending(code: int) -> str:
    # uvicorn re-raises the SIGTERM it handled once it has drained, so a clean stop ends "by SIGTERM"
    return f"by {signal.Signals(-code).name}" if code < 0 else f"exit {code}"


def _exited(run: local.DevRun) -> str | None:
    service = run.exited()
    if service is None:
        return None
    tail = "\n".join(service.log_tail(10))
    code = service.process.poll()
    return f"{service.module} exited with code {code}; its log ({service.log_path}) ends with:\n{tail}"


def _announce(output: Output, run: local.DevRun, directory: Path, token_minutes: int) -> None:
    output.ok(f"chat ready: {run.url}")
    output.info(
        f"signed in as {run.user_id!r} for {token_minutes} minutes (then run `todoctl dev` again for a new "
        f"link); data, secrets and logs in {directory}. Ctrl-C stops both services."
    )
