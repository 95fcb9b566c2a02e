"""A `kubectl port-forward` to the chat service that outlives the pod behind it.

kubectl forwards to one pod; when that pod goes away, kubectl says "lost connection to pod" and
exits (older versions keep running with a dead tunnel). The supervisor notices either and starts a
new forward until it is stopped. It chooses the pod itself, a ready one that is not being deleted
(`kubectl port-forward svc/…` may pick a pod that is already shutting down), and it moves to
another pod as soon as the one behind the forward starts shutting down, not when it is gone.
"""

import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass

from todoctl.adapters.kube import Kube
from todoctl.adapters.runner import Runner, Spawned
from todoctl.components import AI_TODO
from todoctl.errors import TodoctlError
from todoctl.parsers.pods import is_ready

DEFAULT_PORT = 8000
_LOST = "lost connection to pod"
# klog's error lines: E0401 11:58:48.109218  104472 portforward.go:413] ...
_KLOG_ERROR = re.compile(r"^E\d{4} ")
_BACKOFF_SECONDS = (0.2, 0.5, 1.0, 2.0, 5.0)
# How often the pod behind a running forward is looked at.
_WATCH_SECONDS = 1.0


@dataclass(frozen=True)
class Target:
    service: str
    port: int
    # the port the pods listen on: the Service's targetPort, a number or a name
    pod_port: int | str | None = None


