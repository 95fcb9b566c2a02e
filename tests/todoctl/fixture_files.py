"""Real outputs of helm, kubectl, minikube, kind, k3d and the Docker API (see fixtures/SOURCES.md)."""

import json
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def text(name: str) -> str:
    return (FIXTURES / name).read_text()


def document(name: str) -> Any:
    return json.loads(text(name))


def json_lines(name: str) -> list[dict[str, Any]]:
    """A Docker build stream as docker-py's `decode=True` yields it: one dict per JSON line."""
    return [json.loads(line) for line in text(name).splitlines() if line.strip()]
