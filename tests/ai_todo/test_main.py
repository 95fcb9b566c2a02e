"""`python -m ai_todo` as a real process: start-up, refusal of a broken configuration, a
conversation that survives its pod, and several workers on one port (WEB_CONCURRENCY)."""

import os
import signal
import subprocess
import sys
import time

import httpx
import pytest

from tests.ai_todo.stack import Stack, User, new_user, process_env
from tests.support.processes import (
    START_TIMEOUT_SECONDS,
    ServiceProcess,
    descendants,
    running_service,
    start_service,
)


def test_start_without_authentication_exits_with_one_clear_message() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "OPENAI_", "MCP_"))}

    result = subprocess.run(
        [sys.executable, "-m", "ai_todo"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode != 0
    assert "ai-todo: invalid configuration" in result.stderr
    assert "no authentication configured: set AUTH_JWKS_URL" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("nonsense", "DATABASE_URL: not a database URL; expected postgresql://"),
        (
            "postgresql://todo:hunter2@db:port/todo",
            "DATABASE_URL: not a database URL; expected postgresql://",
        ),
        ("mysql://todo:hunter2@db/todo", "DATABASE_URL: unsupported scheme 'mysql'"),
        ("postgresql://db/" + "x" * 100_000, "DATABASE_URL: longer than 4096 characters"),
    ],
    ids=["nonsense", "bad-port", "mysql", "huge"],
)
def test_a_bad_database_url_exits_with_one_clear_line(url: str, expected: str) -> None:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AUTH_", "OPENAI_", "MCP_", "DATABASE_URL"))
    }
    env |= {"DATABASE_URL": url, "AUTH_JWT_SECRET": "s" * 40, "MCP_AUTH_TOKEN": "t" * 40}

    result = subprocess.run(
        [sys.executable, "-m", "ai_todo"], env=env, capture_output=True, text=True, timeout=60, check=False
    )

    assert result.returncode != 0
    assert result.stderr.startswith("ai-todo: invalid configuration\n")
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert "hunter2" not in result.stderr


def test_a_conversation_continues_on_a_second_instance_over_the_same_database(stack: Stack) -> None:
    user = new_user()
    with running_service("ai_todo", process_env(stack)) as first:
        opened = httpx.post(
            f"{first.base_url}{user.chat_path}",
            json={"message": "Add a task to renew the passport"},
            headers=user.headers,
            timeout=30,
        ).json()

    with running_service("ai_todo", process_env(stack)) as second:
        continued = httpx.post(
            f"{second.base_url}{user.chat_path}",
            json={"message": "mark it as done", "conversation_id": opened["conversation_id"]},
            headers=user.headers,
            timeout=30,
        )
        history = httpx.get(
            f"{second.base_url}/api/{user.id}/conversations/{opened['conversation_id']}/messages",
            headers=user.headers,
        ).json()

    task_id = opened["tool_calls"][0]["result"]["task_id"]
    assert continued.status_code == 200
    assert continued.json()["tool_calls"][0]["arguments"] == {"task_id": task_id}
    assert [message["role"] for message in history] == ["user", "assistant", "user", "assistant"]


def test_sigterm_shuts_the_assistant_down_without_errors(stack: Stack) -> None:
    user = new_user()
    with running_service("ai_todo", process_env(stack, SHUTDOWN_DELAY_SECONDS="0")) as service:
        httpx.post(
            f"{service.base_url}{user.chat_path}", json={"message": "hi"}, headers=user.headers, timeout=30
        )
        service.stop()

    logs = service.logs()
    assert "Application shutdown complete" in logs
    assert "Traceback" not in logs
    assert " ERROR " not in logs


def test_ready_means_a_chat_is_answered_now(stack: Stack) -> None:
    """The agent runtime is loaded and its MCP session open before /readyz first says 200: a pod
    that takes traffic answers it at once."""
    user = new_user()
    service = start_service("ai_todo", process_env(stack))
    try:
        service.wait_ready()
        log_when_ready = service.logs()
        answered = httpx.post(
            f"{service.base_url}{user.chat_path}", json={"message": "hi"}, headers=user.headers, timeout=30
        )
    finally:
        service.stop()

    assert "mcp_connected" in log_when_ready
    assert answered.status_code == 200


def _wait_for_log(
    service: ServiceProcess, text: str, count: int, timeout: float = START_TIMEOUT_SECONDS
) -> None:
    deadline = time.monotonic() + timeout
    while service.logs().count(text) < count:
        if time.monotonic() > deadline:
            raise TimeoutError(f"{text!r} not logged {count} times:\n{service.logs()}")
        time.sleep(0.1)


def test_workers_share_the_port_are_replaced_when_they_die_and_drain_on_sigterm(stack: Stack) -> None:
    users = [new_user() for _ in range(6)]
    service = start_service("ai_todo", process_env(stack, WEB_CONCURRENCY="2", SHUTDOWN_DELAY_SECONDS="1"))
    try:
        service.wait_ready()
        _wait_for_log(service, "Application startup complete", 2)
        workers = descendants_serving(service)
        first = [chat_status(service, user) for user in users]
        os.kill(workers[0], signal.SIGKILL)
        _wait_for_log(service, "worker_exited", 1)
        _wait_for_log(service, "Application startup complete", 3)
        replaced = descendants_serving(service)
        after = [chat_status(service, user) for user in users]
    finally:
        exit_code = service.stop()

    assert len(workers) == 2
    assert workers[0] not in replaced
    assert workers[1] in replaced
    assert len(replaced) == 2
    assert first == after == [200] * len(users)
    assert exit_code == 0
    assert service.logs().count("shutdown_requested") == 2, "each worker drained"
    assert "workers_stopped" in service.logs()
    assert "Traceback" not in service.logs()


def descendants_serving(service: ServiceProcess) -> list[int]:
    """The worker processes: the supervisor's children that run a server."""
    return sorted(
        pid for pid in descendants(service.process.pid) if f"Started server process [{pid}]" in service.logs()
    )


def chat_status(service: ServiceProcess, user: User) -> int:
    return httpx.post(
        f"{service.base_url}{user.chat_path}", json={"message": "hi"}, headers=user.headers, timeout=30
    ).status_code
