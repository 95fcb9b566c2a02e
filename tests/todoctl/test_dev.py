"""`todoctl dev` for real: both services start, the chat works through the API, and both stop."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import jwt
import pytest

from tests.support.processes import free_port
from todoctl.chat import ChatApi, tasks_from
from todoctl.dev import dev_secrets

STARTUP_SECONDS = 90


@pytest.fixture(autouse=True)
def _ctrl_c_as_in_a_terminal() -> Iterator[None]:
    """A suite started in the background (`nohup pytest &`) runs with SIGINT ignored, and a child
    inherits an ignored signal; a terminal's foreground job has the default, which Ctrl-C relies
    on. A handler of this process's own is reset to the default in each child it starts."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    signal.signal(signal.SIGINT, previous)


def start_dev(
    data_dir: Path | None,
    *extra: str,
    env: dict[str, str] | None = None,
    ports: tuple[int, int] | None = None,
) -> tuple[subprocess.Popen[str], int, int]:
    """`todoctl --json dev` in a session of its own, as a terminal would run it."""
    port, mcp_port = ports or (free_port(), free_port())
    where = ["--data-dir", str(data_dir)] if data_dir is not None else []
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "todoctl",
            "--json",
            "dev",
            "--port",
            str(port),
            "--mcp-port",
            str(mcp_port),
            *where,
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
        start_new_session=True,
    )
    return process, port, mcp_port


def read_document(process: subprocess.Popen[str]) -> dict:
    """The JSON document `dev --json` prints once both services are ready."""
    lines = []
    for line in process.stdout:
        lines.append(line)
        if line.startswith("}"):
            return json.loads("".join(lines))
    raise AssertionError(f"dev exited before it was ready: {process.wait()} {process.stderr.read()}")


def listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def running(pid: int) -> bool:
    """Alive and not a zombie waiting for its parent."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_until(condition, timeout: float = STARTUP_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"still not true after {timeout}s: {condition}")
        time.sleep(0.05)


def time_wait_on(port: int) -> bool:
    """Whether a connection of `port` is in TIME_WAIT (state 06 of /proc/net/tcp)."""
    rows = Path("/proc/net/tcp").read_text().splitlines()[1:]
    return any(row.split()[3] == "06" and int(row.split()[1].rsplit(":", 1)[1], 16) == port for row in rows)


def test_dev_runs_both_services_chats_and_stops_cleanly(tmp_path):
    process, port, mcp_port = start_dev(tmp_path / "dev", "--user", "alice", "--token-minutes", "5")
    try:
        document = read_document(process)
        assert document["url"].startswith(f"http://127.0.0.1:{port}/#token=")
        secret = dev_secrets(tmp_path / "dev")["AUTH_JWT_SECRET"]
        claims = jwt.decode(document["token"], secret, algorithms=["HS256"])
        assert claims["sub"] == "alice"
        assert claims["exp"] - claims["iat"] == 300

        with ChatApi(f"http://127.0.0.1:{port}", token=document["token"], user_id="alice") as api:
            added = api.chat("Add a task to buy groceries")
            listed = api.chat("Show me all my tasks", added.conversation_id)
            history = api.messages(added.conversation_id)

        assert [call["name"] for call in added.tool_calls] == ["add_task"]
        assert [task["title"] for task in tasks_from(listed)] == ["Buy groceries"]
        assert listed.conversation_id == added.conversation_id
        assert [message["role"] for message in history] == ["user", "assistant", "user", "assistant"]
    finally:
        process.send_signal(signal.SIGTERM)
        code = process.wait(timeout=60)
    assert code == 0, process.stderr.read()
    assert not listening(port)
    assert not listening(mcp_port)


def test_dev_keeps_tasks_and_secrets_across_restarts(tmp_path):
    data_dir = tmp_path / "dev"
    first, port, _ = start_dev(data_dir)
    try:
        token = read_document(first)["token"]
        with ChatApi(f"http://127.0.0.1:{port}", token=token, user_id="dev") as api:
            api.chat("Add a task to pay bills")
    finally:
        first.send_signal(signal.SIGTERM)
        first.wait(timeout=60)

    second, port, _ = start_dev(data_dir)
    try:
        read_document(second)
        with ChatApi(f"http://127.0.0.1:{port}", token=token, user_id="dev") as api:
            titles = [task["title"] for task in tasks_from(api.chat("Show me all my tasks"))]
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=60)
    assert titles == ["Pay bills"]


def test_dev_reports_a_service_that_cannot_start_with_its_log(tmp_path):
    process, _, _ = start_dev(tmp_path / "dev", env={"LOG_LEVEL": "LOUD"})
    stdout, stderr = process.communicate(timeout=STARTUP_SECONDS)

    assert process.returncode == 1
    error = json.loads(stdout)
    assert error["error"].startswith("mcp_server exited with code 1 while starting")
    assert any("LOG_LEVEL" in line for line in error["details"])
    assert "Traceback" not in stderr


def test_dev_refuses_a_port_that_is_taken_and_names_who_holds_it(tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-m", "todoctl", "dev", "--port", str(busy), "--data-dir", str(tmp_path)],
            capture_output=True,
            text=True,
            timeout=STARTUP_SECONDS,
            check=False,
        )
    assert result.returncode == 2
    assert f"port {busy} on 127.0.0.1 is in use by pid {os.getpid()} (" in result.stdout
    assert "pick another with --port" in result.stdout


def test_dev_starts_again_at_once_on_the_ports_it_just_left(tmp_path):
    process, port, mcp_port = start_dev(tmp_path / "dev")
    token = read_document(process)["token"]
    with ChatApi(f"http://127.0.0.1:{port}", token=token, user_id="dev") as api:
        api.chat("Add a task to buy milk")
        # stopped with the connection still open: the server closes it, leaving it in TIME_WAIT
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0, process.stderr.read()
    assert time_wait_on(port)

    again, _, _ = start_dev(tmp_path / "dev", ports=(port, mcp_port))
    try:
        assert read_document(again)["url"].startswith(f"http://127.0.0.1:{port}/")
    finally:
        again.send_signal(signal.SIGTERM)
        again.wait(timeout=60)


def test_closing_the_terminal_stops_both_services_as_ctrl_c_does(tmp_path):
    process, port, mcp_port = start_dev(tmp_path / "dev")
    read_document(process)
    services = children_of(process.pid)
    assert len(services) == 2

    process.send_signal(signal.SIGHUP)

    assert process.wait(timeout=60) == 0, process.stderr.read()
    assert not any(running(pid) for pid in services)
    assert not listening(port)
    assert not listening(mcp_port)


def test_a_sigterm_while_starting_leaves_no_service_behind(tmp_path):
    process, _, mcp_port = start_dev(tmp_path / "dev")
    wait_until(lambda: children_of(process.pid))
    started = children_of(process.pid)

    process.send_signal(signal.SIGTERM)
    process.wait(timeout=60)

    wait_until(lambda: not any(running(pid) for pid in started), timeout=30)
    assert not listening(mcp_port)


def test_no_service_outlives_a_killed_todoctl(tmp_path):
    process, port, mcp_port = start_dev(tmp_path / "dev")
    read_document(process)
    services = children_of(process.pid)

    process.kill()
    process.wait(timeout=10)

    # the kernel sends each child SIGTERM when todoctl dies (PR_SET_PDEATHSIG)
    wait_until(lambda: not any(running(pid) for pid in services), timeout=30)
    assert not listening(port)
    assert not listening(mcp_port)


def test_the_dev_folder_and_its_files_are_private(tmp_path):
    state = tmp_path / "state"
    (state / "dev").mkdir(parents=True, mode=0o755)  # as todoctl made it before
    process, port, _ = start_dev(None, env={"TODOCTL_STATE_DIR": str(state)})
    try:
        token = read_document(process)["token"]
        with ChatApi(f"http://127.0.0.1:{port}", token=token, user_id="dev") as api:
            api.chat("Add a task to water the plants")
        modes = {path.name: path.stat().st_mode & 0o777 for path in (state / "dev").iterdir()}
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)

    assert (state / "dev").stat().st_mode & 0o777 == 0o700
    assert {"todo.db", "ai_todo.log", "mcp_server.log", "dev-secrets.json"} <= set(modes)
    assert modes == dict.fromkeys(modes, 0o600)


@pytest.mark.parametrize("content", ["not json", '{"AUTH_JWT_SECRET": ""}'])
def test_damaged_dev_secrets_are_regenerated(tmp_path, content):
    (tmp_path / "dev-secrets.json").write_text(content)

    regenerated = dev_secrets(tmp_path)

    assert len(regenerated["AUTH_JWT_SECRET"]) >= 32
    assert dev_secrets(tmp_path) == regenerated
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o777 == 0o600
