"""Deployments and Services: wiring, rollouts, probes, shutdown, security and resources."""

import pytest

from tests.chart.rendering import SERVICE_COMPONENTS, Rendered, pod_spec, pods, render, set_flags
from tests.chart.scenarios import SCENARIOS, SELF_CONTAINED, Scenario


def _deployment(rendered: Rendered, component: str) -> dict:
    return rendered.component("Deployment", component)


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_each_deployment_selects_its_own_pods_only(scenario: Scenario) -> None:
    rendered = scenario.render()
    for deployment in rendered.of_kind("Deployment"):
        selector = deployment["spec"]["selector"]["matchLabels"]
        pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= pod_labels.items()
        others = [d for d in rendered.of_kind("Deployment") if d is not deployment]
        for other in others:
            assert not selector.items() <= other["spec"]["template"]["metadata"]["labels"].items()


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_each_service_reaches_a_container_port_of_exactly_one_deployment(scenario: Scenario) -> None:
    rendered = scenario.render()
    for service in rendered.of_kind("Service"):
        selector = service["spec"]["selector"]
        matches = [
            d
            for d in rendered.of_kind("Deployment")
            if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]
        assert len(matches) == 1, service["metadata"]["name"]
        container_ports = {
            port["name"]: port["containerPort"] for port in pod_spec(matches[0])["containers"][0]["ports"]
        }
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in container_ports
            assert port["port"] == container_ports[port["targetPort"]]


@pytest.mark.parametrize("scenario", SELF_CONTAINED.values(), ids=SELF_CONTAINED.keys())
def test_services_listen_where_their_container_port_says(scenario: Scenario) -> None:
    rendered = scenario.render()
    for component in SERVICE_COMPONENTS:
        spec = pod_spec(_deployment(rendered, component))
        env = rendered.environment(spec, component)
        assert env["PORT"] == str(spec["containers"][0]["ports"][0]["containerPort"])


def test_default_install_gives_a_cluster_ip_service_ai_todo_service_on_8000() -> None:
    service = render().get("Service", "ai-todo-service")

    assert service["spec"]["type"] == "ClusterIP"
    assert [(p["port"], p.get("nodePort")) for p in service["spec"]["ports"]] == [(8000, None)]
    assert render().get("Service", "mcp-server")["spec"]["type"] == "ClusterIP"


def test_node_port_option_gives_30080() -> None:
    service = render(set_flags("aiTodo.service.type=NodePort")).get("Service", "ai-todo-service")

    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"][0]["nodePort"] == 30080


def test_node_port_null_lets_kubernetes_choose() -> None:
    service = SCENARIOS["nodeport-chosen-by-kubernetes"].render().get("Service", "ai-todo-service")

    assert service["spec"]["type"] == "NodePort"
    assert "nodePort" not in service["spec"]["ports"][0]


def test_replicas_flow_from_set_flags() -> None:
    rendered = render(set_flags("aiTodo.replicaCount=4", "mcpServer.replicaCount=3"))

    assert _deployment(rendered, "ai-todo")["spec"]["replicas"] == 4
    assert _deployment(rendered, "mcp-server")["spec"]["replicas"] == 3


def test_image_tags_default_to_the_app_version_and_pull_if_not_present() -> None:
    rendered = render()

    for component, repository in [("ai-todo", "todoctl/ai-todo"), ("mcp-server", "todoctl/mcp-server")]:
        container = pod_spec(_deployment(rendered, component))["containers"][0]
        assert container["image"] == f"{repository}:0.1.0"
        assert container["imagePullPolicy"] == "IfNotPresent"


def test_image_tags_flow_from_set_flags() -> None:
    rendered = render(set_flags("aiTodo.image.tag=build-42", "mcpServer.image.tag=build-43"))

    assert pod_spec(_deployment(rendered, "ai-todo"))["containers"][0]["image"] == "todoctl/ai-todo:build-42"
    assert pod_spec(_deployment(rendered, "mcp-server"))["containers"][0]["image"] == (
        "todoctl/mcp-server:build-43"
    )


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_rollouts_never_take_a_serving_pod_away_first(scenario: Scenario) -> None:
    rendered = scenario.render()
    for component in SERVICE_COMPONENTS:
        strategy = _deployment(rendered, component)["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"]["maxUnavailable"] == 0
        assert strategy["rollingUpdate"]["maxSurge"] >= 1


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_probes_use_healthz_for_liveness_and_readyz_for_readiness(scenario: Scenario) -> None:
    rendered = scenario.render()
    for component in SERVICE_COMPONENTS:
        container = pod_spec(_deployment(rendered, component))["containers"][0]
        paths = {
            probe: (container[probe]["httpGet"]["path"], container[probe]["httpGet"]["port"])
            for probe in ("startupProbe", "livenessProbe", "readinessProbe")
        }
        assert paths == {
            "startupProbe": ("/healthz", "http"),
            "livenessProbe": ("/healthz", "http"),
            "readinessProbe": ("/readyz", "http"),
        }


