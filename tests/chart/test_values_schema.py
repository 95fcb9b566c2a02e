"""values.schema.json: the examples pass, typos and wrong types fail, and it covers values.yaml."""

import json
import re
from typing import Any

import helm_python
import pytest
import yaml

from tests.chart.rendering import CHART_DIR, chart, render, set_flags, values_file

SCHEMA = json.loads((CHART_DIR / "values.schema.json").read_text())
DEFAULTS = yaml.safe_load((CHART_DIR / "values.yaml").read_text())


@pytest.mark.parametrize("name", ["values.yaml", "values-dev.yaml", "values-prod.yaml"])
def test_example_values_pass_the_schema(name: str) -> None:
    chart().validate_schema(chart().merge_values(values_file(name)))


TYPOS = {
    "top level": ({"aitodo": {"replicaCount": 1}}, "aitodo"),
    "component": ({"aiTodo": {"replicas": 3}}, "replicas"),
    "image": ({"mcpServer": {"image": {"tg": "v2"}}}, "tg"),
    "service": ({"aiTodo": {"service": {"nodeport": 30081}}}, "nodeport"),
    "probe": ({"aiTodo": {"probes": {"readiness": {"period": 2}}}}, "period"),
    "resources": ({"mcpServer": {"resources": {"request": {"cpu": "1"}}}}, "request"),
    "config": ({"config": {"loglevel": "DEBUG"}}, "loglevel"),
    "secrets": ({"secrets": {"databaseURL": "postgresql+psycopg://x"}}, "databaseURL"),
    "shutdown": ({"shutdown": {"delay": 3}}, "delay"),
    "devPostgres": ({"devPostgres": {"enable": True}}, "enable"),
    "--set": (set_flags("aiTodo.image.tags=v2"), "tags"),
}


@pytest.mark.parametrize(("values", "key"), TYPOS.values(), ids=TYPOS.keys())
def test_unknown_keys_are_rejected(values: dict[str, Any], key: str) -> None:
    with pytest.raises(helm_python.HelmValuesError, match=f"'{key}' not allowed"):
        chart().validate_schema(chart().merge_values(values))


WRONG = {
    "replicas as text": {"aiTodo": {"replicaCount": "2"}},
    "negative replicas": {"mcpServer": {"replicaCount": -1}},
    "port as text": {"aiTodo": {"service": {"port": "8000"}}},
    "port out of range": {"mcpServer": {"service": {"port": 70000}}},
    "unknown service type": {"aiTodo": {"service": {"type": "Nodeport"}}},
    "node port outside the range": {"aiTodo": {"service": {"nodePort": 8080}}},
    "unknown pull policy": {"aiTodo": {"image": {"pullPolicy": "always"}}},
    "empty repository": {"mcpServer": {"image": {"repository": ""}}},
    "unknown log level": {"config": {"logLevel": "debug"}},
    "switch as text": {"devPostgres": {"enabled": "true"}},
    "liveness success threshold": {"aiTodo": {"probes": {"liveness": {"successThreshold": 2}}}},
    "zero period": {"aiTodo": {"probes": {"readiness": {"periodSeconds": 0}}}},
    "cpu not a quantity": {"aiTodo": {"resources": {"limits": {"cpu": "lots"}}}},
    "delay over the services' limit": {"shutdown": {"delaySeconds": 61}},
    "drain of zero": {"shutdown": {"drainSeconds": 0}},
    "chat timeout of zero": {"config": {"chatTimeoutSeconds": 0}},
    "pull secret as text": {"imagePullSecrets": ["registry"]},
    "secret name with capitals": {"existingSecret": "Todo_Secret"},
    "jwks not a url": {"config": {"authJwksUrl": "auth.example.com/jwks"}},
    "annotation not text": {"aiTodo": {"podAnnotations": {"scrape": True}}},
    "jwt secret too short for HS256": {"secrets": {"authJwtSecret": "short"}},
}


