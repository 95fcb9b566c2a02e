"""Options several commands share, and the step every command starts with."""

import os
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from todo_core.tokens import DEFAULT_TTL_SECONDS
from todoctl.environment import Environment
from todoctl.forward import PortForward, forward_chat_service
from todoctl.session import Session
from todoctl.values import secrets_from

JsonOption = Annotated[bool, typer.Option("--json", help="print one JSON document on stdout")]
ValuesOption = Annotated[
    list[Path] | None, typer.Option("--values", "-f", help="a Helm values file (repeatable, later wins)")
]
SetOption = Annotated[
    list[str] | None, typer.Option("--set", help="key.path=value, as in helm --set (repeatable)")
]
EnvFileOption = Annotated[
    Path | None,
    typer.Option(
        "--env-file",
        help="read DATABASE_URL, OPENAI_API_KEY, AUTH_JWT_SECRET, MCP_AUTH_TOKEN from this file "
        "(default: .env here, if any); the environment wins",
    ),
]
DevPostgresOption = Annotated[
    bool | None,
    typer.Option(
        "--dev-postgres/--no-dev-postgres",
        help="the chart's throwaway PostgreSQL (default: on when no DATABASE_URL is given)",
        show_default=False,
    ),
]
UserOption = Annotated[str, typer.Option("--user", help="the user id to chat as (the token's subject)")]
TokenMinutesOption = Annotated[
    int,
    typer.Option(
        "--token-minutes",
        min=1,
        max=24 * 60,
        help="how long the link's token works; the link lands in the browser's history",
    ),
]
DEFAULT_TOKEN_MINUTES = DEFAULT_TTL_SECONDS // 60
ComponentArgument = Annotated[str | None, typer.Argument(help="ai-todo or mcp (default: both)")]
ImageArgument = Annotated[str, typer.Argument(help="ai-todo, mcp, all (both) or dev-postgres")]
# the user `forward` and `chat` act as
DEFAULT_USER = "demo"
RegistryOption = Annotated[
    str | None,
    typer.Option(
        "--registry",
        envvar="TODOCTL_REGISTRY",
        help="HOST\\[:PORT]\\[/PATH] this machine pushes the images to and the cluster pulls them from "
        "(default: load them straight into minikube, kind or k3d)",
        show_default=False,
    ),
]


def begin(ctx: typer.Context, json: bool = False, *, registry: str | None = None) -> Session:
    session: Session = ctx.obj
    if json:
        session.output.json_mode = True
    if registry is not None:
        session.use_registry(registry)
    return session


def environment(session: Session) -> Environment:
    """The session's parts as getters, for the commands that check each on its own (doctor, up)."""
    return Environment(
        runner=session.runner,
        namespace=session.settings.namespace,
        registry=session.registry,
        context=lambda: session.context,
        provider=lambda: session.provider,
        kube=lambda: session.kube,
        docker=lambda: session.docker,
        helm=lambda: session.helm,
        local_helm=lambda: session.local_helm,
    )


def chat_forward(
    session: Session, local_port: int, on_event: Callable[[str, str], None] | None = None
) -> PortForward:
    """A port-forward (not started yet) to the chat service of the session's release."""
    return forward_chat_service(
        session.runner,
        session.kube,
        context=session.context,
        namespace=session.settings.namespace,
        release=session.settings.release,
        local_port=local_port,
        on_event=on_event,
    )


def secrets(env_file: Path | None) -> dict[str, str]:
    default = Path(".env")
    return secrets_from(
        os.environ, env_file if env_file is not None else (default if default.is_file() else None)
    )


STOP_SIGNALS = (signal.SIGTERM, signal.SIGHUP)


@contextmanager
def stop_signals() -> Iterator[None]:
    """SIGTERM, and SIGHUP when the terminal closes, stop a long-running command the way Ctrl-C
    does: the first raises KeyboardInterrupt in the main thread; later ones are ignored while the
    command stops what it started."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        for stop in STOP_SIGNALS:
            signal.signal(stop, signal.SIG_IGN)
        raise KeyboardInterrupt

    previous = {stop: signal.signal(stop, interrupt) for stop in STOP_SIGNALS}
    try:
        yield
    finally:
        for stop, handler in previous.items():
            signal.signal(stop, handler)


def wait_until_stopped(check: Callable[[], str | None] | None = None, interval: float = 0.5) -> str | None:
    """Blocks until Ctrl-C (or, within `stop_signals`, SIGTERM or SIGHUP), and returns None; or
    until `check` returns a reason to stop, and returns that."""
    try:
        while True:
            time.sleep(interval)
            reason = check() if check is not None else None
            if reason:
                return reason
    except KeyboardInterrupt:
        return None
