import httpx
import pytest

from tests.todoctl import fixture_files
from todoctl.adapters.registry import Registry, is_insecure, parse_registry, ping, read_push_stream
from todoctl.errors import ConfigError, ImagePushFailed, TodoctlError

DEFAULT_DOCKER = fixture_files.document("docker/info-registry-config-default.json")


@pytest.mark.parametrize(
    ("text", "host", "path"),
    [
        ("127.0.0.1:5000", "127.0.0.1:5000", ""),
        ("localhost:5000/team", "localhost:5000", "team"),
        ("registry.example.com/team/todo", "registry.example.com", "team/todo"),
        (" ghcr.io/acme ", "ghcr.io", "acme"),
        ("registry-1.example.com:443/a_b/c-d/e.f", "registry-1.example.com:443", "a_b/c-d/e.f"),
    ],
)
def test_a_registry_is_a_host_and_an_optional_path(text, host, path):
    assert parse_registry(text) == Registry(host, path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the registry is empty"),
        ("   ", "the registry is empty"),
        ("http://127.0.0.1:5000", "has a scheme"),
        ("user:secret@registry.example.com", "must not hold credentials"),
        ("127.0.0.1:0", "is not a registry host"),
        ("127.0.0.1:70000", "is not a registry host"),
        ("127.0.0.1:port", "is not a registry host"),
        ("-bad.example.com", "is not a registry host"),
        ("reg istry.example.com", "is not a registry host"),
        ("registry.example.com/Team", "'Team' is not a valid registry path component"),
        ("registry.example.com/team/", "'' is not a valid registry path component"),
        ("registry.example.com/team:tag", "is not a valid registry path component"),
        ("registry.example.com/../etc", "is not a valid registry path component"),
        ("régistre.example.com", "is not a registry host"),
        ("registry.example.com/" + "a" * 300, "longer than 200 characters"),
        ("127.0.0.1:5000\nX-Injected: 1", "is not a registry host"),
        ("127.0.0.1:5000/a\nX-Injected: 1", "is not a valid registry path component"),
        ("127.0.0.1:5000/team\n/x", "'team\\n' is not a valid registry path component"),
    ],
)
def test_a_bad_registry_is_refused_with_the_reason(text, message):
    with pytest.raises(ConfigError) as raised:
        parse_registry(text)
    assert message in raised.value.message


def test_the_repository_of_an_image_sits_under_the_registry_path():
    assert parse_registry("127.0.0.1:5000").repository("ai-todo") == "127.0.0.1:5000/ai-todo"
    assert parse_registry("ghcr.io/acme/todo").repository("mcp-server") == "ghcr.io/acme/todo/mcp-server"


@pytest.mark.parametrize(
    ("text", "insecure"),
    [
        ("127.0.0.1:5000", True),
        ("127.8.9.10", True),
        ("10.201.0.1:5000", False),
        ("registry.example.com", False),
    ],
)
def test_docker_speaks_plain_http_to_the_insecure_cidrs_only(text, insecure):
    assert is_insecure(parse_registry(text), DEFAULT_DOCKER, resolve=lambda _: ["203.0.113.7"]) is insecure


def test_a_name_that_resolves_into_an_insecure_cidr_is_insecure():
    assert is_insecure(parse_registry("localhost:5000"), DEFAULT_DOCKER, resolve=lambda _: ["127.0.0.1"])
    assert not is_insecure(parse_registry("nowhere.invalid"), DEFAULT_DOCKER, resolve=lambda _: [])


def test_a_registry_configured_by_name_decides_itself():
    info = {
        "RegistryConfig": {
            "IndexConfigs": {"10.201.0.1:5000": {"Name": "10.201.0.1:5000", "Secure": False}},
            "InsecureRegistryCIDRs": ["127.0.0.0/8"],
        }
    }
    assert is_insecure(parse_registry("10.201.0.1:5000"), info)
    assert not is_insecure(parse_registry("10.201.0.2:5000"), info)


def registry_api(status: int) -> httpx.Client:
    return httpx.Client(transport=httpx.MockTransport(lambda request: httpx.Response(status, json={})))


@pytest.mark.parametrize("status", [200, 401])
def test_a_registry_that_answers_its_api_root_passes_the_ping(status):
    detail = ping(parse_registry("127.0.0.1:5000"), DEFAULT_DOCKER, client=registry_api(status))
    assert detail == f"127.0.0.1:5000 answers (http://127.0.0.1:5000/v2/, {status})"


def test_a_server_that_is_not_a_registry_fails_the_ping():
    with pytest.raises(TodoctlError, match="answered 404: not a container registry API"):
        ping(parse_registry("127.0.0.1:5000"), DEFAULT_DOCKER, client=registry_api(404))


def test_a_registry_that_does_not_answer_fails_the_ping_with_the_fix():
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno 111] Connection refused", request=request)

    refusing = httpx.Client(transport=httpx.MockTransport(refuse))
    with pytest.raises(TodoctlError) as raised:
        ping(parse_registry("127.0.0.1:5000"), DEFAULT_DOCKER, client=refusing)
    assert "does not answer at http://127.0.0.1:5000/v2/" in raised.value.message
    assert "insecure-registries" in (raised.value.hint or "")


def test_a_push_stream_ends_with_the_registrys_digest():
    events = fixture_files.json_lines("docker/push-stream-local-registry.jsonl")
    seen: list[str] = []

    digest = read_push_stream(events, "127.0.0.1:5000/probe:1", seen.append)

    assert digest.startswith("sha256:")
    assert len(digest) == len("sha256:") + 64
    assert any("Pushed" in line for line in seen)


@pytest.mark.parametrize(
    ("event", "hint"),
    [
        (
            {"errorDetail": {"message": "http: server gave HTTP response to HTTPS client"}},
            "insecure-registries",
        ),
        ({"error": "unauthorized: authentication required"}, "docker login"),
        ({"error": "dial tcp 127.0.0.1:5000: connect: connection refused"}, "does not answer"),
    ],
)
def test_a_failed_push_raises_with_the_registrys_words_and_a_fix(event, hint):
    with pytest.raises(ImagePushFailed) as raised:
        read_push_stream([{"status": "The push refers to repository [x]"}, event], "x:1")
    assert raised.value.message.startswith("pushing x:1 failed: ")
    assert hint in (raised.value.hint or "")


def test_a_push_stream_without_a_digest_is_a_failure():
    with pytest.raises(ImagePushFailed, match="ended without the registry's digest"):
        read_push_stream([{"status": "Preparing", "id": "abc"}], "x:1")
