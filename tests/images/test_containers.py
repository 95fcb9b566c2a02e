"""The two images run for real, side by side, the way the chart runs them — and survive being killed."""

from collections.abc import Iterator
from importlib.metadata import version

import docker
import httpx
import pytest

from tests.ai_todo.chat_completions_stub import act_then_report, serving_chat_completions
from tests.ai_todo.jwks_server import claims, serving_jwks, signing_key
from tests.images.stack import HOST_ALIAS, Stack
from tests.support.tcp_relay import tcp_relay
from todo_core.revisions import head


@pytest.fixture
def stack(docker_client: docker.DockerClient, images: dict[str, str], postgres_url: str) -> Iterator[Stack]:
    network = docker_client.networks.create("todoctl-test", driver="bridge")
    network.reload()
    gateway = network.attrs["IPAM"]["Config"][0]["Gateway"]
    database = postgres_url.rsplit("/", 1)[1]
    try:
        with tcp_relay(gateway, "127.0.0.1", 5432) as port:
            running = Stack(
                client=docker_client,
                network=network,
                images=images,
                database_url=f"postgresql+psycopg://postgres@host.docker.internal:{port}/{database}",
            )
            try:
                yield running
            finally:
                running.remove_all()
    finally:
        network.remove()


def tool_names(response: dict) -> list[str]:
    return [call["name"] for call in response["tool_calls"]]


def test_both_containers_serve_a_conversation_that_survives_kills(stack: Stack) -> None:
    stack.start("mcp-server")
    stack.start("ai-todo")
    stack.wait_ready("mcp-server")
    stack.wait_ready("ai-todo")
    # the images carry the migrations: the first container brought the empty database to this code's head
    for service in ("mcp-server", "ai-todo"):
        schema = httpx.get(f"{stack.url(service)}/readyz", timeout=10).json()["schema"]
        assert schema == {"code": head(), "database": head(), "relation": "current"}

    added = stack.chat("alice", "Add a task to buy groceries")
    assert added.status_code == 200, added.text
    conversation = added.json()["conversation_id"]
    assert tool_names(added.json()) == ["add_task"]
    task_id = added.json()["tool_calls"][0]["result"]["task_id"]

    listed = stack.chat("alice", "Show me all my tasks", conversation).json()
    assert "list_tasks" in tool_names(listed)
    assert "groceries" in listed["response"].lower()

    completed = stack.chat("alice", f"Mark task {task_id} as complete", conversation).json()
    assert tool_names(completed) == ["complete_task"]

    # a pod dies: a new ai-todo container picks the conversation up with its whole history
    stack.kill("ai-todo")
    stack.start("ai-todo")
    stack.wait_ready("ai-todo")
    history = stack.messages("alice", conversation)
    assert [m["role"] for m in history] == ["user", "assistant"] * 3
    after_restart = stack.chat("alice", "What have I completed?", conversation)
    assert after_restart.status_code == 200, after_restart.text
    assert after_restart.json()["conversation_id"] == conversation
    assert "groceries" in after_restart.json()["response"].lower()

    # mcp-server dies mid-session: a friendly 503 while it is gone, then service resumes by itself
    stack.kill("mcp-server")
    while_down = stack.chat("alice", "Show me all my tasks", conversation)
    assert while_down.status_code == 503
    assert "Traceback" not in while_down.text
    stack.start("mcp-server")
    stack.wait_ready("mcp-server")
    deleted = stack.chat("alice", f"Delete task {task_id}", conversation)
    assert deleted.status_code == 200, deleted.text
    assert tool_names(deleted.json())[-1] == "delete_task"
    # the turn answered with 503 keeps the user's words, answered by a reply marked failed
    messages = stack.messages("alice", conversation)
    assert [m["role"] for m in messages] == ["user", "assistant"] * 6
    assert [m["failed"] for m in messages if m["role"] == "assistant"] == [False] * 4 + [True, False]


