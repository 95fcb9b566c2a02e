"""The config digest of an image, read from its `docker save` archive: on the real engine here (its
classic store names images by that digest) and on archives laid out as the containerd store
writes them. In CI (env CI set) a missing engine is a failure; elsewhere that test skips."""

import io
import os
import tarfile
import uuid

import pytest
from docker.errors import DockerException

from tests.todoctl.fake_docker import FakeDockerApi
from todoctl.adapters.docker import connect_docker
from todoctl.adapters.image_archive import config_digest, save
from todoctl.errors import DockerUnavailable, TodoctlError


@pytest.fixture
def tiny_image():
    """A one-file image imported into the real engine under a unique tag, removed afterwards."""
    try:
        api = connect_docker()
    except (DockerUnavailable, DockerException) as error:
        if os.environ.get("CI"):
            pytest.fail(f"Docker is required in CI: {error}")
        pytest.skip(f"needs a Docker engine: {error}")
    layer = io.BytesIO()
    with tarfile.open(fileobj=layer, mode="w") as archive:
        info = tarfile.TarInfo("hello")
        info.size = 3
        archive.addfile(info, io.BytesIO(b"hi\n"))
    name = f"todoctl-test/archive:{uuid.uuid4().hex[:12]}"
    repository, tag = name.split(":")
    api.import_image_from_data(layer.getvalue(), repository=repository, tag=tag)
    yield api, name
    api.remove_image(name)


@pytest.mark.docker
def test_the_config_digest_of_a_real_docker_save(tiny_image, tmp_path):
    api, name = tiny_image

    digest = save(api, name, tmp_path / "image.tar")

    # the classic image store names an image by its config digest
    assert digest == api.inspect_image(name)["Id"]


def test_the_containerd_store_shows_another_id_than_the_config_digest(tmp_path):
    docker_api = FakeDockerApi()
    shown, config = docker_api.add_image("todoctl/ai-todo:1", store="containerd")

    assert save(docker_api, "todoctl/ai-todo:1", tmp_path / "image.tar") == config
    assert shown != config


def test_an_image_docker_does_not_have(tmp_path):
    with pytest.raises(TodoctlError, match="Docker could not export todoctl/ai-todo:gone"):
        save(FakeDockerApi(), "todoctl/ai-todo:gone", tmp_path / "image.tar")


@pytest.mark.parametrize("content", [b"", b"not a tar", None])
def test_an_archive_that_is_not_dockers_is_a_clear_error(tmp_path, content):
    path = tmp_path / "image.tar"
    if content is None:
        with tarfile.open(path, "w") as archive:
            info = tarfile.TarInfo("manifest.json")
            info.size = 2
            archive.addfile(info, io.BytesIO(b"[]"))
    else:
        path.write_bytes(content)

    with pytest.raises(TodoctlError, match="the `docker save` archive of x:1 is not one Docker writes"):
        config_digest(path, "x:1")
