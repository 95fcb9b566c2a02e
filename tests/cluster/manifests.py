"""Kubernetes objects the conformance tests create, as plain documents."""

import json


def deployment(name: str, image: str, *, replicas: int = 1, message: str = "") -> dict:
    labels = {"app.kubernetes.io/instance": name}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": labels},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [
                        {
                            "name": "probe",
                            "image": image,
                            "env": [{"name": "PROBE_MESSAGE", "value": message}],
                            "ports": [{"containerPort": 8080}],
                            "readinessProbe": {"httpGet": {"path": "/", "port": 8080}, "periodSeconds": 1},
                        }
                    ]
                },
            },
        },
    }


def service(name: str) -> dict:
    return {
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name},
        "spec": {
            "selector": {"app.kubernetes.io/instance": name},
            "ports": [{"port": 8080, "targetPort": 8080}],
        },
    }


def fetching_pod(name: str, image: str, url: str) -> dict:
    """A pod that fetches `url` once and prints what came back; it succeeds only if the fetch did."""
    script = f"import urllib.request; print(urllib.request.urlopen({url!r}, timeout=10).read().decode())"
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "containers": [{"name": "fetch", "image": image, "command": ["python3", "-c", script]}],
        },
    }


def as_input(*documents: dict) -> str:
    return json.dumps({"apiVersion": "v1", "kind": "List", "items": list(documents)})
