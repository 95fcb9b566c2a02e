"""The runner against real programs: it is the one place todoctl starts processes."""

import os
import signal
import sys
from pathlib import Path

import pytest

from tests.todoctl import fixture_files
from todoctl.adapters.runner import Runner
from todoctl.errors import AnotherOperationInProgress, CommandFailed, CommandTimedOut, ToolNotFound

PY = sys.executable


def fake_tool(directory: Path, name: str, stderr: str, code: int) -> Path:
    """A program named like the real tool that prints its real error and exits non-zero."""
    path = directory / name
    path.write_text(f"#!{PY}\nimport sys\nsys.stderr.write({stderr!r})\nsys.exit({code})\n")
    path.chmod(0o755)
    return path


def test_run_returns_both_streams_and_the_exit_code():
    completed = Runner().run(
        [PY, "-c", "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)"], check=False
    )

    assert (completed.returncode, completed.stdout, completed.stderr) == (3, "out\n", "err\n")


def test_run_feeds_input_on_stdin():
    completed = Runner().run([PY, "-c", "import sys; print(sys.stdin.read().upper())"], input=b"values")

    assert completed.stdout == "VALUES\n"


def test_a_failed_command_becomes_the_tools_typed_error(tmp_path):
    helm = fake_tool(
        tmp_path, "helm", fixture_files.text("helm/upgrade-another-operation-in-progress.txt"), 1
    )

    with pytest.raises(AnotherOperationInProgress) as raised:
        Runner().run([str(helm), "upgrade", "todo", "charts/todo"])

    assert raised.value.returncode == 1
    assert raised.value.argv[1:] == ["upgrade", "todo", "charts/todo"]


def test_an_unknown_programs_failure_is_a_generic_command_failure(tmp_path):
    tool = fake_tool(tmp_path, "frobnicate", "Error: it broke\n", 2)

    with pytest.raises(CommandFailed, match="frobnicate failed: it broke"):
        Runner().run([str(tool)])


def test_a_missing_program_says_how_to_install_it():
    with pytest.raises(ToolNotFound) as raised:
        Runner().run(["kind-that-does-not-exist-here"])

    assert "kind-that-does-not-exist-here is not installed or not on PATH" in raised.value.message


def test_a_command_that_hangs_is_stopped_at_its_timeout():
    with pytest.raises(CommandTimedOut, match=r"did not finish within 0\.5s"):
        Runner().run([PY, "-c", "import time; time.sleep(30)"], timeout=0.5)


@pytest.mark.parametrize("argv", ["helm version", ["helm", 3], []])
def test_argv_must_be_a_list_of_strings(argv):
    with pytest.raises(TypeError):
        Runner().run(argv)


def test_paths_in_argv_are_accepted(tmp_path):
    completed = Runner().run([PY, "-c", "import sys; print(sys.argv[1])", tmp_path])

    assert completed.stdout == f"{tmp_path}\n"


def test_spawn_streams_lines_and_runs_in_its_own_session():
    process = Runner().spawn(
        [PY, "-u", "-c", "print('Forwarding from 127.0.0.1:8000 -> 8000'); print('done')"]
    )

    assert list(process.lines()) == ["Forwarding from 127.0.0.1:8000 -> 8000", "done"]
    assert process.wait(10) == 0


def test_spawned_programs_get_their_own_session():
    process = Runner().spawn([PY, "-c", "import os, time; print(os.getsid(0), flush=True); time.sleep(30)"])
    try:
        child_session = int(next(process.lines()))
    finally:
        code = process.stop(timeout=10)
    assert child_session != os.getsid(0)
    assert code == -signal.SIGTERM


def test_stop_kills_a_program_that_ignores_sigterm():
    code = "\n".join(
        [
            "import signal, time",
            "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
            "print('up', flush=True)",
            "time.sleep(60)",
        ]
    )
    process = Runner().spawn([PY, "-c", code])
    next(process.lines())

    assert process.stop(timeout=0.5) == -signal.SIGKILL


def test_spawn_can_write_to_a_log_file(tmp_path):
    log = tmp_path / "service.log"
    process = Runner().spawn([PY, "-c", "print('ready')"], log_path=log)

    assert process.wait(10) == 0
    process.stop()
    assert log.read_text() == "ready\n"


def test_spawning_a_missing_program_says_so():
    with pytest.raises(ToolNotFound):
        Runner().spawn(["kubectl-that-does-not-exist-here", "port-forward"])
