"""The lists of what each image leaves out (dockerfiles/<service>.prune): plain paths inside
site-packages, and none of them anything the service imports when it starts or when it talks to a
real model. The images themselves are run through every path by tests/images."""

import json
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from todoctl.components import SERVICES
from todoctl.resources import dockerfiles_dir

# What each service imports on its way to serving (and, for ai-todo, to asking a real model).
START_UP = {
    "ai-todo": (
        "import ai_todo.server, ai_todo.agent.models, openai\n"
        "openai.AsyncOpenAI(api_key='sk-probe').chat.completions\n"
    ),
    "mcp-server": "import mcp_server.__main__, mcp_server.app\n",
}
PROBE = """
import json, sys
{imports}
print(json.dumps(sorted(m.__file__ for m in list(sys.modules.values()) if getattr(m, '__file__', None))))
"""


def covers(entry: str, module: str) -> bool:
    """Whether the entry removes the module file (a path relative to site-packages)."""
    return module.startswith(entry) if entry.endswith("/") else module == f"{entry}.py"


def entries(service: str) -> list[str]:
    text = (dockerfiles_dir() / f"{service}.prune").read_text()
    return [line for line in text.splitlines() if line and not line.startswith("#")]


@pytest.mark.parametrize("service", [item.label for item in SERVICES])
def test_every_entry_is_a_plain_path_inside_site_packages(service: str) -> None:
    for entry in entries(service):
        path = PurePosixPath(entry)
        assert not path.is_absolute(), entry
        assert ".." not in path.parts, entry
        assert entry == entry.strip(), entry
        assert not any(ch in entry for ch in "*?[]$`\\'\" "), entry
        assert path.parts[0] not in {name for item in SERVICES for name in item.packages}, entry


@pytest.mark.parametrize("service", [item.label for item in SERVICES])
def test_nothing_the_service_imports_is_left_out(service: str) -> None:
    probe = PROBE.format(imports=START_UP[service])
    output = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True).stdout
    imported = [
        Path(file).as_posix().split("site-packages/", 1)[1]
        for file in json.loads(output)
        if "site-packages/" in Path(file).as_posix()
    ]

    left_out = [(module, entry) for module in imported for entry in entries(service) if covers(entry, module)]
    assert left_out == []
    assert len(imported) > 100, "the probe saw the service's dependencies"
