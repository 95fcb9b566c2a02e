import json
import re
from importlib.metadata import version

from tests.todoctl.fake_docker import FAILURE_STREAM, FakeDockerApi
from todoctl import state
from todoctl.adapters.docker import connect_docker


def test_build_all_builds_both_images_with_content_tags(invoke, docker_api):
    result = invoke("build")

    assert result.exit_code == 0, result
    dockerfiles = [build["dockerfile"] for build in docker_api.builds]
    assert dockerfiles == ["dockerfiles/ai-todo.Dockerfile", "dockerfiles/mcp-server.Dockerfile"]
    tags = [build["tag"] for build in docker_api.builds]
    assert re.fullmatch(r"todoctl/ai-todo:[0-9a-f]{12}", tags[0])
    assert re.fullmatch(r"todoctl/mcp-server:[0-9a-f]{12}", tags[1])
    assert all(build["decode"] and build["rm"] for build in docker_api.builds)
    assert "150 MB" in result.stdout
    assert set(state.built_images()) == {"ai-todo", "mcp-server"}


def test_build_passes_the_base_image_and_version_as_build_arguments(invoke, docker_api):
    result = invoke("build", "mcp", "--base-image", "localhost/python:3.13-trixie")

    assert result.exit_code == 0, result
    assert docker_api.builds[0]["buildargs"] == {
        "BASE_IMAGE": "localhost/python:3.13-trixie",
        "VERSION": version("todoctl"),
    }


def test_a_different_base_image_gives_a_different_tag(invoke, docker_api):
    invoke("build", "mcp")
    invoke("build", "mcp", "--base-image", "localhost/python:3.13-trixie")

    first, second = (build["tag"] for build in docker_api.builds)
    assert first != second


def test_an_unchanged_context_keeps_its_tag(invoke, docker_api):
    invoke("build", "mcp")
    invoke("build", "mcp")

    first, second = (build["tag"] for build in docker_api.builds)
    assert first == second


def test_build_warns_above_the_size_budget(invoke, boundary):
    boundary.docker = lambda: FakeDockerApi(size_bytes=260_000_000)

    result = invoke("build")

    assert result.exit_code == 0
    assert "over the 400 MB budget" in result.stdout


def test_a_failed_build_shows_the_daemons_error_and_its_last_lines(invoke, boundary):
    boundary.docker = lambda: FakeDockerApi(stream=FAILURE_STREAM)

    result = invoke("build", "ai-todo")

    assert result.exit_code == 1
    assert "building ai-todo failed: The command '/bin/sh -c microdnf" in result.stdout
    assert "error: No package matches 'maven'" in result.stdout
    assert state.built_images() == {}


def test_build_dry_run_needs_no_docker(invoke, boundary, tmp_path):
    def no_daemon():
        raise AssertionError("a dry run must not talk to Docker")

    boundary.docker = no_daemon

    result = invoke("--json", "build", "--dry-run", "--context-dir", str(tmp_path / "ctx"))

    assert result.exit_code == 0, result
    document = json.loads(result.stdout)
    assert [image["service"] for image in document["images"]] == ["ai-todo", "mcp-server"]
    assert (tmp_path / "ctx" / "dockerfiles" / "ai-todo.Dockerfile").is_file()
    assert (tmp_path / "ctx" / "requirements" / "mcp-server.txt").is_file()


def test_build_puts_the_ca_certificate_into_the_context(invoke, tmp_path):
    pem = tmp_path / "proxy-ca.crt"
    pem.write_text("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")

    result = invoke("build", "--dry-run", "--ca-cert", str(pem), "--context-dir", str(tmp_path / "ctx"))

    assert result.exit_code == 0, result
    assert (tmp_path / "ctx" / "certs" / "extra-ca.crt").read_text() == pem.read_text()


def test_build_rejects_a_ca_file_that_is_not_pem(invoke, tmp_path):
    bogus = tmp_path / "ca.der"
    bogus.write_bytes(b"\x30\x82\x01\x0a")

    result = invoke("build", "--dry-run", "--ca-cert", str(bogus))

    assert result.exit_code == 1
    assert "is not a PEM certificate" in result.stdout


def test_build_rejects_an_unknown_image(invoke):
    result = invoke("build", "frontend")

    assert result.exit_code == 2
    assert "unknown image 'frontend'" in result.stdout


def test_build_rejects_an_invalid_tag(invoke):
    result = invoke("build", "--tag", "not a tag")

    assert result.exit_code == 2
    assert "is not a valid image tag" in result.stdout


def test_build_without_a_docker_daemon_says_how_to_start_it(invoke, boundary, monkeypatch, tmp_path):
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path / 'no-daemon.sock'}")
    boundary.docker = connect_docker

    result = invoke("build")

    assert result.exit_code == 1
    assert "cannot reach the Docker daemon" in result.stdout
    assert "sudo systemctl start docker" in result.stdout
