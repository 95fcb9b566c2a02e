"""The outside world `doctor` and `up` look at, each part reached only when a check first asks.

Reaching the cluster, Docker or a kube context can each fail; doctor must report each failure on
its own line, so it gets getters, not connections opened in advance. Everything else a command uses
it receives as itself (a `Kube`, a `Helm`, a release name).
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from todoctl.adapters.helm import Helm
from todoctl.adapters.kube import Kube
from todoctl.adapters.providers import Provider
from todoctl.adapters.registry import Registry
from todoctl.adapters.runner import Runner


@dataclass(frozen=True)
class Environment:
    runner: Runner
    namespace: str
    registry: Registry | None
    context: Callable[[], str]
    provider: Callable[[], Provider]
    kube: Callable[[], Kube]
    docker: Callable[[], Any]
    # Helm on the release's cluster, and Helm without a kube context (its version needs none)
    helm: Callable[[], Helm]
    local_helm: Callable[[], Helm]