@pytest.mark.parametrize("values", WRONG.values(), ids=WRONG.keys())
def test_wrong_types_and_ranges_are_rejected(values: dict[str, Any]) -> None:
    with pytest.raises(helm_python.HelmValuesError):
        chart().validate_schema(chart().merge_values(values))


def test_a_rejected_secret_is_not_echoed() -> None:
    with pytest.raises(helm_python.HelmValuesError, match="authJwtSecret") as failure:
        chart().validate_schema(chart().merge_values({"secrets": {"authJwtSecret": "hunter2"}}))

    assert "hunter2" not in str(failure.value)


def test_install_stops_at_the_schema_naming_the_key() -> None:
    with pytest.raises(helm_python.HelmValuesError, match=r"/aiTodo/replicaCount.*want integer"):
        render({"aiTodo": {"replicaCount": "two"}})


def _leaves(values: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    leaves = []
    for key, value in values.items():
        if isinstance(value, dict) and value:
            leaves += _leaves(value, (*path, key))
        else:
            leaves.append((*path, key))
    return leaves


def _schema_at(path: tuple[str, ...]) -> dict[str, Any]:
    node = SCHEMA
    for key in path:
        node = node["properties"][key]
        while "$ref" in node:
            node = SCHEMA["definitions"][node["$ref"].removeprefix("#/definitions/")]
    return node


@pytest.mark.parametrize("path", _leaves(DEFAULTS), ids=".".join)
def test_every_default_is_typed_in_the_schema(path: tuple[str, ...]) -> None:
    node = _schema_at(path)

    assert "type" in node or "enum" in node


def _schema_paths(node: dict[str, Any], path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    while "$ref" in node:
        node = SCHEMA["definitions"][node["$ref"].removeprefix("#/definitions/")]
    paths = [path] if path else []
    for key, child in node.get("properties", {}).items():
        paths += _schema_paths(child, (*path, key))
    return paths


def _in_defaults(path: tuple[str, ...]) -> bool:
    node: Any = DEFAULTS
    for key in path:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


# What values.yaml leaves out on purpose: Helm's `global`, fields inside Kubernetes' own types (the
# security contexts) and optional probe and resource fields that would only repeat Kubernetes' defaults.
OPTIONAL_KEYS = {"global", "initialDelaySeconds", "successThreshold", "ephemeral-storage"}
KUBERNETES_TYPES = {"podSecurityContext", "securityContext"}


def test_every_key_of_the_schema_has_a_default_in_values_yaml() -> None:
    missing = [
        ".".join(path)
        for path in _schema_paths(SCHEMA)
        if not OPTIONAL_KEYS & set(path)
        and not (len(path) > 1 and path[0] in KUBERNETES_TYPES)
        and not _in_defaults(path)
    ]

    assert missing == []


KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[\w.-]+):")
# Blocks whose keys are Kubernetes' own field names (cpu, periodSeconds, runAsUser, ...): the block is
# documented, its fields are Kubernetes'.
KUBERNETES_BLOCKS = {"resources", "probes", "podSecurityContext", "securityContext"}


def undocumented_keys(text: str) -> list[str]:
    """Keys of values.yaml with no comment line right above them."""
    parents: list[tuple[int, str]] = []
    previous = ""
    missing = []
    for line in text.splitlines():
        if not line.strip():
            continue
        match = KEY_LINE.match(line)
        if match:
            indent = len(match["indent"])
            while parents and parents[-1][0] >= indent:
                parents.pop()
            path = [key for _, key in parents] + [match["key"]]
            if not previous.startswith("#") and not KUBERNETES_BLOCKS & set(path[:-1]):
                missing.append(".".join(path))
            parents.append((indent, match["key"]))
        previous = line.strip()
    return missing


def test_every_key_in_values_yaml_is_documented() -> None:
    assert undocumented_keys((CHART_DIR / "values.yaml").read_text()) == []


def test_an_undocumented_key_is_found() -> None:
    text = "# the group\ngroup:\n  # documented\n  first: 1\n  second: 2\n"

    assert undocumented_keys(text) == ["group.second"]
