import pytest

from tests.todoctl import fixture_files, scripted
from todoctl.adapters.providers import (
    ClusterResources,
    Provider,
    detect,
    ensure_running,
    minikube_profiles,
    minikube_resources,
)
from todoctl.errors import ClusterNotRunning, ConfigError


@pytest.mark.parametrize(
    ("context", "provider"),
    [
        ("minikube", Provider("minikube", "minikube")),
        ("kind-todo", Provider("kind", "todo")),
        ("k3d-k3s-default", Provider("k3d", "k3s-default")),
        ("docker-desktop", Provider("generic", "docker-desktop")),
        (
            fixture_files.text("kubectl/config-current-context.txt").strip(),
            Provider("generic", "docker-desktop"),
        ),
    ],
)
def test_the_provider_comes_from_the_context_name(context, provider):
    assert detect(context) == provider


def test_a_provider_can_be_forced_for_a_renamed_context():
    assert detect("dev-laptop", "minikube") == Provider("minikube", "dev-laptop")
    assert detect("kind-todo", "kind") == Provider("kind", "todo")


def test_an_unknown_provider_is_refused():
    with pytest.raises(ConfigError, match="unknown provider 'microk8s'"):
        detect("microk8s", "microk8s")


def test_a_context_named_after_a_minikube_profile_is_minikube():
    # `minikube start -p todo` creates the kube context `todo`
    assert detect("todo", minikube_profiles=lambda: ["minikube", "todo"]) == Provider("minikube", "todo")
    assert detect("prod", minikube_profiles=lambda: ["minikube", "todo"]) == Provider("generic", "prod")


def test_minikube_is_asked_only_about_contexts_no_name_rule_claims():
    def not_to_be_asked():
        raise AssertionError("minikube was asked")

    assert detect("kind-todo", minikube_profiles=not_to_be_asked) == Provider("kind", "todo")
    assert detect("minikube", minikube_profiles=not_to_be_asked) == Provider("minikube", "minikube")


def test_minikube_profiles_from_its_light_json_list(runner):
    runner.on("minikube", "profile", "list", stdout=fixture_files.text("minikube/profile-list-trimmed.json"))

    assert minikube_profiles(runner) == ["minikube"]
    assert runner.argvs("minikube") == [("minikube", "profile", "list", "-o", "json", "--light")]


def test_no_minikube_means_no_profiles_and_no_call(runner):
    runner.installed.discard("minikube")

    assert minikube_profiles(runner) == []
    assert runner.calls == []


@pytest.mark.parametrize("output", ["", "not json", "[]", fixture_files.text("minikube/status-running.txt")])
def test_a_minikube_that_lists_nothing_usable_has_no_profiles(runner, output):
    runner.on("minikube", "profile", "list", stdout=output, returncode=0)

    assert minikube_profiles(runner) == []


def test_minikube_resources_from_its_profile_list(runner):
    scripted.minikube_running(runner)

    assert minikube_resources(runner, Provider("minikube", "minikube")) == ClusterResources(
        cpus=2, memory_mb=3890
    )
    assert minikube_resources(runner, Provider("minikube", "other")) is None


def test_too_small_a_minikube_gets_a_warning():
    assert ClusterResources(cpus=2, memory_mb=3890).warning is None
    assert "the chart wants at least 2 and 3072" in ClusterResources(cpus=1, memory_mb=2048).warning


def test_a_missing_kind_cluster_says_how_to_create_it(runner):
    runner.on("kind", "get", "clusters", stdout=fixture_files.text("kind/get-clusters.txt"))

    with pytest.raises(ClusterNotRunning, match="kind has no cluster named 'todo'") as raised:
        ensure_running(runner, Provider("kind", "todo"))
    assert raised.value.hint == "create it with: kind create cluster --name todo"
    ensure_running(runner, Provider("kind", "halkyon"))


def test_no_kind_clusters_at_all(runner):
    runner.on("kind", "get", "clusters", stderr=fixture_files.text("kind/get-clusters-none.stderr.txt"))

    with pytest.raises(ClusterNotRunning):
        ensure_running(runner, Provider("kind", "kind"))
