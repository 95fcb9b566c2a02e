"""The machine's local Kubernetes cluster, as `.ci/cluster/start` leaves it.

Its kubeconfig, binaries and registry are found from the environment `.ci/cluster/env` prints, or at
their default places. Without a cluster these tests skip and say how to start one; in CI (`CI` set)
they fail instead.
"""

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.cluster import manifests

DEFAULT_KUBECONFIG = "/var/lib/todoctl-cluster/kubeconfig"
DEFAULT_BIN = "/var/cache/todoctl-cluster/v1.34.4/bin"
CONTEXT = "todoctl-local"
REGISTRY = "127.0.0.1:5000"
# The node's bridge address: what a pod uses to reach this machine (its PostgreSQL, say).
NODE_IP = "10.201.0.1"


@dataclass(frozen=True)
class LocalCluster:
    kubeconfig: Path
    bin_dir: Path
    registry: str = REGISTRY
    context: str = CONTEXT

    def tool(self, name: str) -> str:
        return str(self.bin_dir / name)

    @property
    def helms(self) -> dict[str, str]:
        return {"helm3": self.tool("helm3"), "helm4": self.tool("helm4")}

    @property
    def env(self) -> dict[str, str]:
        """An environment in which `kubectl` is ours and the current context is the cluster."""
        return {
            **os.environ,
            "KUBECONFIG": str(self.kubeconfig),
            "PATH": f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        }

    def kubectl(
        self, *args: str, check: bool = True, input: str | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        return run([self.tool("kubectl"), *args], env=self.env, check=check, input=input, timeout=timeout)

    def apply(self, namespace: str, *objects: dict) -> None:
        """`kubectl apply` of the objects (tests/cluster/manifests.py) in the namespace."""
        self.kubectl("-n", namespace, "apply", "-f", "-", input=manifests.as_input(*objects))

    def kubectl_json(self, *args: str) -> dict:
        return json.loads(self.kubectl(*args, "-o", "json").stdout)


def run(
    argv: Sequence[str],
    *,
    env: dict[str, str],
    check: bool = True,
    input: str | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    completed = subprocess.run(
        list(argv), env=env, capture_output=True, text=True, input=input, timeout=timeout, check=False
    )
    if check and completed.returncode != 0:
        raise AssertionError(
            f"`{' '.join(argv)}` exited {completed.returncode}\n{completed.stdout}\n{completed.stderr}"
        )
    return completed


def _unavailable(reason: str) -> None:
    message = f"{reason}; start the local cluster with `.ci/cluster/start`"
    if os.environ.get("CI"):
        pytest.fail(f"the local cluster is required in CI: {message}")
    pytest.skip(message)


class ClusterMissing(Exception):
    """No local cluster answers; the message says what is missing."""


def locate() -> LocalCluster:
    cluster = LocalCluster(
        kubeconfig=Path(os.environ.get("KUBECONFIG") or DEFAULT_KUBECONFIG),
        bin_dir=Path(os.environ.get("TODOCTL_CLUSTER_BIN") or DEFAULT_BIN),
    )
    if not (cluster.bin_dir / "kubectl").exists():
        raise ClusterMissing(f"no cluster binaries in {cluster.bin_dir}")
    if not cluster.kubeconfig.exists():
        raise ClusterMissing(f"no kubeconfig at {cluster.kubeconfig}")
    ready = cluster.kubectl("get", "--raw", "/readyz", check=False, timeout=15)
    if ready.returncode != 0:
        raise ClusterMissing(f"the API server does not answer: {ready.stderr.strip()[:200]}")
    return cluster


def find_cluster() -> LocalCluster:
    try:
        return locate()
    except ClusterMissing as missing:
        _unavailable(str(missing))
        raise


class PortForward:
    """`kubectl port-forward` to a local port kubectl picks, read from the line it prints."""

    def __init__(self, cluster: LocalCluster, namespace: str, target: str, remote_port: int) -> None:
        self.process = subprocess.Popen(
            [cluster.tool("kubectl"), "-n", namespace, "port-forward", target, f":{remote_port}"],
            env=cluster.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "Forwarding from 127.0.0.1:" not in first:
            self.close()
            raise AssertionError(f"kubectl port-forward did not start: {first}")
        self.port = int(first.split("127.0.0.1:")[1].split()[0])

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(10)
        if self.process.stdout is not None:
            self.process.stdout.close()

    def __enter__(self) -> "PortForward":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
