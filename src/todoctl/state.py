"""What `build` leaves for `load` and `deploy`: the latest image of each service.

Kept per user under $XDG_STATE_HOME/todoctl (or $TODOCTL_STATE_DIR), so `todoctl build` in one
shell and `todoctl deploy` in another agree on the tags without the user copying them around.
"""

import json
import os
from pathlib import Path
from typing import Any

from todoctl.adapters.docker import BuiltImage
from todoctl.adapters.registry import Registry
from todoctl.errors import TodoctlError


def state_dir() -> Path:
    explicit = os.environ.get("TODOCTL_STATE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "todoctl"


def _images_file() -> Path:
    return state_dir() / "images.json"


def built_images() -> dict[str, dict[str, Any]]:
    """service -> {"image", "image_id", "size_bytes"}; empty before the first build."""
    path = _images_file()
    if not path.is_file():
        return {}
    try:
        document = json.loads(path.read_text())
    except (json.JSONDecodeError, OSError) as error:
        raise TodoctlError(
            f"the record of built images ({path}) is unreadable: {error}",
            hint=f"delete {path} and run `todoctl build` again",
        ) from None
    if not isinstance(document, dict):
        raise TodoctlError(f"the record of built images ({path}) is not a JSON object", hint=f"delete {path}")
    return document


def record_built(images: list[BuiltImage]) -> None:
    document = built_images()
    for built in images:
        document[built.service] = {
            "image": built.image,
            "image_id": built.image_id,
            "size_bytes": built.size_bytes,
        }
    _write(document)


def record_pushed(service: str, image: str, digest: str) -> None:
    """The registry reference of the service's latest build, once the registry holds it."""
    document = built_images()
    document[service]["pushed"] = {"image": image, "digest": digest}
    _write(document)


def deployable_images(registry: Registry | None, services: list[str] | None = None) -> dict[str, str]:
    """service -> the reference the chart must use: the local image, or its copy in `registry`."""
    built = built_images()
    chosen = [service for service in built if services is None or service in services]
    if registry is None:
        return {service: built[service]["image"] for service in chosen}
    found = {}
    for service in chosen:
        tag = built[service]["image"].rpartition(":")[2]
        expected = f"{registry.repository(service)}:{tag}"
        if (built[service].get("pushed") or {}).get("image") != expected:
            raise TodoctlError(
                f"the latest {service} image is not in {registry} yet",
                hint=f"push it with `todoctl load --registry {registry}` (or run `todoctl up`)",
            )
        found[service] = expected
    return found


def _write(document: dict[str, Any]) -> None:
    path = _images_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # write-then-rename: an interrupted build never leaves half a file behind
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    temporary.replace(path)
