"""API objects of a deployed release, as the API server would send them.

Deployments, Services and the Secret come from the real chart rendered by Helm's engine, plus the
`status` the controllers add; pods start from a real `kubectl get pods -o json` item (minikube)
and take their labels and containers from the rendered Deployment; failure states use the
kubelet's real messages from the fixtures.
"""

import copy
import functools
import json
from typing import Any

import helm_python
import yaml

from tests.todoctl import fixture_files
from tests.todoctl.fake_kube import FakeCluster, secret
from todoctl.resources import chart_dir

RELEASE = "todo"
JWT_SECRET = "test-jwt-secret-0123456789abcdef0123"
DATABASE_URL = "postgresql+psycopg://todo:pw@db.example:5432/todo"


@functools.cache
def _rendered(release: str) -> tuple[dict[str, Any], ...]:
    rendered = helm_python.Chart.load(chart_dir()).render(
        {"secrets": {"databaseUrl": DATABASE_URL, "authJwtSecret": JWT_SECRET}},
        name=release,
        namespace="default",
        is_install=True,
    )
    documents = []
    for source, text in sorted(rendered.items()):
        if source.endswith(".yaml") and "/tests/" not in source:
            documents += [doc for doc in yaml.safe_load_all(text) if doc]
    return tuple(documents)


def manifest(kind: str, component: str | None = None, release: str = RELEASE) -> dict[str, Any]:
    for document in _rendered(release):
        labels = document["metadata"].get("labels") or {}
        if document["kind"] == kind and (
            component is None or labels.get("app.kubernetes.io/component") == component
        ):
            return copy.deepcopy(document)
    raise LookupError(f"the chart renders no {kind} for {component}")


def deployment(
    component: str,
    *,
    replicas: int = 2,
    ready: int | None = None,
    generation: int = 1,
    observed: int | None = None,
    deadline_exceeded: bool = False,
    release: str = RELEASE,
) -> dict[str, Any]:
    document = manifest("Deployment", component, release)
    document["spec"]["replicas"] = replicas
    ready = replicas if ready is None else ready
    document["metadata"].update(
        generation=generation,
        namespace="default",
        uid=f"uid-{component}",
        creationTimestamp="2026-11-28T09:36:45Z",
    )
    progressing = {
        "type": "Progressing",
        "status": "True",
        "reason": "NewReplicaSetAvailable",
        "message": f'ReplicaSet "{document["metadata"]["name"]}-5b85bc8649" has successfully progressed.',
    }
    if deadline_exceeded:
        progressing.update(
            status="False",
            reason="ProgressDeadlineExceeded",
            message=f'ReplicaSet "{document["metadata"]["name"]}-5b85bc8649" has timed out progressing.',
        )
    document["status"] = {
        "observedGeneration": generation if observed is None else observed,
        "replicas": replicas,
        "updatedReplicas": replicas,
        "readyReplicas": ready,
        "availableReplicas": ready,
        "conditions": [
            {
                "type": "Available",
                "status": "True" if ready else "False",
                "reason": "MinimumReplicasAvailable",
            },
            progressing,
        ],
    }
    if ready < replicas:
        document["status"]["unavailableReplicas"] = replicas - ready
    return document


def pod(component: str, name: str, *, ready: bool = True, release: str = RELEASE) -> dict[str, Any]:
    """A running pod of the component: the fixture's pod with the Deployment's labels and container."""
    document = copy.deepcopy(fixture_files.document("kubectl/get-pods-running-minikube.json")["items"][0])
    template = manifest("Deployment", component, release)["spec"]["template"]
    container = template["spec"]["containers"][0]
    document["metadata"].update(
        name=name, labels=dict(template["metadata"]["labels"]), generateName=name.rsplit("-", 1)[0] + "-"
    )
    document["spec"]["containers"] = [container]
    status = document["status"]["containerStatuses"][0]
    status.update(name=container["name"], image=container["image"], ready=ready)
    if not ready:
        _condition(document, "Ready", "False")
        _condition(document, "ContainersReady", "False")
    return document


def crash_looping_pod(component: str, name: str) -> dict[str, Any]:
    """Waiting in CrashLoopBackOff with the kubelet's real back-off message."""
    document = pod(component, name, ready=False)
    status = document["status"]["containerStatuses"][0]
    message = fixture_files.text("kubectl/waiting-message-crashloopbackoff.txt").strip()
    status.update(
        restartCount=5,
        started=False,
        state={"waiting": {"reason": "CrashLoopBackOff", "message": message}},
        lastState={
            "terminated": {
                "exitCode": 1,
                "reason": "Error",
                "startedAt": "2022-12-23T09:40:01Z",
                "finishedAt": "2022-12-23T09:40:03Z",
            }
        },
    )
    return document


