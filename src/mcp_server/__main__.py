"""`python -m mcp_server` and the `mcp-server` console script."""

import logging
import sys

from mcp_server.app import create_app
from mcp_server.settings import McpServerSettings
from todo_core.logs import configure_logging
from todo_core.revisions import SchemaRefused
from todo_core.serve import serve
from todo_core.settings import load_settings


def main() -> None:
    settings = load_settings(McpServerSettings, "mcp-server")
    configure_logging(settings.log_level)
    # the SDK logs each failed call again at INFO; our middleware already writes one line per call
    logging.getLogger("mcp.server.mcpserver.server").setLevel(logging.WARNING)
    app = create_app(settings)
    readiness = app.state.readiness
    try:
        readiness.prepare()
    except SchemaRefused as error:
        sys.exit(f"mcp-server: {error}")
    serve(app, settings, readiness)


if __name__ == "__main__":
    main()
