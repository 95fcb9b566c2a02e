"""The real services on this machine standing in for a deployed release, for validate-stateless:
deleting a "pod" in the fake cluster restarts the real process behind it (the pod stays Terminating
until the old process has stopped), and `kubectl port-forward` is a real TCP forward to the real
chat service that drops when its pod goes."""

import contextlib
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.processes import ServiceProcess, free_port, start_service
from tests.todoctl import factories, fixture_files
from tests.todoctl.fake_kube import FakeCluster
from tests.todoctl.fake_runner import FakeProcess

LOST = fixture_files.text("kubectl/port-forward-lost-connection-v1.31.txt").splitlines()[-2:]
MODULES = {"ai-todo": "ai_todo", "mcp-server": "mcp_server"}


class ForwardingProcess(FakeProcess):
    """`kubectl port-forward svc/... LOCAL:REMOTE`: forwards LOCAL to the chat service until its pod is
    deleted, then prints kubectl's real lost-connection lines and exits 1."""

    def __init__(self, argv: tuple[str, ...], target_port: int) -> None:
        local = int(argv[3].split(":")[0])
        super().__init__([f"Forwarding from 127.0.0.1:{local} -> 8000"], exit_code=1)
        self.dropped = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", local))
        self.target_port = target_port
        threading.Thread(target=self._accept, daemon=True).start()

    def lines(self) -> Iterator[str]:
        yield from self._lines
        self.emitted.set()
        while not self.stopped.is_set() and not self.dropped.wait(0.05):
            pass
        self._close()
        if self.dropped.is_set() and not self.stopped.is_set():
            yield from LOST
        self.finished.set()

    def stop(self, timeout: float = 10.0) -> int:
        self.stopped.set()
        self._close()
        return self.exit_code

    def _close(self) -> None:
        # shutdown first: it wakes the thread blocked in accept(), which close() alone would not,
        # and that thread would keep the port bound
        with contextlib.suppress(OSError):
            self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            try:
                upstream = socket.create_connection(("127.0.0.1", self.target_port))
            except OSError:
                client.close()
                continue
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=_pipe, args=(source, sink), daemon=True).start()


def _pipe(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for end in (source, sink):
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)


@dataclass
class LocalRelease:
    """Both services running for real; `mcp_database` decides whether mcp-server's data survives a
    restart ("shared", the stateless way) or lives in the process's own file ("per-pod")."""

    database_url: str
    work: Path
    mcp_database: str = "shared"
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    forwards: list[ForwardingProcess] = field(default_factory=list)
    generation: int = 0
    mcp_port: int = field(default_factory=free_port)
    chat_port: int = field(default_factory=free_port)

    def env(self, component: str) -> dict[str, str]:
        common = {"MCP_AUTH_TOKEN": "internal-test-token", "LOG_LEVEL": "WARNING"}
        if component == "mcp-server":
            database = self.database_url
            if self.mcp_database == "per-pod":
                database = f"sqlite:///{self.work / f'mcp-pod-{self.generation}.db'}"
            return {**common, "DATABASE_URL": database}
        return {
            **common,
            "DATABASE_URL": self.database_url,
            "MCP_SERVER_URL": f"http://127.0.0.1:{self.mcp_port}/mcp",
            "AUTH_JWT_SECRET": factories.JWT_SECRET,
        }

    def start(self, component: str) -> None:
        port = self.mcp_port if component == "mcp-server" else self.chat_port
        service = start_service(MODULES[component], self.env(component), port)
        service.wait_ready(timeout=60)
        self.services[component] = service

    def restart(self, component: str) -> None:
        self.generation += 1
        self.services[component].stop()
        if component == "ai-todo":
            for forward in self.forwards:
                forward.dropped.set()
        self.start(component)

    def stop(self) -> None:
        for service in self.services.values():
            service.stop()

    def forward(self, argv: tuple[str, ...]) -> ForwardingProcess:
        process = ForwardingProcess(argv, self.chat_port)
        self.forwards.append(process)
        return process

    def attach(self, cluster: FakeCluster) -> None:
        """Deleting a pod restarts its service and puts a new ready pod in its place (one pod per
        component, so each deletion is one restart)."""

        def deleted(name: str) -> None:
            component = "ai-todo" if name.startswith("ai-todo") else "mcp-server"
            self.restart(component)
            # the old process has stopped, so the kubelet lets the Terminating pod go
            cluster.finish_terminating(name)
            cluster.add("pods", factories.pod(component, f"{component}-6d7e8f9a0b-r{self.generation}"))

        cluster.on_delete = deleted
