"""todoctl run as a user runs it, as its own process, against the local cluster and registry."""

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.cluster.local_cluster import LocalCluster
from todoctl.adapters.kube import Kube
from todoctl.tokens import cluster_token

BASE_IMAGE = os.environ.get("TODOCTL_BASE_IMAGE", "python:3.13-slim")
CA_CERT = os.environ.get("TODOCTL_CA_CERT")


@dataclass
class Todoctl:
    cluster: LocalCluster
    helm: str
    release: str
    namespace: str
    state_dir: Path
    secrets: dict[str, str] = field(default_factory=dict)

    @property
    def env(self) -> dict[str, str]:
        env = {
            key: value
            for key, value in self.cluster.env.items()
            if not key.startswith("TODOCTL_") and key not in ("DATABASE_URL", "OPENAI_API_KEY")
        }
        env.update(
            TODOCTL_HELM=self.helm,
            TODOCTL_REGISTRY=self.cluster.registry,
            TODOCTL_CONTEXT=self.cluster.context,
            TODOCTL_RELEASE=self.release,
            TODOCTL_NAMESPACE=self.namespace,
            TODOCTL_STATE_DIR=str(self.state_dir),
            TODOCTL_TIMEOUT="240",
            COLUMNS="200",
            **self.secrets,
        )
        return env

    def argv(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "todoctl", *args]

    def run(self, *args: str, check: bool = True, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            self.argv(*args), env=self.env, capture_output=True, text=True, timeout=timeout, check=False
        )
        if check and completed.returncode != 0:
            said = f"{completed.stdout}\n{completed.stderr}"
            raise AssertionError(f"todoctl {' '.join(args)} exited {completed.returncode}\n{said}")
        return completed

    def json(self, *args: str, timeout: float = 900) -> Any:
        return json.loads(self.run("--json", *args, timeout=timeout).stdout)

    def build_options(self) -> list[str]:
        return ["--base-image", BASE_IMAGE, *(["--ca-cert", CA_CERT] if CA_CERT else [])]

    def spawn(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            self.argv(*args), env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
        )

    # what kubectl says about the release

    def kubectl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return self.cluster.kubectl("-n", self.namespace, *args, check=check)

    def pods(self, component: str) -> list[dict[str, Any]]:
        selector = f"app.kubernetes.io/instance={self.release},app.kubernetes.io/component={component}"
        items = self.cluster.kubectl_json("-n", self.namespace, "get", "pods", "-l", selector)["items"]
        return [pod for pod in items if "deletionTimestamp" not in pod["metadata"]]

    def ready_pods(self, component: str) -> list[dict[str, Any]]:
        return [
            pod
            for pod in self.pods(component)
            if any(
                c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", [])
            )
        ]

    def helm_run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        completed = subprocess.run(
            [self.helm, "-n", self.namespace, "--kube-context", self.cluster.context, *args],
            env=self.cluster.env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if check and completed.returncode != 0:
            said = f"{completed.stdout}\n{completed.stderr}"
            raise AssertionError(f"todoctl {' '.join(args)} exited {completed.returncode}\n{said}")
        return completed

    @property
    def chat_service(self) -> str:
        return "ai-todo-service" if self.release == "todo" else f"{self.release}-ai-todo-service"

    def token(self, user: str) -> str:
        """Minted with the release's own HS256 secret, read from its Secret as todoctl does."""
        kube = Kube.connect(context=self.cluster.context, namespace=self.namespace)
        token = cluster_token(kube, self.release, user)
        assert token is not None, "the release has no HS256 secret to mint tokens with"
        return token

    def chat_url(self) -> str:
        """The Service's ClusterIP: from this machine kube-proxy balances it over the ready pods, as a
        load balancer in front of the cluster would."""
        service = self.cluster.kubectl_json("-n", self.namespace, "get", "service", self.chat_service)
        return f"http://{service['spec']['clusterIP']}:8000"

    def user_values(self) -> dict[str, Any]:
        return json.loads(self.helm_run("get", "values", self.release, "-o", "json").stdout) or {}


def read_forward_url(process: subprocess.Popen[str]) -> str:
    """The URL `todoctl forward` prints once its port-forward answers."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        found = re.search(r"chat ready: (http://127\.0\.0\.1:\d+/#token=\S+)", line)
        if found:
            return found.group(1)
    raise AssertionError("todoctl forward ended without a URL:\n" + "".join(seen))
