"""The Docker engine: connecting to it, and running one image build through its API.

Docker answers 200 even for a failed build: the failure is the stream's last chunk, so the stream is
read to the end and an error chunk raises with the lines before it."""

import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import docker
from docker.errors import DockerException

from todoctl.errors import BuildFailed, DockerUnavailable

_STEP = re.compile(r"^Step (\d+)(?:/(\d+))? : (.*)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def connect_docker() -> Any:
    try:
        api = docker.from_env().api
        api.ping()
    except DockerException as error:
        raise DockerUnavailable(
            f"cannot reach the Docker daemon: {error}",
            hint="start Docker (e.g. `sudo systemctl start docker`), or check DOCKER_HOST",
        ) from None
    return api


@dataclass(frozen=True)
class BuildPlan:
    service: str
    image: str  # repository:tag
    dockerfile: str  # relative to the context
    buildargs: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildProgress:
    service: str
    step: int | None
    total: int | None
    text: str


@dataclass(frozen=True)
class BuiltImage:
    service: str
    image: str
    image_id: str
    size_bytes: int
    seconds: float

    @property
    def size_mb(self) -> float:
        return self.size_bytes / 1_000_000


def build(
    api: Any, context: Path, build_plan: BuildPlan, on_progress: Callable[[BuildProgress], None] | None = None
) -> BuiltImage:
    """Runs one build through the Docker API (`docker.APIClient`) and inspects the result."""
    started = time.monotonic()
    tail: list[str] = []
    stream = api.build(
        path=str(context),
        dockerfile=build_plan.dockerfile,
        tag=build_plan.image,
        buildargs=build_plan.buildargs,
        rm=True,
        forcerm=True,
        decode=True,
    )
    for event in read_stream(stream, build_plan.service):
        tail = [*tail[-19:], event.text]
        if on_progress is not None:
            on_progress(event)
    inspected = api.inspect_image(build_plan.image)
    return BuiltImage(
        service=build_plan.service,
        image=build_plan.image,
        image_id=inspected["Id"],
        size_bytes=int(inspected.get("Size") or 0),
        seconds=time.monotonic() - started,
    )


def read_stream(chunks: Iterable[Mapping[str, Any]], service: str) -> Iterable[BuildProgress]:
    """The decoded build stream as progress lines; an `error` chunk raises with the lines before it.

    Docker answers 200 even for a failed build: the failure is the stream's last chunk."""
    step: int | None = None
    total: int | None = None
    recent: list[str] = []
    for chunk in chunks:
        if "error" in chunk or "errorDetail" in chunk:
            message = (chunk.get("errorDetail") or {}).get("message") or chunk.get("error") or "unknown error"
            raise BuildFailed(
                f"building {service} failed: {_clean(message)}",
                hint="the lines above are the build's last output; fix the cause, then `todoctl build` "
                "(a base image that cannot be pulled: pass a local one with --base-image)",
                details=recent[-10:],
            )
        text = _clean(chunk.get("stream") or _status_text(chunk))
        if not text:
            continue
        match = _STEP.match(text)
        if match:
            step, total = int(match.group(1)), int(match.group(2)) if match.group(2) else None
        recent.append(text)
        yield BuildProgress(service, step, total, text)


def _status_text(chunk: Mapping[str, Any]) -> str:
    if "status" not in chunk:
        return ""
    return " ".join(part for part in (chunk.get("id"), chunk["status"], chunk.get("progress")) if part)


def _clean(text: str) -> str:
    return _ANSI.sub("", text).strip()
