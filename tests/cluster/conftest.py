"""Fixtures of the tests that run on the machine's real cluster: the cluster, a namespace of each
test's own, and the conformance probe image pushed to the cluster's registry."""

import hashlib
import io
import os
import tarfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import docker
import pytest
from docker.errors import DockerException

from tests.cluster.local_cluster import LocalCluster, find_cluster

PROBE_DIR = Path(__file__).parent / "probe"
BASE_IMAGE = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.cluster)


@pytest.fixture(scope="session")
def cluster() -> LocalCluster:
    return find_cluster()


@pytest.fixture
def namespace(cluster: LocalCluster) -> Iterator[str]:
    name = f"t-{uuid.uuid4().hex[:10]}"
    cluster.kubectl("create", "namespace", name)
    yield name
    cluster.kubectl("delete", "namespace", name, "--wait=false")


@pytest.fixture(scope="session")
def probe_image(cluster: LocalCluster) -> str:
    """Built here on the CI base image and pushed to the registry the cluster pulls from."""
    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except DockerException as error:
        if os.environ.get("CI"):
            pytest.fail(f"Docker is required in CI: {error}")
        pytest.skip(f"no Docker engine answers: {error}")
    context = io.BytesIO()
    with tarfile.open(fileobj=context, mode="w") as tar:
        for path in sorted(PROBE_DIR.iterdir()):
            tar.add(path, arcname=path.name)
    digest = hashlib.sha256(context.getvalue() + BASE_IMAGE.encode()).hexdigest()[:12]
    reference = f"{cluster.registry}/todoctl-test/probe:{digest}"
    context.seek(0)
    client.images.build(
        fileobj=context, custom_context=True, tag=reference, buildargs={"BASE_IMAGE": BASE_IMAGE}, rm=True
    )
    repository, tag = reference.rsplit(":", 1)
    for event in client.api.push(repository, tag=tag, stream=True, decode=True):
        if "error" in event:
            raise AssertionError(f"push of {reference} failed: {event['error']}")
    client.close()
    return reference
