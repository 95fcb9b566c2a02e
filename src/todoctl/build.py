"""`todoctl build`: assemble the context from the installed packages, then build each image.

Each image is tagged with a hash of exactly what goes into it (its Dockerfile, its packages, its
requirements, the base image and the extra CA), so a changed image always gets a new tag and its
pods really roll, while an unchanged one keeps its tag and Kubernetes leaves its pods alone.
"""

import hashlib
import re
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

from docker.utils.build import exclude_paths

from todoctl import state
from todoctl.adapters import docker
from todoctl.adapters.docker import BuildPlan, BuildProgress, BuiltImage
from todoctl.build_context import assemble_context
from todoctl.components import IMAGES, images
from todoctl.errors import BuildFailed, ConfigError

# Both images together; the Dockerfiles strip and trim to stay under it.
SIZE_BUDGET_MB = 400
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class DryRun:
    context: Path
    files: int
    bytes: int
    plans: list[BuildPlan]

    def as_dict(self) -> dict[str, Any]:
        return {
            "context": str(self.context),
            "files": self.files,
            "bytes": self.bytes,
            "images": [
                {"service": p.service, "image": p.image, "dockerfile": p.dockerfile, "buildargs": p.buildargs}
                for p in self.plans
            ],
        }


def plans_for(context: Path, selection: str, *, tag: str | None, base_image: str | None) -> list[BuildPlan]:
    return [plan(context, service, base_image=base_image, tag=tag) for service in images(selection)]


def dry_run(
    selection: str, *, tag: str | None, base_image: str | None, ca_cert: Path | None, context_dir: Path
) -> DryRun:
    """Everything but the daemon: the context is assembled in `context_dir` and the tags computed."""
    services = images(selection)
    assemble_context(context_dir, ca_cert=ca_cert)
    plans = plans_for(context_dir, selection, tag=tag, base_image=base_image)
    files = sorted({path for service in services for path in image_files(context_dir, service)})
    return DryRun(context_dir, len(files), sum((context_dir / path).stat().st_size for path in files), plans)


def build_images(
    docker_api: Any,
    selection: str,
    *,
    tag: str | None,
    base_image: str | None,
    ca_cert: Path | None,
    on_progress: Callable[[BuildProgress], None] | None = None,
) -> list[BuiltImage]:
    """Builds and records the images; `load` and `deploy` then use what was recorded."""
    with tempfile.TemporaryDirectory(prefix="todoctl-context-") as directory:
        context = assemble_context(Path(directory), ca_cert=ca_cert)
        built = [
            docker.build(docker_api, context, build_plan, on_progress)
            for build_plan in plans_for(context, selection, tag=tag, base_image=base_image)
        ]
    state.record_built(built)
    return built


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
        service,
        f"{IMAGES[service].image}:{tag or content_tag(context, service, buildargs)}",
        dockerfile,
        buildargs,
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
    foreign_packages = {pkg for name in others for pkg in IMAGES[name].packages} - set(
        IMAGES[service].packages
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


def over_budget(
    images: Iterable[BuiltImage | Mapping[str, Any]], budget_mb: float = SIZE_BUDGET_MB
) -> float | None:
    """The total in MB when the latest image of each service exceeds the budget together, else None."""
    total = (
        sum((item.size_bytes if isinstance(item, BuiltImage) else int(item["size_bytes"])) for item in images)
        / 1_000_000
    )
    return total if total > budget_mb else None
