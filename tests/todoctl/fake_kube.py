"""The Kubernetes API objects `todoctl.adapters.kube.Kube` talks to (CoreV1Api, AppsV1Api, ...), answering
with models deserialized from API JSON, as the real client does; watches stream real watch-event
lines through the real `kubernetes.watch.Watch`.

Where the API server is strict, so is this: a deleted pod stays, Terminating, until its containers
have stopped (`finish_terminating`); a log of a previous container that never ran is a 400; a patch
that changes nothing in the spec leaves the generation alone; every call is recorded with its
arguments (`requests`), so a test can see the timeouts todoctl asks for."""

import base64
import copy
import functools
import itertools
import json
import re
from collections.abc import Callable
from typing import Any

import urllib3
from kubernetes.client import ApiClient
from kubernetes.client.exceptions import ApiException

from todoctl.adapters.kube import Kube

_CLIENT = ApiClient()
_VERSIONS = itertools.count(1000)
# what the API server stamps on a pod being deleted (the default grace period)
DELETION_TIMESTAMP = "2026-11-28T10:00:00Z"
GRACE_PERIOD_SECONDS = 30


def deserialize(document: dict[str, Any], model: str) -> Any:
    return _CLIENT.deserialize(json.dumps(document), model, "application/json")


def matches(labels: dict[str, str], selector: str | None) -> bool:
    """Equality (`a=b`) and set (`a in (x,y)`) requirements, comma-separated, as the API server reads them."""
    if not selector:
        return True
    for requirement in re.split(r",(?![^()]*\))", selector):
        found = re.fullmatch(r"\s*([\w./-]+)\s+in\s+\(([^)]*)\)\s*", requirement)
        if found:
            if labels.get(found.group(1)) not in {v.strip() for v in found.group(2).split(",")}:
                return False
            continue
        key, _, value = requirement.partition("=")
        if labels.get(key.strip()) != value.strip():
            return False
    return True


class FakeWatchResponse:
    """What the client returns for `watch=True, _preload_content=False`: a stream of event lines."""

    status = 200

    def __init__(self, events: list[tuple[str, dict[str, Any]]]) -> None:
        self.body = "".join(json.dumps({"type": kind, "object": obj}) + "\n" for kind, obj in events)

    def stream(self, amt: Any = None, decode_content: Any = None) -> Any:
        yield self.body.encode()

    def close(self) -> None:
        pass

    def release_conn(self) -> None:
        pass


class FakeClock:
    """Time that passes as the code looks at it (a second a look) and as it waits, so a test of a
    5-minute timeout takes no time and a loop that waits for a deadline always reaches it."""

    def __init__(self) -> None:
        self.seconds = 1000.0

    def now(self) -> float:
        self.seconds += 1.0
        return self.seconds

    def sleep(self, seconds: float) -> None:
        self.seconds += seconds


