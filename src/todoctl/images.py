"""Building the service images with the Docker SDK.

Each image is tagged with a hash of exactly what goes into it (its Dockerfile, its packages, its
requirements, the base image and the extra CA), so a changed image always gets a new tag and its
pods really roll, while an unchanged one keeps its tag and Kubernetes leaves its pods alone.
"""

import hashlib
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

from docker.utils.build import exclude_paths

from todoctl.build_context import SERVICE_PACKAGES
from todoctl.components import IMAGES
from todoctl.errors import BuildFailed, ConfigError

# Both images together; the Dockerfiles strip and trim to stay under it.
SIZE_BUDGET_MB = 400
_STEP = re.compile(r"^Step (\d+)(?:/(\d+))? : (.*)")
_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


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


def services(selection: str) -> list[str]:
    """`ai-todo`, `mcp` (or `mcp-server`), `all` (both services) or `dev-postgres`."""
    chosen = {
        "all": list(SERVICE_PACKAGES),
        "ai-todo": ["ai-todo"],
        "mcp": ["mcp-server"],
        "mcp-server": ["mcp-server"],
        "dev-postgres": ["dev-postgres"],
    }
    if selection not in chosen:
        raise ConfigError(
            f"unknown image {selection!r}", hint="build one of: ai-todo, mcp, all, dev-postgres"
        )
    return chosen[selection]


def image_name(service: str) -> str:
    """The last part of the image's name (ai-todo), which is also its name in a registry."""
    return IMAGES[service].rsplit("/", 1)[1]


def plan(context: Path, service: str, *, base_image: str | None = None, tag: str | None = None) -> BuildPlan:
    dockerfile = f"dockerfiles/{service}.Dockerfile"
    if not (context / dockerfile).is_file():
        raise BuildFailed(
            f"the build context has no {dockerfile}", hint="reinstall todoctl; its Dockerfiles are missing"
        )
    # VERSION becomes the image's org.opencontainers.image.version label
    buildargs = {"VERSION": version("todoctl")}
    if base_image:
        buildargs["BASE_IMAGE"] = base_image
    if tag is not None and not _TAG.match(tag):
        raise ConfigError(
            f"{tag!r} is not a valid image tag", hint="use letters, digits, '_', '.' and '-' (max 128)"
        )
    return BuildPlan(
        service, f"{IMAGES[service]}:{tag or content_tag(context, service, buildargs)}", dockerfile, buildargs
    )


def content_tag(context: Path, service: str, buildargs: Mapping[str, str]) -> str:
    digest = hashlib.sha256()
    for key in sorted(buildargs):
        digest.update(f"arg {key}={buildargs[key]}\n".encode())
    for relative in image_files(context, service):
        digest.update(f"file {relative}\n".encode())
        digest.update((context / relative).read_bytes())
    return digest.hexdigest()[:12]


def image_files(context: Path, service: str) -> list[str]:
    """The files Docker would receive (after .dockerignore), minus the other images' own files."""
    ignore = context / ".dockerignore"
    patterns = (
        [
            line.strip()
            for line in ignore.read_text().splitlines()
            if line.strip() and not line.startswith("#")
        ]
        if ignore.is_file()
        else []
    )
    others = [name for name in IMAGES if name != service]
    foreign_packages = {pkg for name in others for pkg in SERVICE_PACKAGES.get(name, ())} - set(
        SERVICE_PACKAGES.get(service, ())
    )
    foreign = tuple(
        [f"src/{pkg}/" for pkg in foreign_packages]
        + [f"requirements/{name}.txt" for name in others]
        # an image's own files beside its Dockerfile share its name: dev-postgres.entrypoint.sh
        + [f"dockerfiles/{name}." for name in others]
    )
    kept = exclude_paths(str(context), patterns, dockerfile=f"dockerfiles/{service}.Dockerfile")
    return sorted(
        path
        for path in kept
        if (context / path).is_file() and not path.replace("\\", "/").startswith(foreign)
    )


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


def over_budget(
    images: Iterable[BuiltImage | Mapping[str, Any]], budget_mb: float = SIZE_BUDGET_MB
) -> float | None:
    """The total in MB when the latest image of each service exceeds the budget together, else None."""
    total = (
        sum((item.size_bytes if isinstance(item, BuiltImage) else int(item["size_bytes"])) for item in images)
        / 1_000_000
    )
    return total if total > budget_mb else None
