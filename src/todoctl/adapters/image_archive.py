"""An image out of the local Docker engine as a `docker save` archive, and its config digest.

The config digest is the image ID every container runtime reports: minikube's own Docker,
containerd through crictl and CRI-O alike. The local engine's `docker image inspect` Id is that
digest only in the classic image store; in the containerd image store (the default of Docker Engine
29 and Docker Desktop 4.34) it is the digest of the image's manifest or index. So the digest is
read from the archive itself: its manifest.json names the config file, in the legacy layout
(`<hex>.json`) and in the OCI layout Docker 25+ writes (`blobs/sha256/<hex>`) alike.
"""

import hashlib
import json
import tarfile
from pathlib import Path
from typing import Any

from docker.errors import DockerException

from todoctl.errors import TodoctlError


def save(api: Any, image: str, path: Path) -> str:
    """Writes `docker save IMAGE` to `path`; returns the image's config digest (`sha256:…`)."""
    try:
        with path.open("wb") as archive:
            for chunk in api.get_image(image):
                archive.write(chunk)
    except DockerException as error:
        raise TodoctlError(
            f"Docker could not export {image}: {error}",
            hint="build the images again with `todoctl build`",
        ) from None
    return config_digest(path, image)


def config_digest(path: Path, image: str) -> str:
    try:
        with tarfile.open(path) as archive:
            entries = json.load(_member(archive, "manifest.json"))
            entry = next((item for item in entries if image in (item.get("RepoTags") or [])), entries[0])
            config = _member(archive, entry["Config"]).read()
    except (tarfile.TarError, json.JSONDecodeError, KeyError, IndexError, TypeError) as error:
        raise TodoctlError(
            f"the `docker save` archive of {image} is not one Docker writes: {error}"
        ) from None
    return "sha256:" + hashlib.sha256(config).hexdigest()


def _member(archive: tarfile.TarFile, name: str) -> Any:
    extracted = archive.extractfile(name)
    if extracted is None:
        raise KeyError(f"{name} is not a file")
    return extracted
