"""The Helm values of a deploy: images, secrets, values files and --set, merged as Helm merges them.

Secrets come from the environment or a .env file and go to Helm on stdin; only their names are
ever shown.
"""

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from dotenv import dotenv_values

from todoctl.adapters.helm_engine import engine
from todoctl.components import IMAGES
from todoctl.errors import ConfigError

# environment variable -> key under the chart's `secrets`
SECRET_VARIABLES = {
    "DATABASE_URL": "databaseUrl",
    "OPENAI_API_KEY": "openaiApiKey",
    "AUTH_JWT_SECRET": "authJwtSecret",
    "MCP_AUTH_TOKEN": "mcpAuthToken",
}
MAX_VALUES_FILE_BYTES = 1_000_000


@dataclass
class Values:
    values: dict[str, Any]
    secret_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Helm's coalescing: maps merge key by key, anything else is replaced, and null deletes."""
    merged = copy.deepcopy(dict(base))
    for key, value in override.items():
        if value is None:
            merged.pop(key, None)
        elif isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_values_file(path: Path) -> dict[str, Any]:
    try:
        if path.stat().st_size > MAX_VALUES_FILE_BYTES:
            raise ConfigError(f"values file {path} is larger than {MAX_VALUES_FILE_BYTES // 1_000_000} MB")
        document = yaml.safe_load(path.read_text())
    except OSError as error:
        raise ConfigError(f"cannot read values file {path}: {error.strerror}") from None
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"values file {path} is not valid YAML: {error}") from None
    if document is None:
        return {}
    if not isinstance(document, dict):
        raise ConfigError(f"values file {path} must hold a mapping, not a {type(document).__name__}")
    return document


def parse_sets(expressions: Sequence[str]) -> dict[str, Any]:
    """`--set a.b=1,c=x` parsed by Helm's own strvals parser (embedded), so the syntax is Helm's."""
    helm = engine()
    values: dict[str, Any] = {}
    for expression in expressions:
        try:
            values = merge(values, helm.parse_set_string(expression))
        except helm.HelmError as error:
            raise ConfigError(
                f"bad --set {expression!r}: {error}", hint="use --set key.path=value[,key=value]"
            ) from None
    return values


def secrets_from(environment: Mapping[str, str], env_file: Path | None) -> dict[str, str]:
    """The chart's secrets found in a .env file and the environment (the environment wins)."""
    found: dict[str, str] = {}
    if env_file is not None:
        if not env_file.is_file():
            raise ConfigError(f"env file {env_file} does not exist")
        found.update({k: v for k, v in dotenv_values(env_file).items() if k in SECRET_VARIABLES and v})
    found.update({k: v for k, v in environment.items() if k in SECRET_VARIABLES and v})
    return found


def image_values(images: Mapping[str, str]) -> dict[str, Any]:
    """component -> "repository:tag" as the chart's image values."""
    values: dict[str, Any] = {}
    for name, image in images.items():
        repository, _, tag = image.rpartition(":")
        values[IMAGES[name].values_key] = {"image": {"repository": repository, "tag": tag}}
    return values


def compose(
    *,
    images: Mapping[str, str],
    secrets: Mapping[str, str],
    files: Sequence[Path] = (),
    sets: Sequence[str] = (),
    dev_postgres: bool | None = None,
) -> Values:
    """Lowest to highest: built images, secrets, values files, --set. `dev_postgres=None` turns the
    chart's throwaway PostgreSQL on only when nothing else gives the services a database."""
    values = image_values(images)
    if secrets:
        values = merge(
            values, {"secrets": {SECRET_VARIABLES[name]: value for name, value in secrets.items()}}
        )
    for path in files:
        values = merge(values, load_values_file(path))
    values = merge(values, parse_sets(sets))
    composed = Values(values, secret_names=sorted(secrets))
    database_url = str((values.get("secrets") or {}).get("databaseUrl") or "")
    if database_url.startswith("sqlite"):
        raise ConfigError(
            "DATABASE_URL is a SQLite file, which pods cannot share",
            hint="give a PostgreSQL URL (postgresql+psycopg://...), or none for the development PostgreSQL",
        )
    has_database = bool(database_url or values.get("existingSecret"))
    wants_dev = (values.get("devPostgres") or {}).get("enabled")
    if dev_postgres is None and wants_dev is None and not has_database:
        values = merge(values, {"devPostgres": {"enabled": True}})
        composed.values = values
        composed.notes.append(
            "no DATABASE_URL given: using the chart's development PostgreSQL (its data lives in its pod; "
            "set DATABASE_URL or --set secrets.databaseUrl=... for a real one)"
        )
    elif dev_postgres is not None:
        composed.values = merge(values, {"devPostgres": {"enabled": dev_postgres}})
    return composed
