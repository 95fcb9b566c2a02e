"""`forward` and `chat`: reaching the deployed chat from this machine."""

from typing import Annotated

import typer

from todoctl.chat_api import ChatApi, ChatFailed, Reply
from todoctl.cli.common import (
    DEFAULT_TOKEN_MINUTES,
    JsonOption,
    TokenMinutesOption,
    UserOption,
    begin,
    stop_signals,
    wait_until_stopped,
)
from todoctl.errors import ConfigError
from todoctl.forward import DEFAULT_PORT, forward_chat_service, free_port
from todoctl.output import Output
from todoctl.tokens import cluster_token

DEFAULT_USER = "demo"


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

    tunnel = forward_chat_service(session, port, on_event).start()
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


def chat(
    ctx: typer.Context,
    *,
    message: Annotated[
        str | None, typer.Argument(help="one message; without it, an interactive chat")
    ] = None,
    user: UserOption = DEFAULT_USER,
    conversation: Annotated[int | None, typer.Option(min=1, help="continue this conversation")] = None,
    json: JsonOption = False,
) -> None:
    """Talk to the deployed chatbot through a port-forward."""
    session = begin(ctx, json)
    output = session.output
    if message is None and output.json_mode:
        raise ConfigError(
            "--json needs a message: an interactive chat has no single result",
            hint='todoctl chat --json "Show me all my tasks"',
        )
    token = cluster_token(session.kube, session.settings.release, user)
    if token is None:
        output.warn(
            "the release checks tokens with a JWKS; todoctl cannot mint one, so the service will refuse"
        )
    with (
        forward_chat_service(session, free_port()) as tunnel,
        ChatApi(tunnel.url, token=token, user_id=user) as api,
    ):
        if message is not None:
            reply = api.chat(message, conversation)
            output.result(_reply_document(reply), lambda: _show(output, reply))
            return
        output.info(f"chatting as {user!r}; an empty line or Ctrl-D ends")
        while True:
            try:
                line = output.console.input("[bold]you›[/bold] ").strip()
            except EOFError:
                break
            if not line:
                break
            try:
                reply = api.chat(line, conversation)
            except ChatFailed as error:  # one failed turn does not end the chat
                output.warn(error.message)
                continue
            conversation = reply.conversation_id
            _show(output, reply)


def _reply_document(reply: Reply) -> dict[str, object]:
    return {
        "conversation_id": reply.conversation_id,
        "response": reply.response,
        "tool_calls": reply.tool_calls,
    }


def _show(output: Output, reply: Reply) -> None:
    for call in reply.tool_calls:
        output.detail(f"tool {call.get('name')}({call.get('arguments')}) → {call.get('result')}")
    output.info(f"bot› {reply.response}")


def register(app: typer.Typer) -> None:
    app.command()(forward)
    app.command()(chat)
