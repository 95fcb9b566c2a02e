"""`python -m mcp_server` with a broken configuration: one clear line per problem, no traceback."""

import os
import subprocess
import sys

import pytest

TOKEN = "t" * 40


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"PORT": "eighty"}, "PORT: Input should be a valid integer"),
        ({"PORT": "99999"}, "PORT: Input should be less than or equal to 65535"),
        ({"LOG_LEVEL": "loud"}, "LOG_LEVEL: Input should be 'DEBUG'"),
        ({"MCP_AUTH_TOKEN": ""}, "MCP_AUTH_TOKEN is not set"),
        ({"DATABASE_URL": "nonsense"}, "DATABASE_URL: not a database URL; expected postgresql://"),
        (
            {"DATABASE_URL": "postgresql://todo:hunter2@db:port/todo"},
            "DATABASE_URL: not a database URL; expected postgresql://",
        ),
        ({"DATABASE_URL": "mysql://todo:hunter2@db/todo"}, "DATABASE_URL: unsupported scheme 'mysql'"),
        ({"DATABASE_URL": "postgresql://db/" + "x" * 100_000}, "DATABASE_URL: longer than 4096 characters"),
    ],
    ids=[
        "port-not-a-number",
        "port-too-big",
        "unknown-log-level",
        "no-token",
        "database-url-nonsense",
        "database-url-bad-port",
        "database-url-mysql",
        "database-url-huge",
    ],
)
def test_a_bad_setting_exits_with_one_clear_message(extra: dict[str, str], expected: str) -> None:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("MCP_", "PORT", "LOG_LEVEL", "HOST", "DATABASE_URL"))
    }
    env |= {"MCP_AUTH_TOKEN": TOKEN, **extra}

    result = subprocess.run(
        [sys.executable, "-m", "mcp_server"], env=env, capture_output=True, text=True, timeout=90, check=False
    )

    assert result.returncode != 0
    assert result.stderr.startswith("mcp-server: invalid configuration\n")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr
