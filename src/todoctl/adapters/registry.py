"""A container registry as the way into any cluster: where images go, pushing them, and checking
that the registry answers.

`--registry HOST[:PORT][/PATH]` names one place that both this machine pushes to and the cluster's
nodes pull from; each image goes to `<registry>/<name>:<content tag>`.
"""

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from todoctl.errors import ConfigError, ImagePushFailed, TodoctlError

# The reference grammar of distribution/reference: a domain (with an optional port) and lowercase
# path components.
_DOMAIN = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*"
    r"(?::[0-9]{1,5})?$"
)
_PATH_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
MAX_REGISTRY_LENGTH = 200
PING_TIMEOUT_SECONDS = 5.0


@dataclass(frozen=True)
class Registry:
    host: str  # host[:port]
    path: str  # "" or "team/project"

    @property
    def prefix(self) -> str:
        return f"{self.host}/{self.path}" if self.path else self.host

    def repository(self, name: str) -> str:
        """Where the image called `name` (ai-todo, mcp-server, dev-postgres) lives in this registry."""
        return f"{self.prefix}/{name}"

    @property
    def hostname(self) -> str:
        return self.host.rsplit(":", 1)[0] if ":" in self.host else self.host

    def __str__(self) -> str:
        return self.prefix


def parse_registry(text: str) -> Registry:
    """`HOST[:PORT][/PATH]`; a scheme, credentials, a tag or uppercase path are refused."""
    value = text.strip()
    hint = "give HOST[:PORT][/PATH], e.g. 127.0.0.1:5000 or registry.example.com/team"
    if not value:
        raise ConfigError("the registry is empty", hint=hint)
    if len(value) > MAX_REGISTRY_LENGTH:
        raise ConfigError(f"the registry name is longer than {MAX_REGISTRY_LENGTH} characters", hint=hint)
    if "://" in value:
        raise ConfigError(
            f"the registry {value!r} has a scheme", hint=hint + " (Docker chooses https or http itself)"
        )
    if "@" in value:
        raise ConfigError("the registry must not hold credentials", hint="log in with `docker login` instead")
    host, _, path = value.partition("/")
    if not _DOMAIN.fullmatch(host) or (":" in host and not 0 < int(host.rsplit(":", 1)[1]) < 65536):
        raise ConfigError(f"{host!r} is not a registry host", hint=hint)
    components = path.split("/") if path else []
    for component in components:
        if not _PATH_COMPONENT.fullmatch(component):
            raise ConfigError(
                f"{component!r} is not a valid registry path component",
                hint="use lowercase letters, digits and separators (., _, -), without a trailing '/'",
            )
    return Registry(host, "/".join(components))


def is_insecure(
    registry: Registry,
    docker_info: Mapping[str, Any],
    resolve: Callable[[str], list[str]] | None = None,
) -> bool:
    """Whether Docker talks plain HTTP to it, by Docker's own rule (registry/config.go,
    isSecureIndex): a registry configured by name decides itself; otherwise it is insecure when its
    host, resolved to addresses, falls in one of the daemon's InsecureRegistryCIDRs (127.0.0.0/8 by
    default, which is why a registry on loopback needs no configuration)."""
    config = docker_info.get("RegistryConfig") or {}
    index = (config.get("IndexConfigs") or {}).get(registry.host)
    if index is not None:
        return not index.get("Secure", True)
    networks = [
        ipaddress.ip_network(cidr, strict=False) for cidr in config.get("InsecureRegistryCIDRs") or []
    ]
    try:
        addresses = [ipaddress.ip_address(registry.hostname)]
    except ValueError:
        addresses = [ipaddress.ip_address(found) for found in (resolve or _resolve)(registry.hostname)]
    return any(address in network for address in addresses for network in networks)


def _resolve(hostname: str) -> list[str]:
    try:
        return sorted({str(info[4][0]) for info in socket.getaddrinfo(hostname, None)})
    except OSError:
        return []


def base_url(registry: Registry, docker_info: Mapping[str, Any]) -> str:
    scheme = "http" if is_insecure(registry, docker_info) else "https"
    return f"{scheme}://{registry.host}"


def ping(registry: Registry, docker_info: Mapping[str, Any], client: httpx.Client | None = None) -> str:
    """Raises unless the registry answers its API root (`/v2/`; 401 means it answers and wants a
    login, which `docker login` gives the push)."""
    url = f"{base_url(registry, docker_info)}/v2/"
    try:
        with client or httpx.Client(timeout=PING_TIMEOUT_SECONDS) as http:
            answer = http.get(url)
    except httpx.HTTPError as error:
        raise TodoctlError(
            f"the registry {registry} does not answer at {url}: {error}",
            hint="start it, or check the address; a registry on plain HTTP that is not on loopback must "
            "be in Docker's insecure-registries (daemon.json)",
        ) from None
    if answer.status_code not in (200, 401):
        raise TodoctlError(f"{url} answered {answer.status_code}: not a container registry API")
    return f"{registry} answers ({url}, {answer.status_code})"


@dataclass(frozen=True)
class Pushed:
    service: str
    image: str  # registry repository:tag
    digest: str


def push(
    api: Any,
    local_image: str,
    target_repository: str,
    *,
    service: str,
    on_progress: Callable[[str], None] | None = None,
) -> Pushed:
    """Tags the local image into the registry and pushes it with the Docker SDK; the registry's
    digest comes back in the stream's last `aux` record."""
    tag = local_image.rpartition(":")[2]
    api.tag(local_image, target_repository, tag=tag)
    target = f"{target_repository}:{tag}"
    digest = read_push_stream(
        api.push(target_repository, tag=tag, stream=True, decode=True), target, on_progress
    )
    return Pushed(service=service, image=target, digest=digest)


def read_push_stream(
    events: Iterable[Mapping[str, Any]], target: str, on_progress: Callable[[str], None] | None = None
) -> str:
    """Docker answers 200 even for a failed push: the failure is an `error` record in the stream."""
    digest = ""
    for event in events:
        if "error" in event or "errorDetail" in event:
            message = (event.get("errorDetail") or {}).get("message") or event.get("error") or "unknown"
            raise ImagePushFailed(f"pushing {target} failed: {message}", hint=push_hint(message))
        aux = event.get("aux") or {}
        if aux.get("Digest"):
            digest = str(aux["Digest"])
        if on_progress is not None and event.get("status"):
            parts = (event.get("id"), event.get("status"), event.get("progress"))
            on_progress(f"push {target}: " + " ".join(part for part in parts if part))
    if not digest:
        raise ImagePushFailed(f"pushing {target} ended without the registry's digest", hint=push_hint(""))
    return digest


def push_hint(message: str) -> str:
    lowered = message.lower()
    if "http response to https client" in lowered:
        return "the registry speaks plain HTTP: add it to Docker's insecure-registries (daemon.json)"
    if "unauthorized" in lowered or "authentication required" in lowered or "denied" in lowered:
        return "log in first: docker login <registry>"
    if "connection refused" in lowered or "no such host" in lowered or "i/o timeout" in lowered:
        return "the registry does not answer: start it or check the address (todoctl doctor checks it)"
    return "check the registry with `todoctl doctor --registry …`"
