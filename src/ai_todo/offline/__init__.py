"""The built-in offline model: plans task tool calls from plain English, so the whole path (SDK,
MCP transport, tools, database) runs for real with no LLM and no network.

Pure modules (text, references, intent_types, intents, matching, planner, replies, transcript) do
the thinking; `model` adapts them to the Agents SDK's `Model` interface."""
