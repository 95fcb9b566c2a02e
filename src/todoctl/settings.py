"""Global settings: flags win over TODOCTL_* variables (Typer reads those), which win over the
optional project file `todoctl.toml`, which wins over the defaults."""

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from todoctl.adapters.providers import KINDS
from todoctl.adapters.registry import parse_registry
from todoctl.components import DEFAULT_RELEASE
from todoctl.errors import ConfigError

PROJECT_FILE = "todoctl.toml"
_KEYS = {
    "context": str,
    "namespace": str,
    "release": str,
    "provider": str,
    "timeout": int,
    "registry": str,
    "helm": str,
}
_KIND_NAMES = {str: "a string", int: "a whole number of seconds"}
# Helm's rule for release names; namespaces are DNS labels.
_RELEASE = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class Settings:
    context: str | None = None
    namespace: str = "default"
    release: str = DEFAULT_RELEASE
    provider: str | None = None
    timeout: int = 300
    # HOST[:PORT][/PATH] that this machine pushes to and the cluster pulls from; None: load directly
    registry: str | None = None
    # the helm binary (a path or a name on PATH)
    helm: str = "helm"
    json: bool = False
    verbose: bool = False
    project_file: Path | None = None


def find_project_file(start: Path) -> Path | None:
    for directory in (start, *start.parents):
        candidate = directory / PROJECT_FILE
        if candidate.is_file():
            return candidate
    return None


def load_project_file(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text())
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path} is not valid TOML: {error}") from None
    unknown = sorted(set(document) - set(_KEYS))
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}",
            hint=f"known settings: {', '.join(sorted(_KEYS))}",
        )
    for key, value in document.items():
        if not isinstance(value, _KEYS[key]) or isinstance(value, bool):
            raise ConfigError(f"{path}: {key} must be {_KIND_NAMES[_KEYS[key]]}, not {value!r}")
    return document


def resolve(flags: Mapping[str, Any], cwd: Path) -> Settings:
    """`flags` holds the options as Typer parsed them (None where neither flag nor variable was set)."""
    project_file = find_project_file(cwd)
    project = load_project_file(project_file) if project_file else {}
    chosen = {key: flags.get(key) if flags.get(key) is not None else project.get(key) for key in _KEYS}
    settings = Settings(
        **{key: value for key, value in chosen.items() if value is not None},
        json=bool(flags.get("json")),
        verbose=bool(flags.get("verbose")),
        project_file=project_file,
    )
    _validate(settings)
    return settings


def _validate(settings: Settings) -> None:
    if len(settings.release) > 53 or not _RELEASE.match(settings.release):
        raise ConfigError(
            f"{settings.release!r} is not a valid release name",
            hint="use at most 53 lowercase letters, digits and '-', starting and ending alphanumeric",
        )
    if len(settings.namespace) > 63 or not _RELEASE.match(settings.namespace):
        raise ConfigError(
            f"{settings.namespace!r} is not a valid namespace", hint="use a DNS label, e.g. todo"
        )
    if settings.provider is not None and settings.provider not in KINDS:
        raise ConfigError(f"unknown provider {settings.provider!r}", hint=f"use one of: {', '.join(KINDS)}")
    if settings.registry is not None:
        parse_registry(settings.registry)
    if not settings.helm.strip():
        raise ConfigError("the helm binary is empty", hint="give a path or a name on PATH, e.g. helm4")
    if not 1 <= settings.timeout <= 3600:
        raise ConfigError(f"timeout {settings.timeout}s is out of range", hint="use 1 to 3600 seconds")
