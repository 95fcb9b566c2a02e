"""A real Docker engine and the two images, built once per test session through todoctl's own build
context. In CI (env CI set) a missing engine is a failure; elsewhere these tests skip with the reason."""

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import DockerException

from todoctl.build_context import assemble_context

# CI builds a local base (no registry here) and names it; a user's machine pulls the default.
BASE_IMAGE = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")
CA_CERT = os.environ.get("TODOCTL_CA_CERT")
TEST_TAG = "test"


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"Docker is required in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def docker_client() -> Iterator[docker.DockerClient]:
    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except DockerException as error:
        _unavailable(f"no Docker engine answers: {error}")
    try:
        client.images.get(BASE_IMAGE)
    except DockerException:
        _unavailable(f"base image {BASE_IMAGE} is not present (set TODOCTL_BASE_IMAGE)")
    yield client
    client.close()


@pytest.fixture(scope="session")
def images(docker_client: docker.DockerClient) -> dict[str, str]:
    """service -> image reference, built from the current sources."""
    built = {}
    with tempfile.TemporaryDirectory(prefix="todoctl-context-") as directory:
        context = assemble_context(Path(directory), Path(CA_CERT) if CA_CERT else None)
        for service in ("mcp-server", "ai-todo"):
            tag = f"todoctl/{service}:{TEST_TAG}"
            docker_client.images.build(
                path=str(context),
                dockerfile=f"dockerfiles/{service}.Dockerfile",
                buildargs={"BASE_IMAGE": BASE_IMAGE, "VERSION": TEST_TAG},
                tag=tag,
                rm=True,
                forcerm=True,
            )
            built[service] = tag
    return built
