"""A Kubernetes API server on 127.0.0.1 that holds Secrets, for the chart's `lookup` calls.

Helm's `lookup` first asks discovery which resources `v1` serves, then GETs the object; a missing
object is a 404 Status, which lookup turns into an empty result. The answers have the shapes the
real API server gives (APIResourceList, Secret, Status)."""

import base64
import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import helm_python

from tests.chart.rendering import chart

SECRET_PATH = re.compile(r"^/api/v1/namespaces/(?P<namespace>[^/]+)/secrets/(?P<name>[^/?]+)")

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

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            match = SECRET_PATH.match(self.path)
            if match:
                data = secrets.get((match["namespace"], match["name"]))
                if data is None:
                    self._answer(404, _not_found(match["name"]))
                else:
                    self._answer(200, _secret(match["namespace"], match["name"], data))
            elif self.path.split("?")[0] == "/api/v1":
                self._answer(200, V1_RESOURCES)
            else:
                self._answer(404, _not_found(self.path))

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            payload = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the test reports what matters."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        yield (
            "apiVersion: v1\nkind: Config\n"
            f"clusters: [{{name: fake, cluster: {{server: 'http://{host}:{port}'}}}}]\n"
            "users: [{name: fake, user: {token: fake}}]\n"
            "contexts: [{name: fake, context: {cluster: fake, user: fake}}]\n"
            "current-context: fake\n"
        )
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def render_against_cluster(
    kubeconfig: str, values: dict[str, Any], *, release: str, namespace: str
) -> dict[str, str]:
    """An upgrade's render (`helm upgrade --dry-run=server`): lookup sees the cluster's objects."""
    with helm_python.Config(kubeconfig_content=kubeconfig, namespace=namespace) as config:
        return config.render(chart(), values, name=release, namespace=namespace, is_upgrade=True)
