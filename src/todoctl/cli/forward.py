"""`forward`: the deployed chat in this machine's browser."""

from typing import Annotated

import typer

from todoctl.cli.common import (
    DEFAULT_TOKEN_MINUTES,
    DEFAULT_USER,
    JsonOption,
    TokenMinutesOption,
    UserOption,
    begin,
    chat_forward,
    stop_signals,
    wait_until_stopped,
)
from todoctl.forward import DEFAULT_PORT
from todoctl.output import Output
from todoctl.tokens import cluster_token


def forward(
    ctx: typer.Context,
    *,
    port: Annotated[int, typer.Option(min=1, max=65535, help="local port")] = DEFAULT_PORT,
    user: UserOption = DEFAULT_USER,
    token_minutes: TokenMinutesOption = DEFAULT_TOKEN_MINUTES,
    json: JsonOption = False,
) -> None:
    """Port-forward the chat service, print a ready-to-open URL, reconnect when pods restart."""
    session = begin(ctx, json)
    output = session.output
    token = cluster_token(session.kube, session.settings.release, user, ttl_seconds=token_minutes * 60)

    def on_event(kind: str, text: str) -> None:
        if kind == "dropped":
            output.warn(f"port-forward lost ({text}); reconnecting…")
        else:
            output.ok(text)

    tunnel = chat_forward(session, port, on_event).start()
    try:
        url = f"{tunnel.url}/#token={token}" if token else f"{tunnel.url}/"
        output.result(
            {"url": url, "user": user, "service": tunnel.target.service},
            lambda: _announce(output, url, user, token, token_minutes),
        )
        with stop_signals():
            wait_until_stopped()
    finally:
        tunnel.stop()
    output.info(f"stopped forwarding ({tunnel.reconnects} reconnects)")


def _announce(output: Output, url: str, user: str, token: str | None, token_minutes: int) -> None:
    output.ok(f"chat ready: {url}")
    if token:
        output.info(
            f"signed in as {user!r} for {token_minutes} minutes: the link carries the token (run "
            "`todoctl forward` again for a new one). Ctrl-C stops forwarding."
        )
    else:
        output.info("the release checks tokens with your auth provider's JWKS; sign in there. Ctrl-C stops.")
