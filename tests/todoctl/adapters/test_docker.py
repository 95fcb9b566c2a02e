from importlib.metadata import version

import pytest

from tests.todoctl import fixture_files
from tests.todoctl.fake_docker import FakeDockerApi
from todoctl.adapters.docker import build, read_stream
from todoctl.build import plan
from todoctl.build_context import assemble_context
from todoctl.errors import BuildFailed


@pytest.fixture(scope="module")
def context(tmp_path_factory):
    return assemble_context(tmp_path_factory.mktemp("context"))


def test_the_build_stream_becomes_progress_with_step_numbers():
    events = list(
        read_stream(fixture_files.json_lines("docker/build-stream-legacy-success.jsonl"), "ai-todo")
    )

    assert events[0].text == "Step 1/18 : FROM rhel7:7.5-released"
    assert (events[0].step, events[0].total) == (1, 18)
    assert events[-1].text == "Successfully built 985573b8bb7b"
    assert events[-1].step == 18


def test_pull_progress_lines_are_readable():
    events = list(
        read_stream(fixture_files.json_lines("docker/build-stream-legacy-pull-head.jsonl"), "mcp-server")
    )

    assert events[1].text == "latest Pulling from library/alpine"
    assert events[3].text.startswith("627beaf3eaaf Downloading [>")


def test_an_error_chunk_raises_with_the_lines_before_it():
    with pytest.raises(BuildFailed) as raised:
        list(read_stream(fixture_files.json_lines("docker/build-stream-legacy-error.jsonl"), "ai-todo"))

    assert "returned a non-zero code: 1" in raised.value.message
    assert raised.value.details[-1] == "error: No package matches 'maven'"
    assert not any("\x1b" in line for line in raised.value.details)


def test_build_names_the_image_and_measures_it(context):
    api = FakeDockerApi(size_bytes=123_000_000)

    built = build(api, context, plan(context, "mcp-server", base_image="localhost/py:3.13"))

    assert built.image_id == "sha256:24a8108184674a290f40a90e1855bf6791b55b66306d99315b7797c5a7b93695"
    assert built.size_mb == 123
    [call] = api.builds
    assert (call["path"], call["dockerfile"], call["buildargs"]) == (
        str(context),
        "dockerfiles/mcp-server.Dockerfile",
        {"BASE_IMAGE": "localhost/py:3.13", "VERSION": version("todoctl")},
    )
