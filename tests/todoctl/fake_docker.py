"""The low-level Docker API client (`docker.APIClient`) with the daemon replaced by recorded answers:
build streams and image inspections from the fixtures, and `docker save` archives laid out as the
engine writes them."""

import copy
import hashlib
import io
import json
import tarfile
from collections.abc import Iterator
from typing import Any

from docker.errors import ImageNotFound

from tests.todoctl import fixture_files

SUCCESS_STREAM = "docker/build-stream-legacy-success.jsonl"
FAILURE_STREAM = "docker/build-stream-legacy-error.jsonl"
PUSH_STREAM = "docker/push-stream-local-registry.jsonl"


class FakeDockerApi:
    def __init__(self, stream: str = SUCCESS_STREAM, size_bytes: int = 150_000_000) -> None:
        self.stream = stream
        self.size_bytes = size_bytes
        self.builds: list[dict[str, Any]] = []
        self.images: dict[str, dict[str, Any]] = {}
        self.archives: dict[str, bytes] = {}
        self.config_digests: dict[str, str] = {}
        self.pushed: list[str] = []
        # what the registry answers a push with; None: the recorded success
        self.push_failure: dict[str, Any] | None = None

    def ping(self) -> bool:
        return True

    def version(self) -> dict[str, Any]:
        # the fields of GET /version that doctor shows (Debian's docker.io package)
        return {"Version": "26.1.5+dfsg1", "ApiVersion": "1.45", "Os": "linux", "Arch": "amd64"}

    def build(self, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.builds.append(kwargs)
        chunks = fixture_files.json_lines(self.stream)
        if self.stream == SUCCESS_STREAM:
            # the daemon names the image with an `aux` chunk just before "Successfully built"
            chunks[-1:-1] = fixture_files.json_lines("docker/build-stream-aux-line.jsonl")
            inspected = copy.deepcopy(fixture_files.document("docker/image-inspect-2024-trimmed.json")[0])
            # the fixture is cut before `Size`, which every full inspection carries
            inspected.update(RepoTags=[kwargs["tag"]], RepoDigests=[], Size=self.size_bytes)
            inspected["Id"] = chunks[-2]["aux"]["ID"]
            self.images[kwargs["tag"]] = inspected
            # what `docker save` of it gives; its config is made up, so its digest is not the aux ID
            self.archives[kwargs["tag"]], self.config_digests[kwargs["tag"]], _ = save_archive(
                kwargs["tag"], oci=False
            )
        yield from chunks

    def inspect_image(self, name: str) -> dict[str, Any]:
        return self.images[name]

    def info(self) -> dict[str, Any]:
        return fixture_files.document("docker/info-registry-config-default.json")

    def tag(self, image: str, repository: str, tag: str) -> bool:
        self.images[f"{repository}:{tag}"] = self.images.get(image, {})
        return True

    def push(self, repository: str, tag: str, **kwargs: Any) -> Iterator[dict[str, Any]]:
        """The recorded stream of a real push to a local registry, ending in the registry's digest."""
        chunks = fixture_files.json_lines(PUSH_STREAM)
        if self.push_failure is not None:
            chunks = [*chunks[:2], self.push_failure]
        else:
            self.pushed.append(f"{repository}:{tag}")
        yield from chunks

    def add_image(self, name: str, *, store: str = "classic") -> tuple[str, str]:
        """An image the engine holds; returns (the Id `docker image inspect` shows, its config digest).

        The classic store's Id is the config digest, and `docker save` writes the legacy layout (as
        Docker 20.10 here does); the containerd image store (Docker 29's default) shows the digest of
        the image's manifest (moby daemon/containerd/image_inspect.go) and saves an OCI layout."""
        archive, config_digest, manifest_digest = save_archive(name, oci=store == "containerd")
        fixture = (
            "docker/image-inspect-containerd-store.json"
            if store == "containerd"
            else ("docker/image-inspect-kicbase-trimmed.json")
        )
        inspected = copy.deepcopy(fixture_files.document(fixture)[0])
        inspected.update(
            Id=manifest_digest if store == "containerd" else config_digest, RepoTags=[name], RepoDigests=[]
        )
        self.images[name] = inspected
        self.archives[name] = archive
        self.config_digests[name] = config_digest
        return inspected["Id"], config_digest

    def get_image(self, image: str, chunk_size: int = 2 * 1024 * 1024) -> Iterator[bytes]:
        """`GET /images/{name}/get`: the archive in chunks; a missing image fails on the first read,
        as docker-py's streamed answer does."""
        if image not in self.archives:
            raise ImageNotFound(f'404 Client Error: Not Found ("reference does not exist: {image}")')
        data = self.archives[image]
        for start in range(0, len(data), chunk_size):
            yield data[start : start + chunk_size]


def save_archive(name: str, *, oci: bool) -> tuple[bytes, str, str]:
    """`docker save NAME`: (the tar, the config digest, the manifest digest). Both layouts carry
    manifest.json, whose `Config` names the config file (moby image/tarexport and containerd's
    archive exporter)."""
    layer = _tar({"hello": b"hello from " + name.encode() + b"\n"})
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = json.dumps(
        {
            "architecture": "amd64",
            "config": {"Cmd": ["/hello"], "Env": ["PATH=/usr/local/bin:/usr/bin:/bin"]},
            "created": "2026-11-28T09:30:00Z",
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        },
        separators=(",", ":"),
    ).encode()
    config_hex = hashlib.sha256(config).hexdigest()
    layer_hex = diff_id.removeprefix("sha256:")
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.oci.image.config.v1+json",
                "digest": f"sha256:{config_hex}",
                "size": len(config),
            },
            "layers": [
                {"mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": diff_id, "size": len(layer)}
            ],
        }
    ).encode()
    manifest_hex = hashlib.sha256(manifest).hexdigest()
    if oci:
        config_path, layer_path = f"blobs/sha256/{config_hex}", f"blobs/sha256/{layer_hex}"
        files = {
            config_path: config,
            layer_path: layer,
            f"blobs/sha256/{manifest_hex}": manifest,
            "oci-layout": b'{"imageLayoutVersion":"1.0.0"}',
            "index.json": json.dumps(
                {
                    "schemaVersion": 2,
                    "manifests": [
                        {
                            "mediaType": "application/vnd.oci.image.manifest.v1+json",
                            "digest": f"sha256:{manifest_hex}",
                            "size": len(manifest),
                            "annotations": {"io.containerd.image.name": f"docker.io/{name}"},
                        }
                    ],
                }
            ).encode(),
        }
    else:
        config_path, layer_path = f"{config_hex}.json", f"{layer_hex}/layer.tar"
        files = {config_path: config, layer_path: layer, f"{layer_hex}/VERSION": b"1.0"}
    files["manifest.json"] = json.dumps(
        [{"Config": config_path, "RepoTags": [name], "Layers": [layer_path]}], separators=(",", ":")
    ).encode()
    return _tar(files), f"sha256:{config_hex}", f"sha256:{manifest_hex}"


def _tar(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for path, data in files.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()
