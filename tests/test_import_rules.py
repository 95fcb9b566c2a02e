"""The direction of dependencies, read from the source's syntax trees.

- todoctl (the CLI) imports neither service: it is installed where neither runs;
- the services (and the chart's `helm test` program, which runs in the ai-todo image) never import
  todoctl, and todo_core, which both images carry, imports no service and not todoctl;
- one module runs external programs: todoctl's runner is the only one to import `subprocess`;
- every third-party package a module imports is declared in pyproject.toml, and a service's in the
  extra its image is built from, instead of arriving through another package's dependencies.

Each rule is also shown to fail, on a small tree made up for the purpose.
"""

import ast
import sys
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
FIRST_PARTY = {"ai_todo", "mcp_server", "todo_core", "todoctl"}
# package -> the first-party packages it must never import
FORBIDDEN = {
    "todoctl": {"ai_todo", "mcp_server"},
    "ai_todo": {"todoctl"},
    "mcp_server": {"todoctl"},
    "todo_core": {"ai_todo", "mcp_server", "todoctl"},
    # the chart's files run in the ai-todo image, which holds todo_core and ai_todo only
    "charts": {"mcp_server", "todoctl"},
}
RUNNER = "todoctl.adapters.runner"
PROGRAM_RUNNERS = {"subprocess", "asyncio.subprocess"}
PROGRAM_CALLS = {"create_subprocess_exec", "create_subprocess_shell", "system", "popen"}
# the extra each image is built from -> the packages that run in it
IMAGES = {
    "ai-todo": {"ai_todo", "todo_core", "charts"},
    "mcp-server": {"mcp_server", "todo_core"},
}


@dataclass(frozen=True)
class Module:
    name: str  # dotted; a chart file is charts.<chart>.files.<stem>
    path: Path

    @property
    def package(self) -> str:
        return self.name.split(".", 1)[0]


def modules(src: Path, charts: Path) -> list[Module]:
    found = []
    for path in sorted(src.rglob("*.py")):
        parts = list(path.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found.append(Module(".".join(parts), path))
    for path in sorted(charts.glob("*/files/*.py")):
        found.append(Module(".".join(("charts", *path.relative_to(charts).with_suffix("").parts)), path))
    return found


def imported(module: Module) -> Iterator[tuple[int, str]]:
    """(line, dotted name) of every import, at any depth (lazy ones too), relative ones made absolute,
    and `import_module("…")` with a literal name."""
    tree = ast.parse(module.path.read_text(), filename=str(module.path))
    is_package = module.path.name == "__init__.py"
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = module.name.split(".")
                parent = parent[: len(parent) - node.level + (1 if is_package else 0)]
                base = ".".join([*parent, base] if base else parent)
            yield node.lineno, base
            for alias in node.names:
                yield node.lineno, f"{base}.{alias.name}"
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute | ast.Name)
            and (node.func.attr if isinstance(node.func, ast.Attribute) else node.func.id) == "import_module"
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            yield node.lineno, node.args[0].value


def runs_programs(module: Module) -> Iterator[tuple[int, str]]:
    for line, name in imported(module):
        if name in PROGRAM_RUNNERS or name.split(".", 1)[0] == "subprocess":
            yield line, name
    tree = ast.parse(module.path.read_text())
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and node.attr in PROGRAM_CALLS
            and isinstance(node.value, ast.Name)
            and node.value.id in {"os", "asyncio"}
        ):
            yield node.lineno, f"{node.value.id}.{node.attr}"


def where(module: Module, line: int) -> str:
    return f"{module.name} (line {line})"


def direction_violations(found: Iterable[Module]) -> list[str]:
    problems = []
    for module in found:
        forbidden = FORBIDDEN.get(module.package, set())
        wrong = {(line, name.split(".", 1)[0]) for line, name in imported(module)}
        problems += [
            f"{where(module, line)} imports {top}" for line, top in sorted(wrong) if top in forbidden
        ]
    return problems


def program_violations(found: Iterable[Module], allowed: str = RUNNER) -> list[str]:
    return [
        f"{where(module, line)} runs programs through {name}; only {allowed} may"
        for module in found
        if module.name != allowed
        for line, name in runs_programs(module)
    ]


def third_party(module: Module) -> Iterator[tuple[int, str]]:
    for line, name in imported(module):
        top = name.split(".", 1)[0]
        if top and top not in FIRST_PARTY and top != "charts" and top not in sys.stdlib_module_names:
            yield line, top


def undeclared(
    found: Iterable[Module],
    declared: set[str],
    distributions: dict[str, list[str]],
    packages: set[str] | None,
) -> list[str]:
    """Imports of `packages` (all when None) whose distribution is not in `declared`."""
    problems = []
    for module in found:
        if packages is not None and module.package not in packages:
            continue
        for line, top in third_party(module):
            names = {canonicalize_name(dist) for dist in distributions.get(top, [])}
            if not names:
                problems.append(
                    f"{where(module, line)} imports {top}, which no installed distribution provides"
                )
            elif not names & declared:
                problems.append(
                    f"{where(module, line)} imports {top} ({', '.join(sorted(names))}): not declared"
                )
    return sorted(set(problems))


