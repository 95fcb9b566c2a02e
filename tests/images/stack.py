"""Both services as containers on a user-defined network, configured the way the chart configures them:
mcp-server reached by its DNS name, PostgreSQL on the host, read-only root, non-root, no capabilities."""

import time
import uuid
from dataclasses import dataclass, field

import docker
import httpx
from docker.models.containers import Container
from docker.models.networks import Network

from todo_core.tokens import mint_token

HOST_ALIAS = "host.docker.internal"


@dataclass
class Stack:
    client: docker.DockerClient
    network: Network
    images: dict[str, str]
    database_url: str
    jwt_secret: str = field(default_factory=lambda: uuid.uuid4().hex)
    mcp_token: str = field(default_factory=lambda: uuid.uuid4().hex)
    containers: dict[str, Container] = field(default_factory=dict)

    @property
    def gateway(self) -> str:
        return self.network.attrs["IPAM"]["Config"][0]["Gateway"]

    def env(self, service: str) -> dict[str, str]:
        common = {"DATABASE_URL": self.database_url, "MCP_AUTH_TOKEN": self.mcp_token, "LOG_LEVEL": "INFO"}
        if service == "mcp-server":
            return common
        return {**common, "MCP_SERVER_URL": "http://mcp-server:8001/mcp", "AUTH_JWT_SECRET": self.jwt_secret}

    def start(self, service: str, **extra_env: str) -> Container:
        port = 8000 if service == "ai-todo" else 8001
        container = self.client.containers.run(
            self.images[service],
            name=service,
            hostname=service,
            network=self.network.name,
            environment={**self.env(service), **extra_env},
            read_only=True,
            tmpfs={"/tmp": "size=16m"},  # noqa: S108 - the one writable path the images allow
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            extra_hosts={HOST_ALIAS: self.gateway},
            ports={f"{port}/tcp": ("127.0.0.1", None)},
            detach=True,
        )
        self.containers[service] = container
        return container

    def kill(self, service: str) -> None:
        container = self.containers.pop(service)
        container.kill()
        container.remove(force=True)

    def url(self, service: str) -> str:
        container = self.containers[service]
        container.reload()
        port = 8000 if service == "ai-todo" else 8001
        return f"http://127.0.0.1:{container.ports[f'{port}/tcp'][0]['HostPort']}"

    def wait_ready(self, service: str, timeout: float = 60) -> float:
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            container = self.containers[service]
            container.reload()
            if container.status == "exited":
                raise RuntimeError(f"{service} exited:\n{container.logs().decode(errors='replace')}")
            try:
                if httpx.get(f"{self.url(service)}/readyz", timeout=2).status_code == 200:
                    return time.monotonic() - started
            except (httpx.HTTPError, KeyError, IndexError):
                pass
            time.sleep(0.1)
        logs = self.containers[service].logs().decode(errors="replace")
        raise TimeoutError(f"{service} not ready after {timeout}s:\n{logs}")

    def chat(
        self, user: str, message: str, conversation_id: int | None = None, token: str | None = None
    ) -> httpx.Response:
        token = token or mint_token(self.jwt_secret, user)
        return httpx.post(
            f"{self.url('ai-todo')}/api/{user}/chat",
            headers={"Authorization": f"Bearer {token}"},
            json={"message": message, "conversation_id": conversation_id},
            timeout=30,
        )

    def messages(self, user: str, conversation_id: int) -> list[dict]:
        token = mint_token(self.jwt_secret, user)
        response = httpx.get(
            f"{self.url('ai-todo')}/api/{user}/conversations/{conversation_id}/messages",
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response.json()

    def remove_all(self) -> None:
        for container in self.containers.values():
            container.remove(force=True)
        self.containers.clear()