class FakeCluster:
    """One namespace's objects as API JSON, by kind ("pods", "deployments", ...)."""

    def __init__(self, namespace: str = "default") -> None:
        self.namespace = namespace
        self.objects: dict[str, list[dict[str, Any]]] = {
            kind: []
            for kind in (
                "pods",
                "deployments",
                "services",
                "endpointslices",
                "secrets",
                "configmaps",
                "events",
                "pvcs",
            )
        }
        # events each watch of a kind streams, one list per watch call, in order
        self.watches: dict[str, list[list[tuple[str, dict[str, Any]]]]] = {"pods": [], "deployments": []}
        self.logs: dict[tuple[str, bool], str] = {}
        self.deleted: list[str] = []
        # (API method, its keyword arguments) of every call, in order
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self.patched: list[tuple[str, dict[str, Any]]] = []
        self.on_delete: Callable[[str], None] | None = None
        # pod name -> base URL of the real process answering for it through the pod proxy
        self.pod_servers: dict[str, str] = {}
        self.namespace_exists = True
        self.pod_outcome: Callable[[dict[str, Any]], dict[str, Any]] = lambda pod: {"phase": "Succeeded"}
        self.unreachable = False
        self.server_version = "v1.34.0"
        self.clock = FakeClock()
        self.core = _Core(self)
        self.apps = _Apps(self)
        self.discovery = _Discovery(self)
        self.version = _Version(self)

    def kube(self) -> Kube:
        return Kube(
            namespace=self.namespace,
            core=self.core,
            apps=self.apps,
            discovery=self.discovery,
            version=self.version,
            clock=self.clock.now,
            sleep=self.clock.sleep,
        )

    def add(self, kind: str, *documents: dict[str, Any]) -> None:
        for document in documents:
            document.setdefault("metadata", {})["resourceVersion"] = str(next(_VERSIONS))
            self.objects[kind].append(document)

    def replace(self, kind: str, document: dict[str, Any]) -> None:
        name = document["metadata"]["name"]
        self.objects[kind] = [item for item in self.objects[kind] if item["metadata"]["name"] != name]
        self.add(kind, document)

    def listing(self, kind: str, model: str, selector: str | None, **kwargs: Any) -> Any:
        if self.unreachable:
            raise _refused()
        if kwargs.get("watch"):
            pending = self.watches.get(kind) or []
            events = pending.pop(0) if pending else []
            for event_type, obj in events:
                if event_type == "ERROR":
                    continue  # a Status, not an object of the kind
                if event_type == "DELETED":
                    self.objects[kind] = [
                        o for o in self.objects[kind] if o["metadata"]["name"] != obj["metadata"]["name"]
                    ]
                else:
                    self.replace(kind, copy.deepcopy(obj))
            return FakeWatchResponse(
                [
                    (t, o)
                    for t, o in events
                    if t == "ERROR" or matches(o["metadata"].get("labels") or {}, selector)
                ]
            )
        items = [o for o in self.objects[kind] if matches(o["metadata"].get("labels") or {}, selector)]
        return deserialize({"metadata": {"resourceVersion": str(next(_VERSIONS))}, "items": items}, model)

    def named(self, kind: str, name: str) -> dict[str, Any]:
        for item in self.objects[kind]:
            if item["metadata"]["name"] == name:
                return item
        raise ApiException(status=404, reason="Not Found")

    def finish_terminating(self, *names: str) -> None:
        """What the kubelet does once a deleted pod's containers have stopped: the pod goes away."""
        self.objects["pods"] = [
            pod
            for pod in self.objects["pods"]
            if not (
                pod["metadata"].get("deletionTimestamp") and (not names or pod["metadata"]["name"] in names)
            )
        ]


