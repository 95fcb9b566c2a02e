"""`todoctl build`: assemble the context from the installed packages, then build each image."""

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from todoctl import images, state
from todoctl.build_context import assemble_context
from todoctl.images import BuildPlan, BuildProgress, BuiltImage


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
    return [
        images.plan(context, service, base_image=base_image, tag=tag)
        for service in images.services(selection)
    ]


def dry_run(
    selection: str, *, tag: str | None, base_image: str | None, ca_cert: Path | None, context_dir: Path
) -> DryRun:
    """Everything but the daemon: the context is assembled in `context_dir` and the tags computed."""
    services = images.services(selection)
    assemble_context(context_dir, ca_cert=ca_cert)
    plans = plans_for(context_dir, selection, tag=tag, base_image=base_image)
    files = sorted({path for service in services for path in images.image_files(context_dir, service)})
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
            images.build(docker_api, context, build_plan, on_progress)
            for build_plan in plans_for(context, selection, tag=tag, base_image=base_image)
        ]
    state.record_built(built)
    return built
