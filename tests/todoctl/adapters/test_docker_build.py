"""`todoctl build` on the real Docker engine. In CI (env CI set) a missing engine is a failure;
elsewhere these tests skip with the reason, like the image tests."""

import os
import re
from pathlib import Path

import pytest
from docker.errors import DockerException, ImageNotFound

from todoctl.adapters.docker import connect_docker
from todoctl.build import build_images
from todoctl.errors import BuildFailed, DockerUnavailable

pytestmark = pytest.mark.docker

BASE_IMAGE = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")
CA_CERT = os.environ.get("TODOCTL_CA_CERT")


@pytest.fixture(scope="module")
def api():
    try:
        client = connect_docker()
        client.inspect_image(BASE_IMAGE)
    except (DockerUnavailable, DockerException) as error:
        reason = f"needs a Docker engine with the base image {BASE_IMAGE}: {error}"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return client


@pytest.fixture
def untag_new_images(api):
    """Removes the tags the test added, and only those: a user's own todoctl images stay."""

    def tags() -> set[str]:
        return {
            tag for image in api.images() for tag in image.get("RepoTags") or [] if tag.startswith("todoctl/")
        }

    before = tags()
    yield
    for tag in tags() - before:
        api.remove_image(tag)


@pytest.mark.usefixtures("untag_new_images")
def test_build_makes_both_images_under_content_tags_and_records_them(api):
    events = []

    built = build_images(
        api,
        "all",
        tag=None,
        base_image=BASE_IMAGE,
        ca_cert=Path(CA_CERT) if CA_CERT else None,
        on_progress=events.append,
    )

    assert [b.service for b in built] == ["ai-todo", "mcp-server"]
    for image in built:
        assert re.fullmatch(r"todoctl/(ai-todo|mcp-server):[0-9a-f]{12}", image.image)
        inspected = api.inspect_image(image.image)
        assert inspected["Id"] == image.image_id
        assert inspected["Config"]["User"] == "10001:10001"
        assert image.size_bytes == inspected["Size"] > 0
    assert any(event.step for event in events)

    again = build_images(
        api, "mcp", tag=None, base_image=BASE_IMAGE, ca_cert=Path(CA_CERT) if CA_CERT else None
    )
    assert again[0].image == built[1].image
    assert again[0].image_id == built[1].image_id


def test_a_base_image_that_cannot_be_pulled_fails_with_dockers_reason(api):
    # a registry on this machine's own address that is not there: Docker's pull fails fast, offline
    base = "localhost/todoctl-no-such-base:0"

    with pytest.raises(BuildFailed) as raised:
        build_images(api, "mcp", tag=None, base_image=base, ca_cert=None)

    assert raised.value.message.startswith("building mcp-server failed: ")
    assert "--base-image" in raised.value.hint
    with pytest.raises(ImageNotFound):
        api.inspect_image(base)