def test_default_probes_notice_a_change_within_seconds() -> None:
    rendered = render()
    for component in SERVICE_COMPONENTS:
        container = pod_spec(_deployment(rendered, component))["containers"][0]
        readiness, startup = container["readinessProbe"], container["startupProbe"]
        # A recovered or replaced pod is back in its Service within a few seconds, well under 10.
        assert startup["periodSeconds"] + readiness["periodSeconds"] * readiness["successThreshold"] <= 5
        # A pod that loses its database leaves the Service within a few seconds.
        assert readiness["periodSeconds"] * readiness["failureThreshold"] <= 5
        assert readiness["timeoutSeconds"] <= readiness["periodSeconds"]


def test_probe_timing_flows_from_values() -> None:
    rendered = render(set_flags("mcpServer.probes.liveness.periodSeconds=7"))

    container = pod_spec(_deployment(rendered, "mcp-server"))["containers"][0]
    assert container["livenessProbe"]["periodSeconds"] == 7


@pytest.mark.parametrize("scenario", SELF_CONTAINED.values(), ids=SELF_CONTAINED.keys())
def test_grace_period_covers_the_serving_delay_and_the_drain(scenario: Scenario) -> None:
    rendered = scenario.render()
    for component in SERVICE_COMPONENTS:
        spec = pod_spec(_deployment(rendered, component))
        env = rendered.environment(spec, component)
        delay, drain = float(env["SHUTDOWN_DELAY_SECONDS"]), int(env["SHUTDOWN_TIMEOUT_SECONDS"])
        assert delay > 0, "without a delay the pod stops listening while still in the Service"
        assert spec["terminationGracePeriodSeconds"] > delay + drain
        # Draining is the process's own job; a preStop sleep would need a shell in the image.
        assert "lifecycle" not in spec["containers"][0]


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_pod_runs_unprivileged_on_a_read_only_root(scenario: Scenario) -> None:
    for workload in pods(scenario.render()):
        spec = pod_spec(workload)
        assert spec["securityContext"]["runAsNonRoot"] is True
        assert spec["securityContext"]["runAsUser"] > 0
        assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert spec["automountServiceAccountToken"] is False
        for container in spec["containers"]:
            context = container["securityContext"]
            assert context["readOnlyRootFilesystem"] is True
            assert context["allowPrivilegeEscalation"] is False
            assert context["capabilities"]["drop"] == ["ALL"]


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_pods_get_no_variables_from_other_services(scenario: Scenario) -> None:
    # Else every Service in the namespace adds <NAME>_PORT=tcp://... variables, and one named like a
    # setting would change it.
    for workload in pods(scenario.render()):
        assert pod_spec(workload)["enableServiceLinks"] is False


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_nothing_persistent_and_no_migration_job(scenario: Scenario) -> None:
    rendered = scenario.render()

    kinds = {manifest["kind"] for manifest in rendered.manifests}
    assert not kinds & {"PersistentVolumeClaim", "StatefulSet", "Job"}
    for workload in pods(rendered):
        for volume in pod_spec(workload).get("volumes", []):
            assert "emptyDir" in volume, f"{workload['metadata']['name']}: {volume}"


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_every_container_has_requests_and_limits(scenario: Scenario) -> None:
    for workload in pods(scenario.render()):
        for container in pod_spec(workload)["containers"]:
            for kind in ("requests", "limits"):
                assert {"cpu", "memory"} <= container["resources"][kind].keys(), workload["metadata"]["name"]


def _millicores(quantity: str) -> int:
    return int(quantity[:-1]) if quantity.endswith("m") else int(float(quantity) * 1000)


def _mebibytes(quantity: str) -> int:
    units = {"Mi": 1, "Gi": 1024}
    return int(quantity[:-2]) * units[quantity[-2:]]


# Minikube's default VM: 2 CPUs and 4 GB. Its own pods (apiserver, etcd, controller-manager,
# scheduler, coredns, proxy) request about 750m CPU and 170Mi; leave them that and some room.
MINIKUBE_CPU_FOR_APPS_MILLICORES = 2000 - 750
MINIKUBE_MEMORY_FOR_APPS_MIB = 4096 - 1024


def test_two_replicas_each_and_a_rollout_fit_a_default_minikube() -> None:
    rendered = render(
        set_flags("aiTodo.replicaCount=2", "mcpServer.replicaCount=2", "devPostgres.enabled=true")
    )
    cpu = memory = 0
    for deployment in rendered.of_kind("Deployment"):
        surge = deployment["spec"]["strategy"].get("rollingUpdate", {}).get("maxSurge", 0)
        requests = pod_spec(deployment)["containers"][0]["resources"]["requests"]
        pods_at_peak = deployment["spec"]["replicas"] + surge
        cpu += pods_at_peak * _millicores(requests["cpu"])
        memory += pods_at_peak * _mebibytes(requests["memory"])

    assert cpu <= MINIKUBE_CPU_FOR_APPS_MILLICORES
    assert memory <= MINIKUBE_MEMORY_FOR_APPS_MIB