def chat_service(kube: Kube, release: str) -> Target:
    """The ai-todo Service of the release, found by its labels."""
    for service in kube.services(AI_TODO.selector(release)):
        ports = service.spec.ports or []
        if ports:
            return Target(service.metadata.name, ports[0].port, ports[0].target_port)
    raise TodoctlError(
        f"release {release} has no ai-todo Service in namespace {kube.namespace}",
        hint="deploy it with `todoctl deploy`, or pass the right --namespace/--release",
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PortForward:
    def __init__(
        self,
        runner: Runner,
        *,
        context: str,
        namespace: str,
        target: Target,
        local_port: int,
        on_event: Callable[[str, str], None] | None = None,
        backoff: tuple[float, ...] = _BACKOFF_SECONDS,
        pods: "ChatPods | None" = None,
    ) -> None:
        self.runner = runner
        self.pods = pods
        self.context = context
        self.namespace = namespace
        self.target = target
        self.local_port = local_port
        self.on_event = on_event or (lambda kind, text: None)
        self.backoff = backoff
        self.reconnects = 0
        self._ready = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: Spawned | None = None
        self._thread: threading.Thread | None = None
        self._failure: TodoctlError | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.local_port}"

    def argv(self, pod: str | None = None) -> list[str]:
        """To `pod` when one is chosen, else to the Service (kubectl then picks a pod)."""
        if pod is not None:
            resource, remote = f"pod/{pod}", self.target.pod_port or self.target.port
        else:
            resource, remote = f"svc/{self.target.service}", self.target.port
        return [
            "kubectl",
            "port-forward",
            resource,
            f"{self.local_port}:{remote}",
            "--address",
            "127.0.0.1",
            "--namespace",
            self.namespace,
            "--context",
            self.context,
        ]

    def start(self, timeout: float = 30) -> "PortForward":
        """Returns once the first forward listens; raises with kubectl's reason if it cannot."""
        self._thread = threading.Thread(target=self._supervise, name="port-forward", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout) and self._failure is None:
            self.stop()
            raise TodoctlError(f"kubectl port-forward did not start listening within {timeout:g}s")
        if self._failure is not None:
            self.stop()
            raise self._failure
        return self

    @property
    def supervising(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def stop(self) -> None:
        with self._lock:
            self._stopping.set()
            process = self._process
        if process is not None:
            process.stop(timeout=5)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    def __enter__(self) -> "PortForward":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _supervise(self) -> None:
        attempt = 0
        while True:
            # under the lock, so that stop() either sees this process or prevents it
            pod = self.pods.choose() if self.pods is not None else None
            with self._lock:
                if self._stopping.is_set():
                    return
                self._process = self.runner.spawn(self.argv(pod))
            watch = _PodWatch(self.pods, pod, self._process, self._stopping) if self.pods else None
            if watch is not None:
                watch.start()
            listened, reason = self._follow(self._process, pod)
            self._process.stop(timeout=5)
            if watch is not None:
                watch.join(timeout=5)
                reason = watch.reason or reason
            if self._stopping.is_set():
                return
            if not listened and not self._ready.is_set() and self.reconnects == 0:
                self._failure = _start_failure(reason, self.local_port)
                self._ready.set()
                return
            self._ready.clear()
            self.reconnects += 1
            self.on_event("dropped", reason or "kubectl port-forward exited")
            delay = self.backoff[min(attempt, len(self.backoff) - 1)] if self.backoff else 0
            attempt = 0 if listened else attempt + 1
            if self._stopping.wait(delay):
                return

    def _follow(self, process: Spawned, pod: str | None = None) -> tuple[bool, str]:
        """Reads kubectl's output until it exits or loses its pod; (listened, last error)."""
        listened = False
        reason = ""
        for line in process.lines():
            if line.startswith("Forwarding from"):
                if not listened and self.reconnects:
                    to = f" to pod {pod}" if pod else ""
                    self.on_event("reconnected", f"forwarding {self.url} again{to}")
                listened = True
                self._ready.set()
            elif _LOST in line:
                return listened, _LOST
            elif line.lower().startswith("error") or _KLOG_ERROR.match(line):
                reason = _clean(line)
            if self._stopping.is_set():
                break
        return listened, reason


class _PodWatch(threading.Thread):
    """Stops a forward once its pod is shutting down or gone, so the next forward starts on a pod
    that stays while the old one still answers. A forward to the Service (no pod was ready) is
    stopped as soon as one is: kubectl picked its pod itself, possibly one shutting down whose
    tunnel then stays open and answers nothing, and only a forward to a chosen pod can be watched."""

    def __init__(
        self, pods: "ChatPods", pod: str | None, process: Spawned, stopping: threading.Event
    ) -> None:
        super().__init__(name="port-forward-watch", daemon=True)
        self.pods = pods
        self.pod = pod
        self.process = process
        self.stopping = stopping
        self.reason = ""

    def run(self) -> None:
        while self.process.poll() is None and not self.stopping.wait(_WATCH_SECONDS):
            try:
                reason = self._reason_to_move()
            except TodoctlError:
                continue
            if reason:
                self.reason = reason
                self.process.terminate()
                return

    def _reason_to_move(self) -> str:
        if self.pod is None:
            ready = self.pods.choose()
            return f"pod {ready} is ready" if ready is not None else ""
        return "" if self.pods.serving(self.pod) else f"pod {self.pod} is shutting down"


def _clean(line: str) -> str:
    if _KLOG_ERROR.match(line) and "] " in line:
        line = line.split("] ", 1)[1]
    return line.removeprefix("error: ").removeprefix("Error from server ").strip()


def _start_failure(reason: str, port: int) -> TodoctlError:
    if "address already in use" in reason or "unable to listen" in reason:
        return TodoctlError(
            f"port {port} on 127.0.0.1 is taken: {reason}", hint="pick another one with --port"
        )
    if "NotFound" in reason or "not found" in reason:
        return TodoctlError(
            f"kubectl port-forward failed: {reason}",
            hint="deploy first with `todoctl deploy` (or `todoctl up`)",
        )
    return TodoctlError(
        f"kubectl port-forward failed: {reason or 'it exited without a word'}",
        hint="check the cluster with `todoctl doctor`",
    )


class ChatPods:
    """The release's ai-todo pods, as the supervisor chooses among them."""

    def __init__(self, kube: Kube, release: str) -> None:
        self.kube = kube
        self.selector = AI_TODO.selector(release)

    def choose(self) -> str | None:
        """The newest ready pod not being deleted (in a rolling update, the one that stays); None
        when there is none yet, and kubectl is left to wait on the Service."""
        ready = [pod for pod in self.kube.pods(self.selector) if is_ready(pod)]
        if not ready:
            return None
        return max(
            ready,
            key=lambda pod: (
                pod.metadata.creation_timestamp is not None,
                pod.metadata.creation_timestamp or 0,
                pod.metadata.name,
            ),
        ).metadata.name

    def serving(self, name: str) -> bool:
        return any(
            pod.metadata.name == name and pod.metadata.deletion_timestamp is None
            for pod in self.kube.pods(self.selector)
        )


def forward_chat_service(
    runner: Runner,
    kube: Kube,
    *,
    context: str,
    namespace: str,
    release: str,
    local_port: int,
    on_event: Callable[[str, str], None] | None = None,
) -> PortForward:
    """A port-forward to the release's ai-todo pods (not started yet)."""
    return PortForward(
        runner,
        context=context,
        namespace=namespace,
        target=chat_service(kube, release),
        local_port=local_port,
        on_event=on_event,
        pods=ChatPods(kube, release),
    )
