"""The assistant: an openai-agents agent whose tools come from mcp-server. Most of what ai-todo
loads at start-up is this package's dependencies (openai-agents, openai, mcp)."""
