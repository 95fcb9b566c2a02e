"""todoctl's one door to the Kubernetes API: reads, watches, pod deletes and rollout restarts.

Everything above this module works with the client's model objects (V1Pod, V1Deployment, ...);
tests hand `Kube` fake API objects that return models deserialized from real API JSON.
"""

import base64
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import urllib3
from kubernetes import client, config, watch
from kubernetes.client.exceptions import ApiException
from kubernetes.config.config_exception import ConfigException

from todoctl.errors import ClusterUnreachable, TodoctlError
from todoctl.parsers.tool_errors import MINIKUBE_START

T = TypeVar("T")
# Seconds for one request a pod answers through the API server: its /readyz answers within its probe's 2 s.
POD_PROXY_TIMEOUT = 5
# What todoctl reads of such an answer at most: a small JSON document is expected, whatever a pod sends.
POD_ANSWER_MAX_BYTES = 64 * 1024
_UNREACHABLE_HINT = (
    "is the cluster running? check it with `todoctl doctor`, or pick another one with --context"
)
# Every call ends: an API server that accepts the connection and then says nothing must not hang
# todoctl. Watches get their own server-side timeout plus this much to deliver the last event.
REQUEST_TIMEOUT_SECONDS = 30
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
_GONE = 410


@contextmanager
def api_errors(action: str) -> Iterator[None]:
    """Turns the client's exceptions into one-line errors that say what todoctl was doing."""
    try:
        yield
    except ApiException as error:
        if error.status in (401, 403):
            raise TodoctlError(
                f"the cluster refused to let todoctl {action} ({error.status} {error.reason})",
                hint="check your credentials and RBAC for this namespace",
            ) from None
        raise TodoctlError(f"could not {action}: {error.status} {error.reason}") from None
    except (urllib3.exceptions.HTTPError, OSError) as error:
        raise ClusterUnreachable(
            f"could not {action}: the API server does not answer ({error})", _UNREACHABLE_HINT
        ) from None


def contexts(kubeconfig: str | None = None) -> tuple[list[str], str | None]:
    """The context names in the kubeconfig and the current one; ([], None) without a kubeconfig."""
    try:
        found, current = config.list_kube_config_contexts(config_file=kubeconfig)
    except (ConfigException, FileNotFoundError):
        return [], None
    return [item["name"] for item in found], (current or {}).get("name")


