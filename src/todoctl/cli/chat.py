"""`chat`: talking to the deployed chat from this terminal."""

from typing import Annotated

import typer

from todoctl.chat import ChatApi, ChatFailed, Reply
from todoctl.cli.common import (
    DEFAULT_USER,
    JsonOption,
    UserOption,
    begin,
    chat_forward,
)
from todoctl.errors import ConfigError
from todoctl.forward import free_port
from todoctl.output import Output
from todoctl.tokens import cluster_token


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
        chat_forward(session, free_port()) as tunnel,
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
