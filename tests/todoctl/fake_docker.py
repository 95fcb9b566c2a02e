"""The low-level Docker API client (`docker.APIClient`) with the daemon replaced by recorded answers:
build streams and image inspections from the fixtures."""

import copy
from collections.abc import Iterator
from typing import Any

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
