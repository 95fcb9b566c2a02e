"""Start-to-ready of each service process: from exec of `python -m <service>` to its first /readyz 200,
on PostgreSQL. Run from the repository root: `python -m bench.service_start [--starts 10]`.
(`bench.chat_turns` also times ai-todo from exec to its first chat answer.)"""

import argparse
import time

from tests.support.databases import fresh_postgres_database
from tests.support.processes import running_service, start_service

from bench.machine import describe, load_average
from bench.services import MCP_TOKEN, SECRET
from bench.stats import describe_ms


def exec_to_ready(module: str, env: dict[str, str]) -> float:
    started = time.monotonic()
    service = start_service(module, env)
    try:
        service.wait_ready(timeout=60)
        return time.monotonic() - started
    finally:
        service.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--starts", type=int, default=10, help="starts of each service")
    args = parser.parse_args()
    print(describe())
    print(load_average())
    with fresh_postgres_database() as database_url:
        mcp_env = {"DATABASE_URL": database_url, "MCP_AUTH_TOKEN": MCP_TOKEN}
        # the first start creates the schema; every start measured finds it, as a restarted pod does
        exec_to_ready("mcp_server", mcp_env)
        mcp_starts = [exec_to_ready("mcp_server", mcp_env) for _ in range(args.starts)]
        with running_service("mcp_server", mcp_env) as mcp:
            ai_env = {
                "DATABASE_URL": database_url,
                "MCP_SERVER_URL": f"{mcp.base_url}/mcp",
                "MCP_AUTH_TOKEN": MCP_TOKEN,
                "AUTH_JWT_SECRET": SECRET,
            }
            ai_starts = [exec_to_ready("ai_todo", ai_env) for _ in range(args.starts)]
    print("start-to-ready, exec -> first /readyz 200 (process on this machine, PostgreSQL):")
    print(f"  mcp-server  {describe_ms(mcp_starts)}")
    print(f"  ai-todo     {describe_ms(ai_starts)}")
    print("  target: under 3 s each")
    print(load_average())


if __name__ == "__main__":
    main()
