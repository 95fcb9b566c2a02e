"""`helm test`: the chat service answers a chat message, and reaches mcp-server to do it.

Runs in a pod of the ai-todo image, which has Python, httpx2 and the todo_core package. It checks that
the release's Secret holds MCP_AUTH_TOKEN and that mcp-server refuses a call without it: something
Helm cannot know when it renders without a cluster (`helm template`, an existingSecret). With the
HS256 secret it mints a token for a test user and asks for that user's tasks, which the agent can
answer only through an MCP tool. With only a JWKS configured, tokens come from the auth provider and
cannot be made here, so it checks what it can: both services are ready."""

import os
import sys

import httpx2

from todo_core.tokens import mint_token

TEST_USER = "helm-test"
# Any model needs the list_tasks tool for this, and it changes nothing.
MESSAGE = "Show me all my tasks"
TIMEOUT_SECONDS = 60
LIST_TOOLS = {"jsonrpc": "2.0", "id": 1, "method": "tools/list", "params": {}}
MCP_ACCEPT = {"Accept": "application/json, text/event-stream"}


class CheckFailedError(Exception):
    pass


def require_ready(client: httpx2.Client, base_url: str, name: str) -> None:
    response = client.get(f"{base_url}/readyz")
    if response.status_code != 200:
        raise CheckFailedError(
            f"{name} is not ready: /readyz answered {response.status_code} {response.text}"
        )
    print(f"ok: {name} is ready")


def require_internal_token(token: str | None) -> str:
    if not token:
        raise CheckFailedError(
            "the release's Secret holds no MCP_AUTH_TOKEN: mcp-server refuses to start without it; "
            "add a random one to the Secret (e.g. openssl rand -hex 32)"
        )
    return token


def require_mcp_server_closed(client: httpx2.Client, mcp_url: str, token: str) -> None:
    """mcp-server takes user ids as plain arguments: it must refuse a caller without the token."""
    anonymous = client.post(f"{mcp_url}/mcp", json=LIST_TOOLS, headers=MCP_ACCEPT)
    if anonymous.status_code != 401:
        raise CheckFailedError(
            f"mcp-server answered a call without the internal token with {anonymous.status_code}, not 401: "
            "anyone who reaches it could act as any user"
        )
    allowed = client.post(
        f"{mcp_url}/mcp", json=LIST_TOOLS, headers={**MCP_ACCEPT, "Authorization": f"Bearer {token}"}
    )
    if allowed.status_code != 200:
        raise CheckFailedError(
            f"mcp-server refused the Secret's MCP_AUTH_TOKEN ({allowed.status_code}): the pods were started "
            "with another token; restart them (todoctl restart)"
        )
    print("ok: mcp-server refuses calls without the internal token")


def require_chat_uses_a_tool(client: httpx2.Client, chat_url: str, secret: str) -> None:
    token = mint_token(
        secret,
        TEST_USER,
        ttl_seconds=300,
        issuer=os.environ.get("AUTH_ISSUER") or None,
        audience=os.environ.get("AUTH_AUDIENCE") or None,
    )
    response = client.post(
        f"{chat_url}/api/{TEST_USER}/chat",
        json={"message": MESSAGE},
        headers={"Authorization": f"Bearer {token}"},
    )
    if response.status_code != 200:
        raise CheckFailedError(f"the chat answered {response.status_code}: {response.text}")
    reply = response.json()
    tools = [call["name"] for call in reply.get("tool_calls", [])]
    if not tools:
        raise CheckFailedError(f"the chat answered without a tool, so mcp-server was not reached: {reply!r}")
    print(f"ok: the chat answered {reply['response']!r} through {', '.join(tools)}")


def main() -> int:
    chat_url = os.environ["CHAT_URL"].rstrip("/")
    mcp_url = os.environ["MCP_URL"].rstrip("/")
    secret = os.environ.get("AUTH_JWT_SECRET")
    try:
        with httpx2.Client(timeout=TIMEOUT_SECONDS) as client:
            require_ready(client, chat_url, "ai-todo")
            internal_token = require_internal_token(os.environ.get("MCP_AUTH_TOKEN"))
            require_ready(client, mcp_url, "mcp-server")
            require_mcp_server_closed(client, mcp_url, internal_token)
            if secret:
                require_chat_uses_a_tool(client, chat_url, secret)
            else:
                print("skipped the chat message: with only a JWKS, tokens come from the auth provider")
    except httpx2.HTTPError as error:
        print(f"FAILED: {error.request.url}: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    except CheckFailedError as error:
        print(f"FAILED: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
