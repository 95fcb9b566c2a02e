"""The MCP task server: the task tools over stateless streamable HTTP, the only writer of tasks."""