def image_missing_pod(component: str, name: str) -> dict[str, Any]:
    """The real ErrImageNeverPull container status, on one of our pods."""
    document = pod(component, name, ready=False)
    real = fixture_files.document("kubectl/containerstatus-errimageneverpull.json")
    document["status"]["containerStatuses"] = [{**real, "name": document["spec"]["containers"][0]["name"]}]
    return document


def unschedulable_pod(component: str, name: str) -> dict[str, Any]:
    """Pending for lack of memory: the scheduler's real message, as condition and event."""
    document = pod(component, name, ready=False)
    message = "0/1 nodes are available: 1 Insufficient memory."
    document["status"] = {
        "phase": "Pending",
        "qosClass": "Burstable",
        "conditions": [
            {
                "type": "PodScheduled",
                "status": "False",
                "reason": "Unschedulable",
                "message": message,
                "lastProbeTime": None,
                "lastTransitionTime": "2022-12-23T09:36:45Z",
            }
        ],
    }
    return document


def event(
    pod_name: str, reason: str, message: str, *, count: int = 1, kind: str = "Warning"
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {"name": f"{pod_name}.17a2b3c4d5e6f7a8", "namespace": "default"},
        "involvedObject": {"kind": "Pod", "name": pod_name, "namespace": "default", "apiVersion": "v1"},
        "reason": reason,
        "message": message,
        "type": kind,
        "count": count,
        "source": {"component": "default-scheduler"},
        "firstTimestamp": "2022-12-23T09:36:45Z",
        "lastTimestamp": "2022-12-23T09:36:58Z",
    }


def _condition(document: dict[str, Any], kind: str, status: str) -> None:
    for condition in document["status"]["conditions"]:
        if condition["type"] == kind:
            condition["status"] = status


def deployed_release(
    cluster: FakeCluster, *, release: str = RELEASE, jwt_secret: str | None = JWT_SECRET, replicas: int = 2
) -> None:
    """Both services deployed and ready, with their Services, endpoints, Secret and ConfigMaps."""
    for component in ("ai-todo", "mcp-server"):
        cluster.add("deployments", deployment(component, replicas=replicas, release=release))
        names = [f"{component}-5b85bc8649-{suffix}" for suffix in ("a1b2c", "d3e4f", "g5h6i", "j7k8l")]
        cluster.add("pods", *(pod(component, name) for name in names[:replicas]))
        service = manifest("Service", component, release)
        service["spec"]["clusterIP"] = "10.96.12.34" if component == "ai-todo" else "10.96.56.78"
        cluster.add("services", service)
        cluster.add("endpointslices", endpoint_slice(service["metadata"]["name"], ready=2))
        cluster.add(
            "configmaps",
            *(
                d
                for d in _rendered(release)
                if d["kind"] == "ConfigMap"
                and d["metadata"]["labels"].get("app.kubernetes.io/component") == component
            ),
        )
    name = manifest("Secret", release=release)["metadata"]["name"]
    cluster.add(
        "secrets",
        secret(name, {"AUTH_JWT_SECRET": jwt_secret} if jwt_secret else {"DATABASE_URL": DATABASE_URL}),
    )


def endpoint_slice(service: str, *, ready: int, not_ready: int = 0) -> dict[str, Any]:
    endpoints = [
        {"addresses": [f"10.244.0.{10 + i}"], "conditions": {"ready": i < ready}}
        for i in range(ready + not_ready)
    ]
    return {
        "apiVersion": "discovery.k8s.io/v1",
        "kind": "EndpointSlice",
        "metadata": {
            "name": f"{service}-x7k2p",
            "namespace": "default",
            "labels": {"kubernetes.io/service-name": service},
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": [{"name": "http", "port": 8000, "protocol": "TCP"}],
    }


def helm_release_json(revision: int = 1, status: str = "deployed", name: str = RELEASE) -> str:
    """`helm upgrade -o json` / `helm status -o json`: the real (trimmed) document with the revision the
    full printer adds (the fixture's source cut `version`, `chart`, `config` and `namespace`)."""
    document = fixture_files.document("helm/v3-status-real-trimmed.json")
    document.update(name=name, version=revision, namespace="default")
    document["info"]["status"] = status
    return json.dumps(document)
