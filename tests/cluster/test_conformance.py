"""Our own cluster, checked before todoctl relies on it: version, images from the registry, Service
DNS, port-forwarding and pod replacement, and both Helm binaries."""

import json
from pathlib import Path

import httpx
import pytest

from tests.cluster import manifests
from tests.cluster.local_cluster import LocalCluster, PortForward, run

PROBE_CHART = Path(__file__).parent / "charts" / "probe"


def ready_pods(cluster: LocalCluster, namespace: str, instance: str) -> list[str]:
    pods = cluster.kubectl_json(
        "-n", namespace, "get", "pods", "-l", f"app.kubernetes.io/instance={instance}"
    )
    return [
        pod["metadata"]["name"]
        for pod in pods["items"]
        if "deletionTimestamp" not in pod["metadata"]
        and any(c["type"] == "Ready" and c["status"] == "True" for c in pod["status"].get("conditions", []))
    ]


def rollout(cluster: LocalCluster, namespace: str, name: str) -> None:
    cluster.kubectl("-n", namespace, "rollout", "status", f"deployment/{name}", "--timeout=120s")


def test_the_node_is_ready_and_client_and_server_are_1_34(cluster: LocalCluster) -> None:
    node = cluster.kubectl_json("get", "nodes")["items"]
    assert len(node) == 1
    ready = {c["type"]: c["status"] for c in node[0]["status"]["conditions"]}["Ready"]
    assert ready == "True"
    versions = json.loads(cluster.kubectl("version", "-o", "json").stdout)
    assert versions["clientVersion"]["gitVersion"].startswith("v1.34.")
    assert versions["serverVersion"]["gitVersion"].startswith("v1.34.")
    assert node[0]["status"]["nodeInfo"]["kubeletVersion"].startswith("v1.34.")


def test_an_image_pushed_to_the_registry_runs_as_two_replicas(
    cluster: LocalCluster, namespace: str, probe_image: str
) -> None:
    assert probe_image.startswith(f"{cluster.registry}/")
    cluster.apply(namespace, manifests.deployment("pair", probe_image, replicas=2))
    rollout(cluster, namespace, "pair")
    assert len(ready_pods(cluster, namespace, "pair")) == 2


def test_a_pod_reaches_another_service_by_its_name(
    cluster: LocalCluster, namespace: str, probe_image: str
) -> None:
    cluster.apply(
        namespace,
        manifests.deployment("backend", probe_image, message="hello through DNS"),
        manifests.service("backend"),
    )
    rollout(cluster, namespace, "backend")
    cluster.apply(namespace, manifests.fetching_pod("client", probe_image, "http://backend:8080/"))
    cluster.kubectl(
        "-n", namespace, "wait", "pod/client", "--for=jsonpath={.status.phase}=Succeeded", "--timeout=120s"
    )
    answer = json.loads(cluster.kubectl("-n", namespace, "logs", "pod/client").stdout)
    assert answer["message"] == "hello through DNS"


def test_port_forward_answers_and_a_deleted_pod_is_replaced(
    cluster: LocalCluster, namespace: str, probe_image: str
) -> None:
    cluster.apply(namespace, manifests.deployment("web", probe_image), manifests.service("web"))
    rollout(cluster, namespace, "web")
    with PortForward(cluster, namespace, "svc/web", 8080) as forward:
        first = httpx.get(forward.url, timeout=10).json()["pod"]
    cluster.kubectl("-n", namespace, "delete", "pod", first, "--wait=false")
    cluster.kubectl("-n", namespace, "wait", f"pod/{first}", "--for=delete", "--timeout=120s")
    rollout(cluster, namespace, "web")
    replacement = ready_pods(cluster, namespace, "web")
    assert replacement
    assert first not in replacement
    with PortForward(cluster, namespace, "svc/web", 8080) as forward:
        assert httpx.get(forward.url, timeout=10).json()["pod"] == replacement[0]


@pytest.mark.parametrize("helm", ["helm3", "helm4"])
def test_helm_installs_upgrades_rolls_back_and_uninstalls(
    cluster: LocalCluster, namespace: str, probe_image: str, helm: str
) -> None:
    binary = cluster.helms[helm]
    version = run([binary, "version", "--template", "{{ .Version }}"], env=cluster.env).stdout
    assert version.startswith(f"v{helm[-1]}.")

    def helm_run(*args: str) -> str:
        return run([binary, "-n", namespace, *args], env=cluster.env, timeout=300).stdout

    def message() -> str:
        with PortForward(cluster, namespace, "svc/probe", 8080) as forward:
            return httpx.get(forward.url, timeout=10).json()["message"]

    helm_run("install", "probe", str(PROBE_CHART), "--set", f"image={probe_image}", "--wait", "--timeout=3m")
    assert message() == "first"
    helm_run("upgrade", "probe", str(PROBE_CHART), "--reuse-values", "--set", "message=second", "--wait")
    assert message() == "second"
    helm_run("rollback", "probe", "1", "--wait")
    assert message() == "first"
    history = json.loads(helm_run("history", "probe", "-o", "json"))
    assert [entry["revision"] for entry in history] == [1, 2, 3]
    helm_run("uninstall", "probe", "--wait")
    left = cluster.kubectl_json("-n", namespace, "get", "deployments,services,secrets", "-l", "owner=helm")
    assert left["items"] == []
    assert cluster.kubectl_json("-n", namespace, "get", "deployments")["items"] == []
