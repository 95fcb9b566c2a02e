"""One todoctl run: its settings, its output, and the outside world it talks to.

`Boundary` is everything outside the process: programs (through the runner), the Kubernetes API,
the Docker daemon and the kubeconfig. Tests pass their own `Boundary` (`CliRunner.invoke(...,
obj=boundary)`); a real run gets the real one.
"""

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from todoctl.adapters.docker import connect_docker
from todoctl.adapters.helm import Helm
from todoctl.adapters.kube import Kube, contexts
from todoctl.adapters.providers import Provider, detect, minikube_profiles
from todoctl.adapters.registry import Registry, parse_registry
from todoctl.adapters.runner import Runner
from todoctl.errors import ClusterUnreachable
from todoctl.output import Output
from todoctl.parsers.tool_errors import MINIKUBE_START
from todoctl.settings import Settings


def connect_kube(*, context: str | None, namespace: str) -> Kube:
    return Kube.connect(context=context, namespace=namespace)


@dataclass
class Boundary:
    runner: Runner = field(default_factory=Runner)
    kube: Callable[..., Kube] = connect_kube
    docker: Callable[[], Any] = connect_docker
    kube_contexts: Callable[[], tuple[list[str], str | None]] = contexts


class Session:
    def __init__(self, settings: Settings, boundary: Boundary, output: Output) -> None:
        self.settings = settings
        self.boundary = boundary
        self.output = output
        self.runner = boundary.runner

    @cached_property
    def context(self) -> str:
        if self.settings.context:
            return self.settings.context
        _, current = self.boundary.kube_contexts()
        if not current:
            raise ClusterUnreachable(
                "there is no current kube context",
                hint=f"start a local cluster ({MINIKUBE_START}) or pass --context",
            )
        return current

    @cached_property
    def provider(self) -> Provider:
        return detect(self.context, self.settings.provider, lambda: minikube_profiles(self.runner))

    @cached_property
    def kube(self) -> Kube:
        return self.boundary.kube(context=self.context, namespace=self.settings.namespace)

    def use_registry(self, text: str) -> None:
        """A command's --registry (or TODOCTL_REGISTRY) wins over the project file's."""
        parse_registry(text)
        self.settings = replace(self.settings, registry=text)

    @property
    def registry(self) -> Registry | None:
        return parse_registry(self.settings.registry) if self.settings.registry else None

    @cached_property
    def helm(self) -> Helm:
        """Helm on the release's cluster."""
        return self._helm(self.context)

    @cached_property
    def local_helm(self) -> Helm:
        """Helm without a kube context, for what needs no cluster (its version, lint): a machine
        without one can still run them."""
        return self._helm(None)

    def _helm(self, context: str | None) -> Helm:
        return Helm(
            self.runner,
            namespace=self.settings.namespace,
            context=context,
            timeout_seconds=self.settings.timeout,
            executable=self.settings.helm,
        )

    @cached_property
    def docker(self) -> Any:
        return self.boundary.docker()
