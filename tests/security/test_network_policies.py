"""The chart's NetworkPolicies, read the way a policy-enforcing network plugin reads them: who may
reach which pod on which port, and where each pod may connect. Only ai-todo (and the release's helm
test pod) reaches mcp-server; only the two services reach the development PostgreSQL; ai-todo takes
traffic on its port; egress is DNS, the database, mcp-server and the model's and JWKS' ports.

The CI cluster's plain `bridge` CNI plugin does not enforce NetworkPolicy, so these tests check the
policies themselves, and Kubernetes' schemas check that a cluster would accept them."""

import ipaddress
from dataclasses import dataclass
from typing import Any

import helm_python
import kubernetes_validate
import pytest
from kubernetes_validate.utils import latest_version

from tests.chart.rendering import Rendered, render
from tests.chart.scenarios import A_DATABASE_URL

DEV = {"devPostgres": {"enabled": True}}
EXTERNAL = {"secrets": {"databaseUrl": "postgresql://todo:pw@db.example.com:6543/todo"}}
OUTSIDE = "203.0.113.7"


@dataclass(frozen=True)
class Pod:
    labels: dict[str, str]
    ip: str = "10.244.0.9"


def pod(component: str, release: str = "todo") -> Pod:
    return Pod(
        {
            "app.kubernetes.io/name": "todo",
            "app.kubernetes.io/instance": release,
            "app.kubernetes.io/component": component,
        }
    )


def _selects(selector: dict[str, Any], target: Pod) -> bool:
    assert set(selector) <= {"matchLabels"}, f"this reader knows matchLabels only: {selector}"
    return all(target.labels.get(key) == value for key, value in selector.get("matchLabels", {}).items())


def _peer_matches(peer: dict[str, Any], other: Pod | str) -> bool:
    if "ipBlock" in peer:
        address = ipaddress.ip_address(other if isinstance(other, str) else other.ip)
        network = ipaddress.ip_network(peer["ipBlock"]["cidr"])
        return address.version == network.version and address in network
    assert set(peer) == {"podSelector"}, f"this reader knows podSelector and ipBlock peers only: {peer}"
    return isinstance(other, Pod) and _selects(peer["podSelector"], other)


def _rule_allows(rule: dict[str, Any], peers_key: str, other: Pod | str, port: int, protocol: str) -> bool:
    peers = rule.get(peers_key)
    if peers is not None and not any(_peer_matches(peer, other) for peer in peers):
        return False
    ports = rule.get("ports")
    return ports is None or any(
        entry.get("port") == port and entry.get("protocol", "TCP") == protocol for entry in ports
    )


def _allowed(
    rendered: Rendered, subject: Pod, direction: str, other: Pod | str, port: int, *, protocol: str
) -> bool:
    policies = [
        policy["spec"]
        for policy in rendered.of_kind("NetworkPolicy")
        if _selects(policy["spec"]["podSelector"], subject) and direction in policy["spec"]["policyTypes"]
    ]
    if not policies:
        return True  # no policy selects the pod in this direction: Kubernetes lets everything through
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    return any(
        _rule_allows(rule, peers_key, other, port, protocol)
        for spec in policies
        for rule in spec.get(key) or []
    )


def reaches(rendered: Rendered, source: Pod, target: Pod, port: int, protocol: str = "TCP") -> bool:
    """Both ends must agree: the source's egress and the target's ingress."""
    return _allowed(rendered, source, "Egress", target, port, protocol=protocol) and _allowed(
        rendered, target, "Ingress", source, port, protocol=protocol
    )


def connects_out(rendered: Rendered, source: Pod, address: str, port: int, protocol: str = "TCP") -> bool:
    return _allowed(rendered, source, "Egress", address, port, protocol=protocol)


def test_the_policies_are_on_by_default_and_off_on_request() -> None:
    on = {policy["metadata"]["name"] for policy in render(DEV).of_kind("NetworkPolicy")}
    off = render({**DEV, "networkPolicy": {"enabled": False}}).of_kind("NetworkPolicy")

    assert on == {"ai-todo", "mcp-server", "todo-dev-postgres"}
    assert off == []


def test_only_ai_todo_and_the_helm_test_reach_mcp_server() -> None:
    rendered = render(DEV)
    mcp = pod("mcp-server")

    assert reaches(rendered, pod("ai-todo"), mcp, 8001)
    assert reaches(rendered, pod("test"), mcp, 8001)
    assert not reaches(rendered, pod("dev-postgres"), mcp, 8001)
    assert not reaches(rendered, pod("ai-todo", release="staging"), mcp, 8001)
    assert not reaches(rendered, Pod({"app": "intruder"}), mcp, 8001)
    assert not reaches(rendered, pod("ai-todo"), mcp, 22)


