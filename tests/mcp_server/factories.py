"""Building an MCP server over a fresh schema, and reading tool results the way a client sees them."""

from typing import Any

from mcp_types import CallToolResult
from sqlalchemy.engine import Engine

from todo_core.db import make_engine
from todo_core.schema import upgrade_schema


def ready_engine(database_url: str) -> Engine:
    engine = make_engine(database_url)
    upgrade_schema(engine)
    return engine


def payload(result: CallToolResult) -> Any:
    """The structured result of a successful call; a list tool's list comes wrapped as {"result": [...]}."""
    assert not result.is_error, error_text(result)
    content = result.structured_content
    assert content is not None
    return content.get("result", content) if set(content) == {"result"} else content


def error_text(result: CallToolResult) -> str:
    return " ".join(getattr(part, "text", "") for part in result.content)
