"""The installed package, not the checkout: build the wheel, install it into a fresh venv, and run
`todoctl lint` and a build dry run from an unrelated directory."""

import json
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A venv holding only the wheel; its dependencies come from this venv's site-packages through a
    .pth file (whose own .pth files, such as the editable install's, Python does not process)."""
    work = tmp_path_factory.mktemp("wheel")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(work / "dist"), str(ROOT)],
        check=True,
        timeout=300,
    )
    [wheel] = (work / "dist").glob("todoctl-*.whl")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--quiet", str(wheel)],
        check=True,
        timeout=300,
    )
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    (Path(site) / "dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    return venv


def todoctl(venv: Path, *args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(venv / "bin" / "todoctl"), "--json", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(cwd), "TODOCTL_STATE_DIR": str(cwd / "state")},
    )


def test_the_wheel_carries_todoctl_and_its_bundle(installed):
    found = subprocess.run(
        [str(installed / "bin" / "python"), "-c", "import todoctl.resources as r; print(r.chart_dir())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert found.startswith(str(installed))
    assert found.endswith("todoctl/_bundle/charts/todo")


def test_installed_todoctl_lints_the_packaged_chart_from_anywhere(installed, tmp_path):
    result = todoctl(installed, "lint", cwd=tmp_path)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["passed"] is True
    assert report["chart"].startswith(str(installed))


def test_installed_todoctl_assembles_the_build_context_from_the_installed_packages(installed, tmp_path):
    result = todoctl(
        installed, "build", "--dry-run", "--context-dir", str(tmp_path / "context"), cwd=tmp_path
    )

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [image["service"] for image in report["images"]] == ["ai-todo", "mcp-server"]
    context = tmp_path / "context"
    assert (context / "src" / "ai_todo" / "__main__.py").is_file()
    assert (context / "dockerfiles" / "mcp-server.Dockerfile").is_file()
    requirements = (context / "requirements" / "mcp-server.txt").read_text()
    assert "mcp" in requirements
    assert "openai-agents" not in requirements