def test_only_the_two_services_reach_the_development_database_and_it_sends_nothing() -> None:
    rendered = render(DEV)
    database = pod("dev-postgres")

    assert reaches(rendered, pod("ai-todo"), database, 5432)
    assert reaches(rendered, pod("mcp-server"), database, 5432)
    assert not reaches(rendered, pod("test"), database, 5432)
    assert not reaches(rendered, Pod({"app": "intruder"}), database, 5432)
    assert not connects_out(rendered, database, OUTSIDE, 443)
    assert not connects_out(rendered, database, OUTSIDE, 53, "UDP")


def test_ai_todo_takes_traffic_on_its_port_only() -> None:
    rendered = render(DEV)

    assert reaches(rendered, Pod({"app": "ingress-controller"}), pod("ai-todo"), 8000)
    assert _allowed(rendered, pod("ai-todo"), "Ingress", OUTSIDE, 8000, protocol="TCP")
    assert not _allowed(rendered, pod("ai-todo"), "Ingress", OUTSIDE, 8001, protocol="TCP")


def test_egress_is_dns_the_database_mcp_server_and_the_models_port() -> None:
    rendered = render(EXTERNAL)
    ai_todo, mcp = pod("ai-todo"), pod("mcp-server")

    for service in (ai_todo, mcp):
        assert connects_out(rendered, service, "10.96.0.10", 53, "UDP")
        assert connects_out(rendered, service, "10.96.0.10", 53, "TCP")
        assert connects_out(rendered, service, OUTSIDE, 6543)
        assert not connects_out(rendered, service, OUTSIDE, 22)
    assert connects_out(rendered, ai_todo, OUTSIDE, 443)
    assert not connects_out(rendered, mcp, OUTSIDE, 443)


def test_the_ports_come_from_the_configured_urls() -> None:
    rendered = render(
        {
            "secrets": {"databaseUrl": A_DATABASE_URL},
            "config": {
                "openaiBaseUrl": "http://llm.internal:8080/v1",
                "authJwksUrl": "https://auth.example.com:8443/jwks",
            },
        }
    )
    ai_todo = pod("ai-todo")

    assert connects_out(rendered, ai_todo, OUTSIDE, 8080)
    assert connects_out(rendered, ai_todo, OUTSIDE, 8443)
    assert connects_out(rendered, ai_todo, OUTSIDE, 5432)
    assert not connects_out(rendered, ai_todo, OUTSIDE, 443)


def test_an_existing_secret_uses_the_configured_database_port_and_extra_rules_are_added() -> None:
    extra = {"to": [{"ipBlock": {"cidr": "10.10.0.0/16"}}], "ports": [{"port": 15432, "protocol": "TCP"}]}
    rendered = render(
        {
            "existingSecret": "todo-from-vault",
            "networkPolicy": {
                "databasePort": 7000,
                "externalCidrs": ["198.51.100.0/24"],
                "extraEgress": [extra],
            },
        }
    )
    mcp = pod("mcp-server")

    assert connects_out(rendered, mcp, "198.51.100.20", 7000)
    assert not connects_out(rendered, mcp, OUTSIDE, 7000), "outside the configured address blocks"
    assert connects_out(rendered, mcp, "10.10.3.4", 15432)


@pytest.mark.parametrize(
    "values",
    [
        DEV,
        EXTERNAL,
        {"existingSecret": "todo-from-vault"},
        {**DEV, "config": {"authJwksUrl": "https://a.example/j"}},
    ],
    ids=["dev", "external", "existing-secret", "jwks"],
)
def test_the_policies_are_valid_kubernetes(values: dict[str, Any]) -> None:
    policies = render(values).of_kind("NetworkPolicy")

    assert policies
    for policy in policies:
        kubernetes_validate.validate(policy, latest_version(), strict=True)


@pytest.mark.parametrize("cidr", ["everywhere", "10.0.0.0", "0.0.0.0/0; rm -rf /"])
def test_a_malformed_address_block_is_refused_by_the_values_schema(cidr: str) -> None:
    with pytest.raises(helm_python.HelmValuesError, match="externalCidrs"):
        render({**DEV, "networkPolicy": {"externalCidrs": [cidr]}})