def recorded(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def record(api: Any, *args: Any, **kwargs: Any) -> Any:
        api.cluster.requests.append((method.__name__, dict(kwargs)))
        return method(api, *args, **kwargs)

    return record


def _status(code: int, reason: str, message: str) -> ApiException:
    """The error the client raises for a Status answer of the API server."""
    error = ApiException(status=code, reason={400: "Bad Request", 404: "Not Found"}.get(code, reason))
    error.body = json.dumps(
        {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": message,
            "reason": reason,
            "code": code,
        }
    )
    return error


def _merge(target: dict[str, Any], patch: dict[str, Any]) -> None:
    """A strategic merge patch of maps, which is all todoctl sends: keys merge, null deletes."""
    for key, value in patch.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge(target[key], value)
        else:
            target[key] = copy.deepcopy(value)


class _Core:
    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    @recorded
    def list_namespaced_pod(self, namespace: str, label_selector: str | None = None, **kwargs: Any) -> Any:
        return self.cluster.listing("pods", "V1PodList", label_selector, **kwargs)

    @recorded
    def list_namespaced_service(
        self, namespace: str, label_selector: str | None = None, **kwargs: Any
    ) -> Any:
        return self.cluster.listing("services", "V1ServiceList", label_selector, **kwargs)

    @recorded
    def list_namespaced_secret(self, namespace: str, label_selector: str | None = None, **kwargs: Any) -> Any:
        return self.cluster.listing("secrets", "V1SecretList", label_selector, **kwargs)

    @recorded
    def list_namespaced_config_map(
        self, namespace: str, label_selector: str | None = None, **kwargs: Any
    ) -> Any:
        return self.cluster.listing("configmaps", "V1ConfigMapList", label_selector, **kwargs)

    @recorded
    def list_namespaced_persistent_volume_claim(
        self, namespace: str, label_selector: str | None = None, **kwargs: Any
    ) -> Any:
        return self.cluster.listing("pvcs", "V1PersistentVolumeClaimList", label_selector, **kwargs)

    @recorded
    def list_namespaced_event(self, namespace: str, field_selector: str | None = None, **kwargs: Any) -> Any:
        wanted = dict(part.split("=", 1) for part in (field_selector or "").split(",") if part)
        items = [
            event
            for event in self.cluster.objects["events"]
            if all(
                event["involvedObject"].get(key.split(".", 1)[1]) == value for key, value in wanted.items()
            )
        ]
        return deserialize({"metadata": {}, "items": items}, "CoreV1EventList")

    @recorded
    def read_namespaced_pod_log(
        self,
        name: str,
        namespace: str,
        *,
        container: str | None = None,
        tail_lines: int | None = None,
        previous: bool = False,
        **kwargs: Any,
    ) -> str:
        pod = self.cluster.named("pods", name)
        container = container or pod["spec"]["containers"][0]["name"]
        if previous and not _has_terminated(pod, container):
            # the kubelet keeps one previous instance, and only of a container that has exited
            raise _status(
                400, "BadRequest", f'previous terminated container "{container}" in pod "{name}" not found'
            )
        log = self.cluster.logs.get((name, previous), "")
        return "\n".join(log.splitlines()[-tail_lines:] if tail_lines else log.splitlines())

    @recorded
    def read_namespaced_secret(self, name: str, namespace: str, **kwargs: Any) -> Any:
        return deserialize(self.cluster.named("secrets", name), "V1Secret")

    @recorded
    def read_namespaced_config_map(self, name: str, namespace: str, **kwargs: Any) -> Any:
        return deserialize(self.cluster.named("configmaps", name), "V1ConfigMap")

    @recorded
    def read_namespace(self, name: str, **kwargs: Any) -> Any:
        if not self.cluster.namespace_exists:
            raise ApiException(status=404, reason="Not Found")
        return deserialize({"metadata": {"name": name}, "status": {"phase": "Active"}}, "V1Namespace")

    @recorded
    def create_namespaced_pod(self, namespace: str, body: dict[str, Any], **kwargs: Any) -> Any:
        """The pod as the node will have left it by the next look: `cluster.pod_outcome` gives its
        status (a node pulled and ran it, by default)."""
        pod = copy.deepcopy(body)
        pod["status"] = self.cluster.pod_outcome(pod)
        self.cluster.add("pods", pod)
        return deserialize(pod, "V1Pod")

    @recorded
    def delete_namespaced_pod(self, name: str, namespace: str, **kwargs: Any) -> Any:
        """A graceful delete: the pod stays, Terminating, until `finish_terminating`; deleting it
        again meanwhile answers the same way."""
        pod = self.cluster.named("pods", name)
        self.cluster.deleted.append(name)
        already = bool(pod["metadata"].get("deletionTimestamp"))
        pod["metadata"].update(
            deletionTimestamp=DELETION_TIMESTAMP,
            deletionGracePeriodSeconds=GRACE_PERIOD_SECONDS,
            resourceVersion=str(next(_VERSIONS)),
        )
        if self.cluster.on_delete is not None and not already:
            self.cluster.on_delete(name)
        return deserialize(pod, "V1Pod")

    @recorded
    def connect_get_namespaced_pod_proxy_with_path(
        self, name: str, namespace: str, path: str, *, _preload_content: bool = True, **kwargs: Any
    ) -> Any:
        """The API server's pod proxy: forwards to the process serving the pod, returning the raw urllib3
        response (`_preload_content=False`) and raising non-2xx answers as the client does; a pod nothing
        serves gets the proxy's own 503 (k8s.io/apimachinery pkg/util/proxy/transport.go)."""
        assert not _preload_content, "the client would JSON-decode the body into a Python repr"
        pod, _, port = name.partition(":")
        self.cluster.named("pods", pod)
        server = self.cluster.pod_servers.get(pod)
        refused = _status(
            503,
            "ServiceUnavailable",
            f"error trying to reach service: dial tcp 10.244.0.12:{port}: connect: connection refused",
        )
        if server is None:
            raise refused
        try:
            response = urllib3.request("GET", f"{server}/{path}", preload_content=False, retries=False)
        except urllib3.exceptions.HTTPError:
            raise refused from None
        if not 200 <= response.status <= 299:
            raise ApiException.from_response(http_resp=response, body=response.data.decode(), data=None)
        return response


class _Apps:
    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    @recorded
    def list_namespaced_deployment(
        self, namespace: str, label_selector: str | None = None, **kwargs: Any
    ) -> Any:
        return self.cluster.listing("deployments", "V1DeploymentList", label_selector, **kwargs)

    @recorded
    def read_namespaced_deployment(self, name: str, namespace: str, **kwargs: Any) -> Any:
        return deserialize(self.cluster.named("deployments", name), "V1Deployment")

    def patch_namespaced_deployment(
        self, name: str, namespace: str, body: dict[str, Any], **kwargs: Any
    ) -> Any:
        deployment = self.cluster.named("deployments", name)
        self.cluster.patched.append((name, body))
        spec_before = copy.deepcopy(deployment.get("spec"))
        _merge(deployment, body)
        # only a changed spec is a new generation; a patch that changes nothing is accepted as is
        if deployment.get("spec") != spec_before:
            deployment["metadata"]["generation"] = deployment["metadata"].get("generation", 1) + 1
            deployment["metadata"]["resourceVersion"] = str(next(_VERSIONS))
        return deserialize(deployment, "V1Deployment")


class _Discovery:
    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    @recorded
    def list_namespaced_endpoint_slice(
        self, namespace: str, label_selector: str | None = None, **kwargs: Any
    ) -> Any:
        return self.cluster.listing("endpointslices", "V1EndpointSliceList", label_selector, **kwargs)


class _Version:
    def __init__(self, cluster: FakeCluster) -> None:
        self.cluster = cluster

    @recorded
    def get_code(self, **kwargs: Any) -> Any:
        if self.cluster.unreachable:
            raise _refused()
        major, minor = self.cluster.server_version.lstrip("v").split(".")[:2]
        return deserialize(
            {
                "major": major,
                "minor": minor,
                "gitVersion": self.cluster.server_version,
                "gitCommit": "",
                "gitTreeState": "clean",
                "buildDate": "2025-09-09T19:44:50Z",
                "goVersion": "go1.24.6",
                "compiler": "gc",
                "platform": "linux/amd64",
            },
            "VersionInfo",
        )


def _refused() -> urllib3.exceptions.MaxRetryError:
    """What the client raises when nothing listens at the API server's address."""
    reason = urllib3.exceptions.NewConnectionError(
        None, "Failed to establish a new connection: [Errno 111] Connection refused"
    )
    return urllib3.exceptions.MaxRetryError(None, "/api/v1/namespaces/default/pods", reason=reason)


def _has_terminated(pod: dict[str, Any], container: str) -> bool:
    for status in (pod.get("status") or {}).get("containerStatuses") or []:
        if status["name"] == container:
            return bool((status.get("lastState") or {}).get("terminated"))
    return False


def secret(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": name, "namespace": "default"},
        "type": "Opaque",
        "data": {key: base64.b64encode(value.encode()).decode() for key, value in data.items()},
    }
