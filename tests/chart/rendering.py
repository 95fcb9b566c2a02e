"""The chart rendered by the real Helm engine (helm-python-sdk embeds Helm's Go SDK), offline.

Every rendered template is parsed here with PyYAML, because a render can return text that is not
YAML without raising. Helpers resolve what a container would see: its environment from the rendered
ConfigMaps and Secrets, as the kubelet builds it."""

import base64
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python
import yaml

CHART_DIR = Path(__file__).resolve().parents[2] / "charts" / "todo"
NOTES_PATH = "todo/templates/NOTES.txt"
SERVICE_COMPONENTS = ("ai-todo", "mcp-server")


@functools.cache
def chart() -> helm_python.Chart:
    return helm_python.Chart.load(CHART_DIR)


def values_file(name: str) -> dict[str, Any]:
    return yaml.safe_load((CHART_DIR / name).read_text())


@dataclass(frozen=True)
class Rendered:
    manifests: list[dict[str, Any]]
    texts: dict[str, str]
    notes: str

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [manifest for manifest in self.manifests if manifest["kind"] == kind]

    def names(self) -> set[tuple[str, str]]:
        return {(manifest["kind"], manifest["metadata"]["name"]) for manifest in self.manifests}

    def get(self, kind: str, name: str) -> dict[str, Any]:
        found = [manifest for manifest in self.of_kind(kind) if manifest["metadata"]["name"] == name]
        assert len(found) == 1, f"expected one {kind} {name!r}, rendered: {sorted(self.names())}"
        return found[0]

    def component(self, kind: str, component: str) -> dict[str, Any]:
        found = [
            manifest
            for manifest in self.of_kind(kind)
            if manifest["metadata"]["labels"].get("app.kubernetes.io/component") == component
        ]
        assert len(found) == 1, f"expected one {kind} of component {component}, got {len(found)}"
        return found[0]

    def has_secret(self, name: str) -> bool:
        return ("Secret", name) in self.names()

    def secret_data(self, name: str) -> dict[str, str]:
        data = self.get("Secret", name).get("data") or {}
        return {key: base64.b64decode(value).decode() for key, value in data.items()}

    def environment(self, pod_spec: dict[str, Any], container_name: str) -> dict[str, str]:
        """The variables the kubelet would give the container, from rendered objects only."""
        (container,) = [c for c in pod_spec["containers"] if c["name"] == container_name]
        env: dict[str, str] = {}
        for source in container.get("envFrom", []):
            if "configMapRef" in source:
                env.update(self.get("ConfigMap", source["configMapRef"]["name"])["data"])
            else:
                env.update(self.secret_data(source["secretRef"]["name"]))
        for variable in container.get("env", []):
            if "value" in variable:
                env[variable["name"]] = variable["value"]
                continue
            reference = variable["valueFrom"]
            if "configMapKeyRef" in reference:
                ref = reference["configMapKeyRef"]
                data = self.get("ConfigMap", ref["name"])["data"]
            else:
                ref = reference["secretKeyRef"]
                data = self.secret_data(ref["name"])
            if ref["key"] in data:
                env[variable["name"]] = data[ref["key"]]
            else:
                assert ref.get("optional"), f"{variable['name']}: key {ref['key']} missing from {ref['name']}"
        return env


def parse(rendered: dict[str, str]) -> Rendered:
    manifests = []
    for path, text in rendered.items():
        if path == NOTES_PATH:
            continue
        try:
            documents = list(yaml.safe_load_all(text))
        except yaml.YAMLError as error:
            raise AssertionError(f"{path} rendered invalid YAML: {error}\n{text}") from error
        for document in documents:
            if document is None:
                continue
            assert isinstance(document, dict), f"{path} rendered a {type(document).__name__}, not an object"
            assert {"apiVersion", "kind", "metadata"} <= document.keys(), f"{path} is not a Kubernetes object"
            manifests.append(document)
    return Rendered(manifests=manifests, texts=rendered, notes=rendered.get(NOTES_PATH, ""))


def render(
    values: dict[str, Any] | None = None, *, release: str = "todo", namespace: str = "todo-test"
) -> Rendered:
    return parse(chart().render(values or {}, name=release, namespace=namespace, is_install=True))


def set_flags(*expressions: str) -> dict[str, Any]:
    """Values as `helm --set a=b --set c=d` gives them, parsed by Helm's own parser."""
    values: dict[str, Any] = {}
    for expression in expressions:
        _merge(values, helm_python.parse_set_string(expression))
    return values


def _merge(into: dict[str, Any], more: dict[str, Any]) -> None:
    for key, value in more.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def pod_spec(workload: dict[str, Any]) -> dict[str, Any]:
    return workload["spec"] if workload["kind"] == "Pod" else workload["spec"]["template"]["spec"]


def pods(rendered: Rendered) -> list[dict[str, Any]]:
    """Every workload that makes pods: the Deployments and the helm test pod."""
    return rendered.of_kind("Deployment") + rendered.of_kind("Pod")
