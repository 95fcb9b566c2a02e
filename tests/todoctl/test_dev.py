"""`todoctl dev` for real: both services start, the chat works through the API, and both stop."""

import json
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import jwt
import pytest

from tests.support.processes import free_port
from todoctl.chat_api import ChatApi, tasks_from
from todoctl.dev import dev_secrets

STARTUP_SECONDS = 90


def start_dev(
    data_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[str], int, int]:
    port, mcp_port = free_port(), free_port()
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
            "--data-dir",
            str(data_dir),
            *extra,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
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


def test_dev_refuses_a_port_that_is_taken(tmp_path):
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
    assert f"port {busy} on 127.0.0.1 is in use" in result.stdout
    assert "pick another with --port" in result.stdout


@pytest.mark.parametrize("content", ["not json", '{"AUTH_JWT_SECRET": ""}'])
def test_damaged_dev_secrets_are_regenerated(tmp_path, content):
    (tmp_path / "dev-secrets.json").write_text(content)

    regenerated = dev_secrets(tmp_path)

    assert len(regenerated["AUTH_JWT_SECRET"]) >= 32
    assert dev_secrets(tmp_path) == regenerated
    assert (tmp_path / "dev-secrets.json").stat().st_mode & 0o777 == 0o600
