"""Names: the default release gives the names the docs use; other releases live beside it."""

import re

import helm_python

from tests.chart.rendering import render
from tests.chart.scenarios import LONGEST_RELEASE_NAME

DNS_LABEL = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
DEV = {"devPostgres": {"enabled": True}}


def test_default_release_uses_the_documented_names() -> None:
    assert render(DEV).names() == {
        ("Deployment", "ai-todo"),
        ("Service", "ai-todo-service"),
        ("ConfigMap", "ai-todo-config"),
        ("Deployment", "mcp-server"),
        ("Service", "mcp-server"),
        ("ConfigMap", "mcp-server-config"),
        ("Secret", "todo-secret"),
        ("Deployment", "todo-dev-postgres"),
        ("Service", "todo-dev-postgres"),
        ("Secret", "todo-dev-postgres"),
        ("Pod", "todo-chat-test"),
        ("NetworkPolicy", "ai-todo"),
        ("NetworkPolicy", "mcp-server"),
        ("NetworkPolicy", "todo-dev-postgres"),
    }


def test_two_releases_share_no_object_name() -> None:
    first, second = render(DEV, release="todo"), render(DEV, release="todo-staging")

    assert first.names() & second.names() == set()
    assert ("Service", "todo-staging-ai-todo-service") in second.names()


def test_the_longest_release_name_still_gives_valid_distinct_names() -> None:
    helm_python.validate_release_name(LONGEST_RELEASE_NAME)
    rendered = render(DEV, release=LONGEST_RELEASE_NAME)
    names = [manifest["metadata"]["name"] for manifest in rendered.manifests]

    for name in names:
        assert len(name) <= 63
        assert DNS_LABEL.match(name), name
    assert len(rendered.names()) == len(rendered.manifests)
    assert any(name.endswith("-ai-todo-service") for name in names)


def test_labels_todoctl_selects_by() -> None:
    rendered = render(DEV, release="demo")

    for manifest in rendered.manifests:
        labels = manifest["metadata"]["labels"]
        assert labels["app.kubernetes.io/name"] == "todo"
        assert labels["app.kubernetes.io/instance"] == "demo"
        assert labels["app.kubernetes.io/managed-by"] == "Helm"
    for kind in ("Deployment", "Service"):
        for component in ("ai-todo", "mcp-server"):
            labels = rendered.component(kind, component)["metadata"]["labels"]
            assert labels["app.kubernetes.io/component"] == component
    for component in ("ai-todo", "mcp-server"):
        pod_labels = rendered.component("Deployment", component)["spec"]["template"]["metadata"]["labels"]
        assert pod_labels == {
            "app.kubernetes.io/name": "todo",
            "app.kubernetes.io/instance": "demo",
            "app.kubernetes.io/component": component,
        }
