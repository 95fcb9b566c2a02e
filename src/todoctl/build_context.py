"""The Docker build context of the service images, assembled from the installed packages.

The same code serves a source checkout and an installed wheel: the service packages are copied from
wherever Python imports them, and each image's requirements come from this distribution's own
metadata (the `ai-todo` and `mcp-server` extras), so there is one list of dependencies to maintain.
"""

import importlib.util
import shutil
from importlib.metadata import requires
from pathlib import Path

from packaging.requirements import Requirement

from todoctl.components import IMAGES, SERVICES
from todoctl.errors import TodoctlError
from todoctl.resources import dockerfiles_dir

DISTRIBUTION = "todoctl"


def service_requirements(service: str) -> list[str]:
    """The requirement strings of one image (its extra's entries), without their markers: the images are
    Linux, so an entry's platform condition holds there, and an `extra == ...` condition never would."""
    if service not in {item.label for item in SERVICES}:
        raise ValueError(f"unknown service {service!r}")
    found = []
    for line in requires(DISTRIBUTION) or []:
        requirement = Requirement(line)
        marker = requirement.marker
        # in the extra: true with it, false without it (a platform-only marker is true either way)
        if marker is not None and marker.evaluate({"extra": service}) and not marker.evaluate({"extra": ""}):
            requirement.marker = None
            found.append(str(requirement))
    if not found:
        raise LookupError(f"the {DISTRIBUTION} metadata lists no requirements for {service}")
    return found


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or spec.origin is None:
        raise LookupError(f"package {name} is not importable")
    return Path(spec.origin).parent


def assemble_context(destination: Path, ca_cert: Path | None = None) -> Path:
    """Writes src/<package>/, requirements/<service>.txt, certs/, the Dockerfiles and .dockerignore under
    `destination`. `ca_cert` (PEM) is trusted by pip in the images' build stage only."""
    destination.mkdir(parents=True, exist_ok=True)
    packages = sorted({name for item in IMAGES.values() for name in item.packages})
    for name in packages:
        shutil.copytree(package_dir(name), destination / "src" / name, dirs_exist_ok=True)
    requirements = destination / "requirements"
    requirements.mkdir(exist_ok=True)
    for item in SERVICES:
        (requirements / f"{item.label}.txt").write_text("\n".join(service_requirements(item.label)) + "\n")
    certs = destination / "certs"
    certs.mkdir(exist_ok=True)
    if ca_cert is not None:
        shutil.copyfile(_checked_pem(ca_cert), certs / "extra-ca.crt")
    source = dockerfiles_dir()
    shutil.copytree(
        source,
        destination / "dockerfiles",
        ignore=shutil.ignore_patterns(".dockerignore"),
        dirs_exist_ok=True,
    )
    # the copied sources may hold bytecode caches; .dockerignore keeps them out of what is sent to Docker
    shutil.copyfile(source / ".dockerignore", destination / ".dockerignore")
    return destination


def _checked_pem(path: Path) -> Path:
    try:
        text = path.read_text(errors="replace")
    except OSError as error:
        raise TodoctlError(f"cannot read the CA certificate {path}: {error.strerror}") from error
    if "-----BEGIN CERTIFICATE-----" not in text:
        raise TodoctlError(
            f"{path} is not a PEM certificate",
            hint="pass the proxy's CA in PEM form (a file starting with -----BEGIN CERTIFICATE-----)",
        )
    return path