def declared_names(requirements: Iterable[str]) -> set[str]:
    return {canonicalize_name(Requirement(line).name) for line in requirements}


def project() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def source_modules() -> list[Module]:
    return modules(ROOT / "src", ROOT / "charts")


def test_every_source_module_is_read() -> None:
    names = {module.name for module in source_modules()}
    assert {"todoctl.cli.app", "ai_todo.app", "mcp_server.server", "todo_core.tokens"} <= names
    assert "charts.todo.files.chat_check" in names


def test_dependencies_point_one_way() -> None:
    assert direction_violations(source_modules()) == []


def test_only_the_runner_runs_programs() -> None:
    found = source_modules()
    assert RUNNER in {module.name for module in found}
    assert program_violations(found) == []


def test_every_third_party_import_is_declared() -> None:
    assert (
        undeclared(
            source_modules(), declared_names(project()["dependencies"]), packages_distributions(), None
        )
        == []
    )


@pytest.mark.parametrize("extra", sorted(IMAGES))
def test_every_import_of_an_image_is_in_its_extra(extra: str) -> None:
    declared = declared_names(project()["optional-dependencies"][extra])
    assert undeclared(source_modules(), declared, packages_distributions(), IMAGES[extra]) == []


def made_up(tmp_path: Path, files: dict[str, str]) -> list[Module]:
    for relative, text in files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return modules(tmp_path / "src", tmp_path / "charts")


@pytest.mark.parametrize(
    ("relative", "text", "expected"),
    [
        (
            "src/todoctl/tokens.py",
            "from ai_todo.tokens import mint_token\n",
            "todoctl.tokens (line 1) imports ai_todo",
        ),
        (
            "src/todoctl/cli/up.py",
            "def f():\n    import mcp_server.app\n",
            "todoctl.cli.up (line 2) imports mcp_server",
        ),
        ("src/ai_todo/chat.py", "from todoctl import forward\n", "ai_todo.chat (line 1) imports todoctl"),
        ("src/mcp_server/server.py", "import todoctl.kube\n", "mcp_server.server (line 1) imports todoctl"),
        (
            "src/todo_core/db.py",
            "from ai_todo.settings import settings\n",
            "todo_core.db (line 1) imports ai_todo",
        ),
        (
            "src/todo_core/db.py",
            "import importlib\nimportlib.import_module('mcp_server.app')\n",
            "todo_core.db (line 2) imports mcp_server",
        ),
        (
            "src/ai_todo/routes/x.py",
            "from ...todoctl import kube\n",
            "ai_todo.routes.x (line 1) imports todoctl",
        ),
        (
            "charts/todo/files/check.py",
            "from todoctl.tokens import x\n",
            "charts.todo.files.check (line 1) imports todoctl",
        ),
    ],
)
def test_a_wrong_direction_is_reported(tmp_path: Path, relative: str, text: str, expected: str) -> None:
    found = made_up(tmp_path, {relative: text, "src/todo_core/__init__.py": ""})
    problems = direction_violations(found)
    assert problems == [expected]


def test_an_allowed_direction_is_not_reported(tmp_path: Path) -> None:
    found = made_up(
        tmp_path,
        {
            "src/todoctl/dev.py": "from todo_core.tokens import mint_token\n",
            "src/ai_todo/app.py": "from . import chat\nfrom todo_core import db\n",
            "src/mcp_server/app.py": "import todo_core.db\n",
        },
    )
    assert direction_violations(found) == []


@pytest.mark.parametrize(
    "text",
    [
        "import subprocess\n",
        "from subprocess import run\n",
        "def f():\n    import subprocess as sp\n",
        "from asyncio import subprocess\n",
        "import asyncio\nasyncio.create_subprocess_exec('ls')\n",
        "import os\nos.system('ls')\n",
    ],
)
def test_a_program_run_outside_the_runner_is_reported(tmp_path: Path, text: str) -> None:
    found = made_up(
        tmp_path,
        {"src/todoctl/adapters/runner.py": "import subprocess\n", "src/todo_core/serve.py": text},
    )
    problems = program_violations(found)
    assert len(problems) >= 1
    assert all(problem.startswith("todo_core.serve (line") for problem in problems)


def test_an_undeclared_import_is_reported(tmp_path: Path) -> None:
    found = made_up(
        tmp_path,
        {
            "src/todoctl/kube.py": "import yaml\nimport json\nfrom todoctl import errors\n",
            "src/ai_todo/app.py": "import fastapi\nimport starlette.requests\n",
            "src/ai_todo/x.py": "import not_installed_anywhere\n",
        },
    )
    distributions = {"yaml": ["PyYAML"], "fastapi": ["fastapi"], "starlette": ["starlette"]}
    problems = undeclared(found, {"fastapi", "pyyaml"}, distributions, None)
    assert problems == [
        "ai_todo.app (line 2) imports starlette (starlette): not declared",
        "ai_todo.x (line 1) imports not_installed_anywhere, which no installed distribution provides",
    ]
    assert undeclared(found, {"fastapi", "starlette"}, distributions, {"todoctl"}) == [
        "todoctl.kube (line 1) imports yaml (pyyaml): not declared"
    ]
