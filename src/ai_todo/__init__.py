"""ai-todo: the stateless chat service; an OpenAI Agents SDK agent manages todos through mcp-server."""
