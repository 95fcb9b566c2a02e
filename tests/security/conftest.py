"""The attack matrix reuses ai-todo's fixtures: a real PostgreSQL, a real mcp-server process holding
the internal token, the app served in-process, and users with real tokens."""

from tests.ai_todo.conftest import (
    _clean_environment,
    client,
    other_user,
    own_mcp_server,
    settings,
    stack,
    user,
)

__all__ = ["_clean_environment", "client", "other_user", "own_mcp_server", "settings", "stack", "user"]