def test_containers_run_as_a_fixed_non_root_user_on_a_read_only_root(stack: Stack) -> None:
    for service in ("mcp-server", "ai-todo"):
        container = stack.start(service)
        assert container.exec_run("id -u").output.decode().strip() == "10001"
        cannot_write = container.exec_run("touch /opt/app/x")
        assert cannot_write.exit_code != 0
        assert container.exec_run("touch /tmp/x").exit_code == 0


@pytest.mark.parametrize("service", ["mcp-server", "ai-todo"])
def test_runtime_images_carry_no_build_tools_certificates_or_tests(
    docker_client: docker.DockerClient, images: dict[str, str], service: str
) -> None:
    probe = (
        "import importlib.util as u, pathlib as p, shutil as s; "
        "print(s.which('pip'), s.which('gcc'), s.which('strip'), p.Path('/tmp/extra-ca').exists(), "
        "u.find_spec('agents') is not None, u.find_spec('todoctl') is not None)"
    )
    output = docker_client.containers.run(
        images[service], entrypoint=["python3", "-c", probe], remove=True, read_only=True
    ).decode()
    pip, gcc, strip, extra_ca, has_agents, has_cli = output.split()
    assert (pip, gcc, strip, extra_ca, has_cli) == ("None", "None", "None", "False", "False")
    assert has_agents == ("True" if service == "ai-todo" else "False")


@pytest.mark.parametrize("service", ["mcp-server", "ai-todo"])
def test_images_declare_port_user_labels_and_an_exec_entrypoint(
    docker_client: docker.DockerClient, images: dict[str, str], service: str
) -> None:
    config = docker_client.images.get(images[service]).attrs["Config"]
    port = "8000/tcp" if service == "ai-todo" else "8001/tcp"
    assert list(config["ExposedPorts"]) == [port]
    assert config["User"] == "10001:10001"
    assert config["Entrypoint"][:2] == ["python3", "-m"]
    assert config["Labels"]["org.opencontainers.image.version"] == version("todoctl")
    assert config["Labels"]["org.opencontainers.image.source"].startswith("https://")


def test_ai_todo_answers_through_a_real_model_and_better_auth_tokens(stack: Stack) -> None:
    """The paths the offline conversation does not take: an OpenAI-compatible model over HTTP, and
    tokens signed with each algorithm Better Auth uses, checked against its JWKS. Whatever the image
    leaves out, these still run."""
    keys = [signing_key(algorithm, f"key-{algorithm.lower()}") for algorithm in ("EdDSA", "RS256", "ES256")]
    with (
        serving_chat_completions(act_then_report("add_task", {"title": "Buy milk"})) as model,
        serving_jwks(*keys) as jwks,
        tcp_relay(stack.gateway, "127.0.0.1", _port(model.base_url)) as model_port,
        tcp_relay(stack.gateway, "127.0.0.1", _port(jwks.url)) as jwks_port,
    ):
        stack.start("mcp-server")
        stack.start(
            "ai-todo",
            OPENAI_API_KEY="sk-test",
            OPENAI_BASE_URL=f"http://{HOST_ALIAS}:{model_port}/v1",
            AUTH_JWKS_URL=f"http://{HOST_ALIAS}:{jwks_port}/api/auth/jwks",
        )
        stack.wait_ready("mcp-server")
        stack.wait_ready("ai-todo")
        answers = {
            key.algorithm: stack.chat("bob", "Add milk", token=key.sign(claims("bob"))) for key in keys
        }

    for algorithm, answer in answers.items():
        assert answer.status_code == 200, (algorithm, answer.text)
        assert tool_names(answer.json()) == ["add_task"]
        assert answer.json()["response"].startswith("Done:")
    assert len(model.requests) == 2 * len(keys), "each turn asked the model twice: act, then report"


def _port(url: str) -> int:
    port = httpx.URL(url).port
    assert port is not None
    return port
