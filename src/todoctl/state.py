"""What `build` leaves for `load` and `deploy`: the latest image of each service.

Kept per user under $XDG_STATE_HOME/todoctl (or $TODOCTL_STATE_DIR), so `todoctl build` in one
shell and `todoctl deploy` in another agree on the tags without the user copying them around.
"""

import json
import os
from pathlib import Path
from typing import Any

from todoctl.errors import TodoctlError
from todoctl.images import BuiltImage


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
    path = _images_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    # write-then-rename: an interrupted build never leaves half a file behind
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(document, indent=2) + "\n")
    temporary.replace(path)
