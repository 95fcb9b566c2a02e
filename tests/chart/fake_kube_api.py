"""A Kubernetes API server on 127.0.0.1 that holds Secrets, for the chart's `lookup` calls.

Helm's `lookup` first asks discovery which resources `v1` serves, then GETs the object (or, with no
name, the list of a namespace's objects); a missing object is a 404 Status, which lookup turns into
an empty result. The answers have the shapes the real API server gives (APIResourceList, Secret,
SecretList, Status)."""

import base64
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import helm_python

from tests.chart.rendering import chart
from tests.support.json_http import JsonRequest, serving_json

SECRET_PATH = re.compile(r"^/api/v1/namespaces/(?P<namespace>[^/]+)/secrets/(?P<name>[^/?]+)")
SECRET_LIST_PATH = re.compile(r"^/api/v1/namespaces/(?P<namespace>[^/]+)/secrets/?(?:\?.*)?$")

V1_RESOURCES = {
    "kind": "APIResourceList",
    "groupVersion": "v1",
    "resources": [
        {
            "name": "secrets",
            "singularName": "secret",
            "namespaced": True,
            "kind": "Secret",
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        }
    ],
}


def _secret(namespace: str, name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": namespace},
        "type": "Opaque",
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()},
    }


def _not_found(name: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": f'secrets "{name}" not found',
        "reason": "NotFound",
        "details": {"name": name, "kind": "secrets"},
        "code": 404,
    }


@contextmanager
def kube_api_with_secrets(secrets: dict[tuple[str, str], dict[str, str]]) -> Iterator[str]:
    """Serves `secrets` ({(namespace, name): {key: plain value}}); yields a kubeconfig for it."""

    def respond(request: JsonRequest) -> tuple[int, Any]:
        match = SECRET_PATH.match(request.path)
        if match:
            data = secrets.get((match["namespace"], match["name"]))
            if data is None:
                return 404, _not_found(match["name"])
            return 200, _secret(match["namespace"], match["name"], data)
        match = SECRET_LIST_PATH.match(request.path)
        if match:
            items = [
                _secret(namespace, name, data)
                for (namespace, name), data in secrets.items()
                if namespace == match["namespace"]
            ]
            return 200, {"kind": "SecretList", "apiVersion": "v1", "metadata": {}, "items": items}
        if request.path.split("?")[0] == "/api/v1":
            return 200, V1_RESOURCES
        return 404, _not_found(request.path)

    with serving_json(respond) as base_url:
        yield (
            "apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: fake, cluster: {{server: '{base_url}'}}}}]\n"
            "users: [{name: fake, user: {token: fake}}]\n"
            "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
            "current-context: fake\n"
        )


def render_against_cluster(
    kubeconfig: str, values: dict[str, Any], *, release: str, namespace: str
) -> dict[str, str]:
    """An upgrade's render (`helm upgrade --dry-run=server`): lookup sees the cluster's objects."""
    with helm_python.Config(kubeconfig_content=kubeconfig, namespace=namespace) as config:
        return config.render(chart(), values, name=release, namespace=namespace, is_upgrade=True)
