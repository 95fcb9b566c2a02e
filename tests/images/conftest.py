"""A real Docker engine and the two images, built once per test session by `todoctl build`'s own code.
In CI (env CI set) a missing engine is a failure; elsewhere these tests skip with the reason."""

import os
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import DockerException

from todoctl.build import build_images

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
def images(docker_client: docker.DockerClient, tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """service -> image reference, built from the current sources."""
    # todoctl records what it built for `load` and `deploy`; the tests keep that record to themselves
    os.environ["TODOCTL_STATE_DIR"] = str(tmp_path_factory.mktemp("todoctl-state"))
    built = build_images(
        docker_client.api,
        "all",
        tag=TEST_TAG,
        base_image=BASE_IMAGE,
        ca_cert=Path(CA_CERT) if CA_CERT else None,
    )
    return {image.service: image.image for image in built}