class Kube:
    def __init__(
        self,
        *,
        namespace: str,
        core: Any,
        apps: Any,
        discovery: Any = None,
        version: Any = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.namespace = namespace
        self.core = core
        self.apps = apps
        self.discovery = discovery
        self.version_api = version
        # how waits in and above this module tell and pass time; tests pass a fake clock
        self.clock = clock
        self.sleep = sleep
        # the wall clock, for restartedAt stamps
        self.now = now

    @classmethod
    def connect(cls, *, context: str | None, namespace: str) -> "Kube":
        try:
            api = config.new_client_from_config(context=context)
        except (ConfigException, FileNotFoundError) as error:
            raise ClusterUnreachable(
                f"no usable kube context{f' {context!r}' if context else ''}: {error}",
                f"start a local cluster ({MINIKUBE_START}) or pass --context",
            ) from None
        return cls(
            namespace=namespace,
            core=client.CoreV1Api(api),
            apps=client.AppsV1Api(api),
            discovery=client.DiscoveryV1Api(api),
            version=client.VersionApi(api),
        )

    # reads

    def server_version(self) -> str:
        with api_errors("read the server version"):
            return self.version_api.get_code(_request_timeout=REQUEST_TIMEOUT_SECONDS).git_version

    def namespace_exists(self) -> bool:
        with api_errors(f"read namespace {self.namespace}"):
            try:
                self.core.read_namespace(self.namespace, _request_timeout=REQUEST_TIMEOUT_SECONDS)
            except ApiException as error:
                if error.status == 404:
                    return False
                raise
        return True

    def pods(self, selector: str) -> list[client.V1Pod]:
        with api_errors("list pods"):
            return self.core.list_namespaced_pod(
                self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
            ).items

    def deployments(self, selector: str) -> list[client.V1Deployment]:
        with api_errors("list deployments"):
            return self.apps.list_namespaced_deployment(
                self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
            ).items

    def services(self, selector: str) -> list[client.V1Service]:
        with api_errors("list services"):
            return self.core.list_namespaced_service(
                self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
            ).items

    def endpoint_slices(self, service: str) -> list[client.V1EndpointSlice]:
        with api_errors("list endpoint slices"):
            selector = f"kubernetes.io/service-name={service}"
            return self.discovery.list_namespaced_endpoint_slice(
                self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
            ).items

    def pod_events(self, pod: str) -> list[client.CoreV1Event]:
        with api_errors("list events"):
            selector = f"involvedObject.kind=Pod,involvedObject.name={pod}"
            events = self.core.list_namespaced_event(
                self.namespace, field_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
            ).items
        return sorted(events, key=_event_time)

    def pod_log(
        self, pod: str, *, container: str | None = None, tail_lines: int = 20, previous: bool = False
    ) -> str:
        """The last lines of a container's log; with `previous`, of its instance before the last
        restart, which is empty when it has never restarted."""
        with api_errors(f"read the log of {pod}"):
            try:
                return self.core.read_namespaced_pod_log(
                    pod,
                    self.namespace,
                    container=container,
                    tail_lines=tail_lines,
                    previous=previous,
                    _request_timeout=REQUEST_TIMEOUT_SECONDS,
                )
            except ApiException as error:
                # the API server answers 400 "previous terminated container ... not found"
                if previous and error.status == 400:
                    return ""
                raise

    def secret_value(self, name: str, key: str) -> str | None:
        with api_errors(f"read secret {name}"):
            secret = self.core.read_namespaced_secret(
                name, self.namespace, _request_timeout=REQUEST_TIMEOUT_SECONDS
            )
        encoded = (secret.data or {}).get(key)
        return base64.b64decode(encoded).decode() if encoded else None

    def config_map_data(self, name: str) -> dict[str, str]:
        with api_errors(f"read configmap {name}"):
            return (
                self.core.read_namespaced_config_map(
                    name, self.namespace, _request_timeout=REQUEST_TIMEOUT_SECONDS
                ).data
                or {}
            )

    def leftovers(self, selector: str) -> list[str]:
        """What still carries the release's labels: e.g. resources Helm was told to keep."""
        found = []
        with api_errors("look for leftovers"):
            for kind, listing in (
                ("deployment", self.apps.list_namespaced_deployment),
                ("service", self.core.list_namespaced_service),
                ("secret", self.core.list_namespaced_secret),
                ("configmap", self.core.list_namespaced_config_map),
                ("persistentvolumeclaim", self.core.list_namespaced_persistent_volume_claim),
                ("pod", self.core.list_namespaced_pod),
            ):
                items = listing(
                    self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
                ).items
                # objects already being deleted (terminating pods) are on their way out, not left over
                found += [
                    f"{kind}/{item.metadata.name}"
                    for item in items
                    if item.metadata.deletion_timestamp is None
                ]
        return found

    def pod_get(self, pod: str, port: int, path: str) -> tuple[int, str]:
        """GET /<path> on a pod's port through the API server's pod proxy: no port-forward, no route to
        the pod network needed. The status and body the pod answered; when the API server could not reach
        the pod, its own (a Status document)."""
        with api_errors(f"reach pod {pod}"):
            try:
                response = self.core.connect_get_namespaced_pod_proxy_with_path(
                    f"{pod}:{port}",
                    self.namespace,
                    path,
                    _preload_content=False,
                    _request_timeout=POD_PROXY_TIMEOUT,
                )
            except ApiException as error:
                if error.status in (401, 403):
                    raise
                return error.status, error.body or ""
            try:
                return response.status, response.read(POD_ANSWER_MAX_BYTES).decode(errors="replace")
            finally:
                response.release_conn()

    # writes

    def create_pod(self, manifest: dict[str, Any]) -> None:
        with api_errors(f"create pod {manifest['metadata']['name']}"):
            self.core.create_namespaced_pod(
                self.namespace, manifest, _request_timeout=REQUEST_TIMEOUT_SECONDS
            )

    def delete_pods(self, names: Sequence[str]) -> None:
        with api_errors("delete pods"):
            for name in names:
                try:
                    self.core.delete_namespaced_pod(
                        name, self.namespace, _request_timeout=REQUEST_TIMEOUT_SECONDS
                    )
                except ApiException as error:
                    if error.status != 404:  # already gone is what we wanted
                        raise

    def restart_deployment(self, name: str) -> int:
        """What `kubectl rollout restart` does: a new template annotation, so every pod is replaced.

        The stamp is always later than the one already there (two restarts in one second would
        otherwise write the same value and change nothing), and the API server must answer with a
        new generation, which is the new rollout to wait for; returns it."""
        with api_errors(f"restart deployment {name}"):
            current = self.apps.read_namespaced_deployment(
                name, self.namespace, _request_timeout=REQUEST_TIMEOUT_SECONDS
            )
            before = current.metadata.generation or 0
            template = current.spec.template.metadata if current.spec and current.spec.template else None
            stamp = _restart_stamp(
                self.now(), ((template.annotations if template else None) or {}).get(RESTARTED_AT)
            )
            body = {"spec": {"template": {"metadata": {"annotations": {RESTARTED_AT: stamp}}}}}
            patched = self.apps.patch_namespaced_deployment(
                name, self.namespace, body, _request_timeout=REQUEST_TIMEOUT_SECONDS
            )
        after = patched.metadata.generation or 0
        if after <= before:
            raise TodoctlError(
                f"restarting deployment {name} started no new rollout (its generation stayed {before})",
                hint=f"something puts its pod template back; look at `kubectl describe deployment {name}`",
            )
        return after

    # watches

    def wait_pods(
        self, selector: str, done: Callable[[list[client.V1Pod]], bool], timeout: float
    ) -> list[client.V1Pod] | None:
        """Pods matching `selector` once `done(pods)` holds, or None after `timeout` seconds."""
        return self._wait(self.core.list_namespaced_pod, "V1Pod", selector, done, timeout)

    def wait_deployments(
        self, selector: str, done: Callable[[list[client.V1Deployment]], bool], timeout: float
    ) -> list[client.V1Deployment] | None:
        return self._wait(self.apps.list_namespaced_deployment, "V1Deployment", selector, done, timeout)

    def _wait(
        self,
        listing: Callable[..., Any],
        kind: str,
        selector: str,
        done: Callable[[list[T]], bool],
        timeout: float,
    ) -> list[T] | None:
        """List, then watch from the list's resourceVersion; a watch that ends early (the server
        closes them now and then) is restarted from a fresh list until the deadline."""
        deadline = self.clock() + timeout
        while True:
            with api_errors(f"watch {kind[2:].lower()}s"):
                current = listing(
                    self.namespace, label_selector=selector, _request_timeout=REQUEST_TIMEOUT_SECONDS
                )
                objects = {item.metadata.name: item for item in current.items}
                if done(list(objects.values())):
                    return list(objects.values())
                remaining = deadline - self.clock()
                if remaining <= 0:
                    return None
                seconds = max(1, int(remaining))
                watcher = watch.Watch(return_type=kind)
                try:
                    for event in watcher.stream(
                        listing,
                        self.namespace,
                        label_selector=selector,
                        resource_version=current.metadata.resource_version,
                        timeout_seconds=seconds,
                        _request_timeout=(REQUEST_TIMEOUT_SECONDS, seconds + REQUEST_TIMEOUT_SECONDS),
                    ):
                        item = event["object"]
                        if event["type"] == "DELETED":
                            objects.pop(item.metadata.name, None)
                        else:
                            objects[item.metadata.name] = item
                        if done(list(objects.values())):
                            watcher.stop()
                            return list(objects.values())
                        if self.clock() >= deadline:
                            watcher.stop()
                            return None
                except ApiException as error:
                    # 410 Gone: the list's resourceVersion is too old to watch from. With a timeout
                    # the client does not retry this itself; a fresh list below starts over.
                    if error.status != _GONE:
                        raise
            if self.clock() >= deadline:
                return None


def _restart_stamp(now: datetime, previous: str | None) -> str:
    """RFC 3339 with microseconds, and later than `previous` even when the clock says otherwise."""
    stamp = now.astimezone(UTC)
    try:
        earlier = datetime.fromisoformat(previous) if previous else None
    except ValueError:
        earlier = None  # written by someone else in another format: any new value differs from it
    if earlier is not None and earlier.tzinfo is not None and stamp <= earlier:
        stamp = earlier.astimezone(UTC) + timedelta(microseconds=1)
    return stamp.isoformat(timespec="microseconds")


def _event_time(event: client.CoreV1Event) -> datetime:
    return (
        event.last_timestamp
        or event.event_time
        or event.first_timestamp
        or (event.metadata.creation_timestamp if event.metadata else None)
        or datetime.min.replace(tzinfo=UTC)
    )
