"""The assistant: an openai-agents agent whose tools come from mcp-server. Importing this package
costs seconds (openai-agents, mcp), so the web app loads it in the background (see ai_todo.chat)."""
